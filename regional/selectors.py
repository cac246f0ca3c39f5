from django.db.models import Count, F, Func, Q, QuerySet, Value

from tenants.models import Municipality, School
from tenants.selectors import AnyUser, schools_visible_to


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
