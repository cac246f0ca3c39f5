"""Benchmark (not a test): the compliance view's server time as the region grows, and school → region latency.

    python manage.py bench_region --schools 100 500 2000

Runs in a throwaway database on the same server. Schools up to N get synthetic snapshot rows (the view
reads nothing else); one real school, cloned from the template schema, measures the time from a committed
change until a real Celery worker (in-process, memory broker) has refreshed its snapshot row.
"""

import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tenants.management.commands.bench_onboarding import Command as OnboardingBench


class Command(BaseCommand):
    help = "Замер: время страницы чек-листа региона при 100/500/2000 школ и задержка школа → регион."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, nargs="+", default=[100, 500, 2000])
        parser.add_argument("--no-latency", action="store_true", help="only the view, not change → region")
        parser.add_argument("--inner", action="store_true", help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inner"]:
            self._inner(sorted(options["schools"]), latency=not options["no_latency"])
            return
        dbname = f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        url_of = OnboardingBench()._server_url
        with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env = {
            **os.environ,
            "DATABASE_URL": url_of(dbname),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "CELERY_BROKER_URL": "memory://localhost/",
        }
        try:
            subprocess.run(
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "bench_region",
                    "--inner",
                    "--schools",
                    *map(str, options["schools"]),
                    *(["--no-latency"] if options["no_latency"] else []),
                ],
                env=env,
                check=True,
            )
        finally:
            with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def _inner(self, sizes: list[int], *, latency: bool = True) -> None:
        from django.test import Client

        from regional.checklist.rules import STATE_LABELS
        from regional.checklist.snapshots import checklist_current
        from regional.models import SchoolSnapshot
        from tenants.models import Municipality, Role, School, User
        from tenants.provisioning import template_ensure_current
        from tenants.services import membership_grant

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_ensure_current()
        rng = random.Random(1)  # noqa: S311 - synthetic data
        municipalities = [Municipality.objects.create(name=f"Муниципалитет {n}") for n in range(1, 31)]
        codes = [i.code for i in checklist_current().items.all()]
        admin = User.objects.create_user("bench-admin@region.test", "x")
        membership_grant(user=admin, role=Role.REGIONAL_ADMIN)
        client = Client(HTTP_HOST=settings.BASE_DOMAIN)
        client.force_login(admin)
        created = 0
        results = []
        for size in sizes:
            schools = [
                School(
                    schema_name=f"school_bench{n:06d}",
                    name=f"Школа № {n}",
                    short_name=f"Школа № {n}",
                    municipality=municipalities[n % 30],
                    slug=f"bench-{n}",
                    status=School.Status.ACTIVE,
                )
                for n in range(created + 1, size + 1)
            ]
            School.objects.bulk_create(schools, batch_size=1000)
            snapshots = []
            for school in School.objects.filter(snapshot__isnull=True):
                states = [rng.choice(list(STATE_LABELS)) for _ in codes]
                applicable = [s for s in states if s != "na"]
                done = applicable.count("done")
                snapshots.append(
                    SchoolSnapshot(
                        school=school,
                        municipality_id=school.municipality_id,
                        school_kind=school.kind,
                        template_version=1,
                        items={
                            c: {"state": s, "label": STATE_LABELS[s], "evidence": {}}
                            for c, s in zip(codes, states, strict=True)
                        },
                        done=done,
                        applicable=len(applicable),
                        percent=round(100 * done / len(applicable)) if applicable else 0,
                        computed_at=timezone.now(),
                    )
                )
            SchoolSnapshot.objects.bulk_create(snapshots, batch_size=1000)
            created = size
            client.get("/compliance/")  # warm up
            timings, cpu = [], []
            for _ in range(20):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get("/compliance/", {"kind": "general"})
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                assert response.status_code == 200  # noqa: S101
            results.append((size, statistics.median(timings), sorted(timings)[17]))
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(client.get, "/compliance/", {"kind": "general"})
                pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
            # The web process's own CPU time (Python: middleware, ORM, template) is what a loaded machine
            # distorts least; the rest of the wall time is PostgreSQL and waiting for a core.
            self.stdout.write(
                f"compliance view, {size:>5} schools: median {results[-1][1]:6.1f} ms, p90 {results[-1][2]:6.1f} ms"
                f" (web process CPU median {statistics.median(cpu):5.1f} ms); load average {os.getloadavg()[0]:.1f}"
            )
        if len(results) > 1:
            self.stdout.write(
                f"ratio {results[-1][0]} / {results[0][0]} schools: {results[-1][1] / results[0][1]:.2f}×"
            )
        if latency:
            self._latency()

    def _latency(self) -> None:
        from celery.contrib.testing.worker import start_worker
        from django_tenants.utils import schema_context

        from config.celery import app
        from core.acts.services import school_profile_update
        from regional.models import SchoolSnapshot
        from tenants.models import Municipality
        from tenants.onboarding import school_onboard, school_provision
        from tenants.validators import inn_complete, ogrn_complete

        school = school_onboard(
            data={
                "name": "Школа замера",
                "short_name": "Школа замера",
                "inn": inn_complete("690999999"),
                "ogrn": ogrn_complete("102699999999"),
                "kpp": "",
                "kind": "general",
                "municipality": Municipality.objects.first(),
                "slug": "bench-latency",
                "curator_email": "",
            },
            actor=None,
        )
        school_provision(school_id=school.pk)
        app.conf.update(task_always_eager=False, broker_url="memory://localhost/", result_backend=None)
        timings = []
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            for n in range(5):
                time.sleep(6)  # past the de-duplication window of the previous change
                with schema_context(school.schema_name):
                    started = time.perf_counter()
                    school_profile_update(site_section_url=f"https://bench.ru/{n}", actor=None)
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    snapshot = SchoolSnapshot.objects.filter(school=school).first()
                    if snapshot and snapshot.items.get("site_section", {}).get("evidence", {}).get(
                        "url", ""
                    ).endswith(f"/{n}"):
                        timings.append(time.perf_counter() - started)
                        break
                    time.sleep(0.02)
        if timings:
            self.stdout.write(
                f"change in a school → its snapshot row (real worker): median {statistics.median(timings):.2f} s, "
                f"max {max(timings):.2f} s over {len(timings)} changes"
            )
        else:
            self.stdout.write("change → snapshot: the worker did not refresh within 15 s")


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS
