"""``manage.py restore_all``: the whole database and the files back from a ``manage.py backup`` folder."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import BackupError
from tenants.backups.restore_all import database_restore


class Command(BaseCommand):
    help = (
        "Восстановить всё из копии manage.py backup: общую схему, все школы (пакетами), файлы; "
        "сверка с манифестом. Только в пустую базу — рабочую после dropdb/createdb или новую (--into)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backup", type=Path, required=True, help="папка копии (…/<время>)")
        parser.add_argument("--into", help="создать новую базу с этим именем и восстановить в неё")
        parser.add_argument("--jobs", type=int, default=2, help="параллельных потоков pg_restore и сверки")
        parser.add_argument("--media-root", type=Path, help="куда вернуть файлы (по умолчанию MEDIA_ROOT)")
        parser.add_argument("--migrate", action="store_true", help="копия старее кода: применить миграции")
        parser.add_argument("--no-verify", action="store_true", help="без сверки строк с манифестом")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = database_restore(
                backup=Path(options["backup"]),  # call_command passes what it was given
                into=options["into"],
                jobs=options["jobs"],
                verify=not options["no_verify"],
                media_root=Path(options["media_root"]) if options["media_root"] else None,
                migrate=options["migrate"],
                log=lambda line: self.stdout.write(line),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        steps = ", ".join(f"{name} {seconds:.1f} с" for name, seconds in result.steps.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"База {result.database}: {result.schools} школ, {result.batches} пакетов, файлов {result.files}; "
                f"{result.seconds:.1f} с ({steps})"
            )
        )
