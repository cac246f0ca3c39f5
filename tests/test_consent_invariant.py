"""The consent rule (issue 11, item 2): nobody takes part in a working pair without valid consents.

Each scenario below once broke the rule (the SQL count went 0 → 3); each now ends with the
``consent_invariant`` command reporting 0 for every school, on the dates concerned.
"""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from config.celery import SchoolTaskInPublicError, app, send_to_school
from core.consents.models import Consent
from core.monitoring.models import SurveyResponse
from core.pairs.models import Meeting, Pair, PairSuspension
from core.pairs.selectors import consent_rule_breaches, pair_suspended_on, programmes_completed_on
from core.pairs.tasks import consents_enforce_daily
from core.people.models import BankEntry, Category, Person
from core.programmes.models import Programme, ProgrammeTask
from tenants.models import School
from tests.test_pairs import START, TODAY, _pair_post, mentee, mentor

pytestmark = pytest.mark.django_db


def invariant(*dates: date) -> str:
    """Run the command for each date; fail the test with its output when any school breaks the rule."""
    out = StringIO()
    for on in dates or (TODAY,):
        try:
            call_command("consent_invariant", on=on, stdout=out)
        except CommandError as error:
            pytest.fail(f"{error}\n{out.getvalue()}")
    return out.getvalue()


def invariant_broken(on: date = TODAY) -> str:
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("consent_invariant", on=on, stdout=out)
    return f"{refused.value}\n{out.getvalue()}"


def _pair(client, mentors, mentees, started_on=START, form_code="teacher_student") -> Pair:
    response = _pair_post(client, mentors, mentees, started_on=started_on, form_code=form_code)
    assert response.status_code == 302, response.content.decode()
    return Pair.objects.latest("pk")


def test_consents_that_expire_after_the_start_suspend_the_pair_by_the_daily_job(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
        s.consents.update(valid_until=TODAY + timedelta(days=10))  # valid when the pair is formed
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [s])
        # Time passes: the consents ran out three days ago (the same as the job running 13 days later).
        s.consents.update(valid_until=TODAY - timedelta(days=3))
    assert "school-a: 1" in invariant_broken()  # the command sees the breach the old code left
    with schema_context(world.school_a.schema_name):
        assert consents_enforce_daily() == 1
        assert consents_enforce_daily() == 0  # idempotent
        pair.refresh_from_db()
        period = pair.suspensions.get()
        assert pair.status == Pair.Status.SUSPENDED
        assert (period.since, period.until) == (TODAY - timedelta(days=2), None)
        assert "Нет действующего согласия" in period.reason
    invariant(TODAY, TODAY - timedelta(days=2), TODAY - timedelta(days=3))


def test_a_withdrawal_dated_in_the_past_suspends_every_pair_from_that_day(host_client, world):
    withdrawn_on = TODAY - timedelta(days=20)
    with schema_context(world.school_a.schema_name):
        m, s = mentor(capacity=5), mentee()
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        early = _pair(client, [m], [s], started_on=START)
        later = _pair(client, [m], [s], started_on=TODAY - timedelta(days=10))  # formed after that date
        ended = _pair(client, [m], [s], started_on=START)
    ended_on = TODAY - timedelta(days=15)
    client.post(f"/pairs/{ended.pk}/end/", {"ended_on": ended_on.isoformat(), "reason_code": "completed"})
    with schema_context(world.school_a.schema_name):
        consent = s.consents.get(kind=Consent.Kind.PARTICIPATION)
    response = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": withdrawn_on.isoformat(), "reason": "заявление"},
    )
    assert response.status_code == 200, response.content
    with schema_context(world.school_a.schema_name):
        periods = {p.pair_id: (p.since, p.until) for p in PairSuspension.objects.all()}
        assert periods == {
            early.pk: (withdrawn_on, None),
            later.pk: (later.started_on, None),  # the old code left this one working
            ended.pk: (withdrawn_on, ended_on),  # stopped while it still ran
        }
        assert {p.pk: p.status for p in Pair.objects.all()} == {
            early.pk: "suspended", later.pk: "suspended", ended.pk: "ended"
        }  # fmt: skip
        assert all("Отозвано" in p.reason for p in PairSuspension.objects.all())
    invariant(TODAY, withdrawn_on, TODAY - timedelta(days=10), ended_on)


def test_a_withdrawal_cannot_be_dated_in_the_future(host_client, world):
    with schema_context(world.school_a.schema_name):
        s = mentee()
        consent = s.consents.earliest("pk")
    response = host_client(world.school_a, world.curator_a).post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"withdrawn_on": (TODAY + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 400 and "позже сегодняшнего дня" in str(response.json())
    with schema_context(world.school_a.schema_name):
        consent.refresh_from_db()
        assert consent.withdrawn_on is None


def test_a_birth_date_edit_that_makes_a_member_a_minor_suspends_the_pair(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor()
        # An adult student (19) with their own consents, not a representative's.
        s = Person.objects.create(last_name="Взрослов", first_name="Иван", category=Category.STUDENT,
                                  school_class="11А", birth_date=TODAY.replace(year=TODAY.year - 19))  # fmt: skip
        for kind in Consent.Kind:
            Consent.objects.create(person=s, kind=kind, valid_from=START - timedelta(days=10))
        BankEntry.objects.create(person=s, bank="mentee", status="approved")
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [s])
    minor_birth = TODAY.replace(year=TODAY.year - 16)
    edited = client.post(f"/people/{s.pk}/edit/", {
        "last_name": "Взрослов", "first_name": "Иван", "category": "student", "school_class": "11А",
        "birth_date": minor_birth.isoformat(),
    })  # fmt: skip
    assert edited.status_code == 302
    with schema_context(world.school_a.schema_name):
        pair.refresh_from_db()
        assert pair.status == Pair.Status.SUSPENDED
        period = pair.suspensions.get()
        assert period.since == START and "от законного представителя" in period.reason
    invariant(TODAY, START)


def test_work_on_a_suspended_pair_is_refused_on_pages_and_in_the_api(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(user_id=world.mentor_a.pk), mentee()
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [s])
        other = _pair(client, [m], [mentee(last="Второй")])
    dates = {"starts_on": START.isoformat(), "ends_on": (START + timedelta(days=200)).isoformat()}
    assert client.post(f"/pairs/{other.pk}/programme/", dates).status_code == 302
    with schema_context(world.school_a.schema_name):
        programme = Programme.objects.get(pair=other)
    assert client.post(f"/programmes/{programme.pk}/move/", {"to": "review"}).status_code == 302
    with schema_context(world.school_a.schema_name):
        task = ProgrammeTask.objects.filter(section__programme=programme).earliest("pk")
        for consent in [*s.consents.all(), *other.members.get(role="mentee").person.consents.all()]:
            client.post(f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": TODAY.isoformat()})
        assert set(Pair.objects.values_list("status", flat=True)) == {"suspended"}
    meeting = {"kind": "intro", "date": TODAY.isoformat(), "format": "in_person", "hours": "1"}
    mentor_client = host_client(world.school_a, world.mentor_a)
    page = mentor_client.post(f"/pairs/{pair.pk}/meetings/", meeting)
    assert page.status_code == 400 and "приостановлена" in page.content.decode()
    api = mentor_client.post(f"/api/v1/pairs/{pair.pk}/meetings/", meeting)
    assert api.status_code == 400 and "приостановлена" in str(api.json())
    refused = [
        client.post(f"/pairs/{pair.pk}/programme/", dates),
        client.post(f"/programmes/{programme.pk}/move/", {"to": "approved"}),
        client.post(f"/programmes/{programme.pk}/update/", {**dates, "stage": "design"}),
        client.post(f"/tasks/{task.pk}/", {"result": "full"}),
        client.post(f"/api/v1/programmes/{programme.pk}/move/", {"to": "approved"}),
        client.patch(f"/api/v1/tasks/{task.pk}/", {"result": "full"}, content_type="application/json"),
        client.post(
            f"/pairs/{pair.pk}/surveys/process_curator/once/",
            {"regularity": "7", "plan": "6", "cooperation": "8"},
        ),
    ]
    assert [r.status_code for r in refused] == [400] * len(refused)
    assert all("приостановлена" in r.content.decode() for r in refused)
    with schema_context(world.school_a.schema_name):
        assert not Meeting.objects.exists() and not SurveyResponse.objects.exists()
        assert list(Programme.objects.values_list("pair_id", "status", "stage")) == [
            (other.pk, "review", "design")  # sent for review: «проектировочный» (seed 001 stages)
        ]
        task.refresh_from_db()
        assert task.result == ""
    invariant()


def test_a_resumed_pair_keeps_its_suspension_as_a_closed_period(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [s])
        consent = s.consents.get(kind=Consent.Kind.PERSONAL_DATA)
    withdrawn_on = TODAY - timedelta(days=5)
    client.post(f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": withdrawn_on.isoformat()})
    with schema_context(world.school_a.schema_name):
        Consent.objects.create(person=s, kind=Consent.Kind.PERSONAL_DATA, valid_from=TODAY, by_representative=True,
                               representative_last_name="Иванова", representative_first_name="Анна")  # fmt: skip
    assert client.post(f"/pairs/{pair.pk}/resume/").status_code == 302
    with schema_context(world.school_a.schema_name):
        pair.refresh_from_db()
        assert pair.status == Pair.Status.ACTIVE
        assert [(p.since, p.until) for p in pair.suspensions.all()] == [
            (withdrawn_on, TODAY - timedelta(days=1))
        ]
        assert pair_suspended_on(pair, TODAY - timedelta(days=1)) and not pair_suspended_on(pair, TODAY)
        assert consents_enforce_daily() == 0  # the gap is covered: nothing to suspend again
    invariant(TODAY, withdrawn_on, TODAY - timedelta(days=1))


def test_the_command_reports_each_school_and_a_school_enforces_only_its_own_pairs(world):
    schools = {}
    for school in (world.school_a, world.school_b):
        with schema_context(school.schema_name):
            m, s = mentor(), mentee()
            pair = Pair.objects.create(form_code="teacher_student", role_model_id=1, kind_code="traditional",
                                       started_on=START)  # fmt: skip
            pair.members.create(person=m, role="mentor", since=START)
            pair.members.create(person=s, role="mentee", since=START)
            s.consents.update(withdrawn_on=TODAY - timedelta(days=1))  # broken behind the services' back
            schools[school.slug] = pair
    report = invariant_broken()
    assert "school-a: 1" in report and "school-b: 1" in report and "school-c: 0" in report
    with pytest.raises(SchoolTaskInPublicError):
        consents_enforce_daily.delay()  # a school task never runs over the region's own schema
    # As the public dispatcher sends it: by name, to one school's schema through the message headers.
    assert send_to_school(app.tasks["core.consents_enforce_daily"], world.school_a.schema_name).get() == 1
    with schema_context(world.school_a.schema_name):
        assert not consent_rule_breaches(TODAY)
    report = invariant_broken()
    assert "school-a: 0" in report and "school-b: 1" in report and "school-a" not in report.split("\n")[0]
    with schema_context(world.school_b.schema_name):
        assert not PairSuspension.objects.exists()  # school A's job never touched school B
        consents_enforce_daily()
    assert "school-b: 0" in invariant()


def test_the_command_skips_a_school_without_a_schema(world):
    School.objects.create(name="Без схемы", short_name="Без схемы", slug="no-schema", schema_name="school_no_schema",
                          inn="6900000000", ogrn="1026900000000", municipality=world.m1)  # fmt: skip
    assert "no-schema: нет схемы, пропущена" in invariant()


def test_a_curator_may_still_terminate_the_programme_of_a_suspended_pair(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        pair = _pair(client, [m], [s])
    dates = {"starts_on": START.isoformat(), "ends_on": (START + timedelta(days=200)).isoformat()}
    client.post(f"/pairs/{pair.pk}/programme/", dates)
    with schema_context(world.school_a.schema_name):
        programme = Programme.objects.get()
    for to in ("review", "approved"):
        assert client.post(f"/programmes/{programme.pk}/move/", {"to": to}).status_code == 302
    with schema_context(world.school_a.schema_name):
        consent = s.consents.get(kind=Consent.Kind.PARTICIPATION)
    client.post(f"/consents/{consent.pk}/withdraw/", {"withdrawn_on": TODAY.isoformat()})
    assert client.post(f"/programmes/{programme.pk}/move/", {"to": "running"}).status_code == 400
    assert client.post(f"/programmes/{programme.pk}/move/", {"to": "terminated"}).status_code == 302
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert (programme.status, programme.completed_on) == ("terminated", TODAY)
        assert not programmes_completed_on(TODAY).exists()  # terminated is not completed
    invariant()


def test_the_date_is_read_as_the_pages_read_it(world):
    """``--on`` takes ДД.ММ.ГГГГ as well as ГГГГ-ММ-ДД; an impossible date is refused in Russian."""
    for raw in ("01.10.2026", "2026-10-01"):
        out = StringIO()
        call_command("consent_invariant", "--on", raw, "--school", world.school_a.slug, stdout=out)
        assert "Правило согласий соблюдено на 01.10.2026." in out.getvalue()
    with pytest.raises(CommandError, match="нет в календаре"):
        call_command("consent_invariant", "--on", "31.02.2026")
