"""The API: both hosts, session and token auth, OpenAPI schema, one error format."""

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("on_school", [False, True])
def test_the_openapi_schema_and_docs_are_served_on_both_hosts(host_client, world, on_school):
    client = host_client(world.school_a if on_school else None)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert ("/api/v1/school/" in paths) is on_school
    assert ("/api/v1/schools/" in paths) is not on_school
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs and "cdn" not in docs.lower()


def test_anonymous_api_calls_get_the_common_error_format(host_client, world):
    response = host_client(world.school_a).get("/api/v1/school/")
    assert response.status_code in (401, 403)
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["message"]


def test_token_authentication_works_and_respects_the_school_boundary(host_client, world):
    token = Token.objects.create(user=world.curator_a)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert host_client(world.school_a).get("/api/v1/school/", **auth).json()["slug"] == "school-a"
    assert host_client(world.school_b).get("/api/v1/school/", **auth).status_code == 403
    assert host_client().get("/api/v1/schools/", **auth).status_code == 403


def test_me_lists_the_users_workplaces(host_client, world):
    me = host_client(world.school_a, world.curator_a).get("/api/v1/me/").json()
    assert me["email"] == "curator@a.test"
    assert me["workplaces"] == [{"title": "Школа А", "role": "куратор", "url": "http://school-a.localhost/"}]


def test_an_unknown_api_path_answers_json_404(host_client, world):
    response = host_client(world.school_a, world.curator_a).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_bad_filter_value_is_not_a_500(host_client, world):
    response = host_client(None, world.regional_admin).get("/api/v1/schools/", {"municipality": "1; DROP"})
    assert response.status_code == 200
