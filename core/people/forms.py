import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from core.people.models import BankEntry, Category, Person, Request

_NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-]*$")
_CLASS_RE = re.compile(r"^(1[01]|[1-9])\s?-?\s?[А-ЯЁа-яёA-Za-z]?$")


def _name(value: str, label: str) -> str:
    value = " ".join(value.split())
    if value and not _NAME_RE.match(value):
        raise forms.ValidationError(f"{label}: только буквы, пробел, дефис и апостроф.")
    return value


class PersonForm(forms.ModelForm):
    """Validation of a person, shared by the page, the API and each row of an import."""

    class Meta:
        model = Person
        fields = [
            "last_name", "first_name", "middle_name", "category", "external_kind", "organisation", "birth_date",
            "school_class", "position", "career_start", "hired_on", "email", "phone",
        ]  # fmt: skip
        widgets = {
            f: forms.DateInput(attrs={"type": "date"}) for f in ("birth_date", "career_start", "hired_on")
        }

    def clean_last_name(self) -> str:
        return _name(self.cleaned_data["last_name"], "Фамилия")

    def clean_first_name(self) -> str:
        return _name(self.cleaned_data["first_name"], "Имя")

    def clean_middle_name(self) -> str:
        return _name(self.cleaned_data.get("middle_name", ""), "Отчество")

    def clean_school_class(self) -> str:
        value = " ".join(self.cleaned_data.get("school_class", "").split()).upper().replace(" ", "")
        if value and not _CLASS_RE.match(value):
            raise forms.ValidationError("Класс пишется как «7Б» или «11».")
        return value

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not re.fullmatch(r"[+\d][\d\s()\-]{5,20}", phone):
            raise forms.ValidationError("Телефон: цифры, пробелы, скобки и дефисы.")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        category = data.get("category")
        today = timezone.localdate()
        birth = data.get("birth_date")
        if birth and not (date(1920, 1, 1) <= birth <= today):
            self.add_error("birth_date", "Проверьте дату рождения.")
        if category == Category.STUDENT:
            if not birth:
                self.add_error("birth_date", "Для обучающегося укажите дату рождения.")
            if not data.get("school_class"):
                self.add_error("school_class", "Для обучающегося укажите класс.")
        if category == Category.TEACHER:
            if not data.get("position"):
                self.add_error("position", "Для педагога укажите должность.")
            start = data.get("career_start")
            if start and start > today:
                self.add_error("career_start", "Начало педагогической деятельности не может быть в будущем.")
            if start and birth and start < birth:
                self.add_error("career_start", "Начало деятельности раньше даты рождения.")
        if category == Category.EXTERNAL and not data.get("external_kind"):
            self.add_error("external_kind", "Укажите, кто этот внешний участник.")
        if category != Category.EXTERNAL:
            data["external_kind"] = ""
        return data


class BankEntryForm(forms.ModelForm):
    requests = forms.MultipleChoiceField(
        label="Запросы", choices=Request.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = BankEntry
        fields = ["bank", "requests", "competencies", "subjects", "capacity"]

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data.get("capacity") or 1
        if not 1 <= capacity <= 30:
            raise forms.ValidationError("От 1 до 30 наставляемых.")
        return capacity
