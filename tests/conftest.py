"""The test world: two schools in one municipality and one in another, with a persona per role.

Schools (and their schemas) are created once per session — creating a schema is the slow part — and
every test then runs inside a transaction that is rolled back, in whatever schema it visits.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tenants.context import set_public_schema
from tenants.models import Municipality, Role, School, User
from tenants.onboarding import school_onboard, school_provision
from tenants.provisioning import template_ensure_current
from tenants.schema_names import school_host
from tenants.services import membership_grant
from tenants.validators import inn_complete, ogrn_complete
from tests.worker_processes import public_rows_capture, public_rows_restore

PASSWORD = "Correct-Horse-42"

_embedded_was_running: bool | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _embedded_was_running
    if settings.EMBEDDED_POSTGRES:
        from config.embedded_postgres import project_server

        _embedded_was_running = project_server().is_running()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Leave the machine as we found it: stop the embedded cluster if this session started it.
    if settings.EMBEDDED_POSTGRES and _embedded_was_running is False:
        from django.db import connections

        from config.embedded_postgres import project_server

        connections.close_all()
        project_server().stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests with a real worker commit and flush the database: run them after everything else. The browser
    # journeys (tests/browser/) commit too and keep Playwright's event loop until the session ends: last.
    def order(item: pytest.Item) -> int:
        if "tests/browser/" in item.nodeid:
            return 2
        return 1 if item.get_closest_marker("real_worker") is not None else 0

    items.sort(key=order)


@dataclass
class World:
    m1: Municipality
    m2: Municipality
    school_a: School
    school_b: School
    school_c: School
    regional_admin: User
    inspector_m1: User
    curator_a: User
    mentor_a: User
    mentee_a: User
    curator_b: User
    outsider: User

    def host(self, school: School | None = None) -> str:
        return school_host(school.slug) if school else settings.BASE_DOMAIN


def school_data(*, name: str, municipality: Municipality, slug: str, number: int, **extra: object) -> dict:
    """Valid onboarding data; ``number`` makes ИНН and ОГРН distinct."""
    return {
        "name": f"Муниципальное общеобразовательное учреждение «{name}»",
        "short_name": name,
        "inn": inn_complete(f"69{number:07d}"),
        "ogrn": ogrn_complete(f"1026900{number:05d}"),
        "kpp": "690101001",
        "municipality": municipality,
        "kind": School.Kind.GENERAL,
        "slug": slug,
        "curator_email": "",
        **extra,
    }


def make_school(*, name: str, municipality: Municipality, slug: str, number: int) -> School:
    """A school through the real onboarding path: the service, then the provisioning job."""
    school = school_onboard(
        data=school_data(name=name, municipality=municipality, slug=slug, number=number), actor=None
    )
    return school_provision(school_id=school.pk)


def _user(email: str, last: str, first: str) -> User:
    return User.objects.create_user(email, PASSWORD, last_name=last, first_name=first)


@pytest.fixture(scope="session")
def world(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[World]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        template_ensure_current()  # committed once, so schools in tests are cloned from it
        m1 = Municipality.objects.create(name="Тверь")
        m2 = Municipality.objects.create(name="Ржевский муниципальный округ")
        school_a = make_school(name="Школа А", municipality=m1, slug="school-a", number=1)
        school_b = make_school(name="Школа Б", municipality=m1, slug="school-b", number=2)
        school_c = make_school(name="Школа В", municipality=m2, slug="school-c", number=3)
        w = World(
            m1=m1,
            m2=m2,
            school_a=school_a,
            school_b=school_b,
            school_c=school_c,
            regional_admin=_user("admin@region.test", "Соколова", "Ирина"),
            inspector_m1=_user("imc@m1.test", "Кучеренко", "Елена"),
            curator_a=_user("curator@a.test", "Ёлкина", "Светлана"),
            mentor_a=_user("mentor@a.test", "Васильев", "Дмитрий"),
            mentee_a=_user("mentee@a.test", "Корнеева", "Анна"),
            curator_b=_user("curator@b.test", "Михайлова", "Ольга"),
            outsider=_user("nobody@x.test", "Посторонний", "Пётр"),
        )
        membership_grant(user=w.regional_admin, role=Role.REGIONAL_ADMIN)
        membership_grant(user=w.inspector_m1, role=Role.INSPECTOR, municipality=m1)
        membership_grant(user=w.curator_a, role=Role.CURATOR, school=school_a)
        membership_grant(user=w.mentor_a, role=Role.MENTOR, school=school_a)
        membership_grant(user=w.mentee_a, role=Role.MENTEE, school=school_a)
        membership_grant(user=w.curator_b, role=Role.CURATOR, school=school_b)
        public_rows_capture()
    yield w


@pytest.fixture(autouse=True)
def _public_rows_before_committed_tests(request: pytest.FixtureRequest, django_db_blocker: object) -> None:
    """A test that commits (transaction=True) finds the test world as it was, whatever flushed it before.

    pytest-django empties the public tables after each committing test; the schools' schemas stay. The rows
    captured when the world was made come back with their ids, so the session's ``world`` still fits.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction") or "world" not in request.fixturenames:
        return
    request.getfixturevalue("world")
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        set_public_schema()
        public_rows_restore()


@pytest.fixture(autouse=True)
def _public_schema_after_each_test() -> Iterator[None]:
    yield
    set_public_schema()
    cache.clear()  # e.g. the snapshot job's de-duplication keys


@pytest.fixture
def host_client(world: World, db: None):
    """host_client(school=None, user=None) -> a test client bound to that school's host (or the region's)."""

    def make(school: School | None = None, user: User | None = None) -> Client:
        client = Client(HTTP_HOST=world.host(school))
        if user is not None:
            client.force_login(user)
        return client

    return make
