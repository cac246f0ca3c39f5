"""A real Celery worker (a thread of this process) consuming from a real broker.

Redis is used when one answers (CELERY_TEST_BROKER_URL, default redis://127.0.0.1:6379/15); otherwise the
filesystem broker, which needs no server. Either way the message goes through kombu and the worker
switches the schema from the message headers, as in production.
"""

import socket
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from config.celery import SchoolTaskInPublicError, app
from core.people.models import Person
from tenants.context import in_public_schema
from tests.probe_tasks import probe_written, schema_probe

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def _redis_url() -> str | None:
    import os

    url = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=0.5):
            return url
    except OSError:
        return None


@pytest.fixture(scope="session")
def broker_dir(tmp_path_factory):
    # One folder for the whole session: kombu caches producer connections with their transport options.
    return tmp_path_factory.mktemp("celery")


@pytest.fixture
def real_worker(broker_dir):
    tmp_path = broker_dir
    redis_url = _redis_url()
    conf = {
        "task_always_eager": False,
        "broker_url": redis_url or "filesystem://",
        "result_backend": redis_url or f"file://{tmp_path}/results",
    }
    if redis_url is None:
        (tmp_path / "results").mkdir(exist_ok=True)
        for sub in ("queue", "processed"):
            (tmp_path / sub).mkdir(exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
        }
    saved = {key: app.conf.get(key) for key in (*conf, "broker_transport_options")}
    app.conf.update(conf)
    _forget_connections()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            yield redis_url or "filesystem"
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    # Earlier (eager) tests leave the app with a cached producer pool and result backend built from
    # the old configuration; drop them so the new broker and backend are used.
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def probe_cleanup(world):
    # These tests commit (transaction=True): remove what the probe wrote so later tests see clean schools.
    yield
    for school in (world.school_a, world.school_b):
        with schema_context(school.schema_name):
            Person.objects.filter(last_name__startswith="probe-").delete()


def test_a_real_worker_runs_a_school_task_in_that_school(world, real_worker, probe_cleanup):
    with schema_context(world.school_a.schema_name):
        result = schema_probe.delay("probe-real")
    assert result.get(timeout=15) == world.school_a.schema_name, real_worker
    with schema_context(world.school_a.schema_name):
        assert probe_written("probe-real")
    with schema_context(world.school_b.schema_name):
        assert not probe_written("probe-real")


def test_a_real_worker_refuses_a_school_task_sent_from_public(world, real_worker, probe_cleanup):
    assert in_public_schema()
    result = schema_probe.delay("probe-public")
    with pytest.raises(Exception) as refusal:
        result.get(timeout=15)
    assert type(refusal.value).__name__ == SchoolTaskInPublicError.__name__
    assert "refuses to run in the public schema" in str(refusal.value)
    with schema_context(world.school_a.schema_name):
        assert not probe_written("probe-public")
