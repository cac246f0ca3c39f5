"""Benchmark (not a test): back up N schools, restore one school and then everything, print times and sizes.

    python manage.py bench_backups --schools 2000

A throwaway database on the same server (like bench_onboarding) and a throwaway folder for files and
backups. Each school (its rows and a schema cloned from the template, as provisioning does) gets 40 people and
one 20 KB file.
Then: ``backup`` (stock lock settings of the server decide the batches), ``school_restore`` of one school
into the live database, ``restore_all`` of everything into a new database (verified against the manifest,
files included). Both databases and the folder are removed at the end.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from tenants.management.bench import load_average
from tenants.management.commands.bench_onboarding import Command as OnboardingBench
from tenants.management.commands.bench_onboarding import argparse_hidden

PEOPLE = 40
FILE_BYTES = 20_000


class Command(BaseCommand):
    help = "Замер: резервная копия N школ, восстановление одной школы и всей базы (время, размеры)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=200)
        parser.add_argument("--jobs", type=int, default=2, help="потоков pg_restore и сверки")
        parser.add_argument("--inner", action="store_true", help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inner"]:
            self._inner(options["schools"], options["jobs"])
            return
        onboarding = OnboardingBench()
        dbname = f"nastavnik_bench_{uuid.uuid4().hex[:8]}"
        admin_url = onboarding._server_url("postgres")
        folder = Path(tempfile.mkdtemp(prefix="nk-bench-backups-"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env = {
            **os.environ,
            "DATABASE_URL": onboarding._server_url(dbname),
            "NASTAVNIK_VAR_DIR": str(folder),
            "MEDIA_ROOT": str(folder / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "CELERY_BROKER_URL": "memory://localhost/",
            "LOG_LEVEL": "WARNING",
        }
        argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_backups", "--inner"]
        argv += ["--schools", str(options["schools"]), "--jobs", str(options["jobs"])]
        try:
            subprocess.run(argv, env=env, check=True)
        finally:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                for name in (dbname, f"{dbname}_restored"):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)

    def _inner(self, count: int, jobs: int) -> None:
        from tenants.backups import backup_create, school_restore
        from tenants.backups.restore_all import database_restore
        from tenants.models import Domain, Municipality, School
        from tenants.provisioning import schema_create, template_ensure_current
        from tenants.schema_names import schema_name_generate, school_host
        from tenants.validators import inn_complete

        out = self.stdout.write
        out(f"Нагрузка (uptime) в начале: {load_average()}")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_ensure_current()
        person = apps.get_model("core", "Person")  # by name: the platform layer never imports the school side
        municipality = Municipality.objects.create(name="Бенчмарк")
        media = Path(settings.MEDIA_ROOT)
        started = time.perf_counter()
        slugs = []
        for n in range(1, count + 1):
            # Rows and a cloned schema directly (what provisioning does, without the invitation and the
            # snapshot): at 2,000 schools the whole onboarding path would dominate the run.
            school = School.objects.create(
                name=f"Школа № {n}",
                short_name=f"Школа № {n}",
                inn=inn_complete(f"{600000000 + n}"),
                municipality=municipality,
                slug=f"bench-{n}",
                schema_name=schema_name_generate(),
                status=School.Status.ACTIVE,
            )
            Domain.objects.create(tenant=school, domain=school_host(school.slug), is_primary=True)
            schema_create(school.schema_name)
            with schema_context(school.schema_name):
                person.objects.bulk_create(
                    person(last_name=f"Фамилия{i}", first_name="Имя", category="teacher")
                    for i in range(PEOPLE)
                )
            scan = media / school.schema_name / "consents" / "scan.pdf"
            scan.parent.mkdir(parents=True, exist_ok=True)
            scan.write_bytes(os.urandom(FILE_BYTES))
            slugs.append(school.slug)
        out(
            f"Школ: {count} ({PEOPLE} участников и файл {FILE_BYTES // 1000} КБ в каждой), {_elapsed(started)}"
        )
        out(f"Размер базы: {_db_size() / 1e6:.0f} МБ")

        result = backup_create(keep=1)
        sizes = _sizes(result.path)
        out(
            f"backup: {result.seconds:.1f} с, {result.batches} пакетов, {result.bytes / 1e6:.0f} МБ "
            f"(дампы {sizes['dumps'] / 1e6:.0f} МБ, файлы {sizes['media'] / 1e6:.0f} МБ, "
            f"манифест {sizes['manifest'] / 1e6:.1f} МБ)"
        )
        one = school_restore(backup=result.path, slug=slugs[len(slugs) // 2])
        out(f"school_restore одной школы (в рабочую базу, со сверкой): {one.seconds:.1f} с")
        restored = database_restore(
            backup=result.path,
            into=f"{settings.DATABASES['default']['NAME']}_restored",
            jobs=jobs,
            media_root=Path(settings.VAR_DIR) / "restored-media",
        )
        steps = ", ".join(f"{name} {seconds:.0f} с" for name, seconds in restored.steps.items())
        out(
            f"restore_all в новую базу, --jobs {jobs}: {restored.seconds:.1f} с ({steps}); "
            f"{restored.schools} школ, {restored.files} файлов, 0 отличий от манифеста"
        )
        out(f"Нагрузка (uptime) в конце: {load_average()}")


def _elapsed(started: float) -> str:
    return f"{time.perf_counter() - started:.0f} с"


def _db_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def _sizes(folder: Path) -> dict[str, int]:
    def total(paths: Any) -> int:
        return sum(p.stat().st_size for p in paths if p.is_file())

    return {
        "dumps": total([folder / "public.dump", *(folder / "schools").iterdir()]),
        "media": total((folder / "media").iterdir()),
        "manifest": (folder / "manifest.json").stat().st_size,
    }
