"""Rolling migrations to every school schema: Django's fixed work done once per run, not once per school.

django-tenants' ``migrate_schemas`` runs Django's whole ``migrate`` once per schema: system checks, the
«models have changes» check, loading the migration graph and rebuilding the project state from every
applied migration, then the SQL. Measured: 229 ms a school for a run that changes nothing, about 7 % of it
SQL. Every school is a clone of one template, so the schools share one or a few migration states. Here:

- the applied migrations of every schema are read in a few queries (a digest per schema, ``UNION ALL``
  over the schemas), and the schemas are grouped by that state: a schema already up to date costs no
  Python work at all;
- per group, the graph, the plan and the project state (models rendered) are built once, and pre_migrate
  runs once (it edits the plan's migrations, e.g. content-type renames);
- each schema of a group gets a clone of that state and only its missing migrations, in one transaction
  with a lock timeout (a schema is migrated whole or not at all), post_migrate (content types) included;
  several processes share the schemas (forked after the preparation, so they inherit it);
- a schema that fails is reported with the reason and the others go on; a rerun finds only what is left.

Squashed migrations (``replaces``) need the applied state while the graph is built; they are refused with
a clear message (use ``migrate_schemas`` for that one run).
"""

import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState

from tenants.schema_names import SCHEMA_NAME_RE

Key = tuple[str, str]
LOCK_TIMEOUT_SECONDS = 10.0
_DIGEST_BATCH = 500  # schemas per UNION ALL query


class MigrateError(Exception):
    """The run cannot start (e.g. squashed migrations); nothing was changed."""


@dataclass
class Outcome:
    schema: str
    ok: bool
    applied: int = 0
    error: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    schemas: int = 0
    current: list[str] = field(default_factory=list)  # up to date already: nothing done
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # schema → reason
    missing: list[str] = field(default_factory=list)  # no schema (being provisioned) or no migrations table
    plans: dict[str, int] = field(default_factory=dict)  # «core.0010_x, core.0011_y» → how many schemas
    processes: int = 1
    prepare_seconds: float = 0.0
    seconds: float = 0.0


def _quoted(schema: str) -> str:
    # Schema names come from School rows (validated on save) or the template constant; checked once more
    # here because they are interpolated into SQL.
    if not SCHEMA_NAME_RE.fullmatch(schema):
        raise MigrateError(f"недопустимое имя схемы: {schema!r}")
    return f'"{schema}"'


def applied_states(schemas: list[str]) -> dict[str, frozenset[Key] | None]:
    """Each schema's applied migrations; None where the schema or its django_migrations table is missing.

    A digest per schema in one query per 500 schemas, then the full list once per distinct digest.
    """
    if not schemas:
        return {}
    for schema in schemas:
        _quoted(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname FROM pg_tables WHERE tablename = 'django_migrations' AND schemaname = ANY(%s)",
            [schemas],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        names = [s for s in schemas if s in with_table]
        digests: dict[str, str] = {}
        for start in range(0, len(names), _DIGEST_BATCH):
            part = names[start : start + _DIGEST_BATCH]
            sql = " UNION ALL ".join(  # validated schema names, see _quoted
                "SELECT %s, md5(COALESCE(string_agg(app || '.' || name, ',' ORDER BY app, name), ''))"  # noqa: S608
                f" FROM {_quoted(schema)}.django_migrations"
                for schema in part
            )
            cursor.execute(sql, part)
            digests.update(dict(cursor.fetchall()))
        sets: dict[str, frozenset[Key]] = {}
        for schema, digest in digests.items():
            if digest not in sets:
                cursor.execute(f"SELECT app, name FROM {_quoted(schema)}.django_migrations")  # noqa: S608
                sets[digest] = frozenset((app, name) for app, name in cursor.fetchall())
    return {schema: sets[digests[schema]] if schema in digests else None for schema in schemas}


class _Executor(MigrationExecutor):
    """Django's executor over a loader we prepared (its own would read the current schema's table)."""

    def __init__(self, loader: MigrationLoader) -> None:
        self.connection = connection
        self.loader = loader
        self.recorder = MigrationRecorder(connection)
        self.progress_callback = None


Step = tuple[Any, ProjectState, ProjectState]  # an operation, the state before it and after it


@dataclass
class _Group:
    """Schemas with the same applied migrations, and everything they need prepared once."""

    applied: frozenset[Key]
    schemas: list[str]
    plan: list[Migration] = field(default_factory=list)
    executor: _Executor | None = None
    # Per migration of the plan, per operation: the project states before and after it, rendered once for
    # all schemas (Django re-renders them for every schema; an operation's database step only reads them).
    steps: list[tuple[Migration, list[Step]]] = field(default_factory=list)
    post_apps: Any = None  # None: the plan adds or removes no model, post_migrate would have nothing to do
    atomic: bool = True
    error: str = ""

    @property
    def label(self) -> str:
        return ", ".join(f"{m.app_label}.{m.name}" for m in self.plan)


def _inconsistency(loader: MigrationLoader, applied: frozenset[Key]) -> str:
    """Django's InconsistentMigrationHistory check, on the state we read instead of a table."""
    for key in sorted(applied):
        if key not in loader.graph.nodes:
            continue
        for parent in loader.graph.node_map[key].parents:
            if parent.key not in applied:
                return (
                    f"миграция {key[0]}.{key[1]} применена раньше своей зависимости "
                    f"{parent.key[0]}.{parent.key[1]}"
                )
    return ""


def _prepare(group: _Group) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    if loader.replacements:
        raise MigrateError(
            "Есть сжатые миграции (replaces): migrate_schools их не поддерживает — "
            "выполните один раз manage.py migrate_schemas."
        )
    group.error = _inconsistency(loader, group.applied)
    if group.error:
        return
    loader.applied_migrations = {
        key: loader.graph.nodes[key] for key in group.applied if key in loader.graph.nodes
    }
    executor = _Executor(loader)
    pairs = executor.migration_plan(loader.graph.leaf_nodes())
    if any(backwards for _, backwards in pairs):  # leaf targets never go backwards; guard anyway
        group.error = "план миграций требует отката"
        return
    group.plan = [migration for migration, _ in pairs]
    if not group.plan:
        return
    group.executor = executor
    group.atomic = all(migration.atomic for migration in group.plan)
    state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
    state.apps  # noqa: B018 - render every model once here, not once per schema
    # pre_migrate decides in the tenant context (the router) and edits the plan's migrations once.
    connection.set_schema(group.schemas[0])  # type: ignore[attr-defined]
    try:
        emit_pre_migrate_signal(0, False, DEFAULT_DB_ALIAS, apps=state.apps, plan=pairs)
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    before = state
    for migration in group.plan:
        steps: list[Step] = []
        for operation in migration.operations:  # what Migration.apply does, once
            after = before.clone()
            operation.state_forwards(migration.app_label, after)
            after.apps  # noqa: B018 - rendered before the fork, not in every worker
            steps.append((operation, before, after))
            before = after
        group.steps.append((migration, steps))
    if set(state.models) != set(before.models):
        group.post_apps = _post_migrate_apps(before)


def _post_migrate_apps(final: ProjectState) -> Any:
    """The apps post_migrate gets, as Django's migrate builds them (real apps re-rendered from models)."""
    post = final.clone()
    post.clear_delayed_apps_cache()
    post_apps = post.apps
    with post_apps.bulk_update():
        keys = []
        for model_state in post_apps.real_models:
            key = model_state.app_label, model_state.name_lower
            keys.append(key)
            post_apps.unregister_model(*key)
    post_apps.render_multiple([ModelState.from_model(global_apps.get_model(*key)) for key in keys])
    return post_apps


def _apply(executor: _Executor, migration: Migration, steps: list[Step]) -> None:
    """Django's MigrationExecutor.apply_migration + Migration.apply, with the states prepared in advance."""
    recorded = False
    with connection.schema_editor(atomic=migration.atomic) as editor:
        for operation, before, after in steps:
            if not editor.atomic_migration and operation.atomic:
                with transaction.atomic(editor.connection.alias):
                    operation.database_forwards(migration.app_label, editor, before, after)
            else:
                operation.database_forwards(migration.app_label, editor, before, after)
        if not editor.deferred_sql:
            executor.record_migration(migration)
            recorded = True
    if not recorded:  # deferred statements (e.g. foreign keys) ran as the editor closed
        executor.record_migration(migration)


def _migrate_one(schema: str, group: _Group, lock_timeout: float) -> Outcome:
    started = time.monotonic()
    executor = group.executor
    if executor is None:
        raise MigrateError("группа не подготовлена")
    try:
        connection.set_schema(schema)  # type: ignore[attr-defined]
        ContentType.objects.clear_cache()  # its cache is per database alias, not per schema
        with transaction.atomic() if group.atomic else nullcontext():
            with connection.cursor() as cursor:
                # A school in use holds locks: wait this long at most, then fail this school (rerun later).
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, %s)",
                    [f"{int(lock_timeout * 1000)}ms", group.atomic],
                )
            for migration, steps in group.steps:
                _apply(executor, migration, steps)
            if group.post_apps is not None:
                emit_post_migrate_signal(
                    0, False, DEFAULT_DB_ALIAS, apps=group.post_apps, plan=[(m, False) for m in group.plan]
                )
    except Exception as error:
        text = str(error).strip()
        reason = f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        return Outcome(schema, ok=False, error=reason, seconds=time.monotonic() - started)
    finally:
        if not group.atomic and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    return Outcome(schema, ok=True, applied=len(group.plan), seconds=time.monotonic() - started)


# The forked pool's workers find the prepared groups here (inherited from the parent at fork).
_POOL_GROUPS: list[_Group] = []
_POOL_LOCK_TIMEOUT = LOCK_TIMEOUT_SECONDS


def _pool_job(chunk: list[tuple[str, int]]) -> list[Outcome]:
    return [_migrate_one(schema, _POOL_GROUPS[index], _POOL_LOCK_TIMEOUT) for schema, index in chunk]


def _pooled(items: list[tuple[str, int]], processes: int) -> bool:
    return processes > 1 and len(items) >= 2 * processes  # a handful of schemas are not worth a fork


def _run(
    items: list[tuple[str, int]], groups: list[_Group], processes: int, lock_timeout: float
) -> Iterator[Outcome]:
    global _POOL_GROUPS, _POOL_LOCK_TIMEOUT
    if not _pooled(items, processes):
        for schema, index in items:
            yield _migrate_one(schema, groups[index], lock_timeout)
        return
    _POOL_GROUPS, _POOL_LOCK_TIMEOUT = groups, lock_timeout
    connections.close_all()  # the children open their own; a shared socket would interleave
    size = max(1, min(16, len(items) // (processes * 8)))
    chunks = [items[n : n + size] for n in range(0, len(items), size)]
    try:
        # concurrent.futures rather than multiprocessing.Pool: a worker that dies (killed, out of memory)
        # fails its schools with a reason instead of leaving the run waiting forever.
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_pool_job, chunk): chunk for chunk in chunks}
            for future in as_completed(futures):
                try:
                    yield from future.result()
                except Exception as error:
                    for schema, _ in futures[future]:
                        yield Outcome(
                            schema, ok=False, error=f"рабочий процесс прервался: {type(error).__name__}"
                        )
    finally:
        _POOL_GROUPS = []


def default_processes() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def schemas_migrate(
    schemas: list[str],
    *,
    processes: int = 1,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    progress: Callable[[int, int, int], None] | None = None,
    create_table: bool = False,
) -> Report:
    """Bring each schema to the code's migrations; the rest go on when one fails.

    ``create_table``: create an empty django_migrations in schemas that have none (the template, freshly
    created); otherwise such schemas are reported missing. ``progress(done, total, failed)``.
    """
    started = time.monotonic()
    report = Report(schemas=len(schemas))
    if create_table:
        _ensure_tables(schemas)
    states = applied_states(schemas)
    by_state: dict[frozenset[Key], list[str]] = defaultdict(list)
    for schema in schemas:
        applied = states[schema]
        if applied is None:
            report.missing.append(schema)
        else:
            by_state[applied].append(schema)
    groups: list[_Group] = []
    items: list[tuple[str, int]] = []
    for applied, members in by_state.items():
        group = _Group(applied=applied, schemas=members)
        _prepare(group)
        if group.error:
            report.failed.update(dict.fromkeys(members, group.error))
        elif not group.plan:
            report.current.extend(members)
        else:
            report.plans[group.label] = len(members)
            items.extend((schema, len(groups)) for schema in members)
            groups.append(group)
    report.prepare_seconds = time.monotonic() - started
    report.processes = processes if _pooled(items, processes) else 1
    order = {schema: n for n, schema in enumerate(schemas)}
    items.sort(key=lambda item: order[item[0]])
    for done, outcome in enumerate(_run(items, groups, processes, lock_timeout), start=1):
        if outcome.ok:
            report.migrated.append(outcome.schema)
        else:
            report.failed[outcome.schema] = outcome.error
        if progress is not None:
            progress(done, len(items), len(report.failed))
    report.seconds = time.monotonic() - started
    return report


def _ensure_tables(schemas: list[str]) -> None:
    for schema in schemas:
        # include_public=False: with public on the path, the recorder would find public's table instead.
        connection.set_schema(schema, include_public=False)  # type: ignore[attr-defined]
        try:
            MigrationRecorder(connection).ensure_schema()
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
