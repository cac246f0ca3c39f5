"""Region-wide compliance: every active school, its snapshot row LEFT JOINed (one query, however many schools).

A school is never left out because it has no snapshot row yet or has entered nothing: it is listed as
«нет данных», counted in the number of schools, and its applicable items count as not done in the totals.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.dates import parse_date_param
from core.facts import DONE, PARTIAL
from regional.checklist.history import end_of, schools_active_on
from regional.checklist.snapshots import checklist_current
from regional.models import SchoolSnapshotVersion
from tenants.models import Municipality, School
from tenants.selectors import AnyUser, user_inspected_municipality_ids, user_is_regional_admin

NO_DATA = "нет данных"


def _item_codes() -> set[str]:
    return {i.code for i in checklist_current().items.all()}


def schools_in_picture(user: AnyUser, on: date | None = None) -> QuerySet[School]:
    """The schools this user may see in the compliance view: the active ones (archived ones are out of
    it), or with ``on`` those that were active on that past day."""
    schools = schools_active_on(on)
    if user_is_regional_admin(user):
        return schools
    return schools.filter(municipality_id__in=user_inspected_municipality_ids(user))


def compliance_on(raw: str | None) -> date | None:
    """``?on=`` of the region view: None (empty, or today) for the live snapshots, else a past date.

    Read by the shared parser (core/dates.py: ДД.ММ.ГГГГ or the date picker's ГГГГ-ММ-ДД). An impossible
    date, one outside the years the system computes for, or one still to come (the history holds only
    what has happened) is refused (BadRequest: a Russian 400), never silently shown as today.
    """
    if not (raw or "").strip():
        return None
    value = parse_date_param(raw, allow_future=False)
    return None if value == timezone.localdate() else value


def _snapshot_fields(on: date | None) -> dict[str, Any]:
    """The ``snap_*`` figures of each school: its live snapshot, or the dated version in force on ``on``."""
    if on is None:
        return {
            "snap_percent": F("snapshot__percent"),
            "snap_done": F("snapshot__done"),
            "snap_applicable": F("snapshot__applicable"),
            "snap_template_version": F("snapshot__template_version"),
            "snap_items": F("snapshot__items"),
            "snap_counts": F("snapshot__counts"),
            "snap_computed_at": F("snapshot__computed_at"),
        }
    version = SchoolSnapshotVersion.objects.filter(school=OuterRef("pk"), valid_from__lt=end_of(on)).order_by(
        "-valid_from"
    )  # one index probe a school: (school, -valid_from)

    def field(name: str, output: Any) -> Subquery:
        return Subquery(version.values(name)[:1], output_field=output)

    return {
        "snap_percent": field("percent", IntegerField()),
        "snap_done": field("done", IntegerField()),
        "snap_applicable": field("applicable", IntegerField()),
        "snap_template_version": field("template_version", IntegerField()),
        "snap_items": field("items", JSONField()),
        "snap_counts": field("counts", JSONField()),
        "snap_computed_at": field("valid_from", DateTimeField()),
    }


def compliance_schools(
    *,
    user: AnyUser,
    municipality_id: int | None = None,
    kind: str = "",
    item: str = "",
    state: str = "",
    columns: list[Any] | None = None,
    on: date | None = None,
) -> QuerySet[School]:
    """Every school in the picture with its snapshot's figures (``snap_*``, None where it has no row).

    With ``on`` (a past date): the schools that existed and were not archived at the end of that day, each
    with the version of its snapshot in force then (from the dated history), so the view «по состоянию на» comes from data.
    """
    schools = schools_in_picture(user, on)
    if municipality_id:
        schools = schools.filter(municipality_id=municipality_id)
    if kind:
        schools = schools.filter(kind=kind)
    schools = schools.annotate(**_snapshot_fields(on))
    codes = {c.code for c in columns} if columns is not None else _item_codes()
    if item in codes and state:
        schools = schools.filter(**{f"snap_items__{item}__state": state})
    return schools.order_by(F("snap_percent").asc(nulls_first=True), "short_name")


def entered_nothing(items: dict[str, Any] | None, counts: dict[str, Any] | None) -> bool:
    """No snapshot, or a school with no people and no item even partly done: «нет данных», not «0 %»."""
    if items is None:
        return True
    started = any(v.get("state") in (DONE, PARTIAL) for v in items.values())
    return not started and not (counts or {}).get("people")


@dataclass(frozen=True)
class Totals:
    schools: int
    percent: int
    no_snapshot: int = 0


def _percent(done: int | None, applicable: int | None) -> int:
    return round(100 * (done or 0) / applicable) if applicable else 0


def _default_applicable(columns: list[Any] | None = None) -> int:
    """Items a school without a snapshot is counted as not having done (the non-optional ones)."""
    items = columns if columns is not None else checklist_current().items.all()
    return sum(1 for i in items if not i.optional)


def compliance_totals(
    schools: QuerySet[School], *, columns: list[Any] | None = None
) -> tuple[Totals, list[tuple[Municipality, Totals]]]:
    """Region and per-municipality compliance: done items over applicable items, summed in the database.

    Every school counts: one without a snapshot contributes its non-optional items as not done.
    """
    default = _default_applicable(columns)
    aggregates = {
        "n": Count("pk"),
        "d": Sum(Coalesce("snap_done", Value(0))),
        "a": Sum(Coalesce("snap_applicable", Value(default))),
        "missing": Count("pk", filter=Q(snap_computed_at__isnull=True)),
    }
    schools = schools.order_by()
    region = schools.aggregate(**aggregates)
    rows = schools.values("municipality_id").annotate(**aggregates)
    names = {m.pk: m for m in Municipality.objects.filter(pk__in=[r["municipality_id"] for r in rows])}
    by_municipality = sorted(
        ((names[r["municipality_id"]], Totals(r["n"], _percent(r["d"], r["a"]), r["missing"])) for r in rows),
        key=lambda pair: pair[0].name,
    )
    totals = Totals(region["n"] or 0, _percent(region["d"], region["a"]), region["missing"] or 0)
    return totals, by_municipality


def checklist_columns() -> list[Any]:
    return list(checklist_current().items.all())
