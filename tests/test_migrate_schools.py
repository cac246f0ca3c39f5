"""``migrate_schools`` on real schemas: failures listed while the rest complete, a rerun finishes only what is
left, schools without a schema are skipped and reported, the template schema is migrated with them.

The new migration is a throwaway: a copy of core's migrations in a temporary folder, put on
MIGRATION_MODULES for this module only. These tests commit (the workers are forked processes with their own
connections), on schools of their own; the template is rebuilt from the real migrations afterwards.
"""

import importlib
import shutil
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext, override_settings
from django_tenants.utils import schema_context

from core.people.models import Person
from tenants.backups import db_current
from tenants.migrating import MigrateError, applied_states, schemas_migrate
from tenants.models import SchemaTemplate, School
from tenants.provisioning import migrations_fingerprint, schema_drop, template_ensure_current
from tenants.schema_names import TEMPLATE_SCHEMA, schema_name_generate
from tests.conftest import make_school

SLUGS = ("mig-1", "mig-2", "mig-3", "mig-4")
PENDING = "mig-pending"
LATE = "mig-late"
MODULE = "nk_test_core_migrations"
MIGRATION = """from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("core", "{leaf}")]
    operations = [
        migrations.AddField("person", "migtest_note", models.CharField(max_length=40, blank=True, default="")),
        # A new rule some school's data breaks: that school fails, the others go on.
        migrations.AddConstraint(
            "person", models.CheckConstraint(condition=~Q(last_name="СЛОМАНО"), name="core_person_migtest_check")
        ),
        # A new model: post_migrate must create its content type in every school.
        migrations.CreateModel("MigtestThing", fields=[("id", models.BigAutoField(primary_key=True))]),
    ]
"""


def _has_column(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'core_person' AND column_name = 'migtest_note')",
            [schema],
        )
        return bool(cursor.fetchone()[0])


def _applied(*schemas: str) -> dict[str, frozenset[tuple[str, str]]]:
    states = applied_states(list(schemas))
    assert None not in states.values()
    return {schema: state or frozenset() for schema, state in states.items()}


def _content_types(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app_label, model FROM "{schema}".django_content_type')  # noqa: S608
        return set(cursor.fetchall())


def _run(*slugs: str, **options: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    args = [f"--school={slug}" for slug in slugs]
    try:
        call_command("migrate_schools", *args, stdout=out, stderr=err, **options)
    except CommandError as error:
        err.write(f"\nCommandError: {error}")
    return out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _committing(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def lab(world, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    with django_db_blocker.unblock():
        schools = {
            slug: make_school(name=f"Школа миграций {n}", municipality=world.m1, slug=slug, number=950 + n)
            for n, slug in enumerate(SLUGS, start=1)
        }
        pending = School.objects.create(  # registered, its schema not made yet (the job has not run)
            schema_name=schema_name_generate(),
            slug=PENDING,
            name="Школа в процессе создания",
            short_name="Создаётся",
            municipality=world.m1,
        )
        folder = tmp_path_factory.mktemp("migrations")
        package = folder / MODULE
        shutil.copytree(
            Path(importlib.import_module("core.migrations").__path__[0]),
            package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        leaf = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes("core")[0][1]
        name = f"{int(leaf.split('_', 1)[0]) + 1:04d}_migtest"
        (package / f"{name}.py").write_text(MIGRATION.format(leaf=leaf))
        sys.path.insert(0, str(folder))
        importlib.invalidate_caches()
        override = override_settings(MIGRATION_MODULES={"core": MODULE})
        override.enable()
        try:
            yield {"schools": schools, "pending": pending, "key": ("core", name)}
        finally:
            override.disable()
            sys.path.remove(str(folder))
            for school in School.objects.filter(slug__in=[*SLUGS, PENDING, LATE]):
                schema_drop(school.schema_name)
                school.delete()
            # The template took the throwaway migration: rebuild it from the real ones.
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA {TEMPLATE_SCHEMA} CASCADE")
            SchemaTemplate.objects.all().delete()
            template_ensure_current()


@pytest.mark.django_db  # (also makes pytest-django create the test database when this file runs alone)
def test_schema_names_are_checked_before_they_reach_sql():
    with pytest.raises(MigrateError, match="недопустимое имя схемы"):
        applied_states(['public"; DROP SCHEMA public CASCADE; --'])


def test_a_failing_school_is_listed_the_rest_complete_and_a_rerun_finishes_only_what_is_left(lab):
    schools, key = lab["schools"], lab["key"]
    broken, busy = schools["mig-2"], schools["mig-3"]
    with schema_context(broken.schema_name):
        Person.objects.create(last_name="СЛОМАНО", first_name="Данные", category="teacher")
    # A school in use: a transaction holds a lock on the table the migration alters.
    holder = db_current().connect()
    holder.execute(f'LOCK TABLE "{busy.schema_name}".core_person IN ACCESS SHARE MODE')
    try:
        out, err = _run(*SLUGS, PENDING, processes=2, lock_timeout=0.5)
    finally:
        holder.rollback()
        holder.close()

    assert "Не мигрировано школ: 2" in err
    assert f"mig-2 [{broken.schema_name}]: IntegrityError" in err
    assert f"mig-3 [{busy.schema_name}]: OperationalError: canceling statement due to lock timeout" in err
    assert f"{PENDING} [{lab['pending'].schema_name}] — создаётся" in err
    assert "мигрировано 2, уже актуальны 0, ошибок 2, без схемы 1" in out
    states = _applied(*(s.schema_name for s in schools.values()))
    for slug in ("mig-1", "mig-4"):
        schema = schools[slug].schema_name
        assert key in states[schema] and _has_column(schema)
        assert ("core", "migtestthing") in _content_types(schema)  # post_migrate ran in the school
    for school in (broken, busy):  # all or nothing: not half-migrated
        assert key not in states[school.schema_name] and not _has_column(school.schema_name)

    # The causes fixed, a rerun migrates those two only.
    with schema_context(broken.schema_name):
        Person.objects.filter(last_name="СЛОМАНО").update(last_name="Исправлено")
    out, err = _run(*SLUGS, PENDING, processes=2)
    assert "CommandError" not in err
    assert "мигрировано 2, уже актуальны 2, ошибок 0, без схемы 1" in out
    assert "шаблон актуален" in out
    assert all(key in state for state in _applied(*(s.schema_name for s in schools.values())).values())

    out, _ = _run(*SLUGS, processes=1)
    assert "мигрировано 0, уже актуальны 4, ошибок 0, без схемы 0" in out


def test_the_template_is_migrated_and_new_schools_are_cloned_from_the_new_state(lab, world):
    _run(*SLUGS)  # whatever ran before: the template is brought in step first
    assert _has_column(TEMPLATE_SCHEMA)
    assert lab["key"] in _applied(TEMPLATE_SCHEMA)[TEMPLATE_SCHEMA]
    assert SchemaTemplate.objects.get().fingerprint == migrations_fingerprint()
    late = make_school(name="Школа после миграции", municipality=world.m1, slug=LATE, number=959)
    assert _has_column(late.schema_name)
    assert lab["key"] in _applied(late.schema_name)[late.schema_name]
    assert ("core", "migtestthing") in _content_types(late.schema_name)


def test_schools_up_to_date_cost_a_fixed_number_of_queries(lab):
    _run(*SLUGS)
    schemas = [s.schema_name for s in lab["schools"].values()]
    with CaptureQueriesContext(connection) as few:
        one = schemas_migrate(schemas[:1])
    with CaptureQueriesContext(connection) as many:
        report = schemas_migrate(schemas)
    assert one.current == schemas[:1] and sorted(report.current) == sorted(schemas)
    assert len(many.captured_queries) == len(few.captured_queries) <= 4
