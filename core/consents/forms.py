from typing import Any

from django import forms

from core.consents.models import Consent
from core.people.models import Person
from core.people.selectors import person_is_minor


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = [
            "kind", "by_representative", "representative_last_name", "representative_first_name",
            "representative_middle_name", "representative_relation", "representative_document", "valid_from",
            "valid_until",
        ]  # fmt: skip
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("valid_from", "valid_until")}

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "Дата окончания раньше даты начала.")
        if start and person_is_minor(self.person, start):
            if not data.get("by_representative"):
                self.add_error(
                    "by_representative", "Участнику нет 18 лет: согласие даёт законный представитель."
                )
            for field, message in (
                ("representative_last_name", "Укажите фамилию законного представителя."),
                ("representative_first_name", "Укажите имя законного представителя."),
                ("representative_relation", "Укажите, кем законный представитель приходится участнику."),
                ("representative_document", "Укажите документ о полномочиях законного представителя."),
            ):
                if not data.get(field):
                    self.add_error(field, message)
        return data


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label="Дата отзыва", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Причина", max_length=300, required=False)
