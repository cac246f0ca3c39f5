"""Making a backup: one exported snapshot, pg_dump in lock-sized batches of schools, files, a manifest."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import shutil
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from psycopg import sql

from tenants.backups.common import (
    _REST_MEDIA,
    FORMAT,
    KEEP_DEFAULT,
    LOCK_SHARE,
    MANIFEST,
    STAMP_FORMAT,
    STAMP_RE,
    BackupError,
    Log,
    _fingerprint,
    _run,
    _tar_dir,
    _tree_checksums,
    backup_root,
    db_current,
    pg_tool,
    schema_migrations,
    schema_stats,
    sha256_file,
)
from tenants.models import Domain, Membership, School, User
from tenants.schema_names import TEMPLATE_SCHEMA

logger = logging.getLogger(__name__)

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
