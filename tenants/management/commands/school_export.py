"""``manage.py school_export --school <slug> --out <file.tar>``: one school as a self-contained archive."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import BackupError, school_export


class Command(BaseCommand):
    help = "Выгрузить одну школу (схема, файлы, манифест) в архив для переноса в другое развёртывание."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="Адрес (slug) школы.")
        parser.add_argument("--out", type=Path, required=True, help="Файл архива (.tar).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            school_export(
                slug=options["school"], out=Path(options["out"]), log=lambda line: self.stdout.write(line)
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
