import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from core.people.models import BankEntry, Category, Person
from core.people.selectors import age_on, subjects_split
from core.templatetags.nastavnik import plural_ru
from tenants.catalogues import BankRequest

# The youngest a teacher can be when they start to teach (an employment contract for pedagogical work
# needs secondary vocational education, i.e. 18 at the earliest in practice).
MIN_WORKING_AGE = 18


class PersonPicker(forms.Select):
    """One person chosen in the searchable picker (site.js, Tom Select, ``data-picker``) over the native
    <select>, which is what a browser without JavaScript shows; includes/form_fields.html renders it."""

    picker = True

    def __init__(self, *, placeholder: str = "Найти: начните вводить фамилию", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.placeholder = placeholder


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
            elif start and birth and age_on(birth, start) < MIN_WORKING_AGE:
                self.add_error(
                    "career_start",
                    f"На начало педагогической деятельности ({start:%d.%m.%Y}) участнику было "
                    f"{age_on(birth, start)} {plural_ru(age_on(birth, start), 'год,года,лет')}: "
                    f"педагогом работают с {MIN_WORKING_AGE} лет. Проверьте даты.",
                )
            if birth and age_on(birth, today) < MIN_WORKING_AGE and birth >= date(1920, 1, 1):
                self.add_error(
                    "birth_date",
                    f"Педагогу не может быть меньше {MIN_WORKING_AGE} лет. Проверьте дату рождения.",
                )
        hired = data.get("hired_on")
        if hired:
            career = data.get("career_start") if category == Category.TEACHER else None
            if hired > today:
                self.add_error("hired_on", "Дата приёма на работу не может быть в будущем.")
            elif birth and hired < birth:
                self.add_error("hired_on", "Дата приёма на работу раньше даты рождения.")
            elif career and hired < career:
                self.add_error(
                    "hired_on",
                    f"Дата приёма на работу ({hired:%d.%m.%Y}) раньше начала педагогической деятельности "
                    f"({career:%d.%m.%Y}): педагог начинает стаж не позже, чем принят в школу.",
                )
        if category == Category.EXTERNAL and not data.get("external_kind"):
            self.add_error("external_kind", "Укажите, кто этот внешний участник.")
        if category != Category.EXTERNAL:
            data["external_kind"] = ""
        return data


def bank_request_choices() -> list[tuple[str, str]]:
    """The region's active requests, in its order, each with whom it is for (seeds 001 and 003 split them)."""
    choices = []
    for request in BankRequest.objects.filter(is_active=True):
        suffix = (
            "" if request.audience == BankRequest.Audience.ANY else f" ({request.get_audience_display()})"
        )
        choices.append((request.code, f"{request.name}{suffix}"))
    return choices


class BankEntryForm(forms.ModelForm):
    """Including a person in a bank. ``requests`` come from the region's catalogue: a mentee's are what they
    ask for, a mentor's what they can help with; matching pairs them."""

    requests = forms.MultipleChoiceField(
        label="Запросы (наставляемому — с чем нужна помощь, наставнику — с чем может помочь)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Запроса «%(value)s» нет в справочнике региона."},
    )

    class Meta:
        model = BankEntry
        fields = ["bank", "requests", "competencies", "subjects", "capacity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"].required = False  # empty means the default, one mentee
        # From the catalogue at each form's creation: the region edits it while the site runs.
        self.fields["requests"].choices = bank_request_choices()  # type: ignore[attr-defined]
        self.fields[
            "subjects"
        ].help_text = (
            "Через запятую. Наставляемому — по каким предметам нужна помощь, наставнику — какие ведёт."
        )

    def clean_subjects(self) -> str:
        return ", ".join(subjects_split(self.cleaned_data.get("subjects", "")))

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data.get("capacity")
        if capacity is None:  # left empty: one mentee, as the model's default
            return 1
        # 0 was silently saved as 1 («0 or 1»): now it is refused like any other value out of range.
        if not 1 <= capacity <= 30:
            raise forms.ValidationError("От 1 до 30 наставляемых.")
        return capacity
