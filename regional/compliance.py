"""Region-wide compliance, read from snapshot rows only (one indexed query, whatever the number of schools)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from regional.checklist.snapshots import checklist_current
from regional.models import SchoolSnapshot
from tenants.models import Municipality
from tenants.selectors import AnyUser, user_inspected_municipality_ids, user_is_regional_admin


def snapshots_visible_to(user: AnyUser) -> QuerySet[SchoolSnapshot]:
    snapshots = SchoolSnapshot.objects.filter(active=True)  # archived schools are hidden
    if user_is_regional_admin(user):
        return snapshots
    return snapshots.filter(municipality_id__in=user_inspected_municipality_ids(user))


def compliance_filtered(
    *, user: AnyUser, municipality_id: int | None = None, kind: str = "", item: str = "", state: str = ""
) -> QuerySet[SchoolSnapshot]:
    snapshots = snapshots_visible_to(user)
    if municipality_id:
        snapshots = snapshots.filter(municipality_id=municipality_id)
    if kind:
        snapshots = snapshots.filter(school_kind=kind)
    if item and state:
        snapshots = snapshots.filter(**{f"items__{item}__state": state})
    return snapshots.select_related("school").order_by("percent", "school__short_name")


@dataclass(frozen=True)
class Totals:
    schools: int
    percent: int


def _percent(done: int | None, applicable: int | None) -> int:
    return round(100 * (done or 0) / applicable) if applicable else 0


def compliance_totals(
    snapshots: QuerySet[SchoolSnapshot],
) -> tuple[Totals, list[tuple[Municipality, Totals]]]:
    """Region and per-municipality compliance: done items over applicable items, summed in the database."""
    region = snapshots.aggregate(n=Count("pk"), d=Sum("done"), a=Sum("applicable"))
    rows = (
        snapshots.order_by()
        .values("municipality_id")
        .annotate(n=Count("pk"), d=Sum("done"), a=Sum("applicable"))
    )
    names = {m.pk: m for m in Municipality.objects.filter(pk__in=[r["municipality_id"] for r in rows])}
    by_municipality = sorted(
        ((names[r["municipality_id"]], Totals(r["n"], _percent(r["d"], r["a"]))) for r in rows),
        key=lambda pair: pair[0].name,
    )
    return Totals(region["n"] or 0, _percent(region["d"], region["a"])), by_municipality


def checklist_columns() -> list[Any]:
    return list(checklist_current().items.all())
