"""The reference catalogues moved from ``regional`` to ``tenants`` without touching a row.

A fresh database is migrated to the state before the move (tenants 0003, regional 0015), filled the way a
running installation would be (an edited catalogue, a role model pointing at its form, content types),
then migrated forward. The rows, their links and the content types must all be there afterwards.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.db_address import database_address

BASE_DIR = Path(__file__).resolve().parent.parent
# Run in one process (Django starts once): migrate to just before the move, write what a running region
# holds, migrate forward. Only the apps concerned are migrated.
SCRIPT = """
from django.core.management import call_command
from django.db import connection

call_command("migrate_schemas", "--shared", "regional", "0015_report_run_progress", verbosity=0)
with connection.cursor() as db:
    db.execute("INSERT INTO regional_mentoringkind (code, name) VALUES ('own-kind', 'Свой вид')")
    db.execute(
        "INSERT INTO regional_rolemodel (form_id, name, is_active)"
        " SELECT min(id), 'Своя модель', true FROM regional_mentoringform"
    )
    db.execute(
        "INSERT INTO django_content_type (app_label, model) VALUES ('regional', 'mentoringform')"
        " ON CONFLICT DO NOTHING"  # post_migrate has usually made it already
    )
    db.execute("SELECT count(*) FROM regional_mentoringform")
    print("forms before", db.fetchone()[0])
call_command("migrate_schemas", "--shared", "regional", verbosity=0)
"""


def _conninfo(dbname: str) -> str:
    db = settings.DATABASES["default"]
    host, port = database_address()
    return psycopg.conninfo.make_conninfo(
        host=host, port=port, user=db["USER"], password=db.get("PASSWORD") or None, dbname=dbname
    )


def _url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = database_address()
    return f"postgres://{db['USER']}{password}@{host}:{port}/{dbname}"


@pytest.fixture
def scratch_db() -> Iterator[str]:
    name = f"nk_move_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrating_forward_keeps_every_catalogue_row_and_content_type(scratch_db):
    env = {**os.environ, "DATABASE_URL": _url(scratch_db), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "forms before 9" in result.stdout  # the seed migrations had filled the catalogue

    with psycopg.connect(_conninfo(scratch_db), autocommit=True) as db:
        applied = db.execute(
            "SELECT app, name FROM django_migrations WHERE name LIKE '%%catalogues_%%tenants' OR name LIKE"
            " '%%catalogues_from_regional'"
        ).fetchall()
        assert sorted(applied) == [
            ("regional", "0016_catalogues_to_tenants"),
            ("tenants", "0004_catalogues_from_regional"),
        ]
        counts = {
            table: db.execute(f"SELECT count(*) FROM regional_{table}").fetchall()[0][0]  # noqa: S608
            for table in ("mentoringform", "rolemodel", "mentoringkind", "endreason", "surveytemplate")
        }
        assert counts["mentoringform"] == 9 and counts["surveytemplate"] > 0
        assert db.execute("SELECT 1 FROM regional_mentoringkind WHERE code = 'own-kind'").fetchone()
        assert db.execute(
            "SELECT f.code FROM regional_rolemodel r JOIN regional_mentoringform f ON f.id = r.form_id"
            " WHERE r.name = 'Своя модель'"
        ).fetchone()
        assert db.execute(
            "SELECT app_label FROM django_content_type WHERE model = 'mentoringform'"
        ).fetchall() == [("tenants",)]
        assert not db.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE"
            " 'tenants\\_mentoring%%'"
        ).fetchone()
