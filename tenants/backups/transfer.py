"""One school out as a self-contained archive, and into another deployment."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from tenants.backups.common import (
    FORMAT,
    MANIFEST,
    BackupError,
    Log,
    _run,
    _tar_dir,
    _tree_checksums,
    _untar,
    db_current,
    pg_tool,
    schema_migrations,
    schema_stats,
    sha256_file,
)
from tenants.backups.restore import (
    _drop_schema,
    _media_swap,
    _migrations_check,
    _snapshot_refresh_request,
    _temporary_name,
    _verify_file,
    _verify_schema,
    manifest_read,
    schema_load,
)
from tenants.models import Domain, Membership, Municipality, School, User
from tenants.schema_names import schema_name_generate, schema_name_validate, school_host

logger = logging.getLogger(__name__)

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
