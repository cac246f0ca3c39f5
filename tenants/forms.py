import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from tenants.models import Municipality, Role, School
from tenants.schema_names import slug_validate
from tenants.validators import inn_validate, kpp_validate, ogrn_validate, slug_suggest


class InvitationForm(forms.Form):
    """Whom to invite and in which role; the roles offered depend on who invites (region or school)."""

    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(label="Роль")

    def __init__(self, *args: object, roles: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]  # type: ignore[attr-defined]


class InvitationAcceptForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=150)
    first_name = forms.CharField(label="Имя", max_length=150)
    middle_name = forms.CharField(label="Отчество", max_length=150, required=False)
    password1 = forms.CharField(label="Пароль", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Пароль ещё раз", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Пароли не совпадают.")
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


_FORBIDDEN_IN_NAMES = re.compile(r"[;<>{}\[\]\\|=`$]|--|/\*|\*/|[\x00-\x1f\x7f]")

_KIND_ALIASES = {
    "общеобразовательная": School.Kind.GENERAL,
    "общеобразовательная организация": School.Kind.GENERAL,
    "оо": School.Kind.GENERAL,
    "школа": School.Kind.GENERAL,
    "дополнительного образования": School.Kind.ADDITIONAL,
    "организация дополнительного образования": School.Kind.ADDITIONAL,
    "до": School.Kind.ADDITIONAL,
    "спо": School.Kind.VOCATIONAL,
    "профессиональная": School.Kind.VOCATIONAL,
    "профессиональная образовательная организация (спо)": School.Kind.VOCATIONAL,
}


def organisation_name_validate(value: str) -> None:
    """Names as in a charter: letters, digits, quotes, №, dashes — no markup or statement separators."""
    if _FORBIDDEN_IN_NAMES.search(value):
        raise forms.ValidationError("Недопустимые символы в наименовании (; < > { } = и подобные).")
    if not re.search(r"[A-Za-zА-Яа-яЁё]", value):
        raise forms.ValidationError("Наименование должно содержать буквы.")


def _fold(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").lower().split())


class SchoolOnboardForm(forms.Form):
    """One school's data, for the form, the API and each row of an uploaded list (``batch=True``)."""

    name = forms.CharField(label="Полное наименование", max_length=500)
    short_name = forms.CharField(label="Краткое наименование", max_length=200)
    inn = forms.CharField(label="ИНН", max_length=10, validators=[inn_validate])
    ogrn = forms.CharField(label="ОГРН", max_length=13, validators=[ogrn_validate])
    kpp = forms.CharField(label="КПП", max_length=9, required=False, validators=[kpp_validate])
    municipality = forms.ModelChoiceField(label="Муниципалитет", queryset=Municipality.objects.all())
    kind = forms.ChoiceField(label="Тип", choices=School.Kind.choices, initial=School.Kind.GENERAL)
    slug = forms.CharField(
        label="Адрес",
        max_length=40,
        required=False,
        help_text="Школа будет доступна по адресу <адрес>.<домен региона>. Пусто — предложим по названию.",
    )
    curator_email = forms.EmailField(label="E-mail куратора")

    def __init__(self, *args: Any, batch: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        if batch:
            # In a file the municipality and the type are written as text.
            self.fields["municipality"] = forms.CharField(label="Муниципалитет", max_length=200)
            self.fields["kind"] = forms.CharField(label="Тип", max_length=100)

    def _clean_text(self, field: str) -> str:
        value = " ".join(str(self.cleaned_data.get(field, "")).split())
        organisation_name_validate(value)
        return value

    def clean_name(self) -> str:
        return self._clean_text("name")

    def clean_short_name(self) -> str:
        return self._clean_text("short_name")

    def clean_inn(self) -> str:
        inn = self.cleaned_data["inn"].strip()
        if not self.batch and School.objects.filter(inn=inn).exists():
            raise forms.ValidationError("Школа с таким ИНН уже подключена.")
        return inn

    def clean_kpp(self) -> str:
        return self.cleaned_data["kpp"].strip().upper()

    def clean_municipality(self) -> Municipality:
        value = self.cleaned_data["municipality"]
        if isinstance(value, Municipality):
            return value
        wanted = _fold(value)
        for municipality in Municipality.objects.all():
            if _fold(municipality.name) == wanted:
                return municipality
        raise forms.ValidationError(f"Муниципалитет «{value}» не найден в справочнике региона.")

    def clean_kind(self) -> str:
        value = self.cleaned_data["kind"]
        if value in School.Kind.values:
            return str(value)
        kind = _KIND_ALIASES.get(_fold(value))
        if kind is None:
            raise forms.ValidationError("Тип: общеобразовательная, ДО или СПО.")
        return str(kind)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        explicit = bool(str(data.get("slug") or "").strip())
        slug = str(data.get("slug") or "").strip().lower() or slug_suggest(data.get("short_name", ""))
        try:
            slug_validate(slug)
        except forms.ValidationError as error:
            self.add_error("slug", error)
            return data
        taken = School.objects.filter(slug=slug).exclude(inn=data.get("inn", ""))
        if taken.exists():
            if explicit:
                self.add_error("slug", f"Адрес «{slug}» уже занят другой школой.")
                return data
            slug = _first_free_slug(slug)
        data["slug"] = slug
        return data


def _first_free_slug(base: str) -> str:
    for n in range(2, 100):
        candidate = f"{base[:36]}-{n}"
        if not School.objects.filter(slug=candidate).exists():
            return candidate
    raise forms.ValidationError("Не удалось подобрать свободный адрес: укажите его вручную.")
