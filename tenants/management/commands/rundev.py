"""One command for development: database, migrations, demo data, a real Celery worker and the web server."""

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from config.embedded_postgres import project_server


class Command(BaseCommand):
    help = "Запускает всё для разработки: БД, миграции, демо-данные, воркер Celery и веб-сервер."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="0.0.0.0:8000")
        parser.add_argument("--no-demo", action="store_true", help="не создавать демо-данные")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        if not options["no_demo"]:
            call_command("seed_demo")
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
        }
        worker = subprocess.Popen(  # noqa: S603
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--pool=prefork",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        self.stdout.write(self.style.SUCCESS("Воркер Celery запущен. Сайт региона: http://localhost:8000"))
        try:
            subprocess.run([python, manage, "runserver", options["addrport"]], cwd=settings.BASE_DIR, env=env)  # noqa: S603
        except KeyboardInterrupt:
            pass
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
            if settings.EMBEDDED_POSTGRES:
                project_server().stop()
                self.stdout.write("Встроенный PostgreSQL остановлен.")
