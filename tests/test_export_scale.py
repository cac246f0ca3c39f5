"""Federal export at scale and when things go wrong: bounded queries per school, lost batches resumed or
failed with a reason, «Повторить», no duplicate rows, a stored run that does not change afterwards."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.consents.models import Consent
from core.facts.indicators import school_report_values
from core.indicators.selectors import indicators_on
from core.monitoring.models import SurveyResponse
from core.people.models import Person
from core.programmes.models import Programme
from regional import reports
from regional.models import ReportRow, ReportRun
from tests.test_indicators import D, _fixture, _pair, _person

pytestmark = pytest.mark.django_db


def _school_of_size(n: int) -> None:
    """n teachers and n students; every pair has a mentor, a mentee, consents and a survey answer."""
    for i in range(n):
        mentor = _person(f"Наставник {i}", "teacher", date(1980, 1, 1), date(2005, 9, 1))
        kid = _person(f"Ученик {i}", "student", date(2013, 1, 1))
        pair = _pair(mentor, kid, date(2026, 9, 1), ended=date(2026, 9, 20) if i % 5 == 0 else None)
        SurveyResponse.objects.create(template_code="s", pair=pair, answers={"satisfaction": 8})
        Programme.objects.create(
            pair=pair, title=f"П {i}", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
        )
    SurveyResponse.objects.update(submitted_at=datetime(2026, 9, 25, 12, tzinfo=UTC))


def _queries(schema_name: str) -> tuple[int, dict]:
    with schema_context(schema_name), CaptureQueriesContext(connection) as captured:
        values = school_report_values(on=D, early_end_codes=["early"])
    return len(captured), values


def test_queries_per_school_do_not_grow_with_its_people(world):
    with schema_context(world.school_a.schema_name):
        _school_of_size(5)
    with schema_context(world.school_b.schema_name):
        _school_of_size(50)
    small, small_values = _queries(world.school_a.schema_name)
    large, large_values = _queries(world.school_b.schema_name)
    assert small == large <= 2, (small, large)  # the old code ran one consent query per person: 10 vs 100
    assert small_values["teachers_in_mentoring"] == [4, 5] and large_values["teachers_in_mentoring"] == [
        40,
        50,
    ]
    assert large_values["satisfaction"] == [400, 50] and large_values["programmes_started"] == 50


def test_the_set_based_figures_agree_with_the_drill_down(world):
    with schema_context(world.school_a.schema_name):
        _fixture()
        Consent.objects.filter(person__last_name="Молодой").update(valid_until=D - timedelta(days=1))
        alone = Person.objects.get(last_name="Одиннадцать")  # a minor whose consent has no representative
        Consent.objects.filter(person=alone, kind="participation").update(
            by_representative=False, representative_last_name="", representative_first_name=""
        )
        _pair(Person.objects.get(last_name="Наставник"), alone, date(2026, 9, 1))
        adult = _person("Взрослый", "student", date(2007, 1, 1))  # 19: his own consent is enough
        Consent.objects.filter(person=adult).update(by_representative=False, representative_last_name="")
        _pair(Person.objects.get(last_name="Наставник"), adult, date(2026, 9, 1))
        shares = indicators_on(D)
        values = school_report_values(on=D, early_end_codes=[])
    for key, share in shares.items():
        assert values[key] == [share.numerator, share.denominator], key
    assert values["young_teachers_with_mentor"] == [0, 1]  # consents expired the day before D
    # Mentees with valid consents: the 12- and the two 19-year-olds; pairs current on D: six (consents aside).
    assert (values["mentors"], values["mentees"], values["pairs"]) == (1, 3, 6)
    assert values["students_10_18"] == [1, 4]  # the 11-year-old's consent lacks a representative


def _lost_start(world, django_capture_on_commit_callbacks) -> ReportRun:
    """An export whose batch messages were all lost (the worker died with them): nothing runs."""
    with django_capture_on_commit_callbacks(execute=False):
        run = reports.report_start(on=D, actor=world.regional_admin)
    return run


def test_a_stalled_run_is_resumed_computing_only_the_missing_schools(
    world, django_capture_on_commit_callbacks
):
    with schema_context(world.school_a.schema_name):
        _fixture()
    run = _lost_start(world, django_capture_on_commit_callbacks)
    assert run.total == 3 and run.school_ids == sorted(
        [world.school_a.pk, world.school_b.pk, world.school_c.pk]
    )
    reports.report_batch(run_id=run.pk, school_ids=[world.school_a.pk])  # one batch got through
    kept = ReportRow.objects.get(run=run, school=world.school_a)
    assert reports.report_runs_sweep() == {"resumed": [], "failed": []}  # not stalled yet
    later = timezone.now() + reports.STALL + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.report_runs_sweep(now=later) == {"resumed": [run.pk], "failed": []}
    run.refresh_from_db()
    assert (run.status, run.finished, run.attempts) == ("done", 3, 1) and run.file
    assert ReportRow.objects.filter(run=run).count() == 3
    assert ReportRow.objects.get(run=run, school=world.school_a) == kept  # not recomputed
    # A redelivered batch (acks_late) adds nothing: one row per school per run.
    assert reports.report_batch(run_id=run.pk, school_ids=[world.school_a.pk, world.school_b.pk]) == 0
    assert ReportRow.objects.filter(run=run).count() == 3


def test_a_run_that_never_progresses_fails_with_a_reason_and_retry_completes_it(
    host_client, world, django_capture_on_commit_callbacks
):
    run = _lost_start(world, django_capture_on_commit_callbacks)
    reports.report_batch(run_id=run.pk, school_ids=[world.school_b.pk])
    later = timezone.now() + reports.STALL + timedelta(seconds=1)
    ReportRun.objects.filter(pk=run.pk).update(attempts=reports.MAX_ATTEMPTS)
    assert reports.report_runs_sweep(now=later) == {"resumed": [], "failed": [run.pk]}
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "Не посчитаны школы (2): Школа А, Школа В" in run.error
    admin = host_client(None, world.regional_admin)
    page = admin.get(f"/reports/{run.pk}/").content.decode()
    assert "Ошибка." in page and "Школа А" in page and "Повторить" in page
    listing = admin.get("/reports/").content.decode()
    assert "ошибка" in listing and f"/reports/{run.pk}/retry/" in listing
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/reports/{run.pk}/retry/").status_code == 302
    run.refresh_from_db()
    assert (run.status, run.finished, run.error) == ("done", 3, "")
    assert ReportRow.objects.filter(run=run).count() == 3
    assert admin.post(f"/reports/{run.pk}/retry/", follow=True).status_code == 200  # done: refused politely
    assert host_client(None, world.inspector_m1).post(f"/reports/{run.pk}/retry/").status_code == 403


def test_a_school_that_cannot_be_computed_fails_the_run_by_name_keeping_the_others(
    world, django_capture_on_commit_callbacks
):
    from tenants.models import School

    ghost = School.objects.create(
        schema_name="school_ghost",
        name="Школа-призрак",
        short_name="Школа-призрак",
        municipality=world.m1,
        slug="ghost",
        status=School.Status.ACTIVE,
    )  # fmt: skip - active, but its schema is gone
    with django_capture_on_commit_callbacks(execute=True):
        run = reports.report_start(on=D, actor=world.regional_admin)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and "Школа-призрак" in run.error
    assert (
        ReportRow.objects.filter(run=run).count() == 3 and not ReportRow.objects.filter(school=ghost).exists()
    )


def test_a_stored_run_does_not_change_after_later_events(
    host_client, world, django_capture_on_commit_callbacks
):
    from tests.test_reports import _run_export

    admin, run = _run_export(host_client, world, django_capture_on_commit_callbacks)
    first = b"".join(admin.get(f"/reports/{run.pk}/download.xlsx").streaming_content)
    csv_first = admin.get(f"/reports/{run.pk}/download.csv").content
    values = dict(ReportRow.objects.filter(run=run).values_list("school_id", "values"))
    with schema_context(world.school_a.schema_name):  # after the report: consents recorded as withdrawn
        Consent.objects.update(withdrawn_on=D - timedelta(days=10))
    world.school_a.short_name = "Школа А (переименована)"
    world.school_a.save(update_fields=["short_name"])
    try:
        assert b"".join(admin.get(f"/reports/{run.pk}/download.xlsx").streaming_content) == first
        assert admin.get(f"/reports/{run.pk}/download.csv").content == csv_first
        assert dict(ReportRow.objects.filter(run=run).values_list("school_id", "values")) == values
        with django_capture_on_commit_callbacks(execute=True):  # a new run for the same date sees the change
            fresh = reports.report_start(on=D, actor=world.regional_admin)
        row = ReportRow.objects.get(run=fresh, school=world.school_a)
        assert row.values["students_10_18"][0] != values[world.school_a.pk]["students_10_18"][0]
        assert row.title == "Школа А (переименована)"
    finally:
        world.school_a.short_name = "Школа А"  # the world is shared by the session


def test_the_checklist_percent_is_read_from_the_history_as_of_the_report_date(
    world, django_capture_on_commit_callbacks
):
    from regional.models import SchoolSnapshotVersion

    SchoolSnapshotVersion.objects.filter(school=world.school_a).delete()
    for moment, percent in (
        (datetime(2026, 9, 1, 9, tzinfo=UTC), 40),
        (datetime(2026, 10, 5, 9, tzinfo=UTC), 90),
    ):
        SchoolSnapshotVersion.objects.create(
            school=world.school_a, valid_from=moment, template_version=1, done=percent, applicable=100,
            percent=percent,
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        run = reports.report_start(on=D, actor=world.regional_admin)
    rows = dict(ReportRow.objects.filter(run=run).values_list("school_id", "values"))
    assert rows[world.school_a.pk]["compliance"] == 40  # as of D, not the 90 % it has reached since
    later = date(2026, 10, 6)
    with django_capture_on_commit_callbacks(execute=True):
        run = reports.report_start(on=later, actor=world.regional_admin)
    assert ReportRow.objects.get(run=run, school=world.school_a).values["compliance"] == 90
