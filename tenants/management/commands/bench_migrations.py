"""Benchmark (not a test): roll migrations to N schools with ``migrate_schools`` and extrapolate to 3,000.

    python manage.py bench_migrations --schools 500

Runs in a throwaway database on the same server (like bench_onboarding). Creates N schools through the
real onboarding path (template clone), then times, in one process (process start and system checks, a few
seconds once per run, are not included):

1. ``migrate_schools`` when everything is up to date (what every deploy without migrations pays);
2. ``migrate_schools`` with one new throwaway migration (AddField + AddIndex on the people table) — the
   migration lives in a copy of core's migrations in a temporary folder put on ``MIGRATION_MODULES``, so
   nothing fake is ever committed;
3. the rerun right after (nothing left);
4. for comparison, django-tenants' stock ``migrate_schemas`` per school on a sample, no-op and with a
   second throwaway migration.

Every school is then checked for the new column. The schools are as cloned (no people): at the size of a
school (tens of rows) an index build is negligible next to the per-school overhead measured here.
"""

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tenants.management.bench import bench_school_data, load_average
from tenants.management.commands.bench_onboarding import Command as OnboardingBench
from tenants.management.commands.bench_onboarding import argparse_hidden
from tenants.migrating import default_processes
from tenants.schema_names import TEMPLATE_SCHEMA

REGION_SCHOOLS = 3000
GOAL_SECONDS = 300
_MODULE = "nk_bench_core_migrations"
_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "{leaf}")]
    operations = [
        migrations.AddField("person", "{column}", models.CharField(max_length=40, blank=True, default="")),
        migrations.AddIndex("person", models.Index(fields=["{column}"], name="core_person_{column}_idx")),
    ]
"""


class Command(BaseCommand):
    help = "Замер: миграция N школ командой migrate_schools (и migrate_schemas на выборке), прогноз на 3000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=500)
        parser.add_argument("--processes", type=int, default=default_processes())
        parser.add_argument("--stock-sample", type=int, default=20, help="школ для замера migrate_schemas")
        parser.add_argument("--inner", action="store_true", help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inner"]:
            self._inner(options["schools"], options["processes"], options["stock_sample"])
            return
        onboarding = OnboardingBench()
        dbname = f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        admin_url = onboarding._server_url("postgres")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env = {
            **os.environ,
            "DATABASE_URL": onboarding._server_url(dbname),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "CELERY_BROKER_URL": "memory://localhost/",
            "LOG_LEVEL": "WARNING",
        }
        argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_migrations", "--inner"]
        argv += ["--schools", str(options["schools"]), "--processes", str(options["processes"])]
        argv += ["--stock-sample", str(options["stock_sample"])]
        try:
            subprocess.run(argv, env=env, check=True)
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def _inner(self, count: int, processes: int, sample: int) -> None:
        from tenants.models import Municipality
        from tenants.onboarding import school_onboard, school_provision
        from tenants.provisioning import template_ensure_current

        out = self.stdout.write
        out(f"Нагрузка машины (uptime) в начале: {load_average()}")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_ensure_current()
        municipality = Municipality.objects.create(name="Бенчмарк")
        started = time.perf_counter()
        schemas = []
        for n in range(1, count + 3):
            school = school_onboard(
                data=bench_school_data(n, municipality),
                actor=None,
            )
            if n <= count:  # the last two stay «создаётся» without a schema: the run must skip them
                schemas.append(school_provision(school_id=school.pk).schema_name)
        out(f"Школ создано клонированием: {count} (+2 без схемы) за {time.perf_counter() - started:.1f} с")

        folder = Path(tempfile.mkdtemp(prefix="nk-bench-migrations-"))
        try:
            package = folder / _MODULE
            shutil.copytree(
                Path(importlib.import_module("core.migrations").__path__[0]),
                package,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            sys.path.insert(0, str(folder))
            settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, "core": _MODULE}

            noop = _timed(processes)
            out(f"1. Всё актуально: {noop.seconds:.1f} с — {1000 * noop.seconds / count:.1f} мс на школу")
            stock_noop = _stock(schemas[:sample]) if sample else None
            if stock_noop is not None:
                out(f"   migrate_schemas на {sample} школах: {1000 * stock_noop:.0f} мс на школу")

            _add_migration(package, "bench_note")
            one = _timed(processes)
            per_school = max(0.0, one.seconds - one.fixed) / count
            projected = one.fixed + per_school * REGION_SCHOOLS
            out(
                f"2. Одна новая миграция, {count} школ + шаблон, процессов {processes}: {one.seconds:.1f} с "
                f"(общая схема и шаблон {one.fixed:.1f} с, школы {1000 * per_school:.1f} мс на школу)"
            )
            out(
                f"   прогноз на {REGION_SCHOOLS} школ: {projected:.0f} с = {projected / 60:.1f} мин "
                f"(линейно от всего времени: {one.seconds * REGION_SCHOOLS / count:.0f} с); цель ≤ {GOAL_SECONDS} с"
            )
            for line in one.summary:
                out(f"   | {line}")
            present = _schemas_with_column([*schemas, TEMPLATE_SCHEMA], "bench_note")
            out(f"   проверка: новый столбец есть в {present} схемах из {count + 1} (школы и шаблон)")
            rerun = _timed(processes)
            out(f"3. Повторный запуск сразу после: {rerun.seconds:.1f} с (делать нечего)")
            if sample:
                _add_migration(package, "bench_note2")
                stock_one = _stock(schemas[:sample])
                out(
                    f"4. migrate_schemas с одной миграцией, {sample} школ по одной: {1000 * stock_one:.0f} мс на "
                    f"школу → {stock_one * REGION_SCHOOLS / 60:.1f} мин на {REGION_SCHOOLS} в один процесс"
                )
                rest = _timed(processes)
                out(
                    f"   migrate_schools доделал остальные {count - sample} школ + шаблон: {rest.seconds:.1f} с"
                )
        finally:
            if str(folder) in sys.path:
                sys.path.remove(str(folder))
            shutil.rmtree(folder, ignore_errors=True)
        out(f"Нагрузка машины (uptime) в конце: {load_average()}")


class _Run:
    def __init__(self, seconds: float, fixed: float, summary: list[str]) -> None:
        self.seconds, self.fixed, self.summary = seconds, fixed, summary


def _timed(processes: int) -> _Run:
    """migrate_schools in this process; ``fixed`` is the public + template part (not per school)."""
    stdout, stderr = StringIO(), StringIO()
    started = time.perf_counter()
    try:
        call_command("migrate_schools", processes=processes, stdout=stdout, stderr=stderr)
    except Exception:
        sys.stderr.write(stdout.getvalue() + stderr.getvalue())
        raise
    seconds = time.perf_counter() - started
    lines = [line for line in (stdout.getvalue() + stderr.getvalue()).splitlines() if line.strip()]
    fixed = 0.0
    for line in lines:
        if line.startswith("Общая схема и шаблон"):
            fixed = float(line.rsplit(",", 1)[1].split()[0])
    return _Run(seconds, fixed, [line for line in lines if not line.startswith("  ") or "план" in line])


def _stock(schemas: list[str]) -> float:
    """Seconds per school of django-tenants' migrate_schemas, one school at a time (its standard executor)."""
    started = time.perf_counter()
    for schema in schemas:
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema,
            interactive=False,
            verbosity=0,
            stdout=StringIO(),
        )
    return (time.perf_counter() - started) / max(1, len(schemas))


def _add_migration(package: Path, column: str) -> None:
    leaf = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("core")[0][1]
    number = int(leaf.split("_", 1)[0]) + 1
    (package / f"{number:04d}_{column}.py").write_text(_MIGRATION.format(leaf=leaf, column=column))
    importlib.invalidate_caches()


def _schemas_with_column(schemas: list[str], column: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = ANY(%s) "
            "AND table_name = 'core_person' AND column_name = %s",
            [schemas, column],
        )
        return int(cursor.fetchone()[0])
