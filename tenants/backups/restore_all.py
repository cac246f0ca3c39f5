"""Everything back from a backup (a lost or damaged database): public, every school, the files — checked.

Into an empty database only: the configured one after ``dropdb``/``createdb``, or a new one (``--into``)
that the operator then switches to (or inspects and drops). Order:

1. the copy is of this deployment, made by this code (or older, with ``--migrate``), and every dump file's
   sha256 matches the manifest — all before anything is written;
2. ``public.dump`` (public and the school template), then each batch of schools with ``pg_restore -j``
   (no single transaction: that would take every school's locks at once; ``synchronous_commit=off``: a
   crash mid-restore just means restoring again into an empty database);
3. every school's tables and public's compared with the manifest (row counts and checksums), in parallel
   connections: any difference fails the restore with the list;
4. the files: each school's folder staged, checked against the manifest's sha256s and swapped in; the
   region's files unpacked;
5. an older copy migrated (``migrate_schools``); the region's snapshot rows marked stale, so beat's repair
   pass recomputes them within minutes; an audit event in the restored database.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from psycopg import sql

from tenants.backups.common import (
    BackupError,
    Db,
    Log,
    _tree_checksums,
    _untar,
    db_current,
    pg_tool,
    schema_stats,
    stats_diff,
)
from tenants.backups.restore import _media_swap, _migrations_check, _verify_file, manifest_read
from tenants.models import AuditEvent

logger = logging.getLogger(__name__)
_DB_NAME_RE = re.compile(r"[a-z][a-z0-9_]{2,62}")


@dataclass
class DatabaseRestoreResult:
    database: str
    schools: int
    batches: int
    files: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # step → seconds
    migrated: int = 0


def database_restore(
    *,
    backup: Path,
    into: str | None = None,
    jobs: int = 2,
    verify: bool = True,
    media_root: Path | None = None,
    migrate: bool = False,
    log: Log = logger.info,
) -> DatabaseRestoreResult:
    """Restore the whole database (and the files) from ``backup`` into an empty database."""
    started = time.monotonic()
    steps: dict[str, float] = {}
    manifest = manifest_read(backup)
    copied_domain = manifest["deployment"]["base_domain"]
    if copied_domain != settings.BASE_DOMAIN:
        raise BackupError(
            f"Копия сделана на другом развёртывании ({copied_domain}), а это — {settings.BASE_DOMAIN}. "
            "Школу между развёртываниями переносят school_export и school_import."
        )
    missing = sorted(
        {
            name
            for state in manifest["migration_states"].values()
            for name in _migrations_check(state, allow_older=migrate)
        }
    )
    dumps = [_verify_file(backup, entry) for entry in (manifest["public"], *manifest["batches"])]
    log(f"копия цела: {len(dumps)} файлов дампа, контрольные суммы совпадают")
    live = db_current()
    target = _target(live, into)
    with target.connect() as conn:
        major = conn.info.server_version // 10000
    pg_restore = pg_tool("pg_restore", major)

    began = time.monotonic()
    _pg_restore(pg_restore, target, dumps[0], jobs=jobs, clean=True)
    steps["public"] = time.monotonic() - began
    log(f"public и шаблон школы: {steps['public']:.1f} с")
    began = time.monotonic()
    for number, dump in enumerate(dumps[1:], start=1):
        _pg_restore(pg_restore, target, dump, jobs=jobs, clean=False)
        log(f"пакет {number}/{len(dumps) - 1}: {time.monotonic() - began:.0f} с с начала школ")
    steps["schools"] = time.monotonic() - began

    if verify:
        began = time.monotonic()
        differences = _verify_all(target, manifest, jobs=jobs)
        steps["verify"] = time.monotonic() - began
        if differences:
            raise BackupError(
                f"Восстановленная база отличается от копии ({len(differences)}): "
                + "; ".join(differences[:10])
            )
        log(f"все таблицы совпадают с манифестом: {steps['verify']:.1f} с")

    media_root = media_root or (Path(settings.MEDIA_ROOT) if into is None else None)
    files = 0
    if media_root is not None:
        began = time.monotonic()
        files = _media_restore(backup, manifest, media_root)
        steps["files"] = time.monotonic() - began
        log(f"файлы: {files} в {media_root}, {steps['files']:.1f} с")
    else:
        log("файлы не восстановлены: для отдельной базы укажите --media-root")

    if missing:
        began = time.monotonic()
        _migrate(target, in_process=into is None)
        steps["migrate"] = time.monotonic() - began
        log(f"миграции, которых не было в копии ({len(missing)}), применены: {steps['migrate']:.1f} с")
    _after(target, backup, manifest, files)
    result = DatabaseRestoreResult(
        database=target.dbname,
        schools=len(manifest["schools"]),
        batches=len(manifest["batches"]),
        files=files,
        seconds=time.monotonic() - started,
        steps=steps,
        migrated=len(missing),
    )
    log(f"база {target.dbname} восстановлена за {result.seconds:.1f} с")
    return result


def _target(live: Db, into: str | None) -> Db:
    if into is None:
        if not _is_empty(live):
            raise BackupError(
                f"База {live.dbname} не пуста. Всё восстанавливается только в пустую базу: остановите "
                "приложение, пересоздайте её (dropdb, createdb) или восстановите в новую (--into <имя>)."
            )
        return live
    if not _DB_NAME_RE.fullmatch(into) or into == live.dbname:
        raise BackupError(f"Недопустимое имя новой базы «{into}» (латиница, цифры, _; не рабочая база).")
    with live.other("postgres").connect(autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [into]).fetchone():
            raise BackupError(f"База «{into}» уже существует: выберите другое имя или удалите её.")
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(into)))
    return live.other(into)


def _is_empty(db: Db) -> bool:
    with db.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%%'"
        ).fetchone()
    return row is not None and row[0] == 0


def _pg_restore(pg_restore: Path, db: Db, dump: Path, *, jobs: int, clean: bool) -> None:
    argv = [str(pg_restore), *db.argv(), "--no-owner", "--no-privileges", f"--dbname={db.dbname}"]
    argv += [f"--jobs={max(1, jobs)}", "--exit-on-error"]
    if clean:  # public.dump creates schema public, which a new database already has
        argv += ["--clean", "--if-exists"]
    env = {**db.env(), "PGOPTIONS": "-c synchronous_commit=off"}
    result = subprocess.run([*argv, str(dump)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore {dump.name} завершился с ошибкой (база {db.dbname} заполнена частично: "
            f"пересоздайте её и повторите): {result.stderr.strip()[-1500:]}"
        )


def _verify_all(db: Db, manifest: dict[str, Any], *, jobs: int) -> list[str]:
    """Every school's and public's tables against the manifest, in ``jobs`` connections."""
    work = [("public", manifest["public"]["tables"])] + [
        (e["schema"], e["tables"]) for e in manifest["schools"]
    ]
    chunks = [work[n :: max(1, jobs)] for n in range(max(1, jobs))]

    def check(chunk: list[tuple[str, dict[str, Any]]]) -> list[str]:
        found = []
        with db.connect() as conn, conn.cursor() as cur:
            for schema, expected in chunk:
                found += [f"{schema}: {diff}" for diff in stats_diff(expected, schema_stats(cur, schema))]
                conn.rollback()  # one short transaction per schema: no locks pile up
        return found

    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        return [diff for found in pool.map(check, chunks) for diff in found]


def _media_restore(backup: Path, manifest: dict[str, Any], media_root: Path) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    files = 0
    for entry in manifest["schools"]:
        media = entry.get("media")
        if not media:
            continue
        staged = media_root / f".restore-{entry['schema']}"
        staged.mkdir()
        try:
            _untar(backup / media["file"], staged)
            if _tree_checksums(staged) != media["files"]:
                raise BackupError(f"Файлы школы «{entry['slug']}» в копии не совпадают с манифестом.")
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        _media_swap(staged, media_root / entry["schema"])
        files += len(media["files"])
    rest = manifest.get("media_rest")
    if rest:  # the region's own files (report templates, exports): unpacked as they were
        _untar(backup / rest["file"], media_root)
        with tarfile.open(backup / rest["file"]) as tar:
            files += sum(1 for member in tar.getmembers() if member.isfile())
    return files


def _migrate(db: Db, *, in_process: bool) -> None:
    if in_process:
        from django.core.management import call_command

        call_command("migrate_schools", verbosity=0)
        return
    password = f":{quote(db.password)}" if db.password else ""
    url = f"postgres://{quote(db.user)}{password}@{db.host}:{db.port}/{db.dbname}"
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    result = subprocess.run(
        [sys.executable, manage, "migrate_schools", "-v", "0"],
        env={**db.env(), "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"migrate_schools в базе {db.dbname}: {result.stderr.strip()[-1500:]}")


def _after(db: Db, backup: Path, manifest: dict[str, Any], files: int) -> None:
    """The region's snapshots recomputed by beat's repair pass; an audit event in the restored database."""
    details = {"backup": backup.name, "schools": len(manifest["schools"]), "files": files}
    snapshots = apps.get_model(
        "regional", "SchoolSnapshot"
    )._meta.db_table  # by name: tenants never imports regional
    with db.connect() as conn:
        # A stamp older than the repair pass's threshold: recomputed at its next run (every 5 min).
        conn.execute(
            sql.SQL("UPDATE public.{} SET requested_at = now() - interval '1 hour'").format(
                sql.Identifier(snapshots)
            )
        )
        conn.execute(
            sql.SQL(
                "INSERT INTO public.{} (action, object_type, object_id, object_repr, details, at) "
                "VALUES ('database.restore', 'database', %s, %s, %s::jsonb, now())"
            ).format(sql.Identifier(AuditEvent._meta.db_table)),
            [db.dbname[:50], f"База {db.dbname} из копии {backup.name}", json.dumps(details)],
        )
        conn.commit()
