"""Live progress and filters without full reloads (issue 14).

«Мои выгрузки», one export's page, a school's card while it is created and a list onboarding ask again
every 2 s (htmx) while something runs, and the answer that finds nothing running carries no trigger, so
the polling stops by itself. The people and pairs filters
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


NO_JS_REFRESH = '<noscript><meta http-equiv="refresh" content="5"></noscript>'


def test_an_export_page_polls_its_progress_until_the_run_is_done_or_failed(host_client, world):
    run = ReportRun.objects.create(
        on=timezone.localdate(), status=ReportRun.Status.RUNNING, total=40, finished=10,
        created_by=world.regional_admin,
    )  # fmt: skip
    admin = host_client(None, world.regional_admin)
    page = admin.get(f"/reports/{run.pk}/").content.decode()
    assert POLL in page and 'id="report-live"' in page and 'aria-live="polite"' in page
    assert "setInterval" not in page and NO_JS_REFRESH in page  # without JavaScript: the page reloads
    poll = admin.get(f"/reports/{run.pk}/", headers=HX)
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body and "<h1" not in body  # the block, not the page
    assert POLL in body and "10 из 40" in body and "страница обновится сама" in body
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE, finished=40)
    done = admin.get(f"/reports/{run.pk}/", headers=HX).content.decode()
    assert "hx-trigger" not in done and "40 из 40" in done and "Скачать XLSX" in done  # htmx stops asking
    whole = admin.get(f"/reports/{run.pk}/").content.decode()
    assert "hx-trigger" not in whole and "http-equiv" not in whole
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.FAILED, error="Школа не ответила")
    failed = admin.get(f"/reports/{run.pk}/", headers=HX).content.decode()
    assert "hx-trigger" not in failed and "Школа не ответила" in failed and "Повторить" in failed
    assert "Скачать XLSX" not in failed
    # Only the regional admin follows an export, polling included.
    assert host_client(None, world.inspector_m1).get(f"/reports/{run.pk}/", headers=HX).status_code == 403


def test_a_school_card_polls_while_the_school_is_created_and_stops_after(host_client, world):
    School.objects.filter(pk=world.school_a.pk).update(status=School.Status.PENDING)
    admin = host_client(None, world.regional_admin)
    url = f"/schools/{world.school_a.pk}/"
    page = admin.get(url).content.decode()
    assert POLL in page and 'id="school-live"' in page and 'aria-live="polite"' in page
    assert "setInterval" not in page and NO_JS_REFRESH in page
    poll = admin.get(url, headers=HX)
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body and "breadcrumb" not in body
    assert POLL in body and "создаётся" in body and "создаём базу школы" in body
    assert "Пригласить" not in body  # no invitations to a school not created yet
    School.objects.filter(pk=world.school_a.pk).update(status=School.Status.ACTIVE)
    done = admin.get(url, headers=HX).content.decode()
    assert "hx-trigger" not in done and "работает" in done and "Пригласить" in done and "В архив" in done
    assert "http-equiv" not in admin.get(url).content.decode()
    School.objects.filter(pk=world.school_a.pk).update(
        status=School.Status.FAILED, provision_error="схема не создана"
    )
    failed = admin.get(url, headers=HX).content.decode()
    assert "hx-trigger" not in failed and "Не удалось создать школу: схема не создана" in failed
    assert "Повторить создание" in failed


def test_a_school_card_is_polled_only_by_who_may_see_the_school(host_client, world):
    School.objects.filter(pk__in=[world.school_a.pk, world.school_c.pk]).update(status=School.Status.PENDING)
    inspector = host_client(None, world.inspector_m1)  # school A is in m1, school C in m2
    own = inspector.get(f"/schools/{world.school_a.pk}/", headers=HX)
    assert own.status_code == 200 and POLL in own.content.decode()
    assert "Повторить создание" not in own.content.decode()  # the actions are the regional admin's
    assert inspector.get(f"/schools/{world.school_c.pk}/", headers=HX).status_code == 404
    # The school's own curator has no region pages: the region host refuses her.
    assert (
        host_client(None, world.curator_a).get(f"/schools/{world.school_a.pk}/", headers=HX).status_code
        == 403
    )


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
