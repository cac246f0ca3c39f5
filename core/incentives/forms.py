from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.acts.models import ActKind, LocalAct
from core.dates import RuDateField
from core.incentives.models import Incentive, Training
from core.people.models import BankEntry, Person


def mentor_people() -> QuerySet[Person]:
    """Who can be in the register: people in the bank of mentors or mentors of a pair (now or before)."""
    return (
        Person.objects.filter(
            Q(bank_entries__bank=BankEntry.Bank.MENTOR) | Q(pair_memberships__role="mentor")
        )
        .distinct()
        .order_by("last_name", "first_name", "middle_name")
    )


class _MentorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return cast(Person, obj).full_name


class _RussianDecimalField(forms.DecimalField):
    """«5 000,50», «1,5», «72»: spaces between thousands and a decimal comma, as Russian users type them."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u00a0", "").replace(",", ".")
        return super().to_python(value)


class IncentiveForm(forms.ModelForm):
    person = _MentorField(
        label="Наставник",
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": "Выберите наставника из базы наставников."},
    )
    given_on = RuDateField(label="Дата")
    amount = _RussianDecimalField(
        label="Сумма, руб.", required=False, max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )

    class Meta:
        model = Incentive
        fields = ["person", "kind", "title", "given_on", "amount", "order", "note"]
        localized_fields = ["amount"]  # «5 000,00» as a Russian user types it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = mentor_people()
        order = cast(forms.ModelChoiceField, self.fields["order"])
        order.queryset = LocalAct.objects.filter(kind__in=[ActKind.ORDER_INCENTIVES, ActKind.INCENTIVES])
        order.required = False
        order.error_messages["invalid_choice"] = "Выберите приказ о поощрении из списка актов."

    def clean_given_on(self) -> Any:
        day = self.cleaned_data["given_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(
                f"Поощрение {day:%d.%m.%Y} ещё не вручено: в реестр вносятся поощрения, которые уже состоялись."
            )
        return day

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data.get("title", "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Incentive.Kind.BONUS and not data.get("amount"):
            self.add_error("amount", "Для доплаты укажите сумму в рублях.")
        return data


class TrainingForm(forms.ModelForm):
    person = _MentorField(
        label="Наставник",
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": "Выберите наставника из базы наставников."},
    )
    hours = _RussianDecimalField(label="Часов", max_digits=6, decimal_places=1)
    starts_on = RuDateField(label="Начало")
    ends_on = RuDateField(label="Окончание")

    class Meta:
        model = Training
        fields = ["person", "course", "organiser", "hours", "starts_on", "ends_on", "document"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = mentor_people()

    def clean_hours(self) -> Any:
        hours = self.cleaned_data["hours"]
        if hours is not None and not 0 < hours <= 2000:
            raise forms.ValidationError(
                "Часов должно быть больше 0 (не больше 2000), например «72» или «1,5»."
            )
        return hours

    def clean_course(self) -> str:
        return " ".join(self.cleaned_data.get("course", "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", f"Окончание раньше начала ({starts:%d.%m.%Y}).")
        return data
