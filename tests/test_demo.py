"""`seed_demo` builds a usable region, and running it again changes nothing."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from core.acts.models import LocalAct
from core.consents.selectors import consent_check
from core.notifications.models import Notification
from core.pairs.models import Pair
from core.people.models import Person
from core.programmes.models import Programme
from core.roadmap.models import RoadmapItem
from regional.checklist.history import end_of, items_done, percent_on, snapshots_at, snapshots_on
from regional.management.commands.seed_demo import REMARK_COMMENTS
from regional.models import InspectionRound, InspectionVerdict, SchoolSnapshot, SchoolSnapshotVersion
from regional.rounds import round_items
from tenants.models import Membership, School, User
from tenants.notifications.models import RegionNotification

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


def _percent_from_versions(moment, school_ids, codes):
    """The round's schools' % at ``moment``, added up here from each school's version then (not round_trend)."""
    done = applicable = 0
    for school_id in school_ids:
        version = (
            SchoolSnapshotVersion.objects.filter(school_id=school_id, valid_from__lt=moment)
            .order_by("-valid_from")
            .first()
        )
        if version is not None:
            d, a = items_done(version.items, codes)
            done, applicable = done + d, applicable + a
    return round(100 * done / applicable)


def test_the_demo_inspector_has_a_finished_and_a_current_round(
    host_client, world, capsys, django_capture_on_commit_callbacks
):
    """Тверь's ИМЦ: a round finished 15 days ago and one under way, their trend from the dated history, the
    note, the remarks on the school's checklist (its own school only); a second run adds nothing."""
    with django_capture_on_commit_callbacks(execute=True):  # the schools' notifications, sent after commit
        call_command("seed_demo")
    assert "Раундов мониторинга ИМЦ создано: 2" in capsys.readouterr().out
    today = timezone.localdate()
    finished, current = InspectionRound.objects.filter(municipality__name="Тверь").order_by("created_at")
    assert (today - timezone.localdate(finished.created_at)).days == 45
    assert finished.due_date == today - timedelta(days=15)
    assert (today - timezone.localdate(current.created_at)).days == 5
    assert current.due_date == today + timedelta(days=10)
    demo_tver = set(School.objects.filter(slug__startswith="tver-").values_list("pk", flat=True))
    assert set(finished.schools.values_list("pk", flat=True)) == demo_tver  # not the ones onboarded since

    codes = [i.code for i in round_items(finished)]
    verdicts = finished.verdicts.all()
    assert verdicts.count() == len(demo_tver) * len(codes)  # every school reviewed in full
    remarks = list(verdicts.filter(verdict=InspectionVerdict.Verdict.REMARK).select_related("school"))
    assert sorted(r.school.slug for r in remarks) == ["tver-licey", "tver-sosh14"]
    assert verdicts.filter(verdict=InspectionVerdict.Verdict.CONFIRMED).count() > 30
    for verdict in verdicts:  # decided within the round, on what the history said at that moment
        assert finished.created_at < verdict.decided_at < end_of(finished.due_date)
        then = snapshots_at(verdict.decided_at, school_ids=[verdict.school_id]).get()
        assert verdict.auto_state == then.items[verdict.item_code]["state"]
        assert (verdict.verdict == InspectionVerdict.Verdict.NOT_APPLICABLE) == (verdict.auto_state == "na")
    for remark in remarks:
        assert remark.auto_state not in ("done", "na") and remark.comment in REMARK_COMMENTS.values()
    assert current.verdicts.count() == 5 and not current.verdicts.exclude(verdict="confirmed").exists()
    assert set(current.verdicts.values_list("school__slug", flat=True)) == {"tver-sosh14", "tver-licey"}
    assert all(current.created_at < v.decided_at < timezone.now() for v in current.verdicts.all())

    inspector = host_client(None, User.objects.get(email="imc.tver@nastavnik.test"))
    page = inspector.get("/rounds/").content.decode()
    assert finished.title in page and current.title in page
    other_inspector = host_client(None, User.objects.get(email="imc.konakovo@nastavnik.test"))
    assert finished.title not in other_inspector.get("/rounds/").content.decode()

    ids = sorted(demo_tver)
    start = _percent_from_versions(finished.created_at, ids, codes)
    end = _percent_from_versions(end_of(finished.due_date), ids, codes)
    assert start < end  # the 60-day version at the start, the 30-day one at the due date
    page = inspector.get(f"/rounds/{finished.pk}/").content.decode()
    assert f"на старте ({finished.created_at:%d.%m.%Y}) — {start}%" in page
    assert f"на срок ({finished.due_date:%d.%m.%Y}) — {end}%" in page
    page = inspector.get(f"/rounds/{current.pk}/").content.decode()
    assert f"предыдущий раунд «{finished.title}» закончился на {end}%" in page
    current_ids = list(current.schools.values_list("pk", flat=True))
    now_percent = _percent_from_versions(end_of(today), current_ids, codes)
    assert f"сейчас ({today:%d.%m.%Y}) — {now_percent}%" in page

    response = inspector.get(f"/rounds/{finished.pk}/note.docx")
    assert response.status_code == 200
    document = Document(BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert finished.title in text and f"{start} %" in text and f"{end} %" in text
    assert all(r.comment in text for r in remarks)

    sosh14 = School.objects.get(slug="tver-sosh14")
    own = next(r for r in remarks if r.school_id == sosh14.pk)
    curator = User.objects.get(email="curator@sosh14.test")
    page = host_client(sosh14, curator).get("/checklist/").content.decode()
    assert "Замечания ИМЦ" in page and own.comment in page and finished.title in page
    for slug, email in (("tver-sosh55", "curator@sosh55.test"), ("konakovo-sosh1", "curator@konakovo1.test")):
        page = host_client(School.objects.get(slug=slug), User.objects.get(email=email)).get("/checklist/")
        assert page.status_code == 200
        assert "Замечания ИМЦ" not in page.content.decode() and own.comment not in page.content.decode()

    # The bell: the round under way was announced to its schools through round_create; the finished one,
    # past its due date, reminds its inspector once, and none of its schools (all reviewed).
    tver_inspector = User.objects.get(email="imc.tver@nastavnik.test")
    overdue = RegionNotification.objects.filter(recipient_id=tver_inspector.pk, kind="round_overdue")
    assert [n.link for n in overdue] == [f"/rounds/{finished.pk}/"]
    with schema_context(sosh14.schema_name):
        assert Notification.objects.filter(
            recipient_id=curator.pk, key=f"round_started:{current.pk}"
        ).exists()
        assert not Notification.objects.filter(key__startswith=f"round_started:{finished.pk}").exists()
        assert not Notification.objects.filter(kind="round_overdue").exists()

    counts = (InspectionRound.objects.count(), InspectionVerdict.objects.count())
    call_command("seed_demo")
    assert "Раундов мониторинга ИМЦ создано: 0, решений по пунктам: 0" in capsys.readouterr().out
    assert (InspectionRound.objects.count(), InspectionVerdict.objects.count()) == counts
