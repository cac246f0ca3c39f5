from typing import Any, cast

from django import forms

from core.acts.models import ActKind, LocalAct
from core.acts.selectors import act_repeal_candidates
from core.dates import RuDateField
from core.pairs.models import Pair
from core.people.forms import PersonPicker
from core.people.models import Person

# The curator of an order is a teacher of this school, chosen by surname in the people picker.
CURATOR_PLACEHOLDER = "Найти педагога: начните вводить фамилию"
CURATOR_REFUSED = "Выберите куратора из педагогов школы."


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
    curator = forms.ModelChoiceField(
        label="Куратор",
        queryset=Person.objects.filter(category="teacher"),
        widget=PersonPicker(placeholder=CURATOR_PLACEHOLDER),
        error_messages={"invalid_choice": CURATOR_REFUSED},
    )
    date = RuDateField(label="Дата приказа")


class SchoolSettingsForm(forms.Form):
    site_section_url = forms.URLField(label="Адрес раздела «Наставничество» на сайте школы", required=False,
                                      assume_scheme="https")  # fmt: skip

    def clean_site_section_url(self) -> str:
        url: str = self.cleaned_data.get("site_section_url", "")
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError("Адрес должен начинаться с http:// или https://")
        return url


class _ActChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        act = cast(LocalAct, obj)
        return f"{act.title} ({act.get_status_display()})"


class PolicyOrderForm(forms.Form):
    policy = _ActChoice(
        label="Положение (приложение 1)",
        queryset=LocalAct.objects.filter(
            kind__in=[ActKind.POLICY_TEACHERS, ActKind.POLICY_STUDENTS], status=LocalAct.Status.DRAFT
        ),
        error_messages={"invalid_choice": "Выберите проект Положения из списка."},
    )
    roadmap = _ActChoice(
        label="Дорожная карта (приложение 2)",
        required=False,
        queryset=LocalAct.objects.filter(kind=ActKind.ROADMAP, status=LocalAct.Status.DRAFT),
        help_text="Проект акта «Дорожная карта»; строки берутся из раздела «Дорожная карта».",
    )
    date = RuDateField(label="Дата приказа")


class IntroductionOrderForm(forms.Form):
    curator = forms.ModelChoiceField(
        label="Куратор внедрения",
        queryset=Person.objects.filter(category="teacher"),
        widget=PersonPicker(placeholder=CURATOR_PLACEHOLDER),
        error_messages={"invalid_choice": CURATOR_REFUSED},
    )
    date = RuDateField(label="Дата приказа")
    until = RuDateField(label="Срок внедрения (по)")


class _PairChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        pair = cast(Pair, obj)
        names = ", ".join(m.person.short_name for m in pair.members.all())
        return f"Пара № {pair.pk}: {names} (прекращена {pair.ended_on:%d.%m.%Y})"


def early_ended_pairs() -> Any:
    from tenants.catalogues import EndReason

    early = list(EndReason.objects.filter(early=True).values_list("code", flat=True))
    return (
        Pair.objects.filter(
            status=Pair.Status.ENDED, end_reason_code__in=early, termination_orders__isnull=True
        )
        .prefetch_related("members__person")
        .order_by("-ended_on", "-pk")
    )


class EarlyEndOrderForm(forms.Form):
    pair = _PairChoice(
        label="Пара, завершённая досрочно",
        queryset=Pair.objects.none(),
        error_messages={"invalid_choice": "Выберите пару, завершённую досрочно, без приказа."},
    )
    date = RuDateField(label="Дата приказа")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["pair"]).queryset = early_ended_pairs()


class OrderDateForm(forms.Form):
    """The date of an order generated from marked rows (pairs, incentives): the date chosen, not today."""

    date = RuDateField(label="Дата приказа")
