"""Monitoring questionnaires: who answers what, validated answers, entry/exit comparison."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.audit.services import audit_log
from core.monitoring.models import SurveyResponse
from core.pairs.models import Pair, PairMember
from core.pairs.services import pair_require_working
from core.people.models import Person
from tenants.models import User
from tenants.numbers import is_number

Phase = SurveyResponse.Phase


def survey_templates() -> QuerySet[Any]:
    from tenants.catalogues import SurveyTemplate

    return SurveyTemplate.objects.filter(is_active=True)


def _who_answers(audience: str, role: str) -> bool:
    return audience == role or (audience == "participant" and role in ("mentor", "mentee"))


@transaction.atomic
def survey_submit(
    *,
    template_code: str,
    pair: Pair,
    person: Person | None,
    role: str,
    phase: str,
    answers: dict[str, str],
    actor: User | None,
) -> SurveyResponse:
    template = survey_templates().filter(code=template_code).first()
    if template is None:
        raise ValidationError("Анкета не найдена.")
    pair_require_working(pair, on=timezone.localdate(), what="заполнять анкеты")  # no consent, no survey
    expected_role = "curator" if template.audience == "curator" else role
    if template.audience == "curator" and role != "staff":
        raise PermissionDenied("Эту анкету заполняет куратор.")
    if template.audience != "curator" and not _who_answers(template.audience, expected_role):
        raise PermissionDenied("Эта анкета не для вашей роли в паре.")
    if template.stage == 2 and phase not in (Phase.ENTRY, Phase.EXIT):
        raise ValidationError("Укажите: замер на входе или на выходе.")
    if template.stage == 1:
        phase = Phase.ONCE
    if (
        phase == Phase.EXIT
        and not SurveyResponse.objects.filter(
            template_code=template_code, pair=pair, person=person, phase=Phase.ENTRY
        ).exists()
    ):
        raise ValidationError("Сначала нужен замер на входе.")
    clean: dict[str, Any] = {}
    errors = {}
    for question in template.questions:
        raw = (answers.get(question["code"]) or "").strip()
        if question["kind"] == "scale":
            if not is_number(raw) or not 1 <= int(raw) <= 10:
                errors[question["code"]] = f"«{question['text']}»: оценка от 1 до 10."
            else:
                clean[question["code"]] = int(raw)
        else:
            clean[question["code"]] = raw[:2000]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                template_code=template_code,
                pair=pair,
                person=person,
                phase=phase,
                answers=clean,
                submitted_by_id=actor.pk if actor else None,
            )
    except IntegrityError as error:
        raise ValidationError("Эта анкета уже заполнена.") from error
    audit_log(actor=actor, action="survey", obj=pair, changes={"survey": template_code, "phase": phase})
    return response


@dataclass(frozen=True)
class DueSurvey:
    code: str
    title: str
    phase: str
    done: bool


def surveys_for(*, pair: Pair, person: Person | None, role: str) -> list[DueSurvey]:
    """The questionnaires this person (or the curator, person=None) answers for this pair, and which are done."""
    done = set(SurveyResponse.objects.filter(pair=pair, person=person).values_list("template_code", "phase"))
    due = []
    for template in survey_templates():
        if template.audience == "curator":
            if role != "staff":
                continue
        elif not _who_answers(template.audience, role):
            continue
        phases = [Phase.ENTRY, Phase.EXIT] if template.stage == 2 else [Phase.ONCE]
        for phase in phases:
            due.append(DueSurvey(template.code, template.title, phase, (template.code, phase) in done))
    return due


@dataclass(frozen=True)
class MeasureChange:
    person: Person
    rows: list[tuple[str, int | None, int | None, int | None]]  # (measure, entry, exit, exit - entry)


def measures_compare(*, pair: Pair) -> list[MeasureChange]:
    """Stage 2: each person's measures on entry and on exit, side by side."""
    template = survey_templates().filter(stage=2).first()
    if template is None:
        return []
    responses = SurveyResponse.objects.filter(pair=pair, template_code=template.code).select_related("person")
    by_person: dict[int, dict[str, SurveyResponse]] = {}
    people: dict[int, Person] = {}
    for r in responses:
        if r.person is None:
            continue
        by_person.setdefault(r.person.pk, {})[r.phase] = r
        people[r.person.pk] = r.person
    changes = []
    for pk, phases in by_person.items():
        entry, exit_ = phases.get(Phase.ENTRY), phases.get(Phase.EXIT)
        rows = []
        for q in template.questions:
            a = entry.answers.get(q["code"]) if entry else None
            b = exit_.answers.get(q["code"]) if exit_ else None
            rows.append((q["text"], a, b, (b - a) if a is not None and b is not None else None))
        changes.append(MeasureChange(person=people[pk], rows=rows))
    return changes


def satisfaction_average() -> float | None:
    """Average of the «satisfaction» answers of stage-1 questionnaires (mentees and mentors), 1–10."""
    values = [
        r.answers["satisfaction"]
        for r in SurveyResponse.objects.filter(phase=Phase.ONCE)
        if isinstance(r.answers.get("satisfaction"), int)
    ]
    return round(sum(values) / len(values), 1) if values else None


def survey_completion() -> tuple[int, int]:
    """(filled, expected) stage-1 questionnaires of mentors and mentees in current pairs."""
    members = PairMember.objects.filter(until__isnull=True, pair__status=Pair.Status.ACTIVE)
    expected = members.count()
    filled = SurveyResponse.objects.filter(
        phase=Phase.ONCE,
        template_code__in=["satisfaction_mentee", "satisfaction_mentor"],
        pair__status="active",
    ).count()
    return filled, expected
