"""Backups that work at 3,000 schools, and one school out of (or into) them.

**Why batches and not one ``pg_dump`` of the database.** One ``pg_dump`` takes an ACCESS SHARE lock on every
table of every school in one transaction: about 22 tables a school, 66,000 lock slots at 3,000 schools,
while the shared lock table holds ``max_locks_per_transaction × (max_connections + max_prepared_transactions)``
entries (6,400 with PostgreSQL's defaults, 51,200 with the 512 × 100 the deploy notes used to suggest). A
setting sized for N schools works only until the region grows past it, and needs a server restart each time.
So a backup here is one exported snapshot (``pg_export_snapshot``, held open by a read-only transaction
that takes no table locks) and a series of ``pg_dump --snapshot`` runs: ``public`` (with the template
schema), then the schools in batches sized from the server's *actual* lock table (a share of it, so the
live application keeps its locks). Each batch's locks are released when its ``pg_dump`` ends. All dumps
see the same instant, exactly as one ``pg_dump`` would, whatever the number of schools, with stock
settings. A school's schema is found in the manifest with the batch file that holds it, so restoring one
school reads one batch, not the whole database.

**The manifest** (``manifest.json``) records the deployment (base domain, database), the server and tool
versions, every school (id, slug, ИНН, schema, its public rows: School, Domain, memberships), per table of
every schema its row count and an order-independent checksum (computed in the same snapshot as the dump),
the migrations each schema had, the sha256 of every dump file and of every uploaded file.

**Files** (``MEDIA_ROOT/<schema>/…``) are copied after the database snapshot, one tar per school and one for
everything else (region files), so every file a backed-up row refers to was already written.

**One school back** (``school_restore``): the school's schema is rebuilt under a temporary name from its batch
(DDL with the name replaced, the data streamed with COPY, then indexes and constraints), in one transaction;
checked against the manifest (row counts and checksums, 0 differences or nothing happens); then, in one
transaction, the damaged schema is renamed away, the restored one takes its name, the old one is dropped,
the School/Domain rows come back if they were deleted, and an audit event is written. Files follow.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context
from psycopg import sql

from config.embedded_postgres import postgres_bin
from tenants.models import Domain, Membership, Municipality, School, User
from tenants.schema_names import TEMPLATE_SCHEMA, schema_name_generate, schema_name_validate, school_host

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


# --- backup ---------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    seconds: float
    bytes: int
    schools: int
    batches: int
    removed: list[str] = field(default_factory=list)


def _lock_slots(cur: psycopg.Cursor[Any]) -> int:
    cur.execute(
        "SELECT current_setting('max_locks_per_transaction')::int * (current_setting('max_connections')::int"
        " + current_setting('max_prepared_transactions')::int)"
    )
    return int(cur.fetchone()[0])  # type: ignore[index]


def _plan_batches(costs: list[tuple[str, int]], budget: int, per_batch: int | None) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    used = 0
    for schema, cost in costs:
        full = per_batch is not None and len(current) >= per_batch
        if current and (used + cost > budget or full):
            batches.append(current)
            current, used = [], 0
        current.append(schema)
        used += cost
    if current:
        batches.append(current)
    return batches


@contextlib.contextmanager
def _root_locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BackupError(f"В {root} уже идёт другое резервное копирование.") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def backups_list(root: Path | None = None) -> list[Path]:
    root = root or backup_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and STAMP_RE.fullmatch(p.name))


def backup_create(
    *,
    root: Path | None = None,
    keep: int | None = KEEP_DEFAULT,
    schools_per_batch: int | None = None,
    log: Log = logger.info,
) -> BackupResult:
    """A full backup (database + files) into ``root/<UTC stamp>/``; the oldest beyond ``keep`` are removed."""
    root = root or backup_root()
    started = time.monotonic()
    with _root_locked(root):
        for stale in root.glob("*.partial"):  # left by a backup that died: never counted as a backup
            shutil.rmtree(stale, ignore_errors=True)
        stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
        while (root / stamp).exists():
            time.sleep(1)
            stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
        work = root / f"{stamp}.partial"
        (work / "schools").mkdir(parents=True)
        manifest, batches = _dump_database(work, schools_per_batch=schools_per_batch, log=log)
        _copy_media(work, manifest, log=log)
        manifest["finished_at"] = datetime.now(UTC).isoformat()
        manifest["seconds"] = round(time.monotonic() - started, 2)
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        final = root / stamp
        work.rename(final)  # only a complete backup carries a stamp name
        removed = backups_prune(root, keep) if keep else []
    size = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    return BackupResult(final, time.monotonic() - started, size, len(manifest["schools"]), batches, removed)


def backups_prune(root: Path, keep: int) -> list[str]:
    """Keep the newest ``keep`` complete backups."""
    existing = backups_list(root)
    doomed = existing[:-keep] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return [p.name for p in doomed]


def _public_rows(cur: psycopg.Cursor[Any]) -> tuple[list[dict[str, Any]], dict[int, list], dict[int, list]]:
    school_t, domain_t = School._meta.db_table, Domain._meta.db_table
    member_t, user_t = Membership._meta.db_table, User._meta.db_table
    cur.execute(
        sql.SQL("SELECT row_to_json(s) FROM public.{} s ORDER BY s.id").format(sql.Identifier(school_t))
    )
    schools = [row[0] for row in cur.fetchall()]
    domains: dict[int, list] = {}
    cur.execute(
        sql.SQL("SELECT row_to_json(d) FROM public.{} d ORDER BY d.id").format(sql.Identifier(domain_t))
    )
    for (row,) in cur.fetchall():
        domains.setdefault(row["tenant_id"], []).append(row)
    members: dict[int, list] = {}
    cur.execute(
        sql.SQL(
            "SELECT row_to_json(m), u.email FROM public.{} m JOIN public.{} u ON u.id = m.user_id "
            "WHERE m.school_id IS NOT NULL ORDER BY m.id"
        ).format(sql.Identifier(member_t), sql.Identifier(user_t))
    )
    for row, email in cur.fetchall():
        members.setdefault(row["school_id"], []).append({"row": row, "email": email})
    return schools, domains, members


def _dump_database(work: Path, *, schools_per_batch: int | None, log: Log) -> tuple[dict[str, Any], int]:
    db = db_current()
    with db.connect(autocommit=True) as snap, snap.cursor() as cur:
        # The snapshot every dump shares; this transaction takes no table locks and stays open until the end.
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int, version()")
        snapshot_id, version_num, version_text = cur.fetchone()  # type: ignore[misc]
        major = version_num // 10000
        pg_dump = pg_tool("pg_dump", major)
        schools, domains, members = _public_rows(cur)
        cur.execute("SELECT nspname FROM pg_namespace")
        existing = {row[0] for row in cur.fetchall()}
        with_schema = [s for s in schools if s["schema_name"] in existing]
        cur.execute(
            "SELECT n.nspname, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f') GROUP BY 1",
            [[s["schema_name"] for s in with_schema]],
        )
        costs = dict(cur.fetchall())
        slots = _lock_slots(cur)
        budget = max(64, int(slots * LOCK_SHARE))
        plan = _plan_batches(
            [(s["schema_name"], costs.get(s["schema_name"], 0)) for s in with_schema],
            budget,
            schools_per_batch,
        )
        log(f"{len(with_schema)} школ, {len(plan)} пакетов; блокировок на пакет не более {budget} из {slots}")

        def dump(target: Path, schemas: list[str]) -> dict[str, Any]:
            begun = time.monotonic()
            argv = [
                str(pg_dump),
                *db.argv(),
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
            ]
            argv += [f"--schema={name}" for name in schemas]
            _run([*argv, db.dbname], db)
            return {
                "file": str(target.relative_to(work)),
                "sha256": sha256_file(target),
                "bytes": target.stat().st_size,
                "seconds": round(time.monotonic() - begun, 2),
            }

        public_schemas = ["public"] + ([TEMPLATE_SCHEMA] if TEMPLATE_SCHEMA in existing else [])
        public_entry = dump(work / "public.dump", public_schemas)
        public_entry["schemas"] = public_schemas
        with db.connect(autocommit=True) as reader, reader.cursor() as rcur:

            def in_snapshot() -> None:
                rcur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                rcur.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot_id)))

            in_snapshot()
            public_entry["tables"] = schema_stats(rcur, "public")
            rcur.execute("COMMIT")
            migration_states: dict[str, list[str]] = {}
            entries: dict[str, dict[str, Any]] = {}
            batches = []
            for number, schemas in enumerate(plan, start=1):
                batch = dump(work / "schools" / f"batch-{number:04d}.dump", schemas)
                batch["schools"] = len(schemas)
                batch["locks"] = sum(costs.get(s, 0) for s in schemas)
                batches.append(batch)
                in_snapshot()  # stats of this batch in the dumps' snapshot; locks released at COMMIT
                for schema in schemas:
                    applied = schema_migrations(rcur, schema)
                    state = _fingerprint(applied)
                    migration_states.setdefault(state, applied)
                    entries[schema] = {
                        "tables": schema_stats(rcur, schema),
                        "migrations": state,
                        "batch": batch["file"],
                    }
                rcur.execute("COMMIT")
                log(
                    f"пакет {number}/{len(plan)}: {len(schemas)} школ, {batch['bytes']} байт, {batch['seconds']} с"
                )
        cur.execute("COMMIT")

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": "backup",
        "created_at": datetime.now(UTC).isoformat(),
        "deployment": {"base_domain": settings.BASE_DOMAIN, "database": db.dbname},
        "postgres": {"server": version_text, "server_major": major, "pg_dump": str(pg_dump)},
        "lock_slots": slots,
        "lock_budget_per_batch": budget,
        "public": public_entry,
        "batches": batches,
        "migration_states": migration_states,
        "schools": [
            {
                "id": s["id"],
                "slug": s["slug"],
                "inn": s["inn"],
                "name": s["short_name"],
                "schema": s["schema_name"],
                "row": s,
                "domains": domains.get(s["id"], []),
                "memberships": members.get(s["id"], []),
                **entries[s["schema_name"]],
            }
            for s in with_schema
        ],
        "schools_without_schema": [s["slug"] for s in schools if s["schema_name"] not in existing],
    }
    return manifest, len(plan)


def _copy_media(work: Path, manifest: dict[str, Any], *, log: Log) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    out = work / "media"
    out.mkdir()
    by_schema = {entry["schema"]: entry for entry in manifest["schools"]}
    rest: list[Path] = []
    for path in sorted(media_root.iterdir()) if media_root.is_dir() else []:
        entry = by_schema.get(path.name)
        if entry is None or not path.is_dir():
            rest.append(path)
            continue
        archive = out / f"{path.name}.tar"
        _tar_dir(path, archive)
        entry["media"] = {"file": f"media/{archive.name}", "files": _tree_checksums(path)}
    if rest:
        archive = out / f"{_REST_MEDIA}.tar"
        with tarfile.open(archive, "w") as tar:
            for path in rest:
                tar.add(path, arcname=path.name)
        manifest["media_rest"] = {"file": f"media/{archive.name}", "entries": [p.name for p in rest]}
    log(f"файлы: {sum(1 for e in manifest['schools'] if 'media' in e)} школ с файлами")


# --- reading a backup -------------------------------------------------------------------------------------


def manifest_read(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder}: нет {MANIFEST} — это не резервная копия Наставника (или она неполная).")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: формат копии {manifest.get('format')}, ожидается {FORMAT}.")
    return manifest


def _verify_file(folder: Path, entry: dict[str, Any]) -> Path:
    path = folder / entry["file"]
    if not path.is_file() or sha256_file(path) != entry["sha256"]:
        raise BackupError(
            f"Файл копии {entry['file']} повреждён или отсутствует (контрольная сумма не совпадает)."
        )
    return path


def _migrations_check(applied: list[str], *, allow_older: bool) -> list[str]:
    """Refuse a copy made by other code; returns the migrations the copy lacks (to apply after loading)."""
    expected = code_migrations()
    newer = sorted(set(applied) - expected)
    if newer:
        raise BackupError(
            "Копия сделана более новой версией программы: в ней есть миграции, которых нет в коде "
            f"({', '.join(newer[:5])}{'…' if len(newer) > 5 else ''}). Обновите программу до той версии."
        )
    missing = sorted(expected - set(applied))
    if missing and not allow_older:
        raise BackupError(
            f"Копия сделана на более старой схеме базы (не хватает {len(missing)} миграций, например "
            f"{missing[0]}). Повторите с --migrate, чтобы после загрузки применить их, или восстановите "
            "в отдельную базу (--into-scratch) для просмотра."
        )
    return missing


# --- loading one schema under any name, in one transaction ----------------------------------------------


_SKIP_LINE = ("--", "\\", "SET ", "SELECT pg_catalog.set_config")


def _restore_script(pg_restore: Path, dump: Path, schema: str, section: str, db: Db) -> str:
    argv = [
        str(pg_restore),
        f"--section={section}",
        f"--schema={schema}",
        "--no-owner",
        "--no-privileges",
        "--file=-",
        str(dump),
    ]
    text = _run(argv, db).stdout
    kept = [line for line in text.splitlines() if not line.strip().startswith(_SKIP_LINE)]
    script = "\n".join(kept).strip()
    return re.sub(r"(?m)^CREATE SCHEMA [^;]*;$", "", script)


def schema_load(*, db: Db, pg_restore: Path, dump: Path, source: str, target: str) -> None:
    """Create schema ``target`` from ``source``'s part of a dump: DDL, data (COPY), indexes and constraints.

    One transaction: the schema is created whole or not at all. The name is replaced in the DDL (as
    provisioning does with the template); the data lines are passed to COPY untouched.
    """
    schema_name_validate(target)
    rename = re.compile(rf"\b{re.escape(source)}\b")
    pre = rename.sub(target, _restore_script(pg_restore, dump, source, "pre-data", db))
    post = rename.sub(target, _restore_script(pg_restore, dump, source, "post-data", db))
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(target)))
        if pre:
            cur.execute(pre.encode())
        _copy_data(cur, pg_restore, dump, source, rename, target, db)
        if post:
            cur.execute(post.encode())
        conn.commit()


def _copy_data(
    cur: psycopg.Cursor[Any],
    pg_restore: Path,
    dump: Path,
    source: str,
    rename: re.Pattern[str],
    target: str,
    db: Db,
) -> None:
    argv = [str(pg_restore), "--data-only", f"--schema={source}", "--file=-", str(dump)]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, env=db.env())
        if proc.stdout is None:
            raise BackupError("pg_restore: нет вывода")
        lines = iter(proc.stdout)
        for raw in lines:
            if raw.startswith(b"COPY "):
                header = rename.sub(target, raw.decode().rstrip().rstrip(";"))
                with cur.copy(header.encode()) as copy:
                    for data in lines:
                        if data == b"\\.\n":
                            break
                        copy.write(data)
            elif raw.startswith(b"SELECT pg_catalog.setval("):
                cur.execute(rename.sub(target, raw.decode()).encode())
        if proc.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore завершился с ошибкой: {errors.read().decode()[-2000:]}")


def _drop_schema(db: Db, schema: str) -> None:
    schema_name_validate(schema)
    with db.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _verify_schema(db: Db, schema: str, expected: dict[str, dict[str, Any]]) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        diffs = stats_diff(expected, schema_stats(cur, schema))
    if diffs:
        raise BackupError("Восстановленная схема не совпадает с копией: " + "; ".join(diffs[:10]))


def _temporary_name() -> str:
    return f"{RESTORE_PREFIX}{secrets.token_hex(6)}"


# --- one school from a backup -----------------------------------------------------------------------------


@dataclass
class RestoreResult:
    slug: str
    schema: str
    target: str  # "live" or the scratch database's name
    tables: int
    rows: int
    files: int
    seconds: float
    school_row_recreated: bool = False
    migrated: list[str] = field(default_factory=list)


def _school_entry(manifest: dict[str, Any], slug: str) -> dict[str, Any]:
    for entry in manifest["schools"]:
        if entry["slug"] == slug:
            return entry
    raise BackupError(f"В копии нет школы с адресом «{slug}».")


def _refuse_mismatch(manifest: dict[str, Any], entry: dict[str, Any]) -> School | None:
    """The live school this copy would replace, after every check that it is the same school."""
    copied_domain = manifest["deployment"]["base_domain"]
    if copied_domain != settings.BASE_DOMAIN:
        raise BackupError(
            f"Копия сделана на другом развёртывании ({copied_domain}), а это — {settings.BASE_DOMAIN}. "
            "Чтобы перенести школу между развёртываниями, используйте school_export и school_import."
        )
    live = School.objects.filter(slug=entry["slug"]).first()
    if live is not None and (
        live.schema_name != entry["schema"] or live.inn != entry["inn"] or live.pk != entry["id"]
    ):
        raise BackupError(
            f"Школа с адресом «{entry['slug']}» сейчас — другая школа (ИНН {live.inn or '—'}, схема "
            f"{live.schema_name}), а в копии — ИНН {entry['inn'] or '—'}, схема {entry['schema']}. "
            "Восстановление отменено."
        )
    if live is None:
        clash = (
            School.objects.filter(pk=entry["id"]).first()
            or School.objects.filter(schema_name=entry["schema"]).first()
        )
        if clash is not None:
            raise BackupError(
                f"Школы «{entry['slug']}» нет, но её номер или схема заняты школой «{clash.slug}». "
                "Восстановление отменено."
            )
    return live


def school_restore(
    *,
    backup: Path,
    slug: str,
    into_scratch: str | None = None,
    migrate: bool = False,
    actor: User | None = None,
    log: Log = logger.info,
) -> RestoreResult:
    """Restore one school from a backup folder into the live database (or a scratch database)."""
    from tenants.services import audit_record

    started = time.monotonic()
    manifest = manifest_read(backup)
    entry = _school_entry(manifest, slug)
    live = _refuse_mismatch(manifest, entry)
    applied = manifest["migration_states"][entry["migrations"]]
    batch_entry = next(b for b in manifest["batches"] if b["file"] == entry["batch"])
    dump = _verify_file(backup, batch_entry)
    db = db_current()
    with db.connect() as conn:
        major = conn.info.server_version // 10000
    pg_restore = pg_tool("pg_restore", major)
    totals = (len(entry["tables"]), sum(t["rows"] for t in entry["tables"].values()))
    files = len(entry.get("media", {}).get("files", {}))

    if into_scratch:
        _migrations_check(applied, allow_older=True)  # inspection only: an older schema is fine to look at
        _restore_into_scratch(backup, manifest, entry, db, pg_restore, dump, into_scratch, log=log)
        audit_record(
            actor=actor,
            action="school.restore_scratch",
            obj=live or School(pk=entry["id"], short_name=entry["name"]),
            details={"backup": backup.name, "slug": slug, "database": into_scratch},
        )
        return RestoreResult(slug, entry["schema"], into_scratch, *totals, files, time.monotonic() - started)

    missing = _migrations_check(applied, allow_older=migrate)
    schema = entry["schema"]
    temporary = _temporary_name()
    media_root = Path(settings.MEDIA_ROOT)
    staged_media = media_root / f".{temporary}"
    log(f"загрузка схемы {schema} во временную {temporary}")
    try:
        schema_load(db=db, pg_restore=pg_restore, dump=dump, source=schema, target=temporary)
        _verify_schema(db, temporary, entry["tables"])
        log("строки и контрольные суммы совпадают с копией")
        if missing:
            from django.core.management import call_command

            call_command(
                "migrate_schemas", tenant=True, schema_name=temporary, interactive=False, verbosity=0
            )
            log(f"применены миграции: {len(missing)}")
        _stage_media(backup, entry, staged_media)
        recreated = _swap_in(
            entry=entry,
            temporary=temporary,
            live=live,
            actor=actor,
            details={"backup": backup.name, "tables": totals[0], "rows": totals[1], "files": files},
            audit=audit_record,
        )
    except BaseException:
        _drop_schema(db, temporary)
        shutil.rmtree(staged_media, ignore_errors=True)
        raise
    _media_swap(staged_media, media_root / schema)
    _snapshot_refresh_request(entry["id"], schema)
    result = RestoreResult(
        slug, schema, "live", *totals, files, time.monotonic() - started, recreated, missing
    )
    log(f"школа «{slug}» восстановлена за {result.seconds:.2f} с")
    return result


def _stage_media(backup: Path, entry: dict[str, Any], staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    media = entry.get("media")
    if not media:
        return
    _untar(backup / media["file"], staged)
    actual = _tree_checksums(staged)
    if actual != media["files"]:
        raise BackupError("Файлы школы в копии не совпадают с манифестом (контрольные суммы).")


def _media_swap(staged: Path, live: Path) -> None:
    """Files follow the database: the restored folder takes the school's place, the old one goes."""
    old = live.with_name(f".{live.name}.old-{secrets.token_hex(4)}")
    if live.exists():
        live.rename(old)
    staged.rename(live)
    shutil.rmtree(old, ignore_errors=True)


def _swap_in(
    *,
    entry: dict[str, Any],
    temporary: str,
    live: School | None,
    actor: User | None,
    details: dict[str, Any],
    audit: Callable[..., Any],
) -> bool:
    """One transaction: the damaged schema leaves, the restored one takes its name, public rows come back."""
    schema = entry["schema"]
    schema_name_validate(schema)
    aside = _temporary_name()
    recreated = False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema])
        if cursor.fetchone()[0]:
            cursor.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"')
        cursor.execute(f'ALTER SCHEMA "{temporary}" RENAME TO "{schema}"')
        cursor.execute(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE')
        if live is None:
            try:
                with transaction.atomic():
                    _public_rows_restore(cursor, entry)
            except DatabaseError as error:  # e.g. public changed shape since the copy: nothing is swapped
                raise BackupError(f"Не удалось вернуть строки школы в public: {error}") from error
            recreated = True
        school = School.objects.get(pk=entry["id"])
        audit(
            actor=actor, action="school.restore", obj=school, details={**details, "row_recreated": recreated}
        )
    return recreated


def _insert_json(cursor: Any, table: str, row: dict[str, Any]) -> None:
    cursor.execute(
        f'INSERT INTO public."{table}" SELECT * FROM json_populate_record(NULL::public."{table}", %s::json) '  # noqa: S608
        "ON CONFLICT DO NOTHING",
        [json.dumps(row)],
    )


def _public_rows_restore(cursor: Any, entry: dict[str, Any]) -> None:
    """The school was deleted: its School and Domain rows, and the memberships of users that still exist."""
    _insert_json(cursor, School._meta.db_table, entry["row"])
    for domain in entry["domains"]:
        _insert_json(cursor, Domain._meta.db_table, domain)
    existing = set(
        User.objects.filter(pk__in=[m["row"]["user_id"] for m in entry["memberships"]]).values_list(
            "pk", flat=True
        )
    )
    for member in entry["memberships"]:
        if member["row"]["user_id"] in existing:
            _insert_json(cursor, Membership._meta.db_table, member["row"])
    for model in (School, Domain, Membership):  # ids came from the copy: move the sequences past them
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM public.\"{table}\"), 1))",  # noqa: S608
            [f'public."{table}"'],
        )


def _snapshot_refresh_request(school_id: int, schema: str) -> None:
    """The region's row for the school is stale now: mark it, and ask the worker to recompute it."""
    from config.celery import app

    snapshot = apps.get_model("regional", "SchoolSnapshot")
    snapshot.objects.filter(school_id=school_id).update(requested_at=datetime.now(UTC))
    try:
        app.loader.import_default_modules()  # the apps' tasks modules (registered by name, no import here)
        task = app.tasks.get("regional.snapshot_refresh")
        if task is not None:
            # Sent from the school's schema: tenant-schemas-celery names it in the message (and an eager
            # run, as in tests, runs in it).
            with schema_context(schema):
                task.apply_async()
        else:
            app.send_task("regional.snapshot_refresh", headers={"_schema_name": schema})
    except Exception:  # the broker is down: the stamp stays, the periodic repair refreshes it
        logger.exception("Could not queue the snapshot refresh of %s", schema)


def _restore_into_scratch(
    backup: Path,
    manifest: dict[str, Any],
    entry: dict[str, Any],
    db: Db,
    pg_restore: Path,
    dump: Path,
    scratch: str,
    *,
    log: Log,
) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{2,62}", scratch) or scratch == db.dbname:
        raise BackupError(
            f"Недопустимое имя отдельной базы «{scratch}» (латиница, цифры, _; не рабочая база)."
        )
    with db.other("postgres").connect(autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch]).fetchone():
            raise BackupError(f"База «{scratch}» уже существует: выберите другое имя или удалите её.")
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    target = db.other(scratch)
    public = _verify_file(backup, manifest["public"])
    # Public first (the school's rows and accounts live there), then the school's schema.
    result = subprocess.run(
        [
            str(pg_restore),
            *target.argv(),
            "--no-owner",
            "--no-privileges",
            f"--dbname={scratch}",
            str(public),
        ],
        capture_output=True,
        text=True,
        env=target.env(),
    )
    if result.returncode != 0:
        log(f"pg_restore public: предупреждения: {result.stderr.strip()[-500:]}")
    schema_load(db=target, pg_restore=pg_restore, dump=dump, source=entry["schema"], target=entry["schema"])
    _verify_schema(target, entry["schema"], entry["tables"])
    log(f"школа «{entry['slug']}» загружена в базу {scratch}: строки и контрольные суммы совпадают с копией")


# --- one school out, and into another deployment -----------------------------------------------------------


def _person_table() -> str:
    return str(apps.get_model("core", "Person")._meta.db_table)


def school_export(
    *, slug: str, out: Path, actor: User | None = None, log: Log = logger.info
) -> dict[str, Any]:
    """A self-contained archive of one school: schema dump, files, its public rows, a manifest."""
    from tenants.services import audit_record

    school = School.objects.filter(slug=slug).first()
    if school is None:
        raise BackupError(f"Школы с адресом «{slug}» нет.")
    db = db_current()
    with tempfile.TemporaryDirectory(prefix="nastavnik-export-") as tmp:
        folder = Path(tmp)
        with db.connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int, version()")
            snapshot_id, version_num, version_text = cur.fetchone()  # type: ignore[misc]
            cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [school.schema_name])
            if cur.fetchone() is None:
                raise BackupError(f"У школы «{slug}» нет схемы: выгружать нечего.")
            pg_dump = pg_tool("pg_dump", version_num // 10000)
            dump = folder / "school.dump"
            _run(
                [
                    str(pg_dump),
                    *db.argv(),
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={dump}",
                    f"--schema={school.schema_name}",
                    db.dbname,
                ],
                db,
            )
            tables = schema_stats(cur, school.schema_name)
            applied = schema_migrations(cur, school.schema_name)
            cur.execute(
                sql.SQL("SELECT DISTINCT user_id FROM {}.{} WHERE user_id IS NOT NULL").format(
                    sql.Identifier(school.schema_name), sql.Identifier(_person_table())
                )
            )
            person_users = [row[0] for row in cur.fetchall()]
            cur.execute("COMMIT")
        members = Membership.objects.filter(school=school).select_related("user")
        user_ids = set(person_users) | {m.user_id for m in members}
        users = {
            str(u.pk): {
                "email": u.email,
                "last_name": u.last_name,
                "first_name": u.first_name,
                "middle_name": u.middle_name,
            }
            for u in User.objects.filter(pk__in=user_ids)
        }
        media_dir = Path(settings.MEDIA_ROOT) / school.schema_name
        media_files = _tree_checksums(media_dir)
        if media_dir.is_dir():
            _tar_dir(media_dir, folder / "media.tar")
        manifest = {
            "format": FORMAT,
            "kind": "school-export",
            "created_at": datetime.now(UTC).isoformat(),
            "deployment": {"base_domain": settings.BASE_DOMAIN, "database": db.dbname},
            "postgres": {"server": version_text, "server_major": version_num // 10000},
            "school": {
                "slug": school.slug,
                "schema": school.schema_name,
                "inn": school.inn,
                "name": school.name,
                "short_name": school.short_name,
                "ogrn": school.ogrn,
                "kpp": school.kpp,
                "kind": school.kind,
                "status": school.status,
                "curator_email": school.curator_email,
                "municipality": school.municipality.name,
            },
            "dump": {"file": "school.dump", "sha256": sha256_file(dump)},
            "tables": tables,
            "migrations": applied,
            "media": {"file": "media.tar", "files": media_files} if media_files else None,
            "users": users,
            "memberships": [{"user": str(m.user_id), "role": m.role} for m in members],
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        out.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(out, "w") as tar:
            for name in sorted(os.listdir(folder)):
                tar.add(folder / name, arcname=name)
    audit_record(
        actor=actor, action="school.export", obj=school, details={"file": out.name, "tables": len(tables)}
    )
    log(f"школа «{slug}» выгружена в {out}: {len(tables)} таблиц, {len(media_files)} файлов")
    return manifest


def school_import(
    *,
    archive: Path,
    slug: str | None = None,
    municipality: str | None = None,
    migrate: bool = False,
    actor: User | None = None,
    log: Log = logger.info,
) -> School:
    """Bring a school exported elsewhere into this deployment: a new School row, schema and files."""
    from tenants.schema_names import slug_validate
    from tenants.services import audit_record

    with tempfile.TemporaryDirectory(prefix="nastavnik-import-") as tmp:
        folder = Path(tmp)
        try:
            _untar(archive, folder)
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{archive}: не архив школы ({error}).") from error
        manifest = manifest_read(folder)
        if manifest.get("kind") != "school-export":
            raise BackupError(f"{archive}: это не выгрузка школы (school_export).")
        info = manifest["school"]
        slug = slug or info["slug"]
        slug_validate(slug)
        if School.objects.filter(slug=slug).exists():
            raise BackupError(f"Адрес «{slug}» уже занят в этом развёртывании: укажите другой (--slug).")
        if info["inn"] and School.objects.filter(inn=info["inn"]).exists():
            raise BackupError(f"Школа с ИНН {info['inn']} уже подключена в этом развёртывании.")
        area_name = municipality or info["municipality"]
        area = Municipality.objects.filter(name=area_name).first()
        if area is None:
            raise BackupError(
                f"Муниципалитета «{area_name}» здесь нет: укажите существующий (--municipality)."
            )
        missing = _migrations_check(manifest["migrations"], allow_older=migrate)
        dump = _verify_file(folder, manifest["dump"])
        db = db_current()
        with db.connect() as conn:
            pg_restore = pg_tool("pg_restore", conn.info.server_version // 10000)
        schema, temporary = schema_name_generate(), _temporary_name()
        staged = Path(settings.MEDIA_ROOT) / f".{temporary}"
        try:
            schema_load(db=db, pg_restore=pg_restore, dump=dump, source=info["schema"], target=temporary)
            _verify_schema(db, temporary, manifest["tables"])
            if missing:
                from django.core.management import call_command

                call_command(
                    "migrate_schemas", tenant=True, schema_name=temporary, interactive=False, verbosity=0
                )
            shutil.rmtree(staged, ignore_errors=True)
            staged.mkdir(parents=True)
            if manifest["media"]:
                _untar(folder / manifest["media"]["file"], staged)
                if _tree_checksums(staged) != manifest["media"]["files"]:
                    raise BackupError("Файлы школы в архиве не совпадают с манифестом (контрольные суммы).")
            school = _import_rows(manifest, info, slug, area, schema, temporary, actor, audit_record)
        except BaseException:
            _drop_schema(db, temporary)
            shutil.rmtree(staged, ignore_errors=True)
            raise
    _media_swap(staged, Path(settings.MEDIA_ROOT) / schema)
    _snapshot_refresh_request(school.pk, schema)
    log(f"школа «{slug}» загружена: схема {schema}")
    return school


def _import_rows(
    manifest: dict[str, Any],
    info: dict[str, Any],
    slug: str,
    area: Municipality,
    schema: str,
    temporary: str,
    actor: User | None,
    audit: Callable[..., Any],
) -> School:
    """One transaction: the schema takes its new name, the School and Domain rows, user links by e-mail."""
    schema_name_validate(schema)
    emails = {old: u["email"] for old, u in manifest["users"].items()}
    here = dict(User.objects.filter(email__in=emails.values()).values_list("email", "pk"))
    mapping = {int(old): here.get(email) for old, email in emails.items()}
    now = datetime.now(UTC)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{temporary}" RENAME TO "{schema}"')
            person = _person_table()
            # Accounts are per deployment: a person keeps the link only to the account with the same e-mail here.
            for old, new in mapping.items():
                update = f'UPDATE "{schema}"."{person}" SET user_id = %s WHERE user_id = %s'  # noqa: S608
                cursor.execute(update, [new, old])
        school = School.objects.create(
            schema_name=schema,
            slug=slug,
            name=info["name"],
            short_name=info["short_name"],
            inn=info["inn"],
            ogrn=info["ogrn"],
            kpp=info["kpp"],
            kind=info["kind"],
            municipality=area,
            curator_email=info["curator_email"],
            status=School.Status.ACTIVE
            if info["status"] != School.Status.ARCHIVED
            else School.Status.ARCHIVED,
            activated_at=now,
        )
        Domain.objects.create(domain=school_host(slug), tenant=school, is_primary=True)
        linked = 0
        for member in manifest["memberships"]:
            user_id = mapping.get(int(member["user"]))
            if user_id is not None:
                Membership.objects.get_or_create(user_id=user_id, role=member["role"], school=school)
                linked += 1
        audit(
            actor=actor,
            action="school.import",
            obj=school,
            details={
                "from": manifest["deployment"]["base_domain"],
                "slug": info["slug"],
                "schema": schema,
                "memberships_linked": linked,
                "memberships_total": len(manifest["memberships"]),
            },
        )
    return school
