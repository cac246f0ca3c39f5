"""The dated history of school snapshots: «по состоянию на D», a round's trend and past region views are data."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.acts.models import SchoolProfile
from regional.checklist.snapshots import snapshot_refresh
from regional.models import InspectionRound, SchoolSnapshotVersion
from regional.rounds import round_create, round_trend
from regional.selectors import percent_on, snapshots_on
from tenants.models import School

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _refresh(school: School) -> None:
    with schema_context(school.schema_name):
        snapshot_refresh(school=School.objects.get(pk=school.pk))


def _site_section(school: School, url: str) -> None:
    with schema_context(school.schema_name):
        SchoolProfile.objects.update_or_create(pk=1, defaults={"site_section_url": url})


def _age_history(days: int) -> None:
    """Pretend everything recorded so far was recorded ``days`` ago."""
    moved = timezone.now() - timedelta(days=days)
    SchoolSnapshotVersion.objects.update(valid_from=moved)


def test_a_provisioned_school_starts_its_history(world):
    for school in (world.school_a, world.school_b, world.school_c):
        assert SchoolSnapshotVersion.objects.filter(school=school).exists()


def test_a_version_is_written_only_when_values_change(world):
    school = world.school_a
    _refresh(school)
    versions = SchoolSnapshotVersion.objects.filter(school=school)
    before = versions.count()
    _refresh(school)
    _refresh(school)
    assert versions.count() == before  # the same values: no new version
    _site_section(school, "https://a.ru/n")
    _refresh(school)
    assert versions.count() == before + 1
    latest = versions.order_by("-valid_from").first()
    assert latest is not None and latest.items["site_section"]["state"] == "done"


def test_the_figures_of_a_past_day_do_not_change_afterwards(world):
    school = world.school_a
    _refresh(school)
    _age_history(days=10)
    past = TODAY - timedelta(days=5)
    old = snapshots_on(past).get(school=school)
    assert old.items["site_section"]["state"] == "not_done"

    _site_section(school, "https://a.ru/n")
    _refresh(school)

    assert snapshots_on(past).get(school=school).percent == old.percent
    assert snapshots_on(past).get(school=school).items["site_section"]["state"] == "not_done"
    today = snapshots_on(TODAY).get(school=school)
    assert today.items["site_section"]["state"] == "done"
    assert today.percent > old.percent
    # One row per school, and none for a day before any school had data.
    assert snapshots_on(TODAY).count() == School.objects.filter(status=School.Status.ACTIVE).count()
    assert not snapshots_on(TODAY - timedelta(days=30)).exists()


def test_a_rounds_trend_comes_from_the_dated_history(world):
    for school in (world.school_a, world.school_b):
        _refresh(school)
    _age_history(days=20)
    round_ = round_create(title="Осенний", municipality=world.m1, due_date=TODAY, actor=world.inspector_m1)
    # A round started 15 days ago and due yesterday (a past due date cannot be typed in any more).
    InspectionRound.objects.filter(pk=round_.pk).update(
        created_at=timezone.now() - timedelta(days=15), due_date=TODAY - timedelta(days=1)
    )
    round_.refresh_from_db()
    ids = [world.school_a.pk, world.school_b.pk]
    start = percent_on(TODAY - timedelta(days=15), school_ids=ids)

    # After the round's due date the school fixes an item: the round's end figure must not move…
    _site_section(world.school_a, "https://a.ru/n")
    _refresh(world.school_a)
    trend = round_trend(round_)
    assert trend["start"] == start
    assert trend["end_is_due"] and trend["end"] == start
    # …while a round that is still running shows the figure of today.
    running = round_create(
        title="Зимний", municipality=world.m1, due_date=TODAY + timedelta(days=30), actor=world.inspector_m1
    )
    now = round_trend(running)
    assert now["end"] is not None and start is not None and now["end"] > start
    assert now["previous"] == start and now["previous_title"] == "Осенний"


def test_the_round_pages_show_the_trend_from_history(host_client, world):
    for school in (world.school_a, world.school_b):
        _refresh(school)
    _age_history(days=3)
    inspector = host_client(None, world.inspector_m1)
    inspector.post(
        "/rounds/", {"title": "Первый", "municipality": world.m1.pk, "due_date": TODAY.isoformat()}
    )
    _site_section(world.school_a, "https://a.ru/n")
    _refresh(world.school_a)
    round_ = InspectionRound.objects.get(title="Первый")
    trend = round_trend(round_)
    assert trend["end"] > trend["start"]
    page = inspector.get(f"/rounds/{round_.pk}/").content.decode()
    assert f"— {trend['start']}%" in page and f"— {trend['end']}%" in page
