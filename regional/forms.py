from django import forms

from tenants.forms import organisation_name_validate
from tenants.models import Municipality


class MunicipalityForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = ["name", "oktmo", "imc_name"]
        labels = {"name": "Название", "oktmo": "ОКТМО", "imc_name": "Информационно-методический центр"}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        organisation_name_validate(name)
        return name

    def clean_oktmo(self) -> str:
        oktmo = self.cleaned_data["oktmo"].strip()
        if oktmo and not (oktmo.isascii() and oktmo.isdigit() and len(oktmo) in (8, 11)):
            raise forms.ValidationError("ОКТМО — 8 или 11 цифр.")
        return oktmo


class BatchUploadForm(forms.Form):
    file = forms.FileField(label="Файл XLSX или CSV")


class SchoolDeleteForm(forms.Form):
    confirmation = forms.CharField(label="Адрес школы для подтверждения", max_length=60)
