"""The snapshot as it was on a day: read from the dated history (SchoolSnapshotVersion), never recomputed."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Case, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.facts import DONE, NA
from regional.models import SchoolSnapshotVersion
from tenants.models import School


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in local time: «по состоянию на D» includes all of D."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def snapshots_at(moment: datetime, *, school_ids: list[int] | None = None) -> QuerySet[SchoolSnapshotVersion]:
    """One row per school: the version in force just before ``moment``.

    A school with no version by then (onboarded later) has no row; callers that list schools LEFT JOIN
    from School and show «нет данных». One query (DISTINCT ON over the (school, -valid_from) index).
    """
    versions = SchoolSnapshotVersion.objects.filter(valid_from__lt=moment)
    if school_ids is not None:
        versions = versions.filter(school_id__in=school_ids)
    return versions.order_by("school_id", "-valid_from").distinct("school_id")


def snapshots_on(day: date, *, school_ids: list[int] | None = None) -> QuerySet[SchoolSnapshotVersion]:
    """One row per school as of the end of ``day``: its checklist items, counts, done/applicable, percent."""
    return snapshots_at(end_of(day), school_ids=school_ids)


def schools_active_on(day: date | None, *, onboarded_by_then: bool = True) -> QuerySet[School]:
    """The schools in the region's picture on ``day`` (None: now): not archived at its end.

    Archiving writes a version with ``active`` false, so the version in force at the end of ``day`` says
    whether the school was archived then; a school without a version by then is judged by ``archived_at``.
    One index probe a school. ``onboarded_by_then``: only schools already in the system by then (the
    compliance view, whose past comes from the snapshot history); the federal export, which recomputes
    from the schools' dated records, also counts a school onboarded later (its pairs may date from before).
    """
    if day is None:
        return School.objects.filter(status=School.Status.ACTIVE)
    moment = end_of(day)
    active_then = (
        SchoolSnapshotVersion.objects.filter(school=OuterRef("pk"), valid_from__lt=moment)
        .order_by("-valid_from")
        .values("active")[:1]
    )
    not_archived_yet = Q(archived_at__isnull=True) | Q(archived_at__gte=moment)
    schools = School.objects.filter(status__in=[School.Status.ACTIVE, School.Status.ARCHIVED])
    if onboarded_by_then:
        schools = schools.filter(created_at__lt=moment)
    return schools.annotate(
        active_then=Coalesce(
            Subquery(active_then, output_field=BooleanField()),
            Case(When(not_archived_yet, then=Value(True)), default=Value(False)),
        )
    ).filter(active_then=True)


def percent_at(
    moment: datetime, *, school_ids: list[int], codes: Collection[str] | None = None
) -> int | None:
    """Checklist % of these schools together: done items over applicable items, as the region view.

    ``codes``: count only these items (a round counts the items of the checklist version it was started
    with, whatever version the snapshots were computed for). None when none of them had any data by then.
    """
    rows = SchoolSnapshotVersion.objects.filter(
        pk__in=snapshots_at(moment, school_ids=school_ids).values("pk")
    )
    if codes is None:
        totals = rows.aggregate(d=Sum("done"), a=Sum("applicable"))
        return round(100 * (totals["d"] or 0) / totals["a"]) if totals["a"] else None
    done = applicable = 0
    for items in rows.values_list("items", flat=True):  # one row per school of a municipality's round
        d, a = items_done(items, codes)
        done, applicable = done + d, applicable + a
    return round(100 * done / applicable) if applicable else None


def items_done(items: dict[str, Any] | None, codes: Collection[str]) -> tuple[int, int]:
    """(done, applicable) among ``codes`` of one snapshot's items; an item it lacks counts in neither."""
    states = [(items or {}).get(code, {}).get("state") for code in codes]
    return sum(1 for s in states if s == DONE), sum(1 for s in states if s and s != NA)


def items_percent(items: dict[str, Any] | None, codes: Collection[str]) -> int | None:
    done, applicable = items_done(items, codes)
    return round(100 * done / applicable) if applicable else None


def percent_on(day: date, *, school_ids: list[int], codes: Collection[str] | None = None) -> int | None:
    return percent_at(end_of(day), school_ids=school_ids, codes=codes)
