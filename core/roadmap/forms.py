from datetime import date

from django import forms
from django.utils import timezone

from core.roadmap.models import RoadmapItem

# A roadmap covers the school's years of introducing the target model (from 2020, Р-145) and a few years
# ahead; a date outside that is a typo («2062» for «2026»), not a plan.
EARLIEST_DUE = date(2019, 1, 1)
YEARS_AHEAD = 5


class RoadmapItemForm(forms.ModelForm):
    """One roadmap item, added or edited in its row (the page, the htmx row and the no-JS fallback)."""

    class Meta:
        model = RoadmapItem
        fields = ["stage", "title", "period", "due_date", "responsible", "result", "status"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Укажите мероприятие.")
        return title

    def clean_due_date(self) -> date | None:
        due: date | None = self.cleaned_data.get("due_date")
        if due is None:
            return None
        today = timezone.localdate()
        latest = today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))
        if not EARLIEST_DUE <= due <= latest:
            raise forms.ValidationError(
                f"Срок {due:%d.%m.%Y} вне дорожной карты: укажите дату "
                f"с {EARLIEST_DUE:%d.%m.%Y} по {latest:%d.%m.%Y}."
            )
        return due
