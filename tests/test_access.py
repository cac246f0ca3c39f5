"""Who gets in where: the Alice/Bob/outsider walk over both kinds of host."""

import pytest
from django.urls import get_resolver

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login_on_the_region_host(host_client):
    response = host_client().get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_is_sent_to_login_on_a_school_host(host_client, world):
    response = host_client(world.school_a).get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


def test_curator_of_school_a_works_in_school_a(host_client, world):
    response = host_client(world.school_a, world.curator_a).get("/")
    assert response.status_code == 200
    assert "куратор" in response.content.decode()


def test_curator_of_school_a_gets_403_on_school_b(host_client, world):
    response = host_client(world.school_b, world.curator_a).get("/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Нет доступа" in page
    assert "school-a.localhost" in page  # the 403 page points to where the user can work
    assert "Школа Б" not in page.split("<main")[1]


def test_curator_of_school_a_gets_403_from_school_b_api(host_client, world):
    response = host_client(world.school_b, world.curator_a).get("/api/v1/school/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("persona", ["regional_admin", "inspector_m1", "outsider"])
def test_region_roles_and_outsiders_do_not_enter_school_pages(host_client, world, persona):
    # Personal data lives in schools; the region sees aggregates only.
    assert host_client(world.school_a, getattr(world, persona)).get("/").status_code == 403


@pytest.mark.parametrize("persona", ["curator_a", "mentor_a", "mentee_a", "outsider"])
def test_school_roles_get_403_on_the_region_site(host_client, world, persona):
    assert host_client(None, getattr(world, persona)).get("/").status_code == 403


@pytest.mark.parametrize("persona", ["regional_admin", "inspector_m1"])
def test_regional_staff_work_on_the_region_site(host_client, world, persona):
    assert host_client(None, getattr(world, persona)).get("/").status_code == 200


def test_inspector_sees_only_the_schools_of_their_municipality(host_client, world):
    page = host_client(None, world.inspector_m1).get("/").content.decode()
    assert "Школа А" in page and "Школа Б" in page
    assert "Школа В" not in page
    api = host_client(None, world.inspector_m1).get("/api/v1/schools/").json()
    assert {s["slug"] for s in api["results"]} == {"school-a", "school-b"}


def test_regional_admin_sees_all_schools(host_client, world):
    api = host_client(None, world.regional_admin).get("/api/v1/schools/").json()
    assert {s["slug"] for s in api["results"]} == {"school-a", "school-b", "school-c"}


def test_region_school_search_folds_yo(host_client, world):
    world.school_c.short_name = "Ёлкинская школа"
    world.school_c.save(update_fields=["short_name"])
    page = host_client(None, world.regional_admin).get("/", {"q": "елкинская"}).content.decode()
    assert "Ёлкинская школа" in page and "Школа А" not in page


def test_a_session_on_one_host_is_not_a_session_on_another(host_client, world):
    client_a = host_client(world.school_a)
    response = client_a.post(
        "/accounts/login/", {"login": "curator@a.test", "password": "Correct-Horse-42"}, follow=False
    )
    assert response.status_code == 302
    cookie = client_a.cookies["sessionid"]
    assert cookie["domain"] == ""  # host-only: the browser sends it back to school-a.localhost alone
    assert client_a.get("/").status_code == 200


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _walk(pattern, route)
        else:
            yield route, pattern


OPEN_ROUTES = (
    "accounts/",  # login, logout, password reset: allauth guards its own pages
    "invite/",  # invitation acceptance checks the token
    "api/v1/schema/",
    "api/v1/docs/",
    "admin/",  # Django admin: is_staff, checked by the admin itself
)


@pytest.mark.parametrize("urlconf", ["config.urls_public", "config.urls_tenants"])
def test_every_view_refuses_anonymous_users(host_client, world, urlconf):
    """A view added without protection fails here (routes with parameters are filled with a dummy)."""
    school = None if urlconf == "config.urls_public" else world.school_a
    client = host_client(school)
    checked = 0
    for route, _pattern in _walk(get_resolver(urlconf)):
        if route.startswith(OPEN_ROUTES) or "(?P" in route:
            continue
        path = "/" + route.replace("<int:pk>", "1").replace("<str:token>", "x").replace("<slug:slug>", "x")
        response = client.get(path)
        assert response.status_code in (302, 401, 403), f"{path} answered {response.status_code} to anonymous"
        checked += 1
    assert checked >= 2
