"""Benchmark (not a test): build the federal XLSX for N schools from their report rows; time and peak memory.

python manage.py bench_export --schools 2000
"""

import os
import random
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import date
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tenants.management.commands.bench_onboarding import Command as OnboardingBench


class Command(BaseCommand):
    help = "Замер: федеральная выгрузка XLSX для N школ — время и пик памяти."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=2000)
        parser.add_argument("--inner", action="store_true", help=_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inner"]:
            self._inner(options["schools"])
            return
        dbname = f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        url_of = OnboardingBench()._server_url
        with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env = {**os.environ, "DATABASE_URL": url_of(dbname), "LOG_LEVEL": "WARNING"}
        try:
            subprocess.run(
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "bench_export",
                    "--inner",
                    "--schools",
                    str(options["schools"]),
                ],
                env=env,
                check=True,
            )
        finally:
            with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def _inner(self, count: int) -> None:
        from regional.models import ReportRow, ReportRun
        from regional.reports import report_build, report_csv
        from tenants.models import Municipality, School

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        rng = random.Random(7)  # noqa: S311 - synthetic data
        municipalities = [Municipality.objects.create(name=f"Муниципалитет {n:02d}") for n in range(1, 41)]
        School.objects.bulk_create(
            [
                School(
                    schema_name=f"school_bench{n:06d}",
                    name=f"Школа № {n}",
                    short_name=f"Школа № {n}",
                    municipality=municipalities[n % 40],
                    slug=f"bench-{n}",
                    status="active",
                )
                for n in range(1, count + 1)
            ],
            batch_size=1000,
        )
        run = ReportRun.objects.create(on=date(2026, 9, 1), total=count, finished=count)
        rows = []
        for school in School.objects.all():
            students, teachers = rng.randint(100, 1200), rng.randint(20, 90)
            rows.append(
                ReportRow(
                    run=run,
                    school=school,
                    values={
                        "students_10_18": [rng.randint(0, students), students],
                        "young_teachers_with_mentor": [2, 3],
                        "teachers_in_mentoring": [rng.randint(0, teachers), teachers],
                        "mentors": rng.randint(0, 40),
                        "mentees": rng.randint(0, 200),
                        "pairs": rng.randint(0, 60),
                        "programmes_started": 10,
                        "programmes_completed": 4,
                        "ended_early": 1,
                        "satisfaction": [80, 10],
                        "by_form": {"teacher_student": 5, "teacher_teacher": 3},
                        "by_role_model": {"1": 5, "5": 3},
                        "compliance": rng.randint(0, 100),
                    },
                )
            )
        ReportRow.objects.bulk_create(rows, batch_size=1000)
        started = time.perf_counter()
        report_build(run=run)
        xlsx_seconds = time.perf_counter() - started
        started = time.perf_counter()
        csv_bytes = len(report_csv(run))
        csv_seconds = time.perf_counter() - started
        tracemalloc.start()  # a second build, traced: tracing slows Python down, so it is not timed
        report_build(run=run)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = run.file.size
        self.stdout.write(
            f"federal XLSX for {count} schools: {xlsx_seconds:.2f} s, {size / 1024:.0f} KiB, "
            f"peak Python memory {peak / 1024 / 1024:.1f} MiB; CSV {csv_seconds:.2f} s, {csv_bytes / 1024:.0f} KiB"
        )
        run.file.delete(save=False)


def _hidden() -> str:
    import argparse

    return argparse.SUPPRESS
