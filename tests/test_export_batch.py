"""The federal export computes many schools in one statement: the figures must be exactly each school's own.

The batched computation (schema-qualified sub-selects joined by UNION ALL, run from the public schema) is
held equal to the per-school one run inside each school's schema, and its shares to indicators_on (the
Python rules of the school's drill-down), for varied schools and dates — a school with the hand-computed
fixture and a declared contingent, a larger one with early ends, programmes and answers, an empty new
school — today, the reporting date and dates in the past.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.facts import indicators as facts
from core.indicators.models import ContingentDeclaration
from core.indicators.selectors import indicators_on
from core.monitoring.models import SurveyResponse
from core.pairs.models import Pair
from core.people.services import person_create
from core.programmes.models import Programme
from regional import reports
from regional.checklist.snapshots import early_end_codes, snapshot_refresh
from regional.models import ReportRow, ReportRun, SchoolSnapshot
from tenants.catalogues import EndReason
from tenants.context import current_schema_name
from tests.test_indicators import D, _fixture, _pair, _person

pytestmark = pytest.mark.django_db

DATES = [D, D - timedelta(days=20), date(2026, 9, 10), date(2025, 1, 1), date(2030, 1, 1)]
EARLY = ["early"]


def _varied(world) -> list[str]:
    with schema_context(world.school_a.schema_name):
        _fixture()
        ContingentDeclaration.objects.create(year=2026, students_10_18=20, declared_by_email="c@a.test")
    with schema_context(world.school_b.schema_name):
        for i in range(12):
            mentor = _person(f"Наставник {i}", "teacher", date(1990 + i, 1, 1), date(2024, 9, 1))
            kid = _person(f"Ученик {i}", "student", date(2010 + i % 6, 3, 1))
            pair = _pair(mentor, kid, date(2026, 9, 1), ended=date(2026, 9, 20) if i % 4 == 0 else None)
            if i % 4 == 0:
                Pair.objects.filter(pk=pair.pk).update(end_reason_code="early")
            SurveyResponse.objects.create(template_code="s", pair=pair, answers={"satisfaction": 3 + i % 7})
            Programme.objects.create(
                pair=pair, title=f"П {i}", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
            )
        SurveyResponse.objects.update(submitted_at=datetime(2026, 9, 25, 12, tzinfo=UTC))
    # school_c is new and empty: every figure is zero, never missing.
    return [world.school_a.schema_name, world.school_b.schema_name, world.school_c.schema_name]


def test_the_batched_figures_equal_each_schools_own_for_every_date(world, monkeypatch):
    schemas = _varied(world)
    monkeypatch.setattr(facts, "SCHOOLS_PER_STATEMENT", 2)  # three schools: two statements, one of two
    for on in DATES:
        # From the public schema: a table left unqualified would not be found there.
        assert current_schema_name() == "public"
        batched, failed = facts.schools_report_values(schemas=schemas, on=on, early_end_codes=EARLY)
        assert failed == [] and set(batched) == set(schemas)
        for schema in schemas:
            with schema_context(schema):
                alone = facts.school_report_values(on=on, early_end_codes=EARLY)
                shares = indicators_on(on)
            assert batched[schema] == alone, (schema, on)
            for key, share in shares.items():
                assert batched[schema][key] == [share.numerator, share.denominator], (schema, on, key)
    a, b, c = (
        facts.schools_report_values(schemas=schemas, on=D, early_end_codes=EARLY)[0][s] for s in schemas
    )
    assert a["students_10_18"] == [1, 20] and a["teachers_in_mentoring"] == [2, 3]  # hand-computed, declared
    assert (b["ended_early"], b["pairs"], b["programmes_started"]) == (3, 9, 12)
    assert b["satisfaction"] == [sum(3 + i % 7 for i in range(12)), 12]
    assert c == {**c, "students_10_18": [0, 0], "pairs": 0, "satisfaction": [0, 0], "by_form": {}}
    past = facts.schools_report_values(schemas=schemas, on=date(2025, 1, 1), early_end_codes=EARLY)[0]
    assert past[schemas[1]]["pairs"] == 0 and past[schemas[1]]["programmes_started"] == 0  # nothing yet


def test_one_statement_serves_a_chunk_of_schools_however_large_they_are(world):
    schemas = _varied(world)
    with CaptureQueriesContext(connection) as captured:
        facts.schools_report_values(schemas=schemas, on=D, early_end_codes=EARLY)
    statements = [q["sql"] for q in captured.captured_queries if "core_person" in q["sql"]]
    assert len(statements) == 1 and statements[0].count("UNION ALL") == 2


def test_a_school_without_a_schema_fails_alone_and_the_others_are_still_computed(world):
    schemas = _varied(world)
    batched, failed = facts.schools_report_values(
        schemas=[schemas[0], "school_gone", schemas[1]], on=D, early_end_codes=EARLY
    )
    assert failed == ["school_gone"] and set(batched) == {schemas[0], schemas[1]}
    with schema_context(schemas[1]):
        assert batched[schemas[1]] == facts.school_report_values(on=D, early_end_codes=EARLY)
    with pytest.raises(ValueError):  # a name that is not a schema name never reaches the SQL
        facts.schools_report_values(schemas=['x"; DROP'], on=D, early_end_codes=EARLY)


def _school_queries(captured: CaptureQueriesContext, schema: str) -> int:
    return sum(1 for q in captured.captured_queries if f'"{schema}".' in q["sql"])


def test_an_export_for_today_reads_the_figures_the_refresh_stored_while_they_are_true(
    world, django_capture_on_commit_callbacks
):
    """Today's figures are computed by the snapshot refresh and kept in the school's row; an export for
    today takes them (one row a school, no statement in the school's schema) only while they equal a
    recomputation: a change since, or other «early end» reasons, make it recompute that school."""
    schemas = _varied(world)
    schools = [world.school_a, world.school_b, world.school_c]
    today = timezone.localdate()
    for school in schools:
        with schema_context(school.schema_name):
            snapshot_refresh(school=school)
    early = early_end_codes()
    recomputed, _ = facts.schools_report_values(schemas=schemas, on=today, early_end_codes=early)
    for school in schools:
        stored = SchoolSnapshot.objects.get(school=school)
        assert (stored.report_on, stored.report_early_codes) == (today, early)
        assert stored.report_values == recomputed[school.schema_name]
    assert recomputed[schemas[1]]["pairs"] == 9  # a real school's figures, not zeros

    def export() -> tuple[ReportRun, CaptureQueriesContext]:
        with django_capture_on_commit_callbacks(execute=False):
            run = reports.report_start(on=today, actor=world.regional_admin)
        with CaptureQueriesContext(connection) as captured:
            reports.report_batch(run_id=run.pk, school_ids=run.school_ids)
        return run, captured

    run, captured = export()
    assert [_school_queries(captured, s) for s in schemas] == [0, 0, 0]
    rows = {
        r.school.schema_name: r.values for r in ReportRow.objects.filter(run=run).select_related("school")
    }
    for schema in schemas:
        assert {k: v for k, v in rows[schema].items() if k != "compliance"} == recomputed[schema]
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE)

    # A teacher added in school B after the refresh: B's stamp is set in that transaction, so B is
    # recomputed (and counts the new teacher); A and C are still read from their rows.
    with schema_context(world.school_b.schema_name):
        person_create(
            data={"last_name": "Новая", "first_name": "Учительница", "category": "teacher"}, actor=None
        )
    run, captured = export()
    assert [_school_queries(captured, s) for s in schemas] == [0, 1, 0]
    b = ReportRow.objects.get(run=run, school=world.school_b).values
    assert b["teachers_in_mentoring"][1] == recomputed[schemas[1]]["teachers_in_mentoring"][1] + 1
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE)

    # The region makes another end reason «early»: figures counted with the old list are not used.
    EndReason.objects.filter(early=False).update(early=True)
    run, captured = export()
    assert all(_school_queries(captured, s) == 1 for s in schemas)


def test_an_export_for_a_past_date_recomputes_whatever_the_rows_hold(
    world, django_capture_on_commit_callbacks
):
    schemas = _varied(world)
    for school in (world.school_a, world.school_b, world.school_c):
        with schema_context(school.schema_name):
            snapshot_refresh(school=school)
    with django_capture_on_commit_callbacks(execute=False):
        run = reports.report_start(on=D, actor=world.regional_admin)
    with CaptureQueriesContext(connection) as captured:
        reports.report_batch(run_id=run.pk, school_ids=run.school_ids)
    assert all(_school_queries(captured, s) == 1 for s in schemas)
    batched, _ = facts.schools_report_values(schemas=schemas, on=D, early_end_codes=early_end_codes())
    row = ReportRow.objects.get(run=run, school=world.school_b).values
    assert {k: v for k, v in row.items() if k != "compliance"} == batched[schemas[1]]


def _refreshed(world) -> list[str]:
    schemas = _varied(world)
    for school in (world.school_a, world.school_b, world.school_c):
        with schema_context(school.schema_name):
            snapshot_refresh(school=school)
    return schemas


def _school_statements(run: ReportRun, schemas: list[str]) -> list[int]:
    with CaptureQueriesContext(connection) as captured:
        reports.report_batch(run_id=run.pk, school_ids=run.school_ids)
    return [_school_queries(captured, s) for s in schemas]


def test_figures_stored_under_another_definition_are_recomputed(world, django_capture_on_commit_callbacks):
    """A deploy that changes how figures are computed (the SQL, or a migration of the school's tables)
    changes the fingerprint: rows computed before it are not reused."""
    schemas = _refreshed(world)
    assert SchoolSnapshot.objects.get(school=world.school_a).report_definition == facts.figures_definition()
    SchoolSnapshot.objects.filter(school=world.school_a).update(report_definition="before-deploy")
    with django_capture_on_commit_callbacks(execute=False):
        run = reports.report_start(on=timezone.localdate(), actor=world.regional_admin)
    assert _school_statements(run, schemas) == [1, 0, 0]


def test_a_refresh_outside_the_lock_never_leaves_older_figures_marked_current(world, monkeypatch):
    """A management command's refresh (A) evaluates; meanwhile a teacher is added and the job's refresh (B)
    stores the newer figures and clears the stamp. A must not then write its older figures over them."""
    from regional.checklist import snapshots

    _refreshed(world)
    school = world.school_b
    original = snapshots._report_figures
    nested: list[bool] = []

    def figures_then_a_change_meanwhile(*args):
        result = original(*args)  # A's figures: before the change
        if not nested:
            nested.append(True)
            person_create(
                data={"last_name": "Новый", "first_name": "Педагог", "category": "teacher"}, actor=None
            )
            snapshots.snapshot_refresh_pending(school=school)  # B: the job, under the lock
        return result

    monkeypatch.setattr(snapshots, "_report_figures", figures_then_a_change_meanwhile)
    with schema_context(school.schema_name):
        snapshots.snapshot_refresh(school=school)  # A
        recomputed = facts.school_report_values(on=timezone.localdate(), early_end_codes=early_end_codes())
    row = SchoolSnapshot.objects.get(school=school)
    assert nested and row.requested_at is None
    assert row.report_values == recomputed  # B's figures, with the new teacher


def test_figures_that_fail_leave_the_checklist_stored_and_the_school_recomputed(world, monkeypatch):
    from django.db import DatabaseError

    from regional.checklist import snapshots

    def broken(**kwargs):
        raise DatabaseError("relation does not exist")

    monkeypatch.setattr(snapshots, "school_report_values", broken)
    with schema_context(world.school_a.schema_name):
        _fixture()
        snapshot = snapshots.snapshot_refresh(school=world.school_a)
    assert snapshot.report_values is None and snapshot.report_on is None
    assert snapshot.counts["people"] > 0  # the checklist part was stored


def test_declaring_the_contingent_marks_the_stored_figures_stale(world):
    from core.indicators.services import contingent_declare

    _refreshed(world)
    with schema_context(world.school_a.schema_name):
        contingent_declare(year=2026, counts={"students_10_18": 30}, actor=world.curator_a)
    assert SchoolSnapshot.objects.get(school=world.school_a).requested_at is not None


def test_an_export_for_yesterday_recomputes_even_where_a_row_holds_figures_for_yesterday(
    world, django_capture_on_commit_callbacks
):
    """A row computed yesterday (the nightly pass has not reached it yet, or its batch was lost) says
    report_on = yesterday: an export for yesterday still recomputes, so it counts a correction entered
    since and today's rules, not what the row held (found by the export drill, deploy/README.md)."""
    schemas = _varied(world)
    yesterday = timezone.localdate() - timedelta(days=1)
    early = early_end_codes()
    for school in (world.school_a, world.school_b, world.school_c):
        with schema_context(school.schema_name):
            snapshot_refresh(school=school, today=yesterday)
    SchoolSnapshot.objects.update(report_values={"pairs": -1})  # what the row held is not today's truth
    assert SchoolSnapshot.objects.filter(report_on=yesterday, requested_at__isnull=True).count() == 3
    with django_capture_on_commit_callbacks(execute=False):
        run = reports.report_start(on=yesterday, actor=world.regional_admin)
    with CaptureQueriesContext(connection) as captured:
        reports.report_batch(run_id=run.pk, school_ids=run.school_ids)
    assert all(_school_queries(captured, s) == 1 for s in schemas)
    recomputed, _ = facts.schools_report_values(schemas=schemas, on=yesterday, early_end_codes=early)
    for row in ReportRow.objects.filter(run=run).select_related("school"):
        assert {k: v for k, v in row.values.items() if k != "compliance"} == recomputed[
            row.school.schema_name
        ]
    assert recomputed[schemas[1]]["pairs"] == 9


def test_the_database_away_mid_batch_is_retried_not_reported_as_the_schools_failure(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """The export drill blocked the database while batches ran: the statement's lost connection was
    taken for seven broken schools (logged as such; only the next statement's error made the job retry).
    The database away is raised, so the job is retried and the run is not failed with those schools."""
    from django.db import OperationalError

    schemas = _varied(world)
    with django_capture_on_commit_callbacks(execute=False):
        run = reports.report_start(on=D, actor=world.regional_admin)

    def away(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(facts, "_statement_values", away)
    with pytest.raises(OperationalError):
        facts.schools_report_values(schemas=schemas, on=D, early_end_codes=EARLY)
    with pytest.raises(OperationalError):
        reports.report_batch(run_id=run.pk, school_ids=run.school_ids)
    run.refresh_from_db()
    assert (run.status, run.error, ReportRow.objects.filter(run=run).count()) == (
        ReportRun.Status.RUNNING,
        "",
        0,
    )
    monkeypatch.undo()
    reports.report_batch(run_id=run.pk, school_ids=run.school_ids)  # the retry, the database back
    run.refresh_from_db()
    assert ReportRow.objects.filter(run=run).count() == 3 and run.status != ReportRun.Status.FAILED
