"""The restore drill on real PostgreSQL: back up, damage one school, restore it, compare (0 differences).

These tests commit (pg_dump reads committed data from its own connection), so they run outside pytest-django's
rolled-back transaction, on schools of their own that they remove afterwards.
"""

import json
import shutil
import tarfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from core.people.models import Person
from regional.models import SchoolSnapshot
from tenants.backups import (
    BackupError,
    _plan_batches,
    backup_create,
    backups_list,
    db_current,
    manifest_read,
    schema_stats,
    school_export,
    school_import,
    school_restore,
    stats_diff,
)
from tenants.backups.restore_all import database_restore
from tenants.models import AuditEvent, Domain, Membership, School
from tenants.provisioning import schema_drop
from tenants.services import membership_grant
from tests.conftest import make_school

SLUGS = ("drill-a", "drill-b")
IMPORTED = "drill-moved"


def _populate(school: School, tag: str) -> Path:
    with schema_context(school.schema_name):
        for n in range(5):
            Person.objects.create(last_name=f"{tag}-Иванова-{n}", first_name="Мария", category="teacher")
    scan = Path(settings.MEDIA_ROOT) / school.schema_name / "consents" / f"{tag}-scan.pdf"
    scan.parent.mkdir(parents=True, exist_ok=True)
    scan.write_bytes(b"%PDF-1.4 " + tag.encode() * 1000)
    return scan


def _stats(schema: str) -> dict:
    with db_current().connect() as conn, conn.cursor() as cur:
        return schema_stats(cur, schema)


def _leftover_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'restore\\_%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def drill(world, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    with django_db_blocker.unblock():
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        a = make_school(name="Школа Учений А", municipality=world.m1, slug=SLUGS[0], number=901)
        b = make_school(name="Школа Учений Б", municipality=world.m2, slug=SLUGS[1], number=902)
        membership_grant(user=world.curator_b, role="curator", school=a)
        scans = {"a": _populate(a, "a"), "b": _populate(b, "b")}
        root = tmp_path_factory.mktemp("backups")
        # Two schools a batch at most: the drill goes through several pg_dump runs sharing one snapshot.
        result = backup_create(root=root, keep=2, schools_per_batch=2)
        yield {"a": a, "b": b, "scans": scans, "root": root, "backup": result}
        for school in School.objects.filter(slug__in=[*SLUGS, IMPORTED]):
            schema_drop(school.schema_name)
            shutil.rmtree(Path(settings.MEDIA_ROOT) / school.schema_name, ignore_errors=True)
            school.delete()
        for schema in _leftover_schemas():
            schema_drop(schema)
        AuditEvent.objects.filter(pk__gt=last_event).delete()  # leave the shared test world as it was


@pytest.fixture(autouse=True)
def _committing(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def test_backup_has_every_school_in_batches_with_a_manifest(drill):
    result = drill["backup"]
    manifest = manifest_read(result.path)
    slugs = {entry["slug"] for entry in manifest["schools"]}
    assert {*SLUGS, "school-a", "school-b", "school-c"} <= slugs
    assert result.batches == len(manifest["batches"]) >= 3  # 5 schools, 2 a batch
    entry = next(e for e in manifest["schools"] if e["slug"] == "drill-a")
    assert entry["tables"][Person._meta.db_table]["rows"] == 5
    assert entry["media"]["files"]["consents/a-scan.pdf"]
    assert manifest["public"]["tables"]["tenants_school"]["rows"] == len(manifest["schools"])
    assert manifest["postgres"]["server_major"] >= 13
    assert not list(drill["root"].glob("*.partial"))


@pytest.mark.django_db  # (also makes pytest-django create the test database when this file runs alone)
def test_batches_respect_the_lock_budget():
    plan = _plan_batches([(f"s{i}", 44) for i in range(3000)], budget=3200, per_batch=None)
    assert all(len(batch) * 44 <= 3200 for batch in plan)
    assert sum(len(batch) for batch in plan) == 3000


def test_restore_drill_damaged_school_comes_back_with_zero_differences(drill):
    a, b = drill["a"], drill["b"]
    before_a, before_b = _stats(a.schema_name), _stats(b.schema_name)
    b_scan_bytes = drill["scans"]["b"].read_bytes()
    # Damage: rows deleted and changed, a file deleted.
    with schema_context(a.schema_name):
        Person.objects.filter(last_name__endswith="-0").delete()
        Person.objects.filter(last_name__endswith="-1").update(first_name="Испорчено")
    drill["scans"]["a"].unlink()
    assert stats_diff(before_a, _stats(a.schema_name))

    result = school_restore(backup=drill["backup"].path, slug="drill-a")

    assert stats_diff(before_a, _stats(a.schema_name)) == []
    assert drill["scans"]["a"].read_bytes().startswith(b"%PDF-1.4 a")
    assert result.rows > 0 and result.files == 1
    # The other school is untouched.
    assert stats_diff(before_b, _stats(b.schema_name)) == []
    assert drill["scans"]["b"].read_bytes() == b_scan_bytes
    assert _leftover_schemas() == []
    event = AuditEvent.objects.filter(action="school.restore", object_id=str(a.pk)).latest("at")
    assert event.details["backup"] == drill["backup"].path.name
    snapshot = SchoolSnapshot.objects.get(school=a)
    assert snapshot.requested_at is None  # the refresh job ran (eager in tests) and recomputed the row
    assert snapshot.counts


def test_restore_brings_back_a_deleted_school_with_its_public_rows(drill):
    a = drill["a"]
    before = _stats(a.schema_name)
    domains = list(Domain.objects.filter(tenant=a).values_list("domain", flat=True))
    members = Membership.objects.filter(school=a).count()
    schema_drop(a.schema_name)
    School.objects.filter(pk=a.pk).delete()  # cascades: domain, memberships, snapshot
    shutil.rmtree(Path(settings.MEDIA_ROOT) / a.schema_name)

    call_command("school_restore", backup=str(drill["backup"].path), school="drill-a")

    school = School.objects.get(slug="drill-a")
    assert (school.pk, school.schema_name, school.inn) == (a.pk, a.schema_name, a.inn)
    assert list(Domain.objects.filter(tenant=school).values_list("domain", flat=True)) == domains
    assert Membership.objects.filter(school=school).count() == members
    assert stats_diff(before, _stats(a.schema_name)) == []
    assert drill["scans"]["a"].is_file()
    School.objects.create(  # the id sequence was moved past the restored row
        schema_name="school_seqcheck",
        slug="drill-seqcheck",
        name="x",
        short_name="x",
        municipality=a.municipality,
    ).delete()


def test_mismatched_targets_are_refused_and_nothing_changes(drill, tmp_path, settings):
    a, b = drill["a"], drill["b"]
    before = _stats(b.schema_name)
    with pytest.raises(BackupError, match="нет школы с адресом"):
        school_restore(backup=drill["backup"].path, slug="no-such-school")
    # A copy whose school «drill-b» is another school (another ИНН and schema) than the live one.
    forged = tmp_path / "forged"
    shutil.copytree(drill["backup"].path, forged)
    manifest = json.loads((forged / "manifest.json").read_text())
    entry = next(e for e in manifest["schools"] if e["slug"] == "drill-b")
    entry["inn"], entry["schema"] = a.inn, a.schema_name
    (forged / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="другая школа"):
        school_restore(backup=forged, slug="drill-b")
    # A copy of another deployment.
    settings.BASE_DOMAIN = "other-region.test"
    with pytest.raises(BackupError, match="другом развёртывании"):
        school_restore(backup=drill["backup"].path, slug="drill-b")
    settings.BASE_DOMAIN = manifest["deployment"]["base_domain"]
    # A copy made by newer code (a migration this code does not have).
    newer = tmp_path / "newer"
    shutil.copytree(drill["backup"].path, newer)
    manifest = json.loads((newer / "manifest.json").read_text())
    state = next(e for e in manifest["schools"] if e["slug"] == "drill-b")["migrations"]
    manifest["migration_states"][state].append("core.9999_from_the_future")
    (newer / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="более новой версией"):
        call_command("school_restore", backup=str(newer), school="drill-b")
    # A copy made before the latest migration: refused unless the operator asks to migrate it (--migrate).
    older = tmp_path / "older"
    shutil.copytree(drill["backup"].path, older)
    manifest = json.loads((older / "manifest.json").read_text())
    applied = manifest["migration_states"][state]
    latest = max(name for name in applied if name.startswith("core."))
    manifest["migration_states"][state] = [name for name in applied if name != latest]
    (older / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="более старой схеме"):
        school_restore(backup=older, slug="drill-b")
    assert stats_diff(before, _stats(b.schema_name)) == []
    assert _leftover_schemas() == []


def test_a_corrupted_dump_is_refused(drill, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(drill["backup"].path, broken)
    entry = next(e for e in manifest_read(broken)["schools"] if e["slug"] == "drill-b")
    with open(broken / entry["batch"], "r+b") as handle:
        handle.seek(200)
        handle.write(b"\0" * 16)
    with pytest.raises(BackupError, match="повреждён"):
        school_restore(backup=broken, slug="drill-b")
    # The whole-database restore checks every dump before it creates or writes anything.
    into = f"{db_current().dbname}_broken"
    with pytest.raises(BackupError, match="повреждён"):
        database_restore(backup=broken, into=into)
    with db_current().other("postgres").connect() as admin:
        assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [into]).fetchone() is None


def test_restore_into_a_scratch_database_leaves_the_live_one_alone(drill):
    b = drill["b"]
    before = _stats(b.schema_name)
    scratch = f"{connection.settings_dict['NAME']}_scratch"
    db = db_current()
    with db.other("postgres").connect(autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    try:
        result = school_restore(backup=drill["backup"].path, slug="drill-b", into_scratch=scratch)
        assert result.target == scratch
        with db.other(scratch).connect() as conn, conn.cursor() as cur:
            assert stats_diff(before, schema_stats(cur, b.schema_name)) == []
            cur.execute("SELECT slug FROM tenants_school WHERE id = %s", [b.pk])
            assert cur.fetchone() == ("drill-b",)
        with pytest.raises(BackupError, match="уже существует"):
            school_restore(backup=drill["backup"].path, slug="drill-b", into_scratch=scratch)
    finally:
        with db.other("postgres").connect(autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    assert stats_diff(before, _stats(b.schema_name)) == []


def test_everything_back_into_a_new_database_with_the_files_and_zero_differences(drill, tmp_path):
    backup = drill["backup"].path
    manifest = manifest_read(backup)
    db = db_current()
    into = f"{db.dbname}_all"
    media = tmp_path / "media"
    with db.other("postgres").connect(autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{into}"')
    try:
        out = StringIO()
        call_command("restore_all", backup=str(backup), into=into, media_root=str(media), stdout=out)
        assert "все таблицы совпадают с манифестом" in out.getvalue()
        with db.other(into).connect() as conn, conn.cursor() as cur:
            for entry in manifest["schools"]:  # checked here again, independently of the command
                assert stats_diff(entry["tables"], schema_stats(cur, entry["schema"])) == [], entry["slug"]
            # public too, but for what the restore itself writes afterwards (stale stamps, its audit event)
            written = {"regional_schoolsnapshot", "tenants_auditevent"}
            public = {k: v for k, v in schema_stats(cur, "public").items() if k not in written}
            assert (
                stats_diff(
                    {k: v for k, v in manifest["public"]["tables"].items() if k not in written}, public
                )
                == []
            )
            cur.execute(f'SELECT count(*) FROM "{drill["a"].schema_name}".core_person')  # noqa: S608
            assert cur.fetchone() == (5,)
            cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'nastavnik_school_template'")
            assert cur.fetchone() == (1,)  # new schools can be cloned there at once
            cur.execute("SELECT count(*) FROM regional_schoolsnapshot WHERE requested_at IS NULL")
            assert cur.fetchone() == (0,)  # every snapshot marked for the repair pass
            cur.execute("SELECT details->>'backup' FROM tenants_auditevent WHERE action = 'database.restore'")
            assert cur.fetchone() == (backup.name,)
        for tag in ("a", "b"):
            scan = media / drill[tag].schema_name / "consents" / f"{tag}-scan.pdf"
            assert scan.read_bytes() == b"%PDF-1.4 " + tag.encode() * 1000
        # Only into an empty database: an existing one, or the live (non-empty) one, is refused.
        with pytest.raises(CommandError, match="уже существует"):
            call_command("restore_all", backup=str(backup), into=into)
        with pytest.raises(CommandError, match="не пуста"):
            call_command("restore_all", backup=str(backup))
    finally:
        with db.other("postgres").connect(autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{into}" WITH (FORCE)')


def test_export_and_import_as_another_school(drill, tmp_path, world):
    b = drill["b"]
    archive = tmp_path / "drill-b.tar"
    school_export(slug="drill-b", out=archive)
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "school.dump", "media.tar"} <= set(tar.getnames())
    with pytest.raises(BackupError, match="ИНН"):  # the same school is already here
        school_import(archive=archive, slug=IMPORTED)
    # Pretend it comes from another deployment: here the school is not on board yet.
    School.objects.filter(pk=b.pk).update(inn="")
    with pytest.raises(BackupError, match="уже занят"):
        school_import(archive=archive)
    moved = school_import(archive=archive, slug=IMPORTED, municipality=world.m1.name)
    assert moved.inn == b.inn
    School.objects.filter(pk=moved.pk).update(inn="")  # ИНН is unique: give it back to the original
    School.objects.filter(pk=b.pk).update(inn=b.inn)
    assert moved.schema_name != b.schema_name and moved.municipality == world.m1
    assert Domain.objects.filter(tenant=moved, domain__startswith=f"{IMPORTED}.").exists()
    assert stats_diff(_stats(b.schema_name), _stats(moved.schema_name)) == []
    moved_scan = Path(settings.MEDIA_ROOT) / moved.schema_name / "consents" / "b-scan.pdf"
    assert moved_scan.read_bytes() == drill["scans"]["b"].read_bytes()
    # The new school is separate: a change there is not seen in the original.
    with schema_context(moved.schema_name):
        Person.objects.all().delete()
    with schema_context(b.schema_name):
        assert Person.objects.count() == 5
    assert AuditEvent.objects.filter(action="school.import", object_id=str(moved.pk)).exists()


def test_retention_keeps_the_newest(drill):
    root = drill["root"]
    first = drill["backup"].path
    second = backup_create(root=root, keep=2)
    third = backup_create(root=root, keep=2)
    assert backups_list(root) == [second.path, third.path]
    assert third.removed == [first.name]
    assert psycopg  # the drill runs on the real server (db_current), never a mock
