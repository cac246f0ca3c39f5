"""A school's federal report figures for a date, computed in its own schema (the region only stores them).

Set-based: about ten queries per school however many people, pairs or answers it has, so a region-wide
export costs a small constant per school. The region's catalogue knowledge it needs (which end reasons
count as «early») is passed in, because the school side does not import the region side.
"""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db.models import Count, Q

from core.indicators.selectors import current_pairs_q, indicator_counts_on
from core.monitoring.models import SurveyResponse
from core.pairs.models import Pair
from core.programmes.models import Programme


def school_report_values(*, on: date, early_end_codes: Collection[str]) -> dict[str, Any]:
    """Figures of the school whose schema is active, as of ``on``: shares, counts, forms, satisfaction.

    JSON-ready (lists, not tuples) because the region stores them as they are in its report row.
    """
    counts = indicator_counts_on(on)
    values: dict[str, Any] = {key: list(share) for key, share in counts.shares.items()}
    values["mentors"], values["mentees"] = counts.mentors, counts.mentees
    values.update(_pairs(on, early_end_codes))
    values.update(_programmes(on))
    values["satisfaction"] = _satisfaction(on)
    return values


def _pairs(on: date, early_end_codes: Collection[str]) -> dict[str, Any]:
    """One grouped query: current pairs by form and role model, and pairs ended early by ``on``."""
    groups = (
        Pair.objects.values_list("form_code", "role_model_id")
        .annotate(
            current=Count("pk", filter=current_pairs_q(on)),
            early=Count("pk", filter=Q(ended_on__lte=on, end_reason_code__in=list(early_end_codes))),
        )
        .order_by("form_code", "role_model_id")
    )
    by_form: dict[str, int] = {}
    by_role_model: dict[str, int] = {}
    early = 0
    for form_code, role_model_id, current, ended_early in groups:
        early += ended_early
        if current:
            by_form[form_code] = by_form.get(form_code, 0) + current
            by_role_model[str(role_model_id)] = by_role_model.get(str(role_model_id), 0) + current
    return {
        "pairs": sum(by_form.values()),
        "ended_early": early,
        "by_form": by_form,
        "by_role_model": by_role_model,
    }


def _programmes(on: date) -> dict[str, int]:
    counts = Programme.objects.aggregate(
        started=Count("pk", filter=Q(starts_on__lte=on)),
        completed=Count("pk", filter=Q(status=Programme.Status.COMPLETED, completed_on__lte=on)),
    )
    return {"programmes_started": counts["started"], "programmes_completed": counts["completed"]}


def _satisfaction(on: date) -> list[int]:
    """[sum, answers] of the whole-number «satisfaction» answers submitted by ``on``."""
    scores = SurveyResponse.objects.filter(phase=SurveyResponse.Phase.ONCE, submitted_at__date__lte=on)
    answers = [s for s in scores.values_list("answers__satisfaction", flat=True) if type(s) is int]
    return [sum(answers), len(answers)]
