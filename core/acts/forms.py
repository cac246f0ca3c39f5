from django import forms

from core.acts.models import LocalAct
from core.people.models import Person


class LocalActForm(forms.ModelForm):
    class Meta:
        model = LocalAct
        fields = ["kind", "number", "date", "title"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def clean_number(self) -> str:
        return " ".join(self.cleaned_data.get("number", "").split())


class CuratorOrderForm(forms.Form):
    curator = forms.ModelChoiceField(label="Куратор", queryset=Person.objects.filter(category="teacher"))
    date = forms.DateField(label="Дата приказа", widget=forms.DateInput(attrs={"type": "date"}))


class SchoolSettingsForm(forms.Form):
    site_section_url = forms.URLField(label="Адрес раздела «Наставничество» на сайте школы", required=False,
                                      assume_scheme="https")  # fmt: skip

    def clean_site_section_url(self) -> str:
        url: str = self.cleaned_data.get("site_section_url", "")
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError("Адрес должен начинаться с http:// или https://")
        return url
