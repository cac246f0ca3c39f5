"""Who may do what where. Every access decision (pages, API, tasks) goes through these functions."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tenants.models import REGION_ROLES, SCHOOL_ROLES, Membership, Role, School, User
from tenants.schema_names import school_host
from tenants.urls_util import site_url

AnyUser = User | AnonymousUser


def _memberships(user: AnyUser) -> list[Membership]:
    if not user.is_authenticated:
        return []
    # Cached on the user object: one query per request however many checks a request makes.
    cached: list[Membership] | None = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("school", "municipality"))
        setattr(user, "_membership_cache", cached)  # noqa: B010
    return cached


def user_is_regional_admin(user: AnyUser) -> bool:
    return any(m.role == Role.REGIONAL_ADMIN for m in _memberships(user))


def user_is_regional_staff(user: AnyUser) -> bool:
    return any(m.role in REGION_ROLES for m in _memberships(user))


def user_inspected_municipality_ids(user: AnyUser) -> set[int]:
    return {m.municipality_id for m in _memberships(user) if m.role == Role.INSPECTOR and m.municipality_id}


def user_school_roles(user: AnyUser, school: School) -> set[str]:
    return {m.role for m in _memberships(user) if m.role in SCHOOL_ROLES and m.school_id == school.pk}


def user_may_enter_school(user: AnyUser, school: School) -> bool:
    """School data is seen only by the school's own members — never by region roles alone."""
    return bool(user_school_roles(user, school))


def schools_visible_to(user: AnyUser) -> QuerySet[School]:
    """Schools a region-site user may see: all for the regional admin, own municipality for an inspector."""
    schools = School.objects.select_related("municipality")
    if user_is_regional_admin(user):
        return schools.all()
    municipality_ids = user_inspected_municipality_ids(user)
    if municipality_ids:
        return schools.filter(municipality_id__in=municipality_ids)
    return schools.none()


@dataclass(frozen=True)
class Workplace:
    title: str
    role: str
    url: str


def user_workplaces(user: AnyUser) -> list[Workplace]:
    """Where this user can work: used by the 403 page and the API's /me."""
    places: list[Workplace] = []
    for m in _memberships(user):
        if m.school is not None:
            places.append(
                Workplace(m.school.short_name, m.get_role_display(), site_url(school_host(m.school.slug)))
            )
        elif m.municipality is not None:
            places.append(Workplace(f"Регион: {m.municipality.name}", m.get_role_display(), site_url()))
        else:
            places.append(Workplace("Регион", m.get_role_display(), site_url()))
    return places


def invitable_roles(user: AnyUser, *, school: School | None) -> list[str]:
    """Roles this user may hand out: on the region site (school=None) or in one school."""
    if school is None:
        return [Role.REGIONAL_ADMIN, Role.INSPECTOR] if user_is_regional_admin(user) else []
    roles = user_school_roles(user, school)
    if user_is_regional_admin(user) or Role.SCHOOL_ADMIN in roles:
        return [Role.SCHOOL_ADMIN, Role.CURATOR, Role.MENTOR, Role.MENTEE]
    if Role.CURATOR in roles:
        return [Role.MENTOR, Role.MENTEE]
    return []
