"""The NUL guard (api/guards.py): «%00» anywhere in a request is a 400 with a Russian message, never a 500.

PostgreSQL text cannot store NUL; before the guard every search box and text field answered 500 to it.
"""

import json

import pytest
from django_tenants.utils import schema_context

from core.people.models import Person
from tenants.catalogues import RoleModel
from tenants.models import Municipality

pytestmark = pytest.mark.django_db

NUL_TEXT = "Ива\x00нов"


@pytest.mark.parametrize(
    "path,params",
    [
        ("/people/", {"q": NUL_TEXT}),
        ("/acts/", {"kind": "\x00"}),
        ("/pairs/new/", {"form": "teacher\x00student"}),
        ("/api/v1/people/", {"search": NUL_TEXT}),
        ("/api/v1/people/", {"cat\x00egory": "teacher"}),
    ],
)
def test_nul_in_the_query_string_of_a_school_page_or_api_is_a_400(host_client, world, path, params):
    response = host_client(world.school_a, world.curator_a).get(path, params)
    assert response.status_code == 400
    assert "недопустимый символ" in response.content.decode()
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "nul_character"


@pytest.mark.parametrize(
    "path,params",
    [("/", {"q": NUL_TEXT}), ("/", {"kind": "\x00"}), ("/api/v1/schools/", {"search": "\x00"})],
)
def test_nul_in_the_query_string_on_the_region_host_is_a_400(host_client, world, path, params):
    response = host_client(None, world.regional_admin).get(path, params)
    assert response.status_code == 400
    assert "недопустимый символ" in response.content.decode()


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        "/people/new/",
        {"last_name": NUL_TEXT, "first_name": "Иван", "category": "teacher", "position": "учитель"},
    )
    assert response.status_code == 400
    assert "недопустимый символ" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.exists()


def test_nul_in_a_region_form_field_is_refused(host_client, world):
    client = host_client(None, world.regional_admin)
    before = RoleModel.objects.count()
    response = client.post("/catalogues/", {"form": "teacher_student", "name": "Лидер\x00 – пассивный"})
    assert response.status_code == 400
    assert RoleModel.objects.count() == before


@pytest.mark.parametrize("body", [{"last_name": NUL_TEXT}, {"na\x00me": "x"}, {"tags": [["\x00"]]}])
def test_nul_escaped_in_a_json_body_is_refused_in_the_api_format(host_client, world, body):
    client = host_client(None, world.regional_admin)
    before = Municipality.objects.count()
    response = client.post("/api/v1/municipalities/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "nul_character",
        "message": response.json()["error"]["message"],
    }
    assert "недопустимый символ" in response.json()["error"]["message"]
    assert Municipality.objects.count() == before


def test_nul_in_a_patch_form_body_is_refused(host_client, world):
    client = host_client(None, world.regional_admin)
    response = client.patch(
        f"/api/v1/municipalities/{world.m1.pk}/",
        "name=%D0%A2%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    world.m1.refresh_from_db()
    assert world.m1.name == "Тверь"


def test_ordinary_text_still_passes(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert client.get("/people/", {"q": "Иванов 0"}).status_code == 200
    assert (
        client.get("/api/v1/people/", {"search": "%00"}).status_code == 200
    )  # the three characters, not NUL


def test_json_nested_thousands_deep_is_a_400_not_a_500(host_client, world):
    client = host_client(None, world.regional_admin)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/municipalities/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
