"""Every active school is in the regional picture, and no change in a school is lost on its way there."""

import io
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.acts.models import SchoolProfile
from regional.checklist import snapshots as snapshots_module
from regional.checklist.snapshots import snapshot_refresh_pending
from regional.checklist.tasks import snapshots_refresh_batch_task, snapshots_repair_task
from regional.models import SchoolSnapshot
from tenants.models import School
from tests.conftest import make_school
from tests.worker_processes import (
    filesystem_broker,
    public_rows_captured,  # noqa: F401  (a fixture)
    public_rows_restore,
    start_worker_process,
    wait_for,
)

# The public rows are taken at this module's first (ordinary) test: its committed tests restore them.
pytestmark = pytest.mark.usefixtures("public_rows_captured")


def _warm_up(host_client, world) -> None:
    """A first change through a freshly started worker pays for its imports and connections: not measured."""
    host_client(world.school_b, world.curator_b).post("/settings/", {"site_section_url": "https://b.ru/warm"})
    assert wait_for(lambda: _site_url(world.school_b) == "https://b.ru/warm", 20)


def _site_url(school: School) -> str:
    snapshot = SchoolSnapshot.objects.filter(school=school).first()
    return snapshot.items["site_section"]["evidence"].get("url", "") if snapshot else ""


@pytest.mark.django_db
def test_onboarded_schools_are_in_the_region_view_with_no_other_change(host_client, world):
    new = [
        make_school(name=f"Новая школа {n}", municipality=world.m1, slug=f"new-{n}", number=100 + n)
        for n in range(4)
    ]
    active = School.objects.filter(status=School.Status.ACTIVE).count()
    assert active == 3 + len(new)
    admin = host_client(None, world.regional_admin).get("/compliance/").content.decode()
    assert f"школ: {active}" in admin
    for school in new:
        assert school.short_name in admin
    inspector = host_client(None, world.inspector_m1).get("/compliance/").content.decode()
    assert f"школ: {2 + len(new)}" in inspector  # the ИМЦ of the first municipality: its schools only
    assert world.school_c.short_name not in inspector
    # A school that has entered nothing is shown as such, not silently as 0 % or not at all.
    assert "нет данных" in admin


@pytest.mark.django_db
def test_a_school_without_a_snapshot_row_is_counted_and_shown(host_client, world):
    SchoolSnapshot.objects.filter(school=world.school_b).delete()
    page = host_client(None, world.regional_admin).get("/compliance/").content.decode()
    assert "школ: 3" in page and "ещё без снимка: 1" in page
    assert world.school_b.short_name in page
    xlsx = host_client(None, world.regional_admin).get("/compliance.xlsx")
    rows = {r[0]: r for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)}
    assert rows[world.school_b.short_name][2] == "нет данных"
    # …and the repair job writes it (the periodic safety net behind provisioning).
    assert snapshots_repair_task.delay().get() == 1
    assert SchoolSnapshot.objects.filter(school=world.school_b).exists()


@pytest.mark.django_db
def test_a_change_committed_during_a_refresh_is_refreshed_again(world):
    school = world.school_a
    SchoolSnapshot.objects.filter(school=school).update(requested_at=timezone.now())
    real_counts = snapshots_module.school_counts
    passes = []

    def counts_while_a_change_arrives() -> dict:
        passes.append(1)
        if len(passes) == 1:  # another request commits a change (and its stamp) mid-evaluation
            SchoolProfile.objects.update_or_create(pk=1, defaults={"site_section_url": "https://a.ru/late"})
            SchoolSnapshot.objects.filter(school=school).update(requested_at=timezone.now())
        return real_counts()

    with (
        schema_context(school.schema_name),
        mock.patch.object(snapshots_module, "school_counts", counts_while_a_change_arrives),
    ):
        assert snapshot_refresh_pending(school=School.objects.get(pk=school.pk)) == "done"
    assert len(passes) == 2
    snapshot = SchoolSnapshot.objects.get(school=school)
    assert snapshot.requested_at is None
    assert _site_url(school) == "https://a.ru/late"


@pytest.mark.django_db
def test_a_pending_stamp_left_by_a_dead_job_is_repaired(world):
    school = world.school_a
    with schema_context(school.schema_name):
        SchoolProfile.objects.update_or_create(pk=1, defaults={"site_section_url": "https://a.ru/lost"})
    SchoolSnapshot.objects.filter(school=school).update(requested_at=timezone.now() - timedelta(minutes=10))
    assert snapshots_repair_task.delay().get() == 1  # only the school that needs it
    assert _site_url(school) == "https://a.ru/lost"
    assert SchoolSnapshot.objects.get(school=school).requested_at is None


# --- a real worker in its own process, the local-memory cache, the filesystem broker (as `make run`) ----


@pytest.fixture
def profile_cleanup(world):
    # These tests commit; a test run earlier may have flushed the public rows (public_rows_restore puts them back).
    public_rows_restore()
    yield
    for school in (world.school_a, world.school_b, world.school_c):
        with schema_context(school.schema_name):
            SchoolProfile.objects.filter(pk=1).update(site_section_url="")


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_two_changes_a_second_apart_both_reach_the_region(host_client, world, tmp_path, profile_cleanup):
    with filesystem_broker(tmp_path / "broker") as folder:
        worker = start_worker_process(folder, "--pool=prefork", "--concurrency=1")
        try:
            _warm_up(host_client, world)
            client = host_client(world.school_a, world.curator_a)
            timings = []
            for n in (1, 2):
                if n == 2:
                    time.sleep(1)
                started = time.monotonic()
                client.post("/settings/", {"site_section_url": f"https://a.ru/{n}"})
                assert wait_for(lambda n=n: _site_url(world.school_a) == f"https://a.ru/{n}", 5), worker.log
                timings.append(time.monotonic() - started)
            print("change → region (two changes 1 s apart):", [f"{t:.2f} s" for t in timings])
            # The goal is 2 s (measured 0.45–0.58 s, README); this bound only catches a lost or starved
            # change without failing on a loaded machine: speed is measured, not asserted.
            assert max(timings) <= 10.0, timings
            assert SchoolSnapshot.objects.get(school=world.school_a).requested_at is None
        finally:
            worker.stop()


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_the_region_while_bulk_work_is_queued(host_client, world, tmp_path, profile_cleanup):
    """The worker layout of `make run`: a consumer of its own for refreshes, another for everything else."""
    with filesystem_broker(tmp_path / "broker") as folder:
        ids = [world.school_a.pk, world.school_b.pk, world.school_c.pk]
        for _ in range(150):  # tens of seconds of bulk work ahead of the change
            snapshots_refresh_batch_task.apply_async(args=[ids * 3], headers={"_schema_name": "public"})
        fast = start_worker_process(folder, "-Q", "snapshots", "--pool=prefork", "--concurrency=1")
        bulk = start_worker_process(
            folder, "-Q", "celery,provision,bulk", "--pool=prefork", "--concurrency=1"
        )
        try:
            _warm_up(host_client, world)
            started = time.monotonic()
            host_client(world.school_a, world.curator_a).post(
                "/settings/", {"site_section_url": "https://a.ru/urgent"}
            )
            assert wait_for(lambda: _site_url(world.school_a) == "https://a.ru/urgent", 10), fast.log
            elapsed = time.monotonic() - started
            print(
                f"change → region with {len(list((folder / 'queue').glob('*.bulk.msg')))} bulk jobs queued: {elapsed:.2f} s"
            )
            assert elapsed <= 10.0, elapsed  # goal 2 s, measured 0.45 s (README); see above
            assert len(list((folder / "queue").glob("*.bulk.msg"))) > 50  # the bulk work is still queued
        finally:
            fast.stop()
            bulk.stop()
            for leftover in (folder / "queue").glob("*.msg"):
                leftover.unlink()


@pytest.mark.django_db
def test_a_school_the_nightly_pass_missed_is_refreshed_by_the_repair_pass_after_it(world):
    """A killed worker can lose a batch of the nightly pass (Redis redelivers it only after an hour, the
    filesystem broker never): from an hour after the pass, the repair pass refreshes every active school
    whose row does not hold today's figures; before that it leaves them to the pass (the export
    recomputes them meanwhile). Found by the export drill (deploy/README.md)."""
    from datetime import datetime

    from config.celery import NIGHTLY_PASS_AT

    yesterday = timezone.localdate() - timedelta(days=1)
    computed = datetime.combine(yesterday, NIGHTLY_PASS_AT, tzinfo=timezone.get_current_timezone())
    SchoolSnapshot.objects.filter(school=world.school_b).update(
        report_on=yesterday, report_values={"pairs": -1}, computed_at=computed
    )
    SchoolSnapshot.objects.filter(school=world.school_c).update(report_on=None, report_values=None)
    School.objects.filter(pk=world.school_c.pk).update(status=School.Status.ARCHIVED)  # not in today's export
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    during_the_pass = datetime.combine(today, NIGHTLY_PASS_AT, tzinfo=tz) + timedelta(minutes=20)
    after_the_pass = datetime.combine(today, NIGHTLY_PASS_AT, tzinfo=tz) + timedelta(minutes=61)
    with mock.patch("django.utils.timezone.now", return_value=during_the_pass):
        assert snapshots_repair_task.delay().get() == 0
    assert SchoolSnapshot.objects.get(school=world.school_b).report_on == yesterday
    with mock.patch("django.utils.timezone.now", return_value=after_the_pass):
        assert snapshots_repair_task.delay().get() == 1  # B; not the archived C, not A (already today's)
    row = SchoolSnapshot.objects.get(school=world.school_b)
    assert row.report_on == today and (row.report_values or {}).get("pairs") == 0 and row.requested_at is None
    assert SchoolSnapshot.objects.get(school=world.school_c).report_on is None


@pytest.mark.django_db
def test_rows_computed_before_a_deploy_changed_the_figures_are_refreshed_by_the_repair_pass(world):
    """A deploy that changes how figures are computed retires the stored ones (their fingerprint), and so
    does the region changing which end reasons are «досрочно»; after the nightly pass's hour the repair
    pass recomputes those schools rather than leaving every export for
    today to recompute them until the next night."""
    from datetime import datetime

    from config.celery import NIGHTLY_PASS_AT
    from core.facts.indicators import figures_definition

    tz = timezone.get_current_timezone()
    after_the_pass = datetime.combine(timezone.localdate(), NIGHTLY_PASS_AT, tzinfo=tz) + timedelta(
        minutes=61
    )
    SchoolSnapshot.objects.update(report_on=timezone.localdate(), report_definition=figures_definition())
    SchoolSnapshot.objects.filter(school=world.school_a).update(
        report_definition="before-deploy", computed_at=after_the_pass - timedelta(hours=2)
    )
    with mock.patch("django.utils.timezone.now", return_value=after_the_pass):
        assert snapshots_repair_task.delay().get() == 1
    assert SchoolSnapshot.objects.get(school=world.school_a).report_definition == figures_definition()
    # The region counts another end reason as «досрочно»: every row counted with the old list is refreshed.
    from regional.checklist.snapshots import early_end_codes
    from tenants.catalogues import EndReason

    SchoolSnapshot.objects.update(computed_at=after_the_pass - timedelta(hours=2))
    EndReason.objects.filter(early=False).update(early=True)
    with mock.patch("django.utils.timezone.now", return_value=after_the_pass):
        assert snapshots_repair_task.delay().get() == 3
    assert {
        tuple(codes) for codes in SchoolSnapshot.objects.values_list("report_early_codes", flat=True)
    } == {tuple(early_end_codes())}
