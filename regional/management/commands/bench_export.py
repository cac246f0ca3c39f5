"""Benchmark (not a test): the federal export end to end — start → stored XLSX — with a real worker.

    python manage.py bench_export --schools 100 500 2000 [--database nk_bench_export]

The worker is started as ``make run`` starts it (``celery worker --concurrency=2 --pool=prefork``, the
filesystem broker unless CELERY_BROKER_URL says otherwise), in a database of its own on the same server:
a throwaway one, or ``--database NAME`` kept between runs so the 2,000 schools are provisioned once.
Schools are cloned from the template schema (bench_onboarding's fast path), then filled by copying one
model school's rows (about 300 people with consents, 60 pairs, programmes, survey answers). Each size
marks that many schools active and the rest archived, so one provisioning serves every size.

Each size is exported twice: for today — each school's figures are then read from its snapshot row, where
the refresh after every change and the nightly pass keep them (the nightly pass is run and timed first) —
and for a past date (01.10.2026), which recomputes every school from its dated records.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psutil
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tenants.management.commands.bench_onboarding import Command as OnboardingBench

MODEL_SCHEMA = "school_bench_model"
ON = date(2026, 10, 1)
ON_MOMENT = datetime(2026, 9, 1, tzinfo=UTC)


class Command(BaseCommand):
    help = "Замер: федеральная выгрузка от запуска до сохранённого XLSX с настоящим воркером (N школ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, nargs="+", default=[100, 500, 2000])
        parser.add_argument("--database", default="", help="keep this bench database between runs")
        parser.add_argument("--inner", action="store_true", help=_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = sorted(options["schools"])
        if options["inner"]:
            self._inner(sizes)
            return
        url_of = OnboardingBench()._server_url
        dbname = options["database"] or f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
                conn.execute(f'CREATE DATABASE "{dbname}"')
        var_dir = tempfile.mkdtemp(prefix="bench-export-")  # its own broker folder and files
        env = {
            **os.environ,
            "DATABASE_URL": url_of(dbname),
            "NASTAVNIK_VAR_DIR": var_dir,
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
        }
        try:
            command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_export", "--inner"]
            subprocess.run([*command, "--schools", *map(str, sizes)], env=env, check=True)
        finally:
            if not options["database"]:
                with psycopg.connect(url_of("postgres"), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    # --- inside the bench database ----------------------------------------------------------------

    def _inner(self, sizes: list[int]) -> None:
        from tenants.models import School

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        started = time.perf_counter()
        created = self._provision(max(sizes))
        if created:
            self.stdout.write(f"provisioned {created} schools in {time.perf_counter() - started:.0f} s")
        self._queries_per_school()
        worker = _Worker()
        try:
            School.objects.update(status=School.Status.ACTIVE)
            self._nightly()
            today = _today()
            _activate(20)
            self._export(20, today)  # warm-up: the worker is up and has imported everything
            for size in sizes:
                _activate(size)
                for on in (today, ON):
                    worker.peak_reset()
                    load = os.getloadavg()[0]
                    seconds, run = self._export(size, on)
                    reading = _snapshot_read_seconds(size)
                    floor = _floor_seconds(size)
                    self.stdout.write(
                        f"{size:>5} schools on {on:%d.%m.%Y}{' (today)' if on == today else ''}: {seconds:6.2f} s"
                        f" end to end, {1000 * seconds / size:5.2f} ms a school; worker memory peak: PSS"
                        f" {worker.peak_pss / 2**20:4.0f} MiB, RSS {worker.peak_total / 2**20:4.0f} MiB (largest"
                        f" process {worker.peak_single / 2**20:4.0f} MiB); file {run.file.size / 1024:.0f} KiB;"
                        f" reading {size} snapshot rows {1000 * reading:.1f} ms ({seconds / reading:.0f}×);"
                        f" one indexed read in each school's schema {1000 * floor:.0f} ms ({seconds / floor:.1f}×);"
                        f" load average {load:.1f} → {os.getloadavg()[0]:.1f}"
                    )
        finally:
            worker.stop()
            School.objects.update(status=School.Status.ACTIVE)

    def _nightly(self) -> None:
        """Today's figures in every snapshot row, as the nightly calendar pass leaves them, by that very job
        (regional.snapshots_rebuild_all, fanned out in batches to the worker) — timed: it is the work an
        export for today no longer does."""
        from regional.checklist.snapshots import figures_current
        from regional.checklist.tasks import snapshots_rebuild_all_task
        from regional.models import SchoolSnapshot
        from tenants.models import School

        total = School.objects.count()

        def fresh() -> int:
            return SchoolSnapshot.objects.filter(figures_current(_today()), requested_at__isnull=True).count()

        if fresh() >= total:
            self.stdout.write(f"today's figures already in all {total} snapshot rows")
            return
        started = time.perf_counter()
        snapshots_rebuild_all_task.delay()
        while fresh() < total:
            if time.perf_counter() - started > 3600:
                raise RuntimeError(f"the nightly pass did not finish in an hour ({fresh()}/{total})")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"nightly pass (checklist and today's figures of every school, the bench worker): {total} schools "
            f"in {seconds:.0f} s, {1000 * seconds / total:.0f} ms a school"
        )

    def _export(self, size: int, on: date) -> tuple[float, Any]:
        from django.db import transaction

        from regional.models import ReportRun
        from regional.reports import report_start

        started = time.perf_counter()
        with transaction.atomic():
            run = report_start(on=on, actor=None)
        while True:
            run.refresh_from_db()
            if run.status != ReportRun.Status.RUNNING:
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"export of {size} schools did not finish in 10 minutes")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        if run.status != ReportRun.Status.DONE or run.total != size:
            raise RuntimeError(f"export ended {run.status} ({run.finished}/{run.total}): {run.error}")
        return seconds, run

    def _queries_per_school(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django_tenants.utils import schema_context

        from core.facts.indicators import school_report_values

        connection.queries_log.clear()
        with schema_context(MODEL_SCHEMA), CaptureQueriesContext(connection) as captured:
            values = school_report_values(on=ON, early_end_codes=["by_agreement"])
        self.stdout.write(
            f"one school's figures: {len(captured)} queries "
            f"(students {values['students_10_18']}, teachers {values['teachers_in_mentoring']}, "
            f"pairs {values['pairs']})"
        )

    def _provision(self, count: int) -> int:
        from django.db import OperationalError, connection

        from tenants.models import Municipality, School
        from tenants.provisioning import schema_create_from_template, template_ensure_current

        template = template_ensure_current()
        if (
            not connection.cursor()
            .execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [MODEL_SCHEMA])
            .fetchone()
        ):
            schema_create_from_template(MODEL_SCHEMA)
            _fill_model_school()
        have = School.objects.count()
        if have >= count:
            return 0
        municipalities = list(Municipality.objects.all()) or [
            Municipality.objects.create(name=f"Муниципалитет {n:02d}") for n in range(1, 41)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [MODEL_SCHEMA]
            )
            tables = [row[0] for row in cursor.fetchall()]
        for n in range(have + 1, count + 1):
            for attempt in range(5):
                try:
                    self._clone(n, template, tables, municipalities)
                    break
                except OperationalError:  # e.g. the server's lock table is full while others create schemas
                    if attempt == 4:
                        raise
                    time.sleep(2)
            if n % 250 == 0:
                self.stdout.write(f"  … {n} schools")
        return count - have

    def _clone(self, n: int, template: Any, tables: list[str], municipalities: list[Any]) -> None:
        from django.db import connection, transaction

        from regional.models import SchoolSnapshot, SchoolSnapshotVersion
        from tenants.models import School
        from tenants.provisioning import _TEMPLATE_RE, identity_sequences_advance

        schema = f"school_bench{n:06d}"
        with transaction.atomic(), connection.cursor() as cursor:
            # Foreign keys are DEFERRABLE INITIALLY DEFERRED: copy order does not matter.
            cursor.execute(_TEMPLATE_RE.sub(schema, template.ddl))
            for table in tables:
                copy = f'INSERT INTO "{schema}"."{table}" SELECT * FROM "{MODEL_SCHEMA}"."{table}"'  # noqa: S608
                cursor.execute(copy)
                identity_sequences_advance(cursor, schema, table)  # as provisioning does: writes work later
            school = School.objects.create(
                schema_name=schema,
                name=f"Школа № {n}",
                short_name=f"Школа № {n}",
                municipality=municipalities[n % len(municipalities)],
                slug=f"bench-{n}",
                status=School.Status.ACTIVE,
            )
            percent = round(100 * (n % 9) / 9)
            SchoolSnapshot.objects.create(
                school=school,
                municipality_id=school.municipality_id,
                school_kind=school.kind,
                template_version=1,
                done=n % 9,
                applicable=9,
                percent=percent,
                computed_at=_now(),
            )
            # The dated history the report's checklist % is read from (as of the report date).
            SchoolSnapshotVersion.objects.create(
                school=school, valid_from=ON_MOMENT, template_version=1, done=n % 9, applicable=9,
                percent=percent,
            )  # fmt: skip


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _fill_model_school() -> None:
    """One school of about 300 people: 250 students, 45 teachers, 60 pairs, programmes and answers."""
    from django_tenants.utils import schema_context

    from core.consents.models import Consent
    from core.monitoring.models import SurveyResponse
    from core.pairs.models import Pair, PairMember
    from core.people.models import Person
    from core.programmes.models import Programme

    with schema_context(MODEL_SCHEMA):
        people = Person.objects.bulk_create(
            [
                Person(last_name=f"Ученик {i}", first_name="Б", category="student",
                       birth_date=date(2008 + i % 9, 1 + i % 12, 1), school_class="7А")
                for i in range(250)
            ]
            + [
                Person(last_name=f"Педагог {i}", first_name="Б", category="teacher", position="учитель",
                       birth_date=date(1965 + i % 35, 3, 1), career_start=date(1990 + i % 36, 9, 1))
                for i in range(45)
            ]
        )  # fmt: skip
        students, teachers = people[:250], people[250:]
        rep = {"by_representative": True, "representative_last_name": "Родитель",
               "representative_first_name": "Р", "representative_relation": "мать",
               "representative_document": "паспорт"}  # fmt: skip
        Consent.objects.bulk_create(
            Consent(
                person=p, kind=kind, valid_from=date(2026, 1, 1), **(rep if p.category == "student" else {})
            )
            for p in people
            for kind in Consent.Kind
        )
        pairs = Pair.objects.bulk_create(
            Pair(form_code="teacher_student", role_model_id=1, kind_code="traditional",
                 started_on=date(2026, 9, 1), ended_on=date(2026, 9, 20) if i % 10 == 0 else None,
                 end_reason_code="by_agreement" if i % 10 == 0 else "", status="ended" if i % 10 == 0 else "active")
            for i in range(60)
        )  # fmt: skip
        PairMember.objects.bulk_create(
            [
                PairMember(pair=pair, person=teachers[i % 45], role="mentor", since=pair.started_on,
                           until=pair.ended_on)
                for i, pair in enumerate(pairs)
            ]
            + [
                PairMember(pair=pair, person=students[i], role="mentee", since=pair.started_on,
                           until=pair.ended_on)
                for i, pair in enumerate(pairs)
            ]
        )  # fmt: skip
        Programme.objects.bulk_create(
            Programme(
                pair=pair, title=f"Программа {i}", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
            )
            for i, pair in enumerate(pairs[:20])
        )
        SurveyResponse.objects.bulk_create(
            SurveyResponse(template_code="satisfaction", pair=pair, answers={"satisfaction": 5 + i % 6})
            for i, pair in enumerate(pairs[:30])
        )
        SurveyResponse.objects.update(submitted_at=ON_MOMENT + timedelta(days=25))


def _activate(size: int) -> None:
    """The first ``size`` schools are active (exported), the others archived — today and on ON (their
    dated version of ON_MOMENT says so, as archiving would have), so an export for either date covers
    ``size`` schools."""
    from django.db.models import Q

    from regional.models import SchoolSnapshotVersion
    from tenants.models import School

    ids = list(School.objects.order_by("pk").values_list("pk", flat=True)[:size])
    School.objects.filter(pk__in=ids).update(status=School.Status.ACTIVE)
    School.objects.exclude(pk__in=ids).update(status=School.Status.ARCHIVED)
    SchoolSnapshotVersion.objects.filter(valid_from=ON_MOMENT).update(active=Q(school_id__in=ids))


def _floor_seconds(size: int) -> float:
    """The physical limit of recomputing: one indexed read in each school's schema, from a new connection
    (as a worker's), 25 schools a statement. Whatever a school's figures need, PostgreSQL must at least
    open that school's tables for the first time in the connection; this opens one table and its indexes.
    """
    from django.db import connection

    from tenants.models import School

    schemas = list(School.objects.filter(status=School.Status.ACTIVE).values_list("schema_name", flat=True))
    connection.close()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), 25):
            cursor.execute(
                " UNION ALL ".join(
                    f'SELECT count(*) FROM "{schema}".core_contingentdeclaration WHERE year = %s'  # noqa: S608
                    for schema in schemas[start : start + 25]
                ),
                [ON.year] * len(schemas[start : start + 25]),
            )
            cursor.fetchall()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def _snapshot_read_seconds(size: int) -> float:
    """The yardstick of the issue: reading the region's snapshot rows of ``size`` schools (best of 5)."""
    from regional.models import SchoolSnapshot

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        list(SchoolSnapshot.objects.filter(active=True)[:size])
        best = min(best, time.perf_counter() - started)
    return best


class _Worker:
    """A real Celery worker started like ``make run`` does, with its memory (RSS and PSS) sampled every 20 ms."""

    def __init__(self) -> None:
        from tenants.management.commands import rundev

        argv = getattr(rundev, "WORKER_ARGV", None) or [
            "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=2", "--pool=prefork",
        ]  # fmt: skip
        self.process = subprocess.Popen([sys.executable, *argv], cwd=settings.BASE_DIR, env=os.environ.copy())
        self.peak_total = self.peak_single = self.peak_pss = 0
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def peak_reset(self) -> None:
        self.peak_total = self.peak_single = self.peak_pss = 0

    def _sample(self) -> None:
        # RSS counts the pages the pool processes share with the parent they were forked from once per
        # process; PSS divides each shared page among its sharers, so its sum is the worker's real memory.
        # RSS is one cheap read per process, taken every 20 ms. PSS needs the kernel to walk each process's
        # page tables (smaps_rollup: about 11 ms for the three processes here); taken every 20 ms it cost a
        # third of a core of this 2-core machine and slowed the export it measured, so it is taken every
        # 200 ms, and at once whenever RSS reaches a new peak (memory grows in steps, the peak is caught).
        root = psutil.Process(self.process.pid)
        last_pss = 0.0
        while self._running:
            try:
                processes = [root, *root.children(recursive=True)]
                rss = [p.memory_info().rss for p in processes]
                new_peak = sum(rss) > self.peak_total
                if new_peak or time.monotonic() - last_pss >= 0.2:
                    self.peak_pss = max(self.peak_pss, sum(p.memory_full_info().pss for p in processes))
                    last_pss = time.monotonic()
            except psutil.Error:
                rss = []
            if rss:
                self.peak_total = max(self.peak_total, sum(rss))
                self.peak_single = max(self.peak_single, max(rss))
            time.sleep(0.02)

    def stop(self) -> None:
        self._running = False
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _hidden() -> str:
    import argparse

    return argparse.SUPPRESS
