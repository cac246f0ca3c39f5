"""Schools' federal report figures for a date, computed in their own schemas (the region only stores them).

A region-wide export of 2,000 schools must cost a small constant per school (see README «Benchmarks»), so:

- one SQL sub-select computes a school's figures, however many people, pairs or answers it has. Loading
  people and consents as Python objects to run consent_check on each cost about 30 ms a school, so the
  same rules are written here as SQL and tests hold them equal to indicators_on (the school's drill-down,
  which keeps the Python rules). The pieces that have a published rule (current pairs with dated
  suspensions, programmes completed by their actual date, answers up to the date) are compiled from those
  querysets, so there is one definition of each;
- every table name in it is qualified with the school's schema, so the sub-selects of many schools are
  joined with UNION ALL into one statement: one round trip for a chunk of schools, no search_path switch,
  and it runs from the public schema. A chunk is kept small (SCHOOLS_PER_STATEMENT) because a statement
  holds a lock on every table and index it plans until it ends — about 35 per school — and the server's
  shared lock table is sized for 64 a connection (a UNION over 1,000 schemas runs out of it).

Most of a school's cost is not the reading but PostgreSQL opening that school's tables and indexes for
the first time in the connection (each schema's tables are distinct relations to the planner); see the
README for the measured floor.

The region's catalogue knowledge it needs (which end reasons count as «early») is passed in, because the
school side does not import the region side.
"""

import hashlib
import inspect
import json
import re
from collections.abc import Collection, Sequence
from contextlib import nullcontext
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

import core.migrations
from core.consents.models import Consent
from core.indicators.selectors import current_pairs_q
from core.monitoring.models import SurveyResponse
from core.pairs.models import Pair
from core.pairs.selectors import programmes_completed_on
from core.people.models import Category
from tenants.context import current_schema_name

SCHOOLS_PER_STATEMENT = 25
_SCHEMA = '"__school_schema__"'  # replaced by each school's quoted schema name
_NUMBER = "__school_number__"  # replaced by the school's position in the statement
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TABLE = re.compile(r'\b(FROM|JOIN) "(core_[a-z0-9_]+)"')


def school_report_values(*, on: date, early_end_codes: Collection[str]) -> dict[str, Any]:
    """Figures of the school whose schema is active, as of ``on``: shares, counts, forms, satisfaction.

    JSON-ready (lists, not tuples) because the region stores them as they are in its report row.
    """
    schema = current_schema_name()
    return _statement_values([schema], on=on, early_end_codes=early_end_codes, savepoint=False)[schema]


def schools_report_values(
    *, schemas: Sequence[str], on: date, early_end_codes: Collection[str]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Figures of many schools as of ``on`` (the same as school_report_values in each), from any schema.

    Returns ({schema: values}, schemas that failed). A chunk whose statement fails (e.g. a school whose
    schema is gone) is computed again school by school, so one broken school costs only its own figures.
    The database away (a lost connection, a cancelled statement) is not a school's failure: it is raised,
    so the caller's job is retried rather than the schools reported as failed.
    """
    values: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for start in range(0, len(schemas), SCHOOLS_PER_STATEMENT):
        chunk = list(schemas[start : start + SCHOOLS_PER_STATEMENT])
        try:
            values.update(_statement_values(chunk, on=on, early_end_codes=early_end_codes))
        except (OperationalError, InterfaceError):
            raise
        except DatabaseError:
            if len(chunk) == 1:
                failed += chunk
                continue
            for schema in chunk:
                try:
                    values.update(_statement_values([schema], on=on, early_end_codes=early_end_codes))
                except (OperationalError, InterfaceError):
                    raise
                except DatabaseError:
                    failed.append(schema)
    return values, failed


@lru_cache(maxsize=1)
def figures_definition() -> str:
    """A short fingerprint of how figures are computed: a school's SQL, the Python that reads its result
    and the school tables' latest migration. Figures stored under another fingerprint (computed before a
    deploy changed any of them — a new formula, or a data migration that rewrote what they count) are
    not reused."""
    sql, _params = _branch(date(2000, 1, 1), ())
    migrations = sorted(p.name for p in Path(core.migrations.__file__).parent.glob("[0-9]*.py"))
    parts = [sql, inspect.getsource(_values), *migrations[-1:]]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _statement_values(
    schemas: list[str], *, on: date, early_end_codes: Collection[str], savepoint: bool = True
) -> dict[str, dict[str, Any]]:
    branch, params = _branch(on, tuple(sorted(early_end_codes)))
    parts = []
    for number, schema in enumerate(schemas):
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"not a schema name: {schema!r}")
        parts.append(branch.replace(_SCHEMA, connection.ops.quote_name(schema)).replace(_NUMBER, str(number)))
    # A savepoint (or its own transaction): a failed statement leaves the connection usable, and the
    # locks it took are released as soon as it is done.
    with transaction.atomic() if savepoint else nullcontext(), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params * len(schemas))
        rows = cursor.fetchall()
    return {schemas[row[0]]: _values(row[1:]) for row in rows}


def _values(row: tuple[Any, ...]) -> dict[str, Any]:
    (students, teachers, young, students_in, teachers_in, young_in, mentors, mentees) = row[:8]
    declared, pairs, started, completed, satisfaction = row[8:]
    declared = _json(declared) or [None, None, None]

    def total(register: int, declared_total: int | None) -> int:
        return declared_total if declared_total else register

    by_form: dict[str, int] = {}
    by_role_model: dict[str, int] = {}
    early = 0
    for form_code, role_model_id, current, ended_early in _json(pairs):
        early += ended_early
        if current:
            by_form[form_code] = by_form.get(form_code, 0) + current
            by_role_model[str(role_model_id)] = by_role_model.get(str(role_model_id), 0) + current
    score_sum, answers = _json(satisfaction)
    return {
        "students_10_18": [students_in, total(students, declared[0])],
        "young_teachers_with_mentor": [young_in, total(young, declared[2])],
        "teachers_in_mentoring": [teachers_in, total(teachers, declared[1])],
        "mentors": mentors,
        "mentees": mentees,
        "pairs": sum(by_form.values()),
        "ended_early": early,
        "by_form": by_form,
        "by_role_model": by_role_model,
        "programmes_started": started,
        "programmes_completed": completed,
        "satisfaction": [int(score_sum), answers],
    }


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _compiled(queryset: Any) -> tuple[str, list[Any]]:
    """A published rule's SQL with its tables qualified by the (placeholder) school schema."""
    sql, params = queryset.order_by().query.sql_with_params()
    return _TABLE.sub(rf'\1 {_SCHEMA}."\2"', sql), list(params)


@lru_cache(maxsize=16)
def _branch(on: date, early_end_codes: tuple[str, ...]) -> tuple[str, tuple[Any, ...]]:
    """One school's sub-select for ``on``, its schema a placeholder; the parameters are the same for all."""
    pairs_sql, pairs_params = _compiled(Pair.objects.filter(current_pairs_q(on)).values("id"))
    completed_sql, completed_params = _compiled(programmes_completed_on(on).values("id"))
    answers_sql, answers_params = _compiled(
        SurveyResponse.objects.filter(phase=SurveyResponse.Phase.ONCE, submitted_at__date__lte=on).values(
            "answers"
        )
    )
    s = _SCHEMA
    age_10, age_19 = on - relativedelta(years=10), on - relativedelta(years=19)
    age_18, age_35, career_3 = (
        on - relativedelta(years=18),
        on - relativedelta(years=35),
        on - relativedelta(years=3),
    )
    # consent_check: for every kind, a consent valid on ``on`` (consent_valid_on); a minor's (age < 18,
    # i.e. born after on − 18 years) given by a representative whose name is recorded.
    consent_sql = " AND ".join(
        f"""EXISTS (SELECT 1 FROM {s}.core_consent c WHERE c.person_id = p.id AND c.kind = %s
            AND c.valid_from <= %s AND (c.valid_until IS NULL OR c.valid_until >= %s)
            AND (c.withdrawn_on IS NULL OR c.withdrawn_on > %s)
            AND (p.birth_date IS NULL OR p.birth_date <= %s OR (c.by_representative AND (
                c.representative_last_name <> '' OR c.representative_first_name <> ''
                OR c.representative_middle_name <> ''))))"""  # noqa: S608 - the schema placeholder only
        for _kind in Consent.Kind
    )
    consent_params: list[Any] = []
    for kind in Consent.Kind:
        consent_params += [kind.value, on, on, on, age_18]
    student, teacher = Category.STUDENT.value, Category.TEACHER.value
    # Age 10–18 on ``on`` ⇔ on − 19 years < birth ≤ on − 10 years; a young teacher: under 35 (born after
    # on − 35 years) and teaching for under 3 years (indicators_on's _is_young_teacher). ``m`` holds each
    # person of a current pair once with their roles, ``ok`` those of them whose consents are valid; each
    # table is scanned once, the counts taken with FILTER.
    sql = f"""(
    WITH cur AS ({pairs_sql}),
    m AS (
        SELECT pm.person_id, bool_or(pm.role = 'mentor') AS mentor, bool_or(pm.role = 'mentee') AS mentee
        FROM {s}.core_pairmember pm
        WHERE pm.pair_id IN (SELECT id FROM cur) AND pm.since <= %s AND (pm.until IS NULL OR pm.until >= %s)
        GROUP BY pm.person_id
    ),
    ok AS (
        SELECT p.category, p.birth_date, p.career_start, m.mentor, m.mentee
        FROM {s}.core_person p JOIN m ON m.person_id = p.id
        WHERE {consent_sql}
    )
    SELECT {_NUMBER},
        reg.students, reg.teachers, reg.young,
        inm.students, inm.teachers, inm.young, inm.mentors, inm.mentees,
        (SELECT json_build_array(students_10_18, teachers, young_teachers)
            FROM {s}.core_contingentdeclaration WHERE year = %s),
        (SELECT coalesce(json_agg(json_build_array(form_code, role_model_id, n_current, n_early)), '[]')
            FROM (SELECT form_code, role_model_id,
                         count(*) FILTER (WHERE id IN (SELECT id FROM cur)) AS n_current,
                         count(*) FILTER (WHERE ended_on <= %s AND end_reason_code = ANY(%s)) AS n_early
                  FROM {s}.core_pair GROUP BY form_code, role_model_id
                  ORDER BY form_code, role_model_id) g),
        (SELECT count(*) FROM {s}.core_programme WHERE starts_on <= %s),
        (SELECT count(*) FROM ({completed_sql}) done),
        (SELECT json_build_array(coalesce(sum((a.answers ->> 'satisfaction')::numeric), 0), count(*))
            FROM ({answers_sql}) a
            WHERE jsonb_typeof(a.answers -> 'satisfaction') = 'number'
              AND a.answers ->> 'satisfaction' ~ '^-?[0-9]+$')
    FROM (SELECT count(*) FILTER (WHERE category = %s AND birth_date > %s AND birth_date <= %s) AS students,
                 count(*) FILTER (WHERE category = %s) AS teachers,
                 count(*) FILTER (WHERE category = %s AND birth_date > %s AND career_start > %s) AS young
          FROM {s}.core_person) reg,
         (SELECT count(*) FILTER (WHERE category = %s AND birth_date > %s AND birth_date <= %s) AS students,
                 count(*) FILTER (WHERE category = %s) AS teachers,
                 count(*) FILTER (WHERE category = %s AND birth_date > %s AND career_start > %s
                                  AND mentee) AS young,
                 count(*) FILTER (WHERE mentor) AS mentors,
                 count(*) FILTER (WHERE mentee) AS mentees
          FROM ok) inm
    )"""  # noqa: S608 - only compiled querysets, validated schema names and fixed text are interpolated
    params = (
        *pairs_params,
        on,
        on,
        *consent_params,
        on.year,
        on, list(early_end_codes),
        on,
        *completed_params,
        *answers_params,
        student, age_19, age_10,
        teacher,
        teacher, age_35, career_3,
        student, age_19, age_10,
        teacher,
        teacher, age_35, career_3,
    )  # fmt: skip
    return sql, params
