from django.db.models import Count, Q, QuerySet

from tenants.models import Municipality, School
from tenants.selectors import AnyUser, schools_visible_to


def fold_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def school_list_for_user(
    *, user: AnyUser, search: str = "", municipality_id: int | None = None
) -> QuerySet[School]:
    schools = schools_visible_to(user)
    if municipality_id:
        schools = schools.filter(municipality_id=municipality_id)
    search = fold_yo(search.strip())
    if search:
        # Names are stored as typed; fold ё/е on both sides so «Ежово» finds «Ёжово».
        from django.db.models import F, Func, Value

        folded = Func(F("short_name"), Value("ё"), Value("е"), function="replace")
        folded_full = Func(F("name"), Value("ё"), Value("е"), function="replace")
        schools = schools.annotate(_short=folded, _full=folded_full).filter(
            Q(_short__icontains=search) | Q(_full__icontains=search) | Q(inn__startswith=search)
        )
    return schools.order_by("municipality__name", "short_name")


def municipalities_for_user(*, user: AnyUser) -> QuerySet[Municipality]:
    visible = schools_visible_to(user).values("municipality_id")
    return (
        Municipality.objects.filter(pk__in=visible).annotate(school_count=Count("schools")).order_by("name")
    )
