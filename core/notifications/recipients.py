"""Who gets a school's notification: logins (public user ids) of the school's staff and of pair members."""

from collections.abc import Iterable

from django.db import connection

from core.pairs.models import Pair, PairMember
from tenants.context import current_schema_name
from tenants.models import SCHOOL_STAFF_ROLES, Membership, School


def current_school() -> School:
    """The school whose schema is active (a request's tenant, or looked up by a task's schema)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, School):
        return tenant
    return School.objects.get(schema_name=current_schema_name())


def staff_ids(school: School | None = None) -> list[int]:
    """The school's curators and administrators."""
    school = school or current_school()
    return list(
        Membership.objects.filter(school=school, role__in=sorted(SCHOOL_STAFF_ROLES))
        .values_list("user_id", flat=True)
        .distinct()
    )


def member_ids(pairs: Iterable[Pair | int], *, role: str | None = None) -> dict[int, list[int]]:
    """pair id → the logins of its current members (mentors only, mentees only, or both)."""
    members = PairMember.objects.filter(
        pair__in=list(pairs), until__isnull=True, person__user_id__isnull=False
    )
    if role:
        members = members.filter(role=role)
    found: dict[int, list[int]] = {}
    for pair_id, user_id in members.values_list("pair_id", "person__user_id"):
        if user_id is None:  # excluded by the query
            continue
        found.setdefault(pair_id, []).append(user_id)
    return found
