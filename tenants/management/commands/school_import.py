"""``manage.py school_import <file.tar>``: a school exported from another deployment, brought in here."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import BackupError, school_import


class Command(BaseCommand):
    help = "Загрузить школу из архива school_export: новая запись школы, схема и файлы."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--slug", help="Другой адрес школы, если прежний здесь занят.")
        parser.add_argument("--municipality", help="Муниципалитет здесь (по умолчанию — с тем же названием).")
        parser.add_argument(
            "--migrate", action="store_true", help="Архив старее кода: применить недостающие миграции."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            school = school_import(
                archive=Path(options["archive"]),
                slug=options["slug"],
                municipality=options["municipality"],
                migrate=options["migrate"],
                log=lambda line: self.stdout.write(line),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Школа «{school.slug}» подключена (схема {school.schema_name}).")
        )
