from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.embedded_postgres import project_server


class Command(BaseCommand):
    help = "Управляет встроенным PostgreSQL проекта (когда DATABASE_URL не задан): start, stop, status, url."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["start", "stop", "status", "url"])

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.EMBEDDED_POSTGRES:
            raise CommandError("DATABASE_URL задан: встроенный PostgreSQL не используется.")
        server = project_server()
        action = options["action"]
        if action == "start":
            server.ensure_running(dbname=settings.EMBEDDED_POSTGRES)
            self.stdout.write(f"PostgreSQL работает: {server.url(settings.EMBEDDED_POSTGRES)}")
        elif action == "stop":
            self.stdout.write("PostgreSQL остановлен." if server.stop() else "PostgreSQL не был запущен.")
        elif action == "status":
            self.stdout.write("работает" if server.is_running() else "остановлен")
        else:
            self.stdout.write(server.url(settings.EMBEDDED_POSTGRES))
