"""The site menus, grouped by task, and who may open each section: one table for the school site and one
for the region site.

Each entry names the rule its view enforces (the same predicate functions the views' decorators call), so
a role never sees a link that would answer «Нет доступа». tests/test_navigation.py renders the menu for
every role and opens every link it shows.

The region's rules come from tenants.selectors (the platform), so the school side imports nothing of the
region here; the region entries are only URL names.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from core.access import user_is_school_staff
from tenants.context import request_school
from tenants.models import School
from tenants.selectors import AnyUser, user_is_regional_admin, user_is_regional_staff, user_school_roles

Rule = Callable[[AnyUser, School | None], bool]


def anyone_here(user: AnyUser, school: School | None) -> bool:
    """Whoever got past AccessMiddleware: a member of this school, or region staff on the region site."""
    return True


def school_staff(user: AnyUser, school: School | None) -> bool:
    """The rule of core.access.school_staff_required: the school's admin and curator."""
    return user_is_school_staff(user, school)


def school_participant(user: AnyUser, school: School | None) -> bool:
    """«Мои пары» is for mentors and mentees; the staff see every pair under «Пары и группы»."""
    return school is not None and not school_staff(user, school) and bool(user_school_roles(user, school))


def region_staff(user: AnyUser, school: School | None) -> bool:
    return user_is_regional_staff(user)


def region_admin(user: AnyUser, school: School | None) -> bool:
    """regional.views.regional_admin_required and the reports' own check."""
    return user_is_regional_admin(user)


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    rule: Rule
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    label: str
    items: tuple[Item, ...] = field(default_factory=tuple)


SCHOOL_MENU: tuple[Item | Group, ...] = (
    Item("Обзор", "home", anyone_here),
    Item("Мои пары", "school-my", school_participant),
    Group(
        "Внедрение",
        (
            Item("Чек-лист", "school-checklist", school_staff),
            Item("Дорожная карта", "school-roadmap", school_staff),
            Item("Акты и приказы", "school-acts", school_staff),
        ),
    ),
    Group(
        "Участники",
        (
            Item("Все участники", "school-people", school_staff),
            Item("База наставников", "school-bank", school_staff, ("mentor",)),
            Item("База наставляемых", "school-bank", school_staff, ("mentee",)),
        ),
    ),
    Group(
        "Наставничество",
        (
            Item("Пары и группы", "school-pairs", school_staff),
            Item("Мониторинг", "school-monitoring", school_staff),
            Item("Поощрения и обучение", "school-incentives", school_staff),
            Item("Показатели", "school-indicators", school_staff),
        ),
    ),
    Group(
        "Школа",
        (
            Item("Пользователи", "school-users", school_staff),
            Item("Настройки", "school-settings", school_staff),
        ),
    ),
)

REGION_MENU: tuple[Item | Group, ...] = (
    Item("Школы", "home", region_staff),
    Group(
        "Контроль",
        (
            Item("Чек-лист школ", "region-compliance", region_staff),
            Item("Мониторинг ИМЦ", "region-rounds", region_staff),
        ),
    ),
    Item("Отчётность", "region-reports", region_admin),
    Group(
        "Справка",
        (
            Item("Муниципалитеты", "region-municipalities", region_staff),
            Item("Справочники", "region-catalogues", region_admin),
            Item("Шаблоны программ", "region-programme-templates", region_admin),
            Item("Шаблоны документов", "region-document-templates", region_admin),
            Item("API", "api-docs", region_staff),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class Entry:
    """One top-level entry of the rendered menu: a link, or a dropdown of links."""

    label: str
    url: str = ""
    active: bool = False
    links: list[Link] = field(default_factory=list)


def _link(item: Item, request: HttpRequest) -> Link | None:
    try:
        url = reverse(item.url_name, args=item.args)
    except NoReverseMatch:  # a section this site's URLconf does not have
        return None
    path = request.path_info
    active = path == url if url == "/" else path.startswith(url)
    return Link(item.label, url, active)


def menu_for(request: HttpRequest) -> list[Entry]:
    """The menu this user may use on this host: sections they may not open are left out, and a group
    whose every section is left out disappears."""
    user = getattr(request, "user", None)  # absent on a page refused before the middleware (unknown host)
    if user is None or not user.is_authenticated:
        return []
    school = request_school(request)
    entries = []
    for node in SCHOOL_MENU if school is not None else REGION_MENU:
        if isinstance(node, Item):
            link = _link(node, request) if node.rule(user, school) else None
            if link is not None:
                entries.append(Entry(link.label, link.url, link.active))
            continue
        links = [link for item in node.items if item.rule(user, school) and (link := _link(item, request))]
        if links:
            entries.append(Entry(node.label, active=any(x.active for x in links), links=links))
    return entries
