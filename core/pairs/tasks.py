"""The daily job of the consent rule: consents expire with the calendar, not with a click."""

from django.utils import timezone

from config.celery import SchoolTask, app
from core.pairs.services import pairs_enforce_consents


@app.task(base=SchoolTask, name="core.consents_enforce_daily")
def consents_enforce_daily() -> int:
    """Suspend, in this school, every pair a member of which has no valid consents today (expired
    yesterday, or anything an earlier path missed). Idempotent: returns how many periods it opened."""
    return len(pairs_enforce_consents(on=timezone.localdate(), reason="Проверка согласий"))
