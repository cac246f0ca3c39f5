"""``manage.py school_restore --backup <dir> --school <slug> [--into-scratch <db>]``: one school back."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import BackupError, school_restore


class Command(BaseCommand):
    help = (
        "Восстановить одну школу из резервной копии: в рабочую базу (схема подменяется одной транзакцией) "
        "или в отдельную базу для просмотра."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backup", type=Path, required=True, help="Папка копии (с manifest.json).")
        parser.add_argument("--school", required=True, help="Адрес (slug) школы.")
        parser.add_argument(
            "--into-scratch", metavar="DBNAME", help="Загрузить в новую отдельную базу, не трогая рабочую."
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Копия старее кода: применить недостающие миграции."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = school_restore(
                backup=Path(options["backup"]),
                slug=options["school"],
                into_scratch=options["into_scratch"],
                migrate=options["migrate"],
                log=lambda line: self.stdout.write(line),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        where = "рабочую базу" if result.target == "live" else f"базу {result.target}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Школа «{result.slug}» восстановлена в {where}: {result.tables} таблиц, {result.rows} строк, "
                f"{result.files} файлов, 0 расхождений с копией, {result.seconds:.2f} с"
            )
        )
