"""One school back from a backup: its schema under a temporary name, checked, swapped in one transaction."""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context
from psycopg import sql

from tenants.backups.common import (
    FORMAT,
    MANIFEST,
    RESTORE_PREFIX,
    BackupError,
    Db,
    Log,
    _run,
    _tree_checksums,
    _untar,
    code_migrations,
    db_current,
    pg_tool,
    schema_stats,
    sha256_file,
    stats_diff,
)
from tenants.models import Domain, Membership, School, User
from tenants.schema_names import schema_name_validate

logger = logging.getLogger(__name__)

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
