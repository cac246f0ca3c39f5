"""Background jobs that survive: killed workers, stalled onboardings, schema-less schools, broken messages."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from config.celery import app
from regional.models import SchoolSnapshot
from regional.tasks import snapshots_rebuild_all_task
from tenants.models import Domain, Invitation, OnboardingBatch, School
from tenants.onboarding import (
    PROVISION_ATTEMPTS,
    batch_confirm,
    batch_upload,
    school_onboard,
    school_provision_retry,
    school_provision_sweep,
)
from tenants.sweeper import SWEEPS, sweep_all, sweep_register
from tenants.tasks import schools_run_task
from tests.conftest import school_data
from tests.db_address import database_address
from tests.test_onboarding import HEADERS, _row
from tests.worker_processes import (
    DatabaseGate,
    filesystem_broker,
    public_rows_captured,  # noqa: F401  (a fixture)
    public_rows_restore,
    start_worker_process,
    wait_for,
)

# The public rows are taken at this module's first (ordinary) test: its committed tests restore them.
pytestmark = pytest.mark.usefixtures("public_rows_captured")


def _stale(school: School, minutes: int = 30) -> None:
    School.objects.filter(pk=school.pk).update(
        provision_heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def _pending_school(world, n: int, **extra) -> School:
    """Registered but never provisioned (its job was lost): «создаётся», no schema."""
    data = school_data(
        name=f"Зависшая {n}", municipality=world.m1, slug=f"stuck-{n}", number=300 + n, **extra
    )
    return school_onboard(data=data, actor=None)  # the provisioning job is queued on commit: never here


@pytest.mark.django_db
def test_the_sweeper_resumes_a_stalled_onboarding(world, django_capture_on_commit_callbacks):
    school = _pending_school(world, 1, curator_email="curator@stuck.test")
    assert school_provision_sweep()["resumed"] == []  # fresh: its job may still be coming
    _stale(school)
    # The sweeper queues the provisioning again (eager here: it runs at once).
    with django_capture_on_commit_callbacks(execute=True):
        result = school_provision_sweep()
    assert result == {"resumed": [school.pk], "failed": []}
    school.refresh_from_db()
    assert school.status == School.Status.ACTIVE and schema_exists(school.schema_name)
    assert SchoolSnapshot.objects.filter(school=school).count() == 1  # in the region's picture at once
    # Run again (a redelivered message, a second sweep): nothing is made twice.
    _stale(school)
    assert school_provision_sweep() == {"resumed": [], "failed": []}
    assert Domain.objects.filter(tenant=school).count() == 1
    assert Invitation.objects.filter(school=school).count() == 1


@pytest.mark.django_db
def test_an_onboarding_that_keeps_stalling_fails_with_the_reason_and_retry_completes_it(
    host_client, world, django_capture_on_commit_callbacks
):
    school = _pending_school(world, 2)
    School.objects.filter(pk=school.pk).update(provision_attempts=PROVISION_ATTEMPTS)
    _stale(school)
    assert school_provision_sweep()["failed"] == [school.pk]
    school.refresh_from_db()
    assert school.status == School.Status.FAILED
    assert "перестало отвечать" in school.provision_error and "Повторить" in school.provision_error
    page = host_client(None, world.regional_admin).get(f"/schools/{school.pk}/").content.decode()
    assert "Повторить создание" in page
    with django_capture_on_commit_callbacks(execute=True):
        school_provision_retry(school=school, actor=world.regional_admin)
    school.refresh_from_db()
    assert school.status == School.Status.ACTIVE and school.provision_attempts == 1


@pytest.mark.django_db
def test_retry_accepts_a_school_stuck_creating_but_not_one_still_in_progress(
    world, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    school = _pending_school(world, 3)
    with pytest.raises(ValidationError):
        school_provision_retry(school=school, actor=world.regional_admin)  # its job may still run
    _stale(school)
    with django_capture_on_commit_callbacks(execute=True):
        school_provision_retry(school=school, actor=world.regional_admin)
    school.refresh_from_db()
    assert school.status == School.Status.ACTIVE


@pytest.mark.django_db
def test_one_failing_sweep_does_not_stop_the_others(world):
    def broken() -> dict:
        raise RuntimeError("boom")

    sweep_register(broken)
    try:
        school = _pending_school(world, 4)
        _stale(school)
        results = sweep_all()
        assert results[f"{__name__}.{broken.__qualname__}"] == {"error": "RuntimeError: boom"}
        assert results["tenants.sweeper.sweep_onboardings"]["resumed"] == [school.pk]
    finally:
        SWEEPS.remove(broken)


@pytest.mark.django_db
def test_migrate_schemas_skips_and_reports_schools_without_a_schema(world, capsys):
    school = _pending_school(world, 5)
    assert not schema_exists(school.schema_name)
    call_command("migrate_schemas", interactive=False, verbosity=0)  # stock django-tenants raised here
    assert school.schema_name in capsys.readouterr().err


@pytest.mark.django_db
def test_fan_outs_skip_schools_without_a_schema(world, caplog):
    school = _pending_school(world, 6)
    School.objects.filter(pk=school.pk).update(status=School.Status.ACTIVE)  # active, yet no schema
    assert snapshots_rebuild_all_task.delay().get() == 3  # the three real schools, one batch
    assert not SchoolSnapshot.objects.filter(school=school).exists()
    assert school.schema_name in caplog.text
    assert schools_run_task.delay("core.consents_enforce_daily").get() == 3


# --- real worker processes ----------------------------------------------------------------------------


@pytest.fixture
def restored(world):
    public_rows_restore()
    yield world
    for school in School.objects.exclude(pk__in=[world.school_a.pk, world.school_b.pk, world.school_c.pk]):
        from tenants.provisioning import schema_drop

        schema_drop(school.schema_name)


def _list_upload(world, count: int) -> OnboardingBatch:
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = [";".join(HEADERS)] + [";".join(_row(500 + n)) for n in range(count)]
    upload = SimpleUploadedFile("list.csv", "\n".join(lines).encode("utf-8"))
    return batch_upload(upload=upload, actor=world.regional_admin)


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_list_onboarding_ends_done_with_no_duplicates(restored, tmp_path):
    world = restored
    with filesystem_broker(tmp_path / "broker") as folder:
        batch = _list_upload(world, 12)
        assert not any(row["errors"] for row in batch.rows), batch.rows
        worker = start_worker_process(folder, "-Q", "celery,provision,bulk", "--concurrency=1")
        batch_confirm(batch=batch, actor=world.regional_admin)
        schools = School.objects.filter(onboarding_batches=batch)
        assert wait_for(lambda: schools.filter(status=School.Status.ACTIVE).count() >= 2, 60), worker.log
        worker.kill()  # mid-list: the job in hand and the messages it had taken are gone
        left = schools.filter(status=School.Status.PENDING).count()
        assert 0 < left < 12
        # Later the sweeper finds the schools whose job stopped making progress and resumes them.
        School.objects.filter(onboarding_batches=batch, status=School.Status.PENDING).update(
            provision_heartbeat_at=timezone.now() - timedelta(minutes=30)
        )
        for leftover in (folder / "queue").glob("*.msg"):
            leftover.unlink()  # even if no message survived at all
        assert len(school_provision_sweep()["resumed"]) == left
        worker = start_worker_process(folder, "-Q", "celery,provision,bulk", "--concurrency=1")
        try:
            assert wait_for(lambda: schools.filter(status=School.Status.ACTIVE).count() == 12, 90), worker.log
        finally:
            worker.stop()
    ids = list(schools.values_list("pk", flat=True))
    assert Domain.objects.filter(tenant_id__in=ids).count() == 12
    assert Invitation.objects.filter(school_id__in=ids).count() == 12
    assert SchoolSnapshot.objects.filter(school_id__in=ids).count() == 12
    assert all(schema_exists(s.schema_name) for s in schools)


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_zero_length_broker_message_does_not_kill_the_worker(restored, host_client, tmp_path):
    world = restored
    with filesystem_broker(tmp_path / "broker") as folder:
        queue = folder / "queue"
        # What a crash mid-write leaves: a message file with nothing in it, first in line.
        (queue / f"{int(time.monotonic() * 1000) - 10_000}_broken.snapshots.msg").write_bytes(b"")
        (queue / f"{int(time.monotonic() * 1000) - 9_000}_garbage.snapshots.msg").write_bytes(b"{not json")
        worker = start_worker_process(folder, "-Q", "snapshots", "--concurrency=1")
        try:
            host_client(world.school_a, world.curator_a).post(
                "/settings/", {"site_section_url": "https://a.ru/ok"}
            )

            def refreshed() -> bool:
                snapshot = SchoolSnapshot.objects.filter(school=world.school_a).first()
                return (
                    snapshot is not None
                    and snapshot.items["site_section"]["evidence"].get("url") == "https://a.ru/ok"
                )

            assert wait_for(refreshed, 20), worker.log
            assert worker.alive()
            assert len(list((folder / "broken").iterdir())) == 2  # set aside for a look, not lost silently
        finally:
            worker.stop()
            with schema_context(world.school_a.schema_name):
                from core.acts.models import SchoolProfile

                SchoolProfile.objects.filter(pk=1).update(site_section_url="")


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_job_queued_while_the_database_is_away_runs_once_it_is_back(restored, host_client, tmp_path):
    world = restored
    gate = DatabaseGate(*database_address())
    with filesystem_broker(tmp_path / "broker") as folder:
        worker = start_worker_process(folder, "-Q", "snapshots", "--concurrency=1", db_port=gate.port)
        try:
            gate.shut()  # the worker's database goes away
            host_client(world.school_a, world.curator_a).post(
                "/settings/", {"site_section_url": "https://a.ru/db"}
            )

            def refreshed() -> bool:
                snapshot = SchoolSnapshot.objects.filter(school=world.school_a).first()
                return (
                    snapshot is not None
                    and snapshot.items["site_section"]["evidence"].get("url") == "https://a.ru/db"
                )

            assert wait_for(lambda: "Retry in" in worker.log, 20), worker.log
            assert not refreshed()
            gate.reopen()
            assert wait_for(refreshed, 60), worker.log
            assert worker.alive()
        finally:
            worker.stop()
            gate.close()
            with schema_context(world.school_a.schema_name):
                from core.acts.models import SchoolProfile

                SchoolProfile.objects.filter(pk=1).update(site_section_url="")


def test_every_periodic_entry_names_a_registered_task():
    import config.celery  # noqa: F401  (the schedule)
    import regional.tasks  # noqa: F401
    import tenants.tasks  # noqa: F401

    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry


@pytest.mark.django_db
def test_a_school_whose_periodic_run_failed_gets_its_own_retried_message(world, monkeypatch):
    """The digest of a school fails in the beat's batch (the mail server is away): the school is handed
    over to a message of its own, which the digest's retry policy runs again — not left for tomorrow."""
    from smtplib import SMTPServerDisconnected

    from core.notifications import tasks as notification_tasks
    from tenants.context import current_schema_name
    from tenants.tasks import school_task_batch

    calls: list[str] = []

    def mail_away_once(*args, **kwargs):
        calls.append(current_schema_name())
        if len(calls) == 1:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return 0

    monkeypatch.setattr(notification_tasks, "digest_send", mail_away_once)
    outcome = school_task_batch.delay([world.school_a.pk], "core.notifications_digest").get()
    assert outcome == {"done": 0, "failed": 1}
    assert calls == [world.school_a.schema_name, world.school_a.schema_name]  # retried in its own schema
