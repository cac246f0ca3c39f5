"""Creating school schemas fast: replay a pre-migrated template's DDL instead of running every migration.

The template schema (TEMPLATE_SCHEMA) is migrated like a school and dumped once per migration state
(``pg_dump --schema-only``); the statements are stored in ``SchemaTemplate``. A new school's schema is that
DDL with the template's name replaced, plus the template's few data rows (django_migrations,
content types), run in one transaction: a schema is created whole or not at all.

django-tenants' ``migrate_schemas`` does not migrate the template (django-tenants #1154), so the template is
checked against the code's migrations (a fingerprint) before each use and refreshed when it is stale;
``migrate_schools`` migrates it first of all schemas (``template_in_step``). A refresh holds an exclusive
advisory lock and a clone a shared one, so a clone never pairs the old DDL with the new template's rows.
"""

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import QuerySet
from django_tenants.utils import schema_exists

from config.embedded_postgres import postgres_bin
from tenants.models import SchemaTemplate, School
from tenants.schema_names import TEMPLATE_SCHEMA, schema_name_validate

_ADVISORY_LOCK_KEY = 7_305_001  # serialises template refreshes across processes
_TEMPLATE_RE = re.compile(rf"\b{TEMPLATE_SCHEMA}\b")


def migrations_fingerprint() -> str:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    nodes = sorted(f"{app}.{name}" for app, name in loader.graph.nodes)
    return hashlib.sha256("\n".join(nodes).encode()).hexdigest()


def template_ensure_current() -> SchemaTemplate:
    """The template's DDL for the code's current migrations, refreshing the template when stale.

    Must run outside a transaction when a refresh is needed: pg_dump reads from its own connection.
    """
    fingerprint = migrations_fingerprint()
    current = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
    if current is not None:
        return current
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_ADVISORY_LOCK_KEY])
    try:
        current = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
        if current is None:
            current = _template_refresh(fingerprint)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_LOCK_KEY])
    return current


def template_in_step() -> tuple[SchemaTemplate, bool]:
    """Migrate the template schema and store its DDL again if anything changed: (template, migrated?).

    ``migrate_schools`` runs this before the schools, so schools provisioned during the run are cloned from
    the new state already.
    """
    fingerprint = migrations_fingerprint()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_ADVISORY_LOCK_KEY])
    try:
        migrated = _template_migrate()
        current = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
        if current is None or migrated:
            current = _template_store(fingerprint)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_LOCK_KEY])
    return current, migrated


def _template_migrate() -> bool:
    from tenants.migrating import schemas_migrate

    if not schema_exists(TEMPLATE_SCHEMA):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {TEMPLATE_SCHEMA}")
    report = schemas_migrate([TEMPLATE_SCHEMA], create_table=True)
    if report.failed:
        raise RuntimeError(f"Шаблонная схема не мигрирована: {report.failed[TEMPLATE_SCHEMA]}")
    return bool(report.migrated)


def _template_refresh(fingerprint: str) -> SchemaTemplate:
    _template_migrate()
    return _template_store(fingerprint)


def _template_store(fingerprint: str) -> SchemaTemplate:
    ddl = _dump_schema_ddl(TEMPLATE_SCHEMA)
    data_tables = _tables_with_rows(TEMPLATE_SCHEMA)
    with transaction.atomic():
        SchemaTemplate.objects.all().delete()
        return SchemaTemplate.objects.create(fingerprint=fingerprint, ddl=ddl, data_tables=data_tables)


def _dump_schema_ddl(schema: str) -> str:
    db = connection.settings_dict
    params = connection.get_connection_params()
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    argv = [
        str(postgres_bin("pg_dump")),
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        f"--schema={schema}",
        f"--host={params.get('host') or db.get('HOST') or '127.0.0.1'}",
        f"--port={params.get('port') or db.get('PORT') or 5432}",
        f"--username={params.get('user') or db.get('USER')}",
        str(params.get("dbname") or db["NAME"]),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    return _portable_ddl(out.stdout)


def _portable_ddl(dump: str) -> str:
    """Keep the statements only: no comments, psql meta-commands, or session SETs of pg_dump's version."""
    kept = []
    for line in dump.splitlines():
        stripped = line.strip()
        if stripped.startswith(("--", "\\", "SET ", "SELECT pg_catalog.set_config")):
            continue
        kept.append(line)
    return "\n".join(kept).strip() + "\n"


def _tables_with_rows(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        with_rows = []
        for table in tables:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{schema}"."{table}")')  # noqa: S608 - catalog names
            if cursor.fetchone()[0]:
                with_rows.append(table)
    return with_rows


def schema_create_from_template(schema_name: str) -> None:
    """Create ``schema_name`` as a copy of the template, in one transaction."""
    schema_name_validate(schema_name)
    template_ensure_current()
    with transaction.atomic(), connection.cursor() as cursor:
        # Shared with other clones, exclusive against a refresh: the DDL and the template's rows read
        # below are of one state (the newest stored, which a refresh under way may just have replaced).
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_ADVISORY_LOCK_KEY])
        template = SchemaTemplate.objects.order_by("-pk").first()
        if template is None:
            raise RuntimeError("Шаблонная схема не подготовлена")
        cursor.execute(_TEMPLATE_RE.sub(schema_name, template.ddl))
        for table in template.data_tables:
            cursor.execute(
                f'INSERT INTO "{schema_name}"."{table}" SELECT * FROM "{TEMPLATE_SCHEMA}"."{table}"'  # noqa: S608
            )
            identity_sequences_advance(cursor, schema_name, table)


def identity_sequences_advance(cursor: Any, schema_name: str, table: str) -> None:
    """Move a copied table's identity sequences past its rows (INSERT … SELECT leaves them at 1).

    Without it the next insert collides with a copied id, e.g. the first new migration's row in
    ``django_migrations`` («duplicate key … django_migrations_pkey» on every school).
    """
    cursor.execute(
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attidentity <> ''",
        [schema_name, table],
    )
    for (column,) in cursor.fetchall():
        # Identifiers come from the catalog and the validated schema name, never from input.
        max_sql = f'SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{schema_name}"."{table}"'  # noqa: S608
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), ({max_sql}), false)",
            [f'"{schema_name}"."{table}"', column],
        )


def schema_create_by_migrations(schema_name: str) -> None:
    """The slow way, kept for comparison (bench_onboarding) and as a fallback: run every migration."""
    schema_name_validate(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema_name}")
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)


def schema_is_complete(schema_name: str) -> bool:
    """A school schema exists and has every migration the template has."""
    if not schema_exists(schema_name):
        return False
    expected = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.nodes}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'django_migrations')",
            [schema_name],
        )
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')  # noqa: S608 - validated name
        applied = {f"{app}.{name}" for app, name in cursor.fetchall()}
    return expected <= applied


def schema_drop(schema_name: str) -> None:
    schema_name_validate(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def schema_create(schema_name: str) -> None:
    method = getattr(settings, "SCHOOL_SCHEMA_METHOD", "clone")
    if method == "migrate":
        schema_create_by_migrations(schema_name)
    else:
        schema_create_from_template(schema_name)


def schemas_existing(names: Iterable[str]) -> set[str]:
    """Which of these schemas exist, in one catalog query."""
    names = list(names)
    if not names:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [names])
        return {row[0] for row in cursor.fetchall()}


def schools_split_by_schema(schools: QuerySet[School]) -> tuple[list[tuple[int, str]], list[str]]:
    """(id, schema) of the schools whose schema exists, and the schema names of those without one.

    A school is registered before its schema is made (onboarding), and a failed or interrupted provisioning
    leaves none: every fan-out and ``migrate_schemas`` go through here and skip those.
    """
    rows = list(schools.order_by("pk").values_list("pk", "schema_name"))
    existing = schemas_existing(name for _, name in rows)
    return [r for r in rows if r[1] in existing], [name for _, name in rows if name not in existing]
