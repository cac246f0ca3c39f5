"""Liveness and readiness (config/health.py): region host, no login, no school data, honest about what is unknown."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from config.beat import HeartbeatScheduler
from config.celery import app
from tenants.models import Heartbeat
from tenants.tasks import heartbeat_task


def _get(world, path):
    return Client(HTTP_HOST=world.host()).get(path)


@pytest.mark.django_db
def test_liveness_answers_without_login_and_without_the_database(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = _get(world, "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_reports_every_dependency_and_no_school_data(world):
    response = _get(world, "/readyz")
    assert response.status_code == 200
    body = response.json()
    checks = body["checks"]
    assert set(checks) == {
        "database",
        "broker",
        "worker_heartbeat",
        "beat_heartbeat",
        "snapshot_refresh",
        "export",
    }
    assert checks["database"]["status"] == "ok"
    # Nobody wrote a heartbeat in this test: unknown, not invented.
    assert checks["worker_heartbeat"] == {"status": "unknown", "age_seconds": None}
    assert checks["beat_heartbeat"]["status"] == "unknown"
    # The test world's schools have snapshot rows written at provisioning: an age, nothing about them.
    assert checks["snapshot_refresh"]["status"] == "ok"
    text = response.content.decode()
    for school in (world.school_a, world.school_b, world.school_c):
        assert school.slug not in text and school.schema_name not in text and school.short_name not in text


@pytest.mark.django_db
def test_heartbeats_are_read_with_their_age(world):
    Heartbeat.objects.create(name="worker", at=timezone.now() - timedelta(seconds=5))
    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(hours=1))
    checks = _get(world, "/readyz").json()["checks"]
    assert (
        checks["worker_heartbeat"]["status"] == "ok" and 4 <= checks["worker_heartbeat"]["age_seconds"] < 60
    )
    assert checks["beat_heartbeat"]["status"] == "warn"
    assert _get(world, "/readyz").json()["status"] == "degraded"


@pytest.mark.django_db
def test_the_worker_task_and_beats_scheduler_write_the_heartbeats(world, tmp_path):
    heartbeat_task.apply()
    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "beat-schedule"), lazy=True)
    scheduler.heartbeat()  # what every tick does first (tick itself would also send the due tasks)
    checks = _get(world, "/readyz").json()["checks"]
    assert checks["worker_heartbeat"]["status"] == "ok" and checks["beat_heartbeat"]["status"] == "ok"
    assert app.conf.beat_schedule["heartbeat"]["task"] == heartbeat_task.name


@pytest.mark.django_db
def test_an_unreachable_broker_degrades_but_keeps_the_node_in_service(world, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = _get(world, "/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["status"] == "degraded"


def test_an_unreachable_database_makes_readiness_503_and_liveness_stays_200(world, django_db_blocker):
    with django_db_blocker.unblock():
        connection.close()
        port = connection.settings_dict["PORT"]
        connection.settings_dict["PORT"] = "1"  # nothing listens there: every connection is refused
        try:
            ready = _get(world, "/readyz")
            alive = _get(world, "/healthz")
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "fail"
        assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
        assert alive.status_code == 200
        with connection.cursor() as cursor:  # and the database is back for the next test
            cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_health_is_not_served_on_school_hosts(world):
    response = Client(HTTP_HOST=world.host(world.school_a)).get("/readyz")
    assert response.status_code == 404
