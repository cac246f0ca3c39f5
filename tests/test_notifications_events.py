"""Issue 15: every event becomes a notification for the people who must act, with the link to act, once.

Each test runs an event (a service call, the daily job) and checks the recipients, the link, that a second
run adds nothing, and that nothing lands in another school's schema.
"""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from core.consents.models import Consent
from core.notifications.models import Notification
from core.notifications.reminders import reminders_run
from core.pairs.models import Meeting, Pair
from core.people.models import Category, Person
from core.programmes.models import Programme, ProgrammeTask
from core.programmes.services import programme_move
from core.roadmap.models import RoadmapItem
from regional.checklist.snapshots import checklist_publish, snapshot_refresh
from regional.models import InspectionRound, ReportRun
from regional.notifications import rounds_remind
from regional.reports import report_fail, report_start
from regional.rounds import round_create, round_items, verdict_set
from tenants.models import OnboardingBatch, School
from tenants.notifications.models import RegionNotification
from tenants.notifications.region import onboarding_notify
from tenants.onboarding import school_onboard
from tests.conftest import school_data
from tests.objects import school_objects

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def notes(school: School | None, **filters) -> set[tuple[str, int, str]]:
    """(kind, recipient, link) of the notifications of a school's schema (None: the region's)."""
    if school is None:
        return set(RegionNotification.objects.filter(**filters).values_list("kind", "recipient_id", "link"))
    with schema_context(school.schema_name):
        return set(Notification.objects.filter(**filters).values_list("kind", "recipient_id", "link"))


@pytest.fixture
def objs(world):
    return school_objects(
        world.school_a, curator=world.curator_a, mentor=world.mentor_a, mentee=world.mentee_a
    )


def test_programme_submitted_approved_and_returned_reach_the_people_who_act(
    world, objs, django_capture_on_commit_callbacks
):
    link = f"/programmes/{objs.programme}/"
    with schema_context(world.school_a.schema_name):
        programme = Programme.objects.get(pk=objs.programme)
        with django_capture_on_commit_callbacks(execute=True):
            programme_move(programme=programme, to="review", role="mentor", actor=world.mentor_a)
        assert notes(world.school_a) == {("programme_submitted", world.curator_a.pk, link)}
        programme_move(programme=programme, to="revision", role="staff", actor=world.curator_a)
        programme_move(programme=programme, to="review", role="mentor", actor=world.mentor_a)
        programme_move(programme=programme, to="approved", role="staff", actor=world.curator_a)
        got = notes(world.school_a)
    assert got == {
        ("programme_submitted", world.curator_a.pk, link),
        ("programme_returned", world.mentor_a.pk, link),
        ("programme_returned", world.mentee_a.pk, link),
        ("programme_approved", world.mentor_a.pk, link),
        ("programme_approved", world.mentee_a.pk, link),
    }
    with schema_context(world.school_a.schema_name):
        # Submitted twice (after the return): two events, two rows for the curator.
        assert Notification.objects.filter(kind="programme_submitted").count() == 2
        first = Notification.objects.filter(kind="programme_submitted").earliest("pk")
    # The immediate e-mail went to the curator, with the school's host in the link, which opens (and marks
    # read) that notification on its way to the page.
    (letter,) = mail.outbox
    assert letter.to == ["curator@a.test"]
    assert f"Открыть: http://school-a.localhost/notifications/{first.pk}/open/\n" in str(letter.body)
    assert f"http://school-a.localhost{link}" not in str(letter.body)
    assert notes(world.school_b) == set()


def _due_world(world, objs) -> dict[str, int]:
    """In school A: a task due soon and one overdue, roadmap items, consents ending, a student turning 18."""
    ids: dict[str, int] = {}
    with schema_context(world.school_a.schema_name):
        Programme.objects.filter(pk=objs.programme).update(status="running")
        Programme.objects.filter(pk=objs.other_programme).update(status="running")
        tasks = list(ProgrammeTask.objects.filter(section__programme_id=objs.programme).order_by("pk"))
        ProgrammeTask.objects.filter(section__programme_id=objs.programme).update(
            due_date=TODAY + timedelta(days=60)
        )
        ProgrammeTask.objects.filter(section__programme_id=objs.other_programme).update(
            due_date=TODAY + timedelta(days=60)
        )
        ProgrammeTask.objects.filter(pk=tasks[0].pk).update(due_date=TODAY + timedelta(days=3))
        ProgrammeTask.objects.filter(pk=tasks[1].pk).update(due_date=TODAY - timedelta(days=2))
        ProgrammeTask.objects.filter(pk=tasks[2].pk).update(due_date=TODAY - timedelta(days=2), result="full")
        ids["task_due"], ids["task_overdue"] = tasks[0].pk, tasks[1].pk
        RoadmapItem.objects.filter(pk=objs.roadmap_item).update(due_date=TODAY + timedelta(days=5))
        ids["roadmap_overdue"] = RoadmapItem.objects.create(
            title="Приказ о закреплении пар", due_date=TODAY - timedelta(days=1)
        ).pk
        RoadmapItem.objects.create(title="Выполнено", due_date=TODAY - timedelta(days=1), status="done")
        Consent.objects.filter(pk=objs.consent).update(valid_until=TODAY + timedelta(days=10))
        gone = Person.objects.create(last_name="Ушедшая", first_name="Анна", category=Category.TEACHER)
        ids["expired"] = Consent.objects.create(
            person=gone, kind="participation", valid_from=TODAY - timedelta(days=400),
            valid_until=TODAY - timedelta(days=3),
        ).person_id  # fmt: skip
        renewed = Person.objects.create(last_name="Продлённая", first_name="Анна", category=Category.TEACHER)
        for since, until in ((TODAY - timedelta(days=400), TODAY + timedelta(days=5)), (TODAY, None)):
            Consent.objects.create(person=renewed, kind="participation", valid_from=since, valid_until=until)
        student = Person.objects.create(
            last_name="Взрослеющий", first_name="Иван", category=Category.STUDENT,
            birth_date=TODAY + timedelta(days=10) - relativedelta(years=18),
        )  # fmt: skip
        Consent.objects.create(
            person=student, kind="participation", valid_from=TODAY - timedelta(days=100), by_representative=True,
            representative_last_name="Взрослеющая", representative_first_name="Мария",
        )  # fmt: skip
        ids["student"] = student.pk
    return ids


def test_the_daily_job_reminds_each_person_once_and_only_in_their_school(world, objs, settings):
    ids = _due_world(world, objs)
    with schema_context(world.school_a.schema_name):
        first = reminders_run(today=TODAY)
        second = reminders_run(today=TODAY)
    assert all(n == 0 for n in second.values()), second
    curator, mentor, mentee = world.curator_a.pk, world.mentor_a.pk, world.mentee_a.pk
    programme = f"/programmes/{objs.programme}/"
    got = notes(world.school_a)
    expected = {
        ("task_due", mentor, programme), ("task_due", curator, programme),
        ("task_overdue", mentor, programme), ("task_overdue", curator, programme),
        ("roadmap_due", curator, "/roadmap/"), ("roadmap_overdue", curator, "/roadmap/"),
        ("consent_expiring", curator, f"/people/{objs.person}/"),
        ("consent_expired", curator, f"/people/{ids['expired']}/"),
        ("student_adult", curator, f"/people/{ids['student']}/"),
        # The other pair has had no meeting since it started 60 days ago; its mentor has no login.
        ("pair_inactive", curator, f"/pairs/{objs.other_pair}/"),
        ("survey_waiting", mentor, f"/pairs/{objs.pair}/surveys/"),
        ("survey_waiting", mentee, f"/pairs/{objs.pair}/surveys/"),
    }  # fmt: skip
    assert got == expected
    assert sum(first.values()) == len(expected)
    with schema_context(world.school_a.schema_name):
        # One task due and one overdue: a done task, a done roadmap item and a renewed consent say nothing.
        assert Notification.objects.filter(kind="task_overdue", recipient_id=mentor).count() == 1
        assert not Notification.objects.filter(title__contains="Продлённая").exists()
        assert not Notification.objects.filter(link=f"/pairs/{objs.pair}/", kind="pair_inactive").exists()
        # A moved deadline is a new event.
        ProgrammeTask.objects.filter(pk=ids["task_due"]).update(due_date=TODAY + timedelta(days=4))
        assert reminders_run(today=TODAY)["tasks"] == 2
    # School B's job finds nothing of school A's, and no row crossed into B's schema.
    with schema_context(world.school_b.schema_name):
        assert sum(reminders_run(today=TODAY).values()) == 0
    assert notes(world.school_b) == set()


def test_a_pair_meeting_again_is_not_idle_and_a_new_idle_spell_is_a_new_event(world, objs):
    with schema_context(world.school_a.schema_name):
        old = TODAY - timedelta(days=45)
        Meeting.objects.filter(pair_id=objs.pair).update(date=old)
        reminders_run(today=TODAY)
        assert notes(world.school_a, kind="pair_inactive", link=f"/pairs/{objs.pair}/") == {
            ("pair_inactive", world.mentor_a.pk, f"/pairs/{objs.pair}/"),
            ("pair_inactive", world.curator_a.pk, f"/pairs/{objs.pair}/"),
        }
        Meeting.objects.create(pair_id=objs.pair, kind="regular", date=TODAY - timedelta(days=1))
        reminders_run(today=TODAY)
        assert Notification.objects.filter(kind="pair_inactive", link=f"/pairs/{objs.pair}/").count() == 2
        assert Pair.objects.filter(pk=objs.pair, status="active").exists()


def test_a_remark_reaches_the_schools_curators_and_its_fix_the_inspector(
    world, objs, host_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = round_create(
            title="I полугодие",
            municipality=world.m1,
            due_date=TODAY + timedelta(days=30),
            actor=world.inspector_m1,
        )
    # Started: the curators of both schools of the municipality, each in their own schema.
    assert notes(world.school_a) == {("round_started", world.curator_a.pk, "/checklist/")}
    assert notes(world.school_b) == {("round_started", world.curator_b.pk, "/checklist/")}
    assert notes(world.school_c) == set()
    assert notes(None) == set()  # the only inspector of M1 started it himself
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        verdict_set(
            round_=round_, school=world.school_a, item_code="site_section", verdict="remark",
            comment="Нет раздела на сайте", actor=world.inspector_m1,
        )  # fmt: skip
    assert notes(world.school_a, kind="remark") == {("remark", world.curator_a.pk, "/checklist/")}
    assert notes(world.school_b, kind="remark") == set()
    (letter,) = mail.outbox
    assert letter.to == ["curator@a.test"]
    with schema_context(world.school_a.schema_name):
        remark = Notification.objects.get(kind="remark")
    assert "Нет раздела на сайте" in letter.body
    assert f"Открыть: http://school-a.localhost/notifications/{remark.pk}/open/\n" in letter.body
    # The school fixes it: its snapshot refresh sees the item done and tells the inspector who remarked.
    curator = host_client(world.school_a, world.curator_a)
    curator.post("/settings/", {"site_section_url": "https://a.ru/nastavnik"})
    for _ in range(2):  # the refresh job, twice (a redelivery): one notification
        with schema_context(world.school_a.schema_name), django_capture_on_commit_callbacks(execute=True):
            snapshot_refresh(school=world.school_a)
    link = f"/rounds/{round_.pk}/schools/{world.school_a.pk}/"
    assert notes(None, kind="remark_fixed") == {("remark_fixed", world.inspector_m1.pk, link)}
    fixed = RegionNotification.objects.get(kind="remark_fixed")
    assert f"Открыть: http://localhost/notifications/{fixed.pk}/open/\n" in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["imc@m1.test"]
    assert len(mail.outbox) == 2


def test_rounds_due_and_overdue_remind_inspectors_and_unfinished_schools_once(
    world, django_capture_on_commit_callbacks
):
    due = InspectionRound.objects.create(
        title="Скоро", municipality=world.m1, due_date=TODAY + timedelta(days=5), template_version=1
    )
    due.schools.set([world.school_a, world.school_b])
    late = InspectionRound.objects.create(
        title="Просрочен", municipality=world.m2, due_date=TODAY - timedelta(days=2), template_version=1
    )
    late.schools.set([world.school_c])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            rounds_remind(today=TODAY)
    assert notes(None) == {("round_due", world.inspector_m1.pk, f"/rounds/{due.pk}/")}  # M2 has no inspector
    assert notes(world.school_a) == {("round_due", world.curator_a.pk, "/checklist/")}
    assert notes(world.school_b) == {("round_due", world.curator_b.pk, "/checklist/")}
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.count() == 1


def test_a_school_reviewed_on_every_item_of_its_rounds_version_is_not_reminded(
    world, django_capture_on_commit_callbacks
):
    round_ = round_create(
        title="Скоро", municipality=world.m1, due_date=TODAY + timedelta(days=5), actor=world.inspector_m1
    )
    for item in round_items(round_):  # school A reviewed in full, school B not at all
        verdict_set(round_=round_, school=world.school_a, item_code=item.code, verdict="confirmed",
                    comment="", actor=world.inspector_m1)  # fmt: skip
    # A later version adds items this round does not review: school A stays reviewed in full.
    checklist_publish(extra_rules=["order_introduction", "pairs_count"], actor=world.regional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        rounds_remind(today=TODAY)
    assert notes(world.school_a, kind="round_due") == set()
    assert notes(world.school_b, kind="round_due") == {("round_due", world.curator_b.pk, "/checklist/")}


def test_onboarding_and_exports_tell_the_regional_admin_who_started_them(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_start(on=TODAY, actor=world.regional_admin)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert notes(None, kind="export_ready") == {
        ("export_ready", world.regional_admin.pk, f"/reports/{run.pk}/")
    }
    school = school_onboard(
        data=school_data(name="Школа Г", municipality=world.m1, slug="school-g", number=7),
        actor=world.regional_admin,
    )
    School.objects.filter(pk=school.pk).update(status=School.Status.FAILED, provision_error="DiskFull")
    onboarding_notify(school_id=school.pk)
    onboarding_notify(school_id=school.pk)
    School.objects.filter(pk=school.pk).update(status=School.Status.ACTIVE)
    onboarding_notify(school_id=school.pk)
    admin, link = world.regional_admin.pk, f"/schools/{school.pk}/"
    assert notes(None, kind__startswith="onboarding") == {
        ("onboarding_failed", admin, link),
        ("onboarding_finished", admin, link),
    }
    failing = ReportRun.objects.create(on=TODAY, created_by=world.regional_admin, school_ids=[])
    report_fail(run_id=failing.pk, reason="Сбой")
    report_fail(run_id=failing.pk, reason="Сбой")
    assert notes(None, kind="export_failed") == {("export_failed", admin, f"/reports/{failing.pk}/")}
    assert (
        RegionNotification.objects.filter(
            recipient_id__in=[world.curator_a.pk, world.inspector_m1.pk]
        ).count()
        == 0
    )


def test_an_uploaded_list_is_reported_once_when_its_last_school_is_done(world):
    batch = OnboardingBatch.objects.create(
        file_name="schools.xlsx", file_sha256="0" * 64, created_by=world.regional_admin
    )
    schools = [
        school_onboard(
            data=school_data(name=f"Школа {n}", municipality=world.m1, slug=f"list-{n}", number=20 + n),
            actor=world.regional_admin,
        )
        for n in range(3)
    ]
    batch.schools.add(*schools)
    School.objects.filter(pk__in=[schools[0].pk, schools[1].pk]).update(status=School.Status.ACTIVE)
    onboarding_notify(school_id=schools[0].pk)
    assert notes(None) == set()  # one school is still being created
    School.objects.filter(pk=schools[2].pk).update(status=School.Status.FAILED)
    for school in schools:
        onboarding_notify(school_id=school.pk)
    link = f"/schools/import/{batch.pk}/"
    assert notes(None) == {("onboarding_failed", world.regional_admin.pk, link)}
    assert RegionNotification.objects.get().title == "Список «schools.xlsx»: подключено 2 из 3, с ошибкой — 1"
