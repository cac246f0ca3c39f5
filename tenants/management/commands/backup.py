"""``manage.py backup``: a full backup (database in batches of schools + files) with a manifest and retention."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import KEEP_DEFAULT, BackupError, backup_create


class Command(BaseCommand):
    help = "Резервная копия базы (все школы, пакетами по одному снимку) и файлов, с манифестом."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, help="Папка копий (по умолчанию NASTAVNIK_BACKUP_DIR или var/backups)."
        )
        parser.add_argument(
            "--keep", type=int, default=KEEP_DEFAULT, help="Сколько последних копий хранить (0 — все)."
        )
        parser.add_argument(
            "--schools-per-batch",
            type=int,
            help="Не больше школ в одном pg_dump (по умолчанию — по блокировкам).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(
                root=Path(options["dir"]) if options["dir"] else None,
                keep=options["keep"],
                schools_per_batch=options["schools_per_batch"],
                log=lambda line: self.stdout.write(line),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Копия {result.path}: {result.schools} школ, {result.batches} пакетов, "
                f"{result.bytes / 1e6:.1f} МБ, {result.seconds:.1f} с"
            )
        )
        if result.removed:
            self.stdout.write(f"Удалены старые копии: {', '.join(result.removed)}")
