"""Routing by host and the schema-per-school boundary."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from tenants.forms import SchoolOnboardForm
from tenants.models import Domain, School
from tenants.schema_names import schema_name_generate, schema_name_validate, slug_validate
from tests.conftest import school_data

pytestmark = pytest.mark.django_db


def test_it_serves_the_region_login_page_on_the_base_host(host_client):
    response = host_client().get("/accounts/login/")
    assert response.status_code == 200
    assert "Пароль" in response.content.decode()


def test_it_serves_a_school_login_page_on_the_school_host(host_client, world):
    response = host_client(world.school_a).get("/accounts/login/")
    assert response.status_code == 200
    assert world.school_a.short_name in response.content.decode()


@pytest.mark.parametrize(
    "host", ["unknown.localhost", "school-a.localhost.evil.test", "testserver", "127.0.0.1"]
)
def test_it_answers_404_for_an_unknown_host(client, world, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code in (400, 404)  # 400: Django refuses a host outside ALLOWED_HOSTS outright
    assert "Школы региона" not in response.content.decode()


def test_it_answers_404_with_a_helpful_page_for_an_unknown_school(client, world):
    response = client.get("/", HTTP_HOST="no-such-school.localhost")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_it_switches_to_the_school_schema_for_the_school_host(host_client, world):
    response = host_client(world.school_b, world.curator_b).get("/api/v1/school/")
    assert response.status_code == 200
    assert response.json()["slug"] == "school-b"


def test_each_school_has_its_own_schema_and_primary_domain(world):
    for school in (world.school_a, world.school_b, world.school_c):
        assert schema_exists(school.schema_name)
        assert Domain.objects.get(tenant=school, is_primary=True).domain == f"{school.slug}.localhost"
    assert len({world.school_a.schema_name, world.school_b.schema_name, world.school_c.schema_name}) == 3


def test_school_data_written_in_one_schema_is_absent_from_another(world):
    from core.people.models import Category, Person

    with schema_context(world.school_a.schema_name):
        Person.objects.create(last_name="Только-в-А", first_name="Ольга", category=Category.TEACHER)
        assert Person.objects.filter(last_name="Только-в-А").count() == 1
    with schema_context(world.school_b.schema_name):
        assert Person.objects.filter(last_name="Только-в-А").count() == 0


def test_generated_schema_names_are_valid_and_distinct():
    names = {schema_name_generate() for _ in range(200)}
    assert len(names) == 200
    for name in names:
        schema_name_validate(name)


@pytest.mark.parametrize(
    "name",
    [
        "public",
        "information_schema",
        "pg_catalog",
        "pg_toast_x",
        "Public",
        "a",
        "1school",
        "school; DROP SCHEMA public CASCADE",
        'school"; --',
        "school-a",
        "школа",
        "x" * 42,
        "",
    ],
)
def test_it_refuses_bad_or_reserved_schema_names(name):
    with pytest.raises(ValidationError):
        schema_name_validate(name)


@pytest.mark.parametrize(
    "slug",
    ["www", "public", "api", "admin", "static", "-a", "a-", "a_b", "A", "школа", "a.b", "../x", "x" * 41, ""],
)
def test_it_refuses_bad_or_reserved_slugs(slug):
    with pytest.raises(ValidationError):
        slug_validate(slug)


def test_it_refuses_a_school_whose_schema_name_did_not_come_from_the_generator(world):
    school = School(
        schema_name="evil; DROP SCHEMA public", name="x", short_name="x", municipality=world.m1, slug="evil"
    )
    with pytest.raises(ValidationError):
        school.save()
    assert not School.objects.filter(slug="evil").exists()


@pytest.mark.parametrize("slug", ["x'; DROP TABLE tenants_school; --", "public", "school-a"])
def test_onboarding_refuses_injection_reserved_and_duplicate_slugs(world, slug):
    form = SchoolOnboardForm(data={**_form_data(world), "slug": slug})
    assert not form.is_valid()
    assert "slug" in form.errors


def _form_data(world):
    data = school_data(name="Новая школа", municipality=world.m1, slug="new-school", number=50)
    return {**data, "municipality": world.m1.pk, "curator_email": "c@new.test"}


def _school_schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'school\\_%%'")
        return {row[0] for row in cursor.fetchall()}
