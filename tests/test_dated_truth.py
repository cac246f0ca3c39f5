"""Dated truth on the school side (issue 10): what happens after a date D never changes the figures of D.

Suspensions are periods and a programme keeps the day it was actually completed, so the indicators of a
past date are read from data as of that date, not from today's status.
"""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditEntry
from core.consents.models import Consent
from core.facts.indicators import school_report_values
from core.indicators.selectors import indicators_on
from core.pairs.models import Pair, PairSuspension
from core.pairs.selectors import active_on, pairs_on, programmes_completed_on
from core.people.models import BankEntry, Category, Person
from core.programmes.models import Programme
from tests.test_consent_invariant import _pair, invariant
from tests.test_pairs import START, TODAY, _consents, mentor

pytestmark = pytest.mark.django_db

MONTH_AGO = TODAY - timedelta(days=30)


def young_teacher(last: str) -> Person:
    person = Person.objects.create(last_name=last, first_name="Анна", category=Category.TEACHER, position="учитель",
                                   birth_date=TODAY.replace(year=TODAY.year - 25),
                                   career_start=TODAY - timedelta(days=400))  # fmt: skip
    _consents(person)
    BankEntry.objects.create(person=person, bank="mentee", status="approved")
    return person


def test_a_withdrawal_today_leaves_the_indicators_of_a_month_ago_unchanged(host_client, world):
    """The issue's example: young teachers 3/3 on a date 30 days ago stayed 3/3 after a withdrawal today."""
    with schema_context(world.school_a.schema_name):
        m = mentor(capacity=3)
        young = [young_teacher(f"Молодая{i}") for i in range(3)]
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        for person in young:
            _pair(client, [m], [person], started_on=START, form_code="teacher_teacher")
        before = indicators_on(MONTH_AGO)
        report_before = school_report_values(on=MONTH_AGO, early_end_codes=[])
        assert (
            before["young_teachers_with_mentor"].numerator,
            before["young_teachers_with_mentor"].denominator,
        ) == (3, 3)
        consent = young[0].consents.get(kind=Consent.Kind.PARTICIPATION)
    withdrawn = client.post(f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": TODAY.isoformat()})
    assert withdrawn.status_code == 302
    with schema_context(world.school_a.schema_name):
        after = indicators_on(MONTH_AGO)
        assert (
            school_report_values(on=MONTH_AGO, early_end_codes=[]) == report_before
        )  # what the region reads
        assert school_report_values(on=TODAY, early_end_codes=[])["pairs"] == 2
        for key, share in before.items():
            assert (after[key].numerator, after[key].denominator) == (share.numerator, share.denominator), key
        assert indicators_on(TODAY)["young_teachers_with_mentor"].numerator == 2
        suspended = Pair.objects.get(status=Pair.Status.SUSPENDED)
        assert Pair.objects.filter(active_on(MONTH_AGO)).count() == 3
        assert Pair.objects.filter(active_on(TODAY)).count() == 2
        past = {s.pair.pk: s.suspended for s in pairs_on(on=MONTH_AGO)}
        now = {s.pair.pk: s.suspended for s in pairs_on(on=TODAY)}
        assert not any(past.values()) and now[suspended.pk] and sum(now.values()) == 1
    invariant(TODAY, MONTH_AGO)


def test_a_withdrawal_dated_back_changes_the_past_only_from_its_date(host_client, world):
    withdrawn_on = TODAY - timedelta(days=10)
    with schema_context(world.school_a.schema_name):
        m = mentor(capacity=3)
        teacher = young_teacher("Отозвавшая")
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        _pair(client, [m], [teacher], started_on=START, form_code="teacher_teacher")
        consent = teacher.consents.get(kind=Consent.Kind.PERSONAL_DATA)
    client.post(f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": withdrawn_on.isoformat()})
    with schema_context(world.school_a.schema_name):
        assert indicators_on(withdrawn_on - timedelta(days=1))["teachers_in_mentoring"].numerator == 2
        # From the withdrawal on, the pair was stopped: neither the mentee nor the mentor counts.
        assert indicators_on(withdrawn_on)["teachers_in_mentoring"].numerator == 0
        assert indicators_on(TODAY)["teachers_in_mentoring"].numerator == 0


def test_a_programme_completed_today_counts_as_completed_today(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor(user_id=world.mentor_a.pk)
        teacher = young_teacher("Завершившая")
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [teacher], started_on=START, form_code="teacher_teacher")
    planned_end = TODAY + timedelta(days=100)  # planned later than today: the old report read this date
    client.post(
        f"/pairs/{pair.pk}/programme/", {"starts_on": START.isoformat(), "ends_on": planned_end.isoformat()}
    )
    with schema_context(world.school_a.schema_name):
        programme = Programme.objects.get()
    for to in ("review", "approved", "running", "completed"):
        assert client.post(f"/programmes/{programme.pk}/move/", {"to": to}).status_code == 302, to
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert (programme.status, programme.completed_on) == ("completed", timezone.localdate())
        assert list(programmes_completed_on(TODAY)) == [programme]
        assert school_report_values(on=TODAY, early_end_codes=[])["programmes_completed"] == 1
        assert not programmes_completed_on(TODAY - timedelta(days=1)).exists()


def test_ending_a_pair_closes_its_programme_and_suspension_on_the_end_date(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor()
        teacher = young_teacher("Ушедшая")
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [teacher], started_on=START, form_code="teacher_teacher")
    client.post(f"/pairs/{pair.pk}/programme/", {"starts_on": START.isoformat(),
                                                 "ends_on": (START + timedelta(days=200)).isoformat()})  # fmt: skip
    with schema_context(world.school_a.schema_name):
        programme = Programme.objects.get()
    for to in ("review", "approved", "running"):
        client.post(f"/programmes/{programme.pk}/move/", {"to": to})
    with schema_context(world.school_a.schema_name):
        consent = teacher.consents.get(kind=Consent.Kind.PARTICIPATION)
    client.post(
        f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": (TODAY - timedelta(days=4)).isoformat()}
    )
    ended_on = TODAY - timedelta(days=2)
    client.post(f"/pairs/{pair.pk}/end/", {"ended_on": ended_on.isoformat(), "reason_code": "completed"})
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert (programme.status, programme.completed_on) == ("completed", ended_on)
        assert [(p.since, p.until) for p in pair.suspensions.all()] == [(TODAY - timedelta(days=4), ended_on)]
    invariant(TODAY, ended_on, TODAY - timedelta(days=4))


def test_pairs_suspended_before_periods_existed_get_one(world):
    migration = importlib.import_module("core.migrations.0007_pair_suspension_periods")
    from django.apps import apps

    with schema_context(world.school_a.schema_name):
        old = Pair.objects.create(form_code="teacher_student", role_model_id=1, kind_code="traditional",
                                  started_on=START, status="suspended", suspended_reason="Отозвано: согласие")  # fmt: skip
        AuditEntry.objects.create(action="suspend", object_type="pair", object_id=str(old.pk))
        done = Pair.objects.create(form_code="teacher_student", role_model_id=1, kind_code="traditional",
                                   started_on=START, ended_on=TODAY - timedelta(days=3), status="ended")  # fmt: skip
        programme = Programme.objects.create(pair=done, title="П", starts_on=START, ends_on=TODAY + timedelta(days=90),
                                             status="completed")  # fmt: skip
        migration.periods_from_status(apps, None)
        assert list(PairSuspension.objects.values_list("pair_id", "since", "until", "reason")) == [
            (old.pk, TODAY, None, "Отозвано: согласие")
        ]
        programme.refresh_from_db()
        assert programme.completed_on == TODAY - timedelta(days=3)
        assert not Pair.objects.filter(active_on(TODAY), pk=old.pk).exists()


def test_the_pair_pages_show_the_suspension_on_the_date_asked(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor()
        teacher = young_teacher("Приостановленная")
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [teacher], started_on=START, form_code="teacher_teacher")
        consent = teacher.consents.get(kind=Consent.Kind.PARTICIPATION)
    withdrawn_on = TODAY - timedelta(days=7)
    client.post(f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": withdrawn_on.isoformat()})
    detail = client.get(f"/pairs/{pair.pk}/").content.decode()
    assert f"с {withdrawn_on:%d.%m.%Y} по сей день" in detail and "Записать встречу" not in detail
    assert (
        "действовала (теперь приостановлена)"
        in client.get("/pairs/", {"on": MONTH_AGO.isoformat()}).content.decode()
    )
    assert "действовала" not in client.get("/pairs/").content.decode()
