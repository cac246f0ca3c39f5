"""Real Celery workers as separate processes, started the way `make run` starts them.

Separate processes matter for what these tests prove: each has its own memory (a per-process cache marker
is invisible to the others), and a process can be killed. The broker is the filesystem broker of
`make run` (no server needed) in a folder of the test's own; the workers use the test database.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.conf import settings
from django.db import connection

from config.celery import app, filesystem_broker_options
from tests.db_address import database_address


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(" ready." in line for line in self.lines):
                return
            if self.process.poll() is not None:
                raise RuntimeError("worker exited:\n" + "".join(self.lines[-40:]))
            time.sleep(0.1)
        raise RuntimeError("worker not ready:\n" + "".join(self.lines[-40:]))

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Like the OOM killer or a pulled plug: the whole process group, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def log(self) -> str:
        return "".join(self.lines)


@contextmanager
def filesystem_broker(folder: Path) -> Iterator[Path]:
    """This process sends real messages to the filesystem broker in ``folder`` (not eager)."""
    conf = {
        "task_always_eager": False,
        "broker_url": "filesystem://",
        "broker_transport_options": filesystem_broker_options(folder),
        "result_backend": None,
    }
    saved = {key: app.conf.get(key) for key in conf}
    app.conf.update(conf)
    _forget_connections()
    try:
        yield folder
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


def start_worker_process(folder: Path, *args: str, db_port: int | None = None) -> WorkerProcess:
    """`celery worker` over the test database and the filesystem broker in ``folder`` (var dir of its own)."""
    database = connection.settings_dict
    host, port = database_address()
    if db_port:
        host, port = "127.0.0.1", db_port
    url = f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"
    var_dir = folder.parent / f"{folder.name}-var"
    var_dir.mkdir(exist_ok=True)
    broker_dir = var_dir / "celery-broker"
    if not broker_dir.exists():
        broker_dir.symlink_to(folder)  # the worker's config (config.celery) points here
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url,
        "NASTAVNIK_VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": "filesystem://",
        "REDIS_URL": "",  # the local-memory cache, as under `make run`
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--without-heartbeat",
         "--without-mingle", "--without-gossip", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    worker = WorkerProcess(process)
    worker.wait_ready()
    return worker


def wait_for(predicate: Any, seconds: float = 15.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


_PUBLIC_ROWS: list[str] = []


@pytest.fixture(scope="session")
def public_rows_captured(world: Any, django_db_blocker: Any) -> None:
    """The public schema's rows (seeded catalogues, checklist, the test world), taken before any test flushes.

    Tests with real worker processes must commit (transaction=True), and pytest-django then empties the
    public tables; the schools' schemas stay. Requested autouse by the modules with such tests, so it runs
    at their first (ordinary) test, long before the committed tests that run last.
    """
    with django_db_blocker.unblock():
        public_rows_capture()


def public_rows_capture() -> None:
    """Taken once, when the test world has just been made (tests/conftest.py)."""
    if not _PUBLIC_ROWS:
        _PUBLIC_ROWS.append(connection.creation.serialize_db_to_string())


def public_rows_restore() -> None:
    """Put the captured public rows back if a committed test flushed them (same ids, so objects still fit)."""
    from tenants.models import School

    if _PUBLIC_ROWS and not School.objects.exists():
        from django.contrib.contenttypes.models import ContentType

        # The flush re-created content types and permissions (post_migrate) under new ids: the captured
        # rows bring back the original ones, which the rest of the rows point to.
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(_PUBLIC_ROWS[0])


class DatabaseGate:
    """A TCP relay in front of PostgreSQL that can be shut: the database «goes away» for whoever uses it."""

    def __init__(self, host: str, port: int) -> None:
        import socket

        self.target = (host, port)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.open = True
        self.pairs: list[Any] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: Any, b: Any) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with suppress(OSError):
                    s.close()

    def shut(self) -> None:
        self.open = False
        for pair in self.pairs:
            for s in pair:
                with suppress(OSError):
                    s.close()
        self.pairs.clear()

    def reopen(self) -> None:
        self.open = True

    def close(self) -> None:
        self.shut()
        self.server.close()


def worker_database_url() -> str:
    """The test database as a worker process reaches it."""
    db = settings.DATABASES["default"]
    host, port = database_address()
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


class RedisWorker:
    """`celery worker` (prefork, one pool process) on a Redis broker — which redelivers a message whose
    worker died — over the test database (or ``db_url``), with ``env`` on top; output to ``log`` if given."""

    def __init__(
        self,
        broker_url: str,
        *,
        env: dict[str, str] | None = None,
        db_url: str = "",
        log: Path | None = None,
    ) -> None:
        full_env = {
            **os.environ,
            "DATABASE_URL": db_url or worker_database_url(),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_BROKER_URL": broker_url,
            **(env or {}),
        }
        out = log.open("a") if log is not None else None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
                 "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
                cwd=settings.BASE_DIR, env=full_env, start_new_session=True,
                stdout=out, stderr=subprocess.STDOUT if out is not None else None,
            )  # fmt: skip
        finally:
            if out is not None:
                out.close()  # the worker has its own copy of the descriptor

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def kill_pool(self) -> None:
        """The pool process only (its parent stays and forks a new one), as the OOM killer would."""
        children = self.children()
        assert children, "the worker has no pool process"
        for child in children:
            child.kill()

    def kill_all(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_all()
