"""The API warns about a probable duplicate person before saving, as the page does (issue 14).

The rule is the page's (core.people.selectors.person_duplicates_for): the same ФИО with ё folded to е and
case ignored, and the same date of birth when both are known. A POST that matches answers 409 with the
candidates and saves nothing, unless ``confirm_duplicate`` is true; the answer is in the OpenAPI schema.
"""

import json

import pytest
from django_tenants.utils import schema_context

from core.people.models import Category, Person

pytestmark = pytest.mark.django_db


def _post(client, path, body, method="post"):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def _teacher(**extra):
    return {"last_name": "Громова", "first_name": "Ольга", "middle_name": "Петровна", "category": "teacher",
            "position": "учитель математики", "birth_date": "1985-04-12", "career_start": "2008-09-01", **extra}  # fmt: skip


def _count(world, last_name="Громова"):
    with schema_context(world.school_a.schema_name):
        return Person.objects.filter(last_name__iexact=last_name).count()


def test_a_post_that_looks_like_an_existing_person_answers_409_with_the_candidates(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    first = _post(client, "/api/v1/people/", _teacher())
    assert first.status_code == 201, first.content
    again = _post(client, "/api/v1/people/", _teacher(last_name="громова", first_name="ОЛЬГА"))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert "Похоже, этот участник уже есть в школе: Громова Ольга Петровна" in error["message"]
    assert "confirm_duplicate" in error["message"]
    assert [c["id"] for c in error["candidates"]] == [first.json()["id"]]
    assert error["candidates"][0]["birth_date"] == "1985-04-12"
    assert _count(world) == 1


def test_confirm_duplicate_saves_the_namesake(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert _post(client, "/api/v1/people/", _teacher()).status_code == 201
    saved = _post(client, "/api/v1/people/", _teacher(confirm_duplicate=True))
    assert saved.status_code == 201, saved.content
    assert "confirm_duplicate" not in saved.json()
    assert _count(world) == 2


def test_a_different_birth_date_is_not_a_duplicate(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert _post(client, "/api/v1/people/", _teacher()).status_code == 201
    assert _post(client, "/api/v1/people/", _teacher(birth_date="1986-04-12")).status_code == 201


def test_a_wrong_confirm_duplicate_is_a_400_not_a_save(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert _post(client, "/api/v1/people/", _teacher()).status_code == 201
    bad = _post(client, "/api/v1/people/", _teacher(confirm_duplicate=["yes"]))
    assert bad.status_code == 400 and "confirm_duplicate" in bad.json()["error"]["fields"]
    assert _count(world) == 1


def test_a_patch_renaming_someone_into_a_namesake_is_warned_about_too(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert _post(client, "/api/v1/people/", _teacher()).status_code == 201
    other = _post(client, "/api/v1/people/", _teacher(last_name="Громов", first_name="Олег")).json()
    renamed = _post(
        client, f"/api/v1/people/{other['id']}/", {"last_name": "Громова", "first_name": "Ольга"}, "patch"
    )
    assert renamed.status_code == 409 and renamed.json()["error"]["code"] == "possible_duplicate"
    assert _count(world, "Громов") == 1
    # a change that touches neither the name nor the birth date is not asked again
    phone = _post(client, f"/api/v1/people/{other['id']}/", {"phone": "+7 900 000-00-00"}, "patch")
    assert phone.status_code == 200
    confirmed = _post(client, f"/api/v1/people/{other['id']}/",
                      {"last_name": "Громова", "first_name": "Ольга", "confirm_duplicate": True}, "patch")  # fmt: skip
    assert confirmed.status_code == 200 and _count(world) == 2


def test_school_bs_people_are_no_duplicates_for_school_a(host_client, world):
    with schema_context(world.school_b.schema_name):
        Person.objects.create(last_name="Громова", first_name="Ольга", middle_name="Петровна",
                              category=Category.TEACHER, position="учитель", birth_date="1985-04-12")  # fmt: skip
    response = _post(host_client(world.school_a, world.curator_a), "/api/v1/people/", _teacher())
    assert response.status_code == 201  # school B's namesake is neither found nor named
    assert "candidates" not in response.content.decode()


def test_the_409_and_confirm_duplicate_are_in_the_openapi_schema(host_client, world):
    schema = host_client(world.school_a, world.curator_a).get("/api/v1/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/people/"]["post"]
    assert "409" in post["responses"] and "confirm_duplicate" in post["description"]
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "confirm_duplicate" in schema["components"]["schemas"][body_ref]["properties"]
    error_ref = post["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "error" in schema["components"]["schemas"][error_ref]["properties"]


def test_the_api_refuses_the_impossible_teacher_of_the_issue(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    young = _post(client, "/api/v1/people/", _teacher(birth_date="2015-03-01", career_start="2020-09-01"))
    assert young.status_code == 400
    assert "педагогом работают с 18 лет" in json.dumps(young.json(), ensure_ascii=False)
    early = _post(client, "/api/v1/people/", _teacher(career_start="2010-09-01", hired_on="2009-09-01"))
    assert early.status_code == 400 and "hired_on" in early.json()["error"]["fields"]
    assert _count(world) == 0
