"""What every backup step shares: the database and its tools, what a schema holds, file archives."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from config.embedded_postgres import postgres_bin

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
STAMP_RE = re.compile(r"^\d{8}T\d{6}Z$")
KEEP_DEFAULT = 7
# The share of the server's lock table one batch may take: the application keeps the rest.
LOCK_SHARE = 0.5
RESTORE_PREFIX = "restore_"
_REST_MEDIA = "_rest"

Log = Callable[[str], None]


class BackupError(Exception):
    """A refusal or a failure, with a message for the operator."""


# --- connections and tools ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Db:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    def argv(self) -> list[str]:
        return [f"--host={self.host}", f"--port={self.port}", f"--username={self.user}"]

    def env(self) -> dict[str, str]:
        return {**os.environ, "PGPASSWORD": self.password, "PGDATABASE": self.dbname}

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
            autocommit=autocommit,
        )

    def other(self, dbname: str) -> Db:
        return Db(self.host, self.port, self.user, self.password, dbname)


def db_current() -> Db:
    """The database Django uses (the test database under pytest)."""
    connection.ensure_connection()
    db = connection.settings_dict
    params = connection.get_connection_params()
    return Db(
        host=str(params.get("host") or db.get("HOST") or "127.0.0.1"),
        port=int(params.get("port") or db.get("PORT") or 5432),
        user=str(params.get("user") or db.get("USER") or "postgres"),
        password=str(params.get("password") or db.get("PASSWORD") or ""),
        dbname=str(params.get("dbname") or db["NAME"]),
    )


def _tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def pg_tool(name: str, server_major: int) -> Path:
    """``pg_dump``/``pg_restore`` of the server's major version; a newer one only when none matches.

    Candidates: the distribution's ``/usr/lib/postgresql/<major>/bin``, the binaries shipped with the
    project (the embedded server's), the one on PATH. A newer pg_dump reads an older server, but its
    output may carry settings the older server does not know, so the matching one is preferred.
    """
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    with contextlib.suppress(RuntimeError):
        candidates.append(postgres_bin(name))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    found = [(path, _tool_major(path)) for path in candidates if path.exists()]
    for path, major in found:
        if major == server_major:
            return path
    newer = [path for path, major in found if major and major > server_major]
    if newer:
        return newer[0]
    raise BackupError(
        f"Нет программы {name} версии {server_major} или новее (сервер PostgreSQL {server_major}): "
        f"установите postgresql-client-{server_major}."
    )


def _run(argv: list[str], db: Db) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, env=db.env())
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} завершился с ошибкой: {result.stderr.strip()[-2000:]}")
    return result


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_root() -> Path:
    configured = os.environ.get("NASTAVNIK_BACKUP_DIR") or getattr(settings, "BACKUP_ROOT", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "backups"


# --- what a schema holds: row counts, checksums, migrations -------------------------------------------


def schema_tables(cur: psycopg.Cursor[Any], schema: str) -> list[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
    return [row[0] for row in cur.fetchall()]


def schema_stats(cur: psycopg.Cursor[Any], schema: str) -> dict[str, dict[str, Any]]:
    """Per table: the row count and an md5 over the sorted md5s of its rows (independent of physical order)."""
    tables = schema_tables(cur, schema)
    if not tables:
        return {}
    parts = [
        sql.SQL(
            "SELECT {name}, count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
            "FROM {schema}.{table} t"
        ).format(name=sql.Literal(table), schema=sql.Identifier(schema), table=sql.Identifier(table))
        for table in tables
    ]
    cur.execute(sql.SQL(" UNION ALL ").join(parts))
    return {name: {"rows": int(rows), "md5": md5} for name, rows, md5 in cur.fetchall()}


def schema_migrations(cur: psycopg.Cursor[Any], schema: str) -> list[str]:
    cur.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'django_migrations')",
        [schema],
    )
    if not cur.fetchone()[0]:  # type: ignore[index]
        return []
    cur.execute(
        sql.SQL("SELECT app || '.' || name FROM {}.django_migrations ORDER BY 1").format(
            sql.Identifier(schema)
        )
    )
    return [row[0] for row in cur.fetchall()]


def _fingerprint(names: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:16]


def code_migrations() -> set[str]:
    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.nodes}


def stats_diff(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """Human-readable differences between two ``schema_stats`` results (empty when identical)."""
    diffs = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            diffs.append(f"{table}: лишняя таблица")
        elif got is None:
            diffs.append(f"{table}: таблицы нет")
        elif want["rows"] != got["rows"]:
            diffs.append(f"{table}: строк {got['rows']}, в копии {want['rows']}")
        elif want["md5"] != got["md5"]:
            diffs.append(f"{table}: строки отличаются (контрольная сумма)")
    return diffs


# --- files ------------------------------------------------------------------------------------------


def _tree_checksums(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(root)): sha256_file(path) for path in sorted(root.rglob("*")) if path.is_file()
    }


def _tar_dir(source: Path, target: Path, arcname: str = ".") -> None:
    with tarfile.open(target, "w") as tar:
        tar.add(source, arcname=arcname)


def _untar(archive: Path, target: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")  # "data": no absolute paths, links out or devices
