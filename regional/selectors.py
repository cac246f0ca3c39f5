from django.db.models import Count, F, Func, Q, QuerySet, Value
from django.shortcuts import get_object_or_404

# The dated snapshot history: the row per school «по состоянию на D» (reports, rounds, past region views).
from regional.checklist.history import percent_on, snapshots_at, snapshots_on
from tenants.models import Municipality, OnboardingBatch, School
from tenants.selectors import (
    AnyUser,
    schools_visible_to,
)


def fold_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def _folded(field: str) -> Func:
    return Func(F(field), Value("Ёё"), Value("Ее"), function="translate")


def school_list_for_user(
    *, user: AnyUser, search: str = "", municipality_id: int | None = None
) -> QuerySet[School]:
    schools = schools_visible_to(user)
    if municipality_id:
        schools = schools.filter(municipality_id=municipality_id)
    search = fold_yo(search.strip())
    if search:
        # Names are stored as typed; fold ё/е on both sides so «Ежово» finds «Ёжово».
        schools = schools.annotate(_short=_folded("short_name"), _full=_folded("name")).filter(
            Q(_short__icontains=search) | Q(_full__icontains=search) | Q(inn__startswith=search)
        )
    return schools.order_by("municipality__name", "short_name")


def municipalities_for_user(*, user: AnyUser) -> QuerySet[Municipality]:
    visible = schools_visible_to(user).values("municipality_id")
    return (
        Municipality.objects.filter(pk__in=visible).annotate(school_count=Count("schools")).order_by("name")
    )


def school_get_for_user(*, user: AnyUser, pk: int) -> School:
    """The only way region views fetch a school: 404 when the user may not see it."""
    return get_object_or_404(schools_visible_to(user), pk=pk)


SORTS = {
    "name": ("short_name",),
    "-name": ("-short_name",),
    "municipality": ("municipality__name", "short_name"),
    "created": ("-created_at",),
    "status": ("status", "short_name"),
}


def school_list_filtered(
    *,
    user: AnyUser,
    search: str = "",
    municipality_id: int | None = None,
    kind: str = "",
    status: str = "",
    sort: str = "municipality",
) -> QuerySet[School]:
    schools = school_list_for_user(user=user, search=search, municipality_id=municipality_id)
    if kind in School.Kind.values:
        schools = schools.filter(kind=kind)
    if status in School.Status.values:
        schools = schools.filter(status=status)
    return schools.order_by(*SORTS.get(sort, SORTS["municipality"]))


def batch_rows_summary(rows: list[dict]) -> dict[str, int]:
    return {
        "total": len(rows),
        "errors": sum(1 for r in rows if r["errors"]),
        "existing": sum(1 for r in rows if not r["errors"] and r["existing_school_id"]),
        "new": sum(1 for r in rows if not r["errors"] and not r["existing_school_id"]),
    }


def batch_progress(*, batch: OnboardingBatch) -> dict[str, int]:
    counts = dict(batch.schools.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    total = sum(counts.values())
    finished = total - counts.get(School.Status.PENDING, 0)
    return {
        "total": total,
        "finished": finished,
        "active": counts.get(School.Status.ACTIVE, 0),
        "failed": counts.get(School.Status.FAILED, 0),
        "percent": round(100 * finished / total) if total else 100,
    }


__all__ = [
    "batch_progress",
    "batch_rows_summary",
    "fold_yo",
    "municipalities_for_user",
    "percent_on",
    "school_get_for_user",
    "school_list_filtered",
    "school_list_for_user",
    "snapshots_at",
    "snapshots_on",
]
