"""Live progress and filters without full reloads (issue 14).

«Мои выгрузки» and a list onboarding ask again every 2 s (htmx) while something runs, and the answer that
finds nothing running carries no trigger, so the polling stops by itself. The people and pairs filters
update their list in place and keep the address in step (hx-push-url); without JavaScript they are plain
GET forms.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.people.models import Category, Person
from regional.models import ReportRun
from tenants.models import OnboardingBatch, School

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
POLL = 'hx-trigger="every 2s"'


def test_my_exports_poll_while_one_runs_and_stop_when_done(host_client, world):
    run = ReportRun.objects.create(
        on=timezone.localdate(), status=ReportRun.Status.RUNNING, total=40, finished=10,
        created_by=world.regional_admin,
    )  # fmt: skip
    admin = host_client(None, world.regional_admin)
    page = admin.get("/reports/").content.decode()
    assert POLL in page and 'id="report-runs"' in page
    poll = admin.get("/reports/", headers=HX)
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body
    assert POLL in body and "формируется: 10 из 40" in body
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE, finished=40)
    done = admin.get("/reports/", headers=HX).content.decode()
    assert "hx-trigger" not in done and "XLSX" in done  # no trigger: htmx stops asking
    assert "hx-trigger" not in admin.get("/reports/").content.decode()


def test_only_the_regional_admin_polls_the_exports(host_client, world):
    assert host_client(None, world.inspector_m1).get("/reports/", headers=HX).status_code == 403


def test_a_list_onboarding_polls_its_progress_until_it_is_done(host_client, world):
    batch = OnboardingBatch.objects.create(
        file_name="list.csv", file_sha256="0" * 64, created_by=world.regional_admin,
        status=OnboardingBatch.Status.RUNNING,
    )  # fmt: skip
    batch.schools.add(world.school_a)
    School.objects.filter(pk=world.school_a.pk).update(status=School.Status.PENDING)
    admin = host_client(None, world.regional_admin)
    page = admin.get(f"/schools/import/{batch.pk}/").content.decode()
    assert POLL in page and 'id="batch-live"' in page and "setInterval" not in page
    poll = admin.get(f"/schools/import/{batch.pk}/", headers=HX)
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body and "<table" not in body  # the block, not the rows
    assert POLL in body and "0 из 1" in body
    School.objects.filter(pk=world.school_a.pk).update(status=School.Status.ACTIVE)
    done = admin.get(f"/schools/import/{batch.pk}/", headers=HX).content.decode()
    assert "hx-trigger" not in done and "1 из 1" in done and "Создано: 1" in done


def test_the_people_filter_updates_the_list_in_place_and_the_address(host_client, world):
    with schema_context(world.school_a.schema_name):
        for last, category in (("Ёлкина", Category.TEACHER), ("Петров", Category.STUDENT)):
            Person.objects.create(last_name=last, first_name="Анна", category=category, position="учитель",
                                  school_class="7Б", birth_date=timezone.localdate() - timedelta(days=5000))  # fmt: skip
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/people/").content.decode()
    assert 'hx-push-url="true"' in page and 'hx-select="#people-results"' in page
    found = client.get("/people/", {"q": "елкина"}, headers=HX).content.decode()
    results = found.split('id="people-results"')[1]
    assert "Ёлкина" in results and "Петров" not in results
    students = client.get("/people/", {"category": "student"}, headers=HX).content.decode()
    assert "Петров" in students.split('id="people-results"')[1]


def test_the_pairs_date_filter_updates_the_list_in_place(host_client, world):
    page = host_client(world.school_a, world.curator_a).get("/pairs/").content.decode()
    assert 'hx-push-url="true"' in page and 'hx-select="#pairs-results"' in page
    assert 'hx-select-oob="#pairs-title"' in page and 'id="pairs-title"' in page
