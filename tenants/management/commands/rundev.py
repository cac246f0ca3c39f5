"""One command for development: database, migrations, demo data, Celery workers and beat, the web server."""

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from config.celery import QUEUE_FAST, QUEUES
from config.embedded_postgres import project_server
from tenants.urls_util import site_url


class Command(BaseCommand):
    help = "Запускает всё для разработки: БД, миграции, демо-данные, воркер Celery и веб-сервер."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="0.0.0.0:8000")
        parser.add_argument("--no-demo", action="store_true", help="не создавать демо-данные")

    def handle(self, *args: Any, **options: Any) -> None:
        # Ctrl+C or a plain `kill` both end the run cleanly: worker, web server and the embedded database.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        # Links in e-mails (written by the workers) and printed below carry the port this server runs on,
        # unless SITE_PORT is set explicitly (e.g. behind a proxy).
        port = options["addrport"].rpartition(":")[2] if ":" in options["addrport"] else options["addrport"]
        if "SITE_PORT" not in os.environ and port.isdigit():
            os.environ["SITE_PORT"] = settings.SITE_PORT = port
        # Public, the school template, then every school (tenants.migrating: fast, skips schools without a schema).
        call_command("migrate_schools", verbosity=0)
        if not options["no_demo"]:
            call_command("seed_demo")
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
        }
        celery = [python, "-m", "celery", "-A", "config"]
        other_queues = ",".join(q for q in QUEUES if q != QUEUE_FAST)
        background = [
            # Change → region: a consumer of its own, so refreshes never wait behind bulk work.
            subprocess.Popen(
                [*celery, "worker", "-n", "fast@%h", "-Q", QUEUE_FAST, "--concurrency=1", "--loglevel=INFO"],
                cwd=settings.BASE_DIR,
                env=env,
            ),
            # Everything else: onboarding, report batches, periodic fan-outs, e-mail.
            subprocess.Popen(
                [
                    *celery,
                    "worker",
                    "-n",
                    "main@%h",
                    "-Q",
                    other_queues,
                    "--concurrency=2",
                    "--loglevel=INFO",
                ],
                cwd=settings.BASE_DIR,
                env=env,
            ),
            # The static schedule of config.celery (repair, calendar re-evaluation, consents, sweeper).
            subprocess.Popen(
                [
                    *celery,
                    "beat",
                    "--loglevel=INFO",
                    f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}",
                ],
                cwd=settings.BASE_DIR,
                env=env,
            ),
        ]
        self.stdout.write(
            self.style.SUCCESS(f"Воркеры Celery и расписание запущены. Сайт региона: {site_url()}")
        )
        server = subprocess.Popen(
            [python, manage, "runserver", options["addrport"]], cwd=settings.BASE_DIR, env=env
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            _stop(server)
            for process in background:
                _stop(process)
            if settings.EMBEDDED_POSTGRES:
                project_server().stop()
                self.stdout.write("Встроенный PostgreSQL остановлен.")


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
