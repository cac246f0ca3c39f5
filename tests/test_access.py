"""Who gets in where: the Alice/Bob/outsider walk over both kinds of host."""

import pytest

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


# Every route × every role × own and foreign objects: tests/test_access_matrix.py (it replaced a check
# that only ever saw the middleware's login redirect and skipped every route with a parameter).
