"""`seed_demo` builds a usable region, and running it again changes nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from core.acts.models import LocalAct
from core.consents.selectors import consent_check
from core.notifications.models import Notification
from core.pairs.models import Pair
from core.people.models import Person
from core.programmes.models import Programme
from core.roadmap.models import RoadmapItem
from regional.checklist.history import percent_on, snapshots_on
from regional.models import SchoolSnapshot, SchoolSnapshotVersion
from tenants.models import Membership, School, User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_region_and_is_idempotent(host_client, world, capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "Школ создано: 12" in output and "Nastavnik-2026" in output
    call_command("seed_demo")
    assert "Школ создано: 0" in capsys.readouterr().out
    assert School.objects.filter(status=School.Status.ACTIVE).count() == 12 + 3
    for days in (0, 100, 250):  # the consent rule holds in every demo school, today and in the past
        call_command("consent_invariant", on=timezone.localdate() - timedelta(days=days))
    school = School.objects.get(slug="tver-sosh14")
    with schema_context(school.schema_name):
        assert Person.objects.count() == 24
        assert Pair.objects.count() == 5 and Programme.objects.values("status").distinct().count() == 4
        assert SchoolSnapshot.objects.filter(school__slug__in=["tver-sosh14", "rzhev-college"]).count() == 2
        assert LocalAct.objects.filter(status=LocalAct.Status.IN_FORCE).count() == 4
        assert RoadmapItem.objects.count() == 12
        student = Person.objects.filter(category="student").order_by("pk")[0]
        assert consent_check(person=student, on=student.created_at.date()).allowed
    curator = Membership.objects.get(user__email="curator@sosh14.test").user
    client = host_client(school, curator)
    assert client.get("/").status_code == 200
    assert "24" in client.get("/").content.decode()


def test_the_demo_mentor_sees_their_pair(host_client, world):
    call_command("seed_demo")
    school = School.objects.get(slug="tver-sosh14")
    mentor = Membership.objects.get(user__email="mentor@sosh14.test").user
    page = host_client(school, mentor).get("/my/").content.decode()
    assert "Пара №" in page and "выполняется" in page


def test_the_demo_has_a_checklist_past_and_the_reminders_have_run(host_client, world, capsys):
    """Schools onboarded 90 days back with dated versions up to today's real refresh; the bell is not empty."""
    call_command("seed_demo")
    assert "Школ с историей чек-листа за 90 дней: 12" in capsys.readouterr().out
    today = timezone.localdate()
    demo = School.objects.filter(slug__in=["tver-sosh14", "rzhev-college", "esinka-oosh"])
    ids = list(demo.values_list("pk", flat=True))
    for school in demo:
        assert (today - timezone.localdate(school.created_at)).days == 90
        versions = list(SchoolSnapshotVersion.objects.filter(school=school).order_by("valid_from"))
        assert [(today - timezone.localdate(v.valid_from)).days for v in versions[:3]] == [90, 60, 30]
        assert versions[-1].items == SchoolSnapshot.objects.get(school=school).items  # today's: the real one
        percents = [v.percent for v in versions]
        assert percents == sorted(percents) and percents[0] < percents[2] < percents[-1], percents
        codes = set(versions[-1].items)
        for version in versions[1:3]:  # the checklist's item codes, and figures that agree with the items
            assert set(version.items) == codes
            done = sum(1 for item in version.items.values() if item["state"] == "done")
            assert version.done == done and version.percent == round(100 * done / version.applicable)
    month_ago = today - timedelta(days=30)
    then_percent, now_percent = percent_on(month_ago, school_ids=ids), percent_on(today, school_ids=ids)
    assert then_percent is not None and now_percent is not None and then_percent < now_percent
    assert snapshots_on(today - timedelta(days=91), school_ids=ids).count() == 0  # not onboarded yet

    admin = host_client(None, User.objects.get(email="admin@nastavnik.test"))
    page = admin.get(f"/compliance/?on={month_ago:%d.%m.%Y}").content.decode()
    assert "школ: 12" in page and "без данных на эту дату" not in page
    assert "МОУ СОШ № 14" in page and "ГБПОУ «Ржевский колледж»" in page
    school = School.objects.get(slug="tver-sosh14")
    then = SchoolSnapshotVersion.objects.filter(school=school, valid_from__date__lte=month_ago).order_by(
        "-valid_from"
    )[0]
    assert f"{then.percent}%" in page or f"{then.percent} %" in page
    before = admin.get(f"/compliance/?on={today - timedelta(days=100):%d.%m.%Y}").content.decode()
    assert "школ: 0" in before  # the demo does not claim a past before its onboarding

    curator = User.objects.get(email="curator@sosh14.test")
    with schema_context(school.schema_name):
        unread = Notification.objects.filter(recipient_id=curator.pk, read_at__isnull=True)
        assert unread.exists()
        notifications = Notification.objects.count()
    assert "Просрочено" in host_client(school, curator).get("/notifications/").content.decode()
    other = School.objects.get(slug="tver-sosh55")
    with schema_context(other.schema_name):  # school A's curator gets nothing in school B
        assert not Notification.objects.filter(recipient_id=curator.pk).exists()

    version_count = SchoolSnapshotVersion.objects.count()
    created = dict(School.objects.values_list("slug", "created_at"))
    call_command("seed_demo")  # again: no new past, no repeated reminders
    assert "Школ с историей чек-листа за 90 дней: 0" in capsys.readouterr().out
    assert SchoolSnapshotVersion.objects.count() == version_count
    assert dict(School.objects.values_list("slug", "created_at")) == created
    with schema_context(school.schema_name):
        assert Notification.objects.count() == notifications
