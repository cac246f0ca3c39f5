"""Liveness and readiness for the load balancer and monitoring (region host, no login, no school data).

- ``/healthz`` (liveness): the process answers. It touches neither the database nor the broker, so a
  database outage never makes the supervisor restart healthy web processes.
- ``/readyz`` (readiness): JSON with one entry per dependency. The HTTP status is 503 only when this
  process cannot serve requests (the database is unreachable): that is what the load balancer acts on.
  Everything else (broker, worker and beat heartbeats, the age of the last snapshot refresh and of the last
  export) is reported as ``ok`` / ``warn`` / ``fail`` / ``unknown`` with an age in seconds, and the
  overall ``status`` becomes ``degraded``: that is what monitoring alerts on.

Only states, ages and error class names are returned: no school names, counts or messages.

Heartbeats (``tenants.Heartbeat`` rows, readable by every process): beat records its own as it ticks
(``config.beat.HeartbeatScheduler``) and sends ``tenants.heartbeat`` every 30 s to each worker's queue —
``celery`` (the main worker) and ``snapshots`` (the refresh worker) — and whichever worker consumes it
records it under that queue. Until one is written, readiness reports it as ``unknown`` rather than guessing.

The broker check opens a broker connection, so its result is kept for BROKER_CACHE_SECONDS per process
(per broker URL): a load balancer polling every second costs one connection every few seconds, not one
per call; a broker that goes away shows within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tenants.heartbeats import BEAT, heartbeat_ages, worker_heartbeat_name

# Older than this, a heartbeat is a warning: a few missed beats (they are expected every ~30 s).
HEARTBEAT_WARN_SECONDS = 120
# The nightly pass refreshes every school's snapshot: a newest refresh older than a day and a bit is stale.
SNAPSHOT_WARN_SECONDS = 26 * 3600
BROKER_TIMEOUT_SECONDS = 2.0
BROKER_CACHE_SECONDS = 5.0
# (check name, queue): one heartbeat per worker process, by the queue it consumes (config/celery.py).
WORKER_CHECKS = (("worker_heartbeat", "celery"), ("snapshots_worker_heartbeat", "snapshots"))

Check = dict[str, Any]


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> Check:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means «cannot serve»; the class name only, no message
        return {"status": "fail", "error": type(error).__name__}
    return {"status": "ok", "ms": round(1000 * (time.monotonic() - started), 1)}


_broker_cache: dict[str, tuple[float, Check]] = {}
_broker_lock = threading.Lock()  # gunicorn's threads share the cache: one of them checks, the others wait


def _broker() -> Check:
    from config.celery import app

    url = str(app.conf.broker_url or "")
    if url.startswith("filesystem://"):
        return {"status": "ok", "transport": "filesystem"}
    with _broker_lock:
        now = time.monotonic()
        cached = _broker_cache.get(url)
        if cached is not None and now - cached[0] < BROKER_CACHE_SECONDS:
            return {**cached[1], "checked_seconds_ago": round(now - cached[0], 1)}
        check = _broker_connect(app, url)
        _broker_cache.clear()  # one URL at a time; the dict never grows
        _broker_cache[url] = (time.monotonic(), check)
        return check


def _broker_connect(app: Any, url: str) -> Check:
    started = time.monotonic()
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception as error:
        return {"status": "fail", "transport": url.split(":", 1)[0], "error": type(error).__name__}
    return {
        "status": "ok",
        "transport": url.split(":", 1)[0],
        "ms": round(1000 * (time.monotonic() - started), 1),
    }


def _heartbeat_ages_or_empty() -> dict[str, float]:
    try:
        return heartbeat_ages()
    except Exception:  # a missing table mid-deploy: unknown, never a 500
        return {}


def _heartbeat(name: str, ages: dict[str, float]) -> Check:
    if name not in ages:
        return {"status": "unknown", "age_seconds": None}
    age = max(0.0, ages[name])
    return {"status": "ok" if age <= HEARTBEAT_WARN_SECONDS else "warn", "age_seconds": round(age, 1)}


def _age_of(model: str, field: str, warn_after: float | None, **filters: Any) -> Check:
    newest = apps.get_model(model).objects.filter(**filters).aggregate(newest=Max(field))["newest"]
    if newest is None:
        return {"status": "unknown", "age_seconds": None}
    age = (timezone.now() - newest).total_seconds()
    status = "warn" if warn_after is not None and age > warn_after else "ok"
    return {"status": status, "age_seconds": round(age)}


def _guarded(check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as error:
        return {"status": "fail", "error": type(error).__name__}


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Check] = {"database": _database(), "broker": _broker()}
    if checks["database"]["status"] == "ok":
        ages = _heartbeat_ages_or_empty()
        for name, queue in WORKER_CHECKS:
            checks[name] = {**_heartbeat(worker_heartbeat_name(queue), ages), "queue": queue}
        checks["beat_heartbeat"] = _heartbeat(BEAT, ages)
        checks["snapshot_refresh"] = _guarded(
            lambda: _age_of("regional.SchoolSnapshot", "computed_at", SNAPSHOT_WARN_SECONDS)
        )
        # Exports are started by people, not by a clock: their age is information, never a warning.
        checks["export"] = _guarded(lambda: _age_of("regional.ReportRun", "finished_at", None, status="done"))
    else:
        for name in (*(name for name, _ in WORKER_CHECKS), "beat_heartbeat", "snapshot_refresh", "export"):
            checks[name] = {"status": "unknown", "age_seconds": None}
    ready = checks["database"]["status"] == "ok"
    degraded = any(c["status"] in ("fail", "warn") for c in checks.values())
    body: dict[str, Any] = {
        "status": "fail" if not ready else ("degraded" if degraded else "ok"),
        "checks": checks,
        "time": timezone.now().isoformat(),
    }
    if settings.DEBUG:
        body["debug"] = True
    return JsonResponse(body, status=200 if ready else 503)
