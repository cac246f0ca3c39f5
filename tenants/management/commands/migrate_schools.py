"""``manage.py migrate_schools``: public, then the template schema, then every school (tenants.migrating).

Replaces ``migrate_schemas`` for deploys and ``make run``: Django's fixed work (checks, graph, project
state) is done once, schools already up to date cost nothing, the rest share the CPU cores. A school that
fails is listed with the reason while the others complete; running the command again finishes only what
is left. Schools without a schema (being provisioned, or provisioning failed) are skipped and listed.
"""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.migrating import LOCK_TIMEOUT_SECONDS, MigrateError, Report, default_processes, schemas_migrate
from tenants.models import School
from tenants.provisioning import template_in_step

PROGRESS_EVERY_SECONDS = 5.0


class Command(BaseCommand):
    help = (
        "Миграции: общая схема, шаблон школы, затем все школы (параллельно, с прогрессом и списком ошибок; "
        "повторный запуск доделывает только оставшееся)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--processes",
            type=int,
            default=default_processes(),
            help="сколько процессов (по умолчанию — ядра, не больше 4)",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=LOCK_TIMEOUT_SECONDS,
            help="сколько секунд ждать блокировку таблицы школы, потом школа — в список ошибок",
        )
        parser.add_argument("--schools-only", action="store_true", help="без общей схемы и шаблона")
        parser.add_argument(
            "--school", action="append", default=[], metavar="SLUG", help="только эти школы (можно несколько)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbose = options["verbosity"] >= 1
        if not options["schools_only"]:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            template, migrated = template_in_step()
            if verbose:
                self.stdout.write(
                    f"Общая схема и шаблон школы: {'шаблон обновлён' if migrated else 'шаблон актуален'} "
                    f"({template.fingerprint[:12]}), {time.monotonic() - started:.1f} с"
                )
        schools = School.objects.order_by("pk")
        if options["school"]:
            schools = schools.filter(slug__in=options["school"])
            unknown = set(options["school"]) - set(schools.values_list("slug", flat=True))
            if unknown:
                raise CommandError(f"Нет школ с адресами: {', '.join(sorted(unknown))}")
        rows = list(schools.values_list("schema_name", "slug", "status"))
        slugs = {schema: slug for schema, slug, _ in rows}
        statuses = dict(School.Status.choices)
        status_of = {schema: str(statuses.get(status, status)) for schema, _, status in rows}
        last = [time.monotonic()]

        def progress(done: int, total: int, failed: int) -> None:
            now = time.monotonic()
            if verbose and (now - last[0] >= PROGRESS_EVERY_SECONDS or done == total):
                last[0] = now
                self.stdout.write(
                    f"  {done}/{total} ({100 * done // max(total, 1)} %), ошибок: {failed}, "
                    f"{now - started:.0f} с"
                )

        try:
            report = schemas_migrate(
                [schema for schema, _, _ in rows],
                processes=options["processes"],
                lock_timeout=options["lock_timeout"],
                progress=progress,
            )
        except MigrateError as error:
            raise CommandError(str(error)) from error
        self._summary(report, slugs, status_of, seconds=time.monotonic() - started, verbose=verbose)
        if report.failed:
            raise CommandError(
                f"Не мигрировано школ: {len(report.failed)} (список выше). Остальные готовы; "
                "исправьте причину и запустите migrate_schools снова — он доделает только их."
            )

    def _summary(
        self,
        report: Report,
        slugs: dict[str, str],
        status_of: dict[str, str],
        *,
        seconds: float,
        verbose: bool,
    ) -> None:
        if verbose:
            for plan, count in report.plans.items():
                self.stdout.write(f"  план для {count} школ: {plan}")
            self.stdout.write(
                f"Школ: {report.schemas}; мигрировано {len(report.migrated)}, уже актуальны "
                f"{len(report.current)}, ошибок {len(report.failed)}, без схемы {len(report.missing)}; "
                f"{seconds:.1f} с (подготовка {report.prepare_seconds:.1f} с, процессов {report.processes})"
            )
        if report.missing:
            self.stderr.write(f"Пропущены школы без схемы ({len(report.missing)}):")
            for schema in report.missing:
                self.stderr.write(f"  {slugs.get(schema, '?')} [{schema}] — {status_of.get(schema, '')}")
        if report.failed:
            self.stderr.write(f"Ошибки ({len(report.failed)}):")
            for schema, reason in report.failed.items():
                self.stderr.write(f"  {slugs.get(schema, '?')} [{schema}]: {reason}")
