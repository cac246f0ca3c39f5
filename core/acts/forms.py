from typing import Any, cast

from django import forms

from core.acts.models import LocalAct
from core.acts.selectors import act_repeal_candidates
from core.dates import RuDateField
from core.people.models import Person


class LocalActForm(forms.ModelForm):
    date = RuDateField(label="Дата", required=False)

    class Meta:
        model = LocalAct
        fields = ["kind", "number", "date", "title"]

    def clean_number(self) -> str:
        return " ".join(self.cleaned_data.get("number", "").split())

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data.get("title", "").split())


class LocalActEditForm(LocalActForm):
    """Correcting a draft: its number, date and title (the kind stays; a new file is a new version)."""

    class Meta(LocalActForm.Meta):
        fields = ["number", "date", "title"]


class ActRepealForm(forms.Form):
    repealed_by = forms.ModelChoiceField(
        label="Утратил силу на основании акта",
        queryset=LocalAct.objects.none(),
        error_messages={"invalid_choice": "Выберите более поздний акт из списка."},
    )
    repealed_on = RuDateField(
        label="С какой даты", required=False, help_text="Пусто — с даты отменяющего акта."
    )

    def __init__(self, *args: Any, act: LocalAct, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["repealed_by"]).queryset = act_repeal_candidates(act)


class CuratorOrderForm(forms.Form):
    curator = forms.ModelChoiceField(label="Куратор", queryset=Person.objects.filter(category="teacher"))
    date = RuDateField(label="Дата приказа")


class SchoolSettingsForm(forms.Form):
    site_section_url = forms.URLField(label="Адрес раздела «Наставничество» на сайте школы", required=False,
                                      assume_scheme="https")  # fmt: skip

    def clean_site_section_url(self) -> str:
        url: str = self.cleaned_data.get("site_section_url", "")
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError("Адрес должен начинаться с http:// или https://")
        return url
