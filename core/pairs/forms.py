from typing import Any

from django import forms
from django.utils import timezone

from core.pairs.models import Meeting
from core.people.models import BankEntry, Person


def _catalogue_choices() -> dict[str, list[tuple[Any, str]]]:
    from tenants.catalogues import EndReason, MentoringForm, MentoringKind, RoleModel

    return {
        "forms": [(f.code, f.name) for f in MentoringForm.objects.filter(is_active=True)],
        "role_models": [
            (r.pk, f"{r.form.name}: {r.name}")
            for r in RoleModel.objects.select_related("form").filter(is_active=True)
        ],
        "kinds": [(k.code, k.name) for k in MentoringKind.objects.all()],
        "reasons": [(r.code, r.name) for r in EndReason.objects.all()],
    }


class PairForm(forms.Form):
    form_code = forms.ChoiceField(label="Форма наставничества")
    role_model_id = forms.TypedChoiceField(label="Ролевая модель", coerce=int)
    kind_code = forms.ChoiceField(label="Вид наставничества")
    mentors = forms.ModelMultipleChoiceField(label="Наставники", queryset=Person.objects.none())
    mentees = forms.ModelMultipleChoiceField(label="Наставляемые", queryset=Person.objects.none())
    started_on = forms.DateField(label="Начало", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _catalogue_choices()
        self.fields["form_code"].choices = choices["forms"]  # type: ignore[attr-defined]
        self.fields["role_model_id"].choices = choices["role_models"]  # type: ignore[attr-defined]
        self.fields["kind_code"].choices = choices["kinds"]  # type: ignore[attr-defined]
        # Anyone in the banks may be picked; the pair service says why someone cannot take part.
        self.fields["mentors"].queryset = Person.objects.filter(bank_entries__bank=BankEntry.Bank.MENTOR)  # type: ignore[attr-defined]
        self.fields["mentees"].queryset = Person.objects.filter(bank_entries__bank=BankEntry.Bank.MENTEE)  # type: ignore[attr-defined]


class PairEndForm(forms.Form):
    ended_on = forms.DateField(label="Дата завершения", widget=forms.DateInput(attrs={"type": "date"}))
    reason_code = forms.ChoiceField(label="Причина")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = _catalogue_choices()["reasons"]  # type: ignore[attr-defined]


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "date", "format", "hours", "notes"]
        localized_fields = ["hours"]  # «1,5» as the table shows it; «1.5» still accepted
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "notes": forms.TextInput()}

    def clean_date(self) -> Any:
        # A meeting is recorded once it has taken place (the page and the API both use this form).
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(
                f"Встреча {day:%d.%m.%Y} ещё не состоялась: записывайте встречу после того, как она прошла."
            )
        return day

    def clean_hours(self) -> Any:
        hours = self.cleaned_data["hours"]
        if not 0 < hours <= 12:
            raise forms.ValidationError("От 0,5 до 12 часов.")
        return hours


class ProgrammeForm(forms.Form):
    starts_on = forms.DateField(label="Начало", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Окончание", widget=forms.DateInput(attrs={"type": "date"}))
