"""A school's federal report figures for a date, computed in its own schema (the region only stores them).

One SQL statement per school, however many people, pairs or answers it has: a region-wide export of
2,000 schools must cost a small constant per school (see README «Benchmarks»). Loading people and consents
as Python objects to run consent_check on each cost about 30 ms a school, most of it building objects, so
the same rules are written here as SQL and a test holds them equal to indicators_on (the school's
drill-down, which keeps the Python rules). The statement is compiled once per date and reused for every
school of a batch: table names are unqualified, so it reads whichever school schema is active.

The region's catalogue knowledge it needs (which end reasons count as «early») is passed in, because the
school side does not import the region side.
"""

import json
from collections.abc import Collection
from datetime import date
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection

from core.consents.models import Consent
from core.indicators.selectors import current_pairs_q
from core.monitoring.models import SurveyResponse
from core.pairs.models import Pair
from core.pairs.selectors import programmes_completed_on
from core.people.models import Category


def school_report_values(*, on: date, early_end_codes: Collection[str]) -> dict[str, Any]:
    """Figures of the school whose schema is active, as of ``on``: shares, counts, forms, satisfaction.

    JSON-ready (lists, not tuples) because the region stores them as they are in its report row.
    """
    sql, params = _statement(on, tuple(sorted(early_end_codes)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
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
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


@lru_cache(maxsize=16)
def _statement(on: date, early_end_codes: tuple[str, ...]) -> tuple[str, list[Any]]:
    """The one statement for ``on``; the pieces with a published rule are compiled from those rules."""
    pairs_sql, pairs_params = _compiled(Pair.objects.filter(current_pairs_q(on)).values("id"))
    completed_sql, completed_params = _compiled(programmes_completed_on(on).values("id"))
    answers_sql, answers_params = _compiled(
        SurveyResponse.objects.filter(phase=SurveyResponse.Phase.ONCE, submitted_at__date__lte=on).values(
            "answers"
        )
    )
    age_10, age_19 = on - relativedelta(years=10), on - relativedelta(years=19)
    age_18, age_35, career_3 = (
        on - relativedelta(years=18),
        on - relativedelta(years=35),
        on - relativedelta(years=3),
    )
    # consent_check: for every kind, a consent valid on ``on`` (consent_valid_on); a minor's (age < 18,
    # i.e. born after on − 18 years) given by a representative whose name is recorded.
    consent_sql = " AND ".join(
        """EXISTS (SELECT 1 FROM core_consent c WHERE c.person_id = p.id AND c.kind = %s
            AND c.valid_from <= %s AND (c.valid_until IS NULL OR c.valid_until >= %s)
            AND (c.withdrawn_on IS NULL OR c.withdrawn_on > %s)
            AND (p.birth_date IS NULL OR p.birth_date <= %s OR (c.by_representative AND (
                c.representative_last_name <> '' OR c.representative_first_name <> ''
                OR c.representative_middle_name <> ''))))"""
        for _kind in Consent.Kind
    )
    consent_params: list[Any] = []
    for kind in Consent.Kind:
        consent_params += [kind.value, on, on, on, age_18]
    student, teacher = Category.STUDENT.value, Category.TEACHER.value
    # Age 10–18 on ``on`` ⇔ on − 19 years < birth ≤ on − 10 years; a young teacher: under 35 (born after
    # on − 35 years) and teaching for under 3 years (indicators_on's _is_young_teacher).
    sql = f"""
    WITH cur AS ({pairs_sql}),
    m AS (
        SELECT pm.person_id, pm.role FROM core_pairmember pm
        WHERE pm.pair_id IN (SELECT id FROM cur) AND pm.since <= %s AND (pm.until IS NULL OR pm.until >= %s)
    ),
    ok AS (
        SELECT p.id, p.category, p.birth_date, p.career_start FROM core_person p
        WHERE p.id IN (SELECT person_id FROM m) AND {consent_sql}
    )
    SELECT
        (SELECT count(*) FROM core_person WHERE category = %s AND birth_date > %s AND birth_date <= %s),
        (SELECT count(*) FROM core_person WHERE category = %s),
        (SELECT count(*) FROM core_person WHERE category = %s AND birth_date > %s AND career_start > %s),
        (SELECT count(*) FROM ok WHERE category = %s AND birth_date > %s AND birth_date <= %s),
        (SELECT count(*) FROM ok WHERE category = %s),
        (SELECT count(*) FROM ok WHERE category = %s AND birth_date > %s AND career_start > %s
            AND id IN (SELECT person_id FROM m WHERE role = 'mentee')),
        (SELECT count(*) FROM ok WHERE id IN (SELECT person_id FROM m WHERE role = 'mentor')),
        (SELECT count(*) FROM ok WHERE id IN (SELECT person_id FROM m WHERE role = 'mentee')),
        (SELECT json_build_array(students_10_18, teachers, young_teachers)
            FROM core_contingentdeclaration WHERE year = %s),
        (SELECT coalesce(json_agg(json_build_array(form_code, role_model_id, n_current, n_early)), '[]')
            FROM (SELECT form_code, role_model_id,
                         count(*) FILTER (WHERE id IN (SELECT id FROM cur)) AS n_current,
                         count(*) FILTER (WHERE ended_on <= %s AND end_reason_code = ANY(%s)) AS n_early
                  FROM core_pair GROUP BY form_code, role_model_id
                  ORDER BY form_code, role_model_id) g),
        (SELECT count(*) FROM core_programme WHERE starts_on <= %s),
        (SELECT count(*) FROM ({completed_sql}) done),
        (SELECT json_build_array(coalesce(sum((a.answers ->> 'satisfaction')::numeric), 0), count(*))
            FROM ({answers_sql}) a
            WHERE jsonb_typeof(a.answers -> 'satisfaction') = 'number'
              AND a.answers ->> 'satisfaction' ~ '^-?[0-9]+$')
    """  # noqa: S608 - only compiled querysets and fixed text are interpolated; values are parameters
    params = [
        *pairs_params,
        on,
        on,
        *consent_params,
        student, age_19, age_10,
        teacher,
        teacher, age_35, career_3,
        student, age_19, age_10,
        teacher,
        teacher, age_35, career_3,
        on.year,
        on, list(early_end_codes),
        on,
        *completed_params,
        *answers_params,
    ]  # fmt: skip
    return sql, params
