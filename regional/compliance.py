"""Region-wide compliance: every active school, its snapshot row LEFT JOINed (one query, however many schools).

A school is never left out because it has no snapshot row yet or has entered nothing: it is listed as
«нет данных», counted in the number of schools, and its applicable items count as not done in the totals.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from core.facts import DONE, PARTIAL
from regional.checklist.snapshots import checklist_current
from regional.models import SchoolSnapshot
from tenants.models import Municipality, School
from tenants.selectors import AnyUser, user_inspected_municipality_ids, user_is_regional_admin

NO_DATA = "нет данных"


def snapshots_visible_to(user: AnyUser) -> QuerySet[SchoolSnapshot]:
    snapshots = SchoolSnapshot.objects.filter(active=True)  # archived schools are hidden
    if user_is_regional_admin(user):
        return snapshots
    return snapshots.filter(municipality_id__in=user_inspected_municipality_ids(user))


def compliance_filtered(
    *, user: AnyUser, municipality_id: int | None = None, kind: str = "", item: str = "", state: str = ""
) -> QuerySet[SchoolSnapshot]:
    """Snapshot rows as data (the API); provisioning writes one for every school, the repair job the rest."""
    snapshots = snapshots_visible_to(user)
    if municipality_id:
        snapshots = snapshots.filter(municipality_id=municipality_id)
    if kind:
        snapshots = snapshots.filter(school_kind=kind)
    if item in _item_codes() and state:
        snapshots = snapshots.filter(**{f"items__{item}__state": state})
    return snapshots.select_related("school").order_by("percent", "school__short_name")


def _item_codes() -> set[str]:
    return {i.code for i in checklist_current().items.all()}


def schools_in_picture(user: AnyUser) -> QuerySet[School]:
    """The active schools this user may see in the compliance view (archived ones are out of it)."""
    schools = School.objects.filter(status=School.Status.ACTIVE)
    if user_is_regional_admin(user):
        return schools
    return schools.filter(municipality_id__in=user_inspected_municipality_ids(user))


def compliance_schools(
    *,
    user: AnyUser,
    municipality_id: int | None = None,
    kind: str = "",
    item: str = "",
    state: str = "",
    columns: list[Any] | None = None,
) -> QuerySet[School]:
    """Every school in the picture with its snapshot's figures (``snap_*``, None where it has no row)."""
    schools = schools_in_picture(user)
    if municipality_id:
        schools = schools.filter(municipality_id=municipality_id)
    if kind:
        schools = schools.filter(kind=kind)
    codes = {c.code for c in columns} if columns is not None else _item_codes()
    if item in codes and state:
        schools = schools.filter(**{f"snapshot__items__{item}__state": state})
    return schools.annotate(
        snap_percent=F("snapshot__percent"),
        snap_done=F("snapshot__done"),
        snap_items=F("snapshot__items"),
        snap_counts=F("snapshot__counts"),
        snap_computed_at=F("snapshot__computed_at"),
    ).order_by(F("snapshot__percent").asc(nulls_first=True), "short_name")


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
        "d": Sum(Coalesce("snapshot__done", Value(0))),
        "a": Sum(Coalesce("snapshot__applicable", Value(default))),
        "missing": Count("pk", filter=Q(snapshot__isnull=True)),
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
