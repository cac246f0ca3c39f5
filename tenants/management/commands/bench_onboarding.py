"""Benchmark (not a test): onboard N schools into a fresh database and print creation times.

    python manage.py bench_onboarding --schools 200 1000 --migrate-schools 50

Each run gets its own throwaway database on the same PostgreSQL server, so figures do not depend on what
the development database holds. Per school it times the whole path: the onboarding service (rows) and
the provisioning job (the schema), by template clone and by running every migration.
"""

import os
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from config.embedded_postgres import project_server
from tenants.management.bench import bench_school_data


class Command(BaseCommand):
    help = "Замер: подключение N школ в чистую базу (клонирование шаблона и прогон миграций)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, nargs="+", default=[200], help="сколько школ клонировать")
        parser.add_argument("--migrate-schools", type=int, default=50, help="сколько школ создать миграциями")
        parser.add_argument("--inner", choices=["clone", "migrate"], help=argparse_hidden())
        parser.add_argument("--count", type=int, default=0, help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inner"]:
            self._inner(method=options["inner"], count=options["count"])
            return
        runs = [("clone", n) for n in options["schools"]]
        if options["migrate_schools"]:
            runs.append(("migrate", options["migrate_schools"]))
        for method, count in runs:
            self._run_in_fresh_database(method=method, count=count)

    def _run_in_fresh_database(self, *, method: str, count: int) -> None:
        dbname = f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        admin_url = self._server_url("postgres")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env = {
            **os.environ,
            "DATABASE_URL": self._server_url(dbname),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "CELERY_BROKER_URL": "memory://localhost/",
            "LOG_LEVEL": "WARNING",
        }
        try:
            subprocess.run(
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "bench_onboarding",
                    "--inner",
                    method,
                    "--count",
                    str(count),
                ],
                env=env,
                check=True,
            )
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def _server_url(self, dbname: str) -> str:
        if settings.EMBEDDED_POSTGRES:
            server = project_server()
            server.ensure_running(dbname=settings.EMBEDDED_POSTGRES)
            return server.url(dbname)
        parsed = urlparse(settings.DATABASE_URL or "")
        return urlunparse(parsed._replace(path=f"/{dbname}"))

    def _inner(self, *, method: str, count: int) -> None:
        from tenants.models import Municipality
        from tenants.onboarding import school_onboard, school_provision
        from tenants.provisioning import template_ensure_current

        settings.SCHOOL_SCHEMA_METHOD = method
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        started = time.perf_counter()
        template_ensure_current()
        template_seconds = time.perf_counter() - started
        municipality = Municipality.objects.create(name="Бенчмарк")
        timings = []
        total_started = time.perf_counter()
        for n in range(1, count + 1):
            started = time.perf_counter()
            school = school_onboard(
                data=bench_school_data(n, municipality),
                actor=None,
            )
            school_provision(school_id=school.pk)
            timings.append(time.perf_counter() - started)
        total = time.perf_counter() - total_started
        ms = sorted(t * 1000 for t in timings)
        p90 = ms[max(0, round(0.9 * len(ms)) - 1)]
        self.stdout.write(
            f"{method:>7}: {count:>5} schools  median {statistics.median(ms):7.1f} ms  p90 {p90:7.1f} ms  "
            f"max {ms[-1]:7.1f} ms  total {total:7.1f} s"
            + (f"  (template prepared once in {template_seconds:.1f} s)" if method == "clone" else "")
        )


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS
