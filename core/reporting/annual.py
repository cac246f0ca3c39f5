"""The curator's yearly «итоговый аналитический отчёт» (seed 002: the curator «формирует итоговый
аналитический отчёт по внедрению системы (целевой модели) наставничества» and «не менее одного раза в год
актуализирует информацию о … педагогах, которых необходимо включить … в качестве наставляемых»)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, Sum

from core.documents.render import docx_render
from core.incentives.models import Incentive, Training
from core.monitoring.services import measures_compare, satisfaction_average
from core.pairs.models import Pair, PairMember
from core.people.models import Category, Person
from core.programmes.models import Programme


@dataclass
class AnnualReport:
    year: int
    pairs: int = 0
    by_form: list[tuple[str, int]] = field(default_factory=list)
    by_role_model: list[tuple[str, int]] = field(default_factory=list)
    programmes: list[tuple[str, int]] = field(default_factory=list)
    completed: int = 0
    dynamics: list[tuple[str, float, float, int]] = field(
        default_factory=list
    )  # measure, entry, exit, people
    satisfaction: float | None = None
    incentives: list[tuple[str, int]] = field(default_factory=list)
    trainings: int = 0
    training_hours: float = 0.0
    recheck: list[tuple[str, str]] = field(default_factory=list)  # (ФИО, why)


def _count(values: list[str]) -> list[tuple[str, int]]:
    return sorted(Counter(values).items(), key=lambda item: (-item[1], item[0]))


def recheck_mentees(*, on: date) -> list[tuple[str, str]]:
    """Teachers who should be considered as mentees (seed 003: молодые специалисты, вновь принятые):
    career under 3 years or hired within the last year, and not a mentee of a working pair on ``on``."""
    mentees = PairMember.objects.filter(
        Q(until__isnull=True) | Q(until__gte=on), role=PairMember.Role.MENTEE, pair__status=Pair.Status.ACTIVE
    ).values("person_id")
    three_years = (
        on.replace(year=on.year - 3) if not (on.month == 2 and on.day == 29) else on - timedelta(days=1096)
    )
    teachers = Person.objects.filter(category=Category.TEACHER).exclude(pk__in=mentees)
    rows = []
    for person in teachers.filter(Q(career_start__gt=three_years) | Q(hired_on__gt=on - timedelta(days=365))):
        reasons = []
        if person.career_start and person.career_start > three_years:
            reasons.append(f"молодой специалист (стаж с {person.career_start:%d.%m.%Y})")
        if person.hired_on and person.hired_on > on - timedelta(days=365):
            reasons.append(f"вновь принят(а) {person.hired_on:%d.%m.%Y}")
        rows.append((person.full_name, "; ".join(reasons)))
    return rows


def annual_report(*, year: int, on: date) -> AnnualReport:
    from tenants.catalogues import MentoringForm, RoleModel

    first, last = date(year, 1, 1), date(year, 12, 31)
    pairs = list(
        Pair.objects.filter(started_on__lte=last).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    )
    forms = dict(MentoringForm.objects.values_list("code", "name"))
    roles = dict(RoleModel.objects.values_list("pk", "name"))
    report = AnnualReport(year=year, pairs=len(pairs))
    report.by_form = _count([forms.get(p.form_code, p.form_code) for p in pairs])
    report.by_role_model = _count([roles.get(p.role_model_id, "—") for p in pairs])
    programmes = list(Programme.objects.filter(pair__in=pairs))
    report.programmes = _count([str(p.get_status_display()) for p in programmes])
    report.completed = sum(1 for p in programmes if p.completed_on and first <= p.completed_on <= last)
    sums: dict[str, list[tuple[int, int]]] = {}
    for pair in pairs:
        for change in measures_compare(pair=pair):
            for measure, entry, exit_, _delta in change.rows:
                if isinstance(entry, int) and isinstance(exit_, int):
                    sums.setdefault(measure, []).append((entry, exit_))
    report.dynamics = [
        (
            measure,
            sum(a for a, _ in values) / len(values),
            sum(b for _, b in values) / len(values),
            len(values),
        )
        for measure, values in sums.items()
    ]
    report.satisfaction = satisfaction_average()
    given = Incentive.objects.filter(given_on__range=(first, last))
    report.incentives = _count([str(i.get_kind_display()) for i in given])
    trainings = Training.objects.filter(starts_on__lte=last, ends_on__gte=first)
    report.trainings = trainings.count()
    report.training_hours = float(trainings.aggregate(h=Sum("hours"))["h"] or 0)
    report.recheck = recheck_mentees(on=on)
    return report


def _num(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _rows(counted: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"name": name, "count": count} for name, count in counted]


def annual_report_context(
    report: AnnualReport, *, school_name: str, school_short_name: str
) -> dict[str, Any]:
    """Plain values only (strings, numbers, lists of dicts): the template sees figures, never models."""
    return {
        "year": report.year,
        "school": {"name": school_name, "short_name": school_short_name or school_name},
        "pairs_count": report.pairs,
        "by_form": _rows(report.by_form),
        "by_role_model": _rows(report.by_role_model),
        "programmes_count": sum(n for _, n in report.programmes),
        "programmes_completed": report.completed,
        "programmes": _rows(report.programmes),
        "dynamics": [
            {"measure": measure, "entry": _num(entry), "exit": _num(exit_), "people": people}
            for measure, entry, exit_, people in report.dynamics
        ],
        "satisfaction": _num(report.satisfaction) if report.satisfaction is not None else "",
        "incentives_count": sum(n for _, n in report.incentives),
        "incentives": _rows(report.incentives),
        "trainings": report.trainings,
        "training_hours": _num(report.training_hours),
        "recheck": [{"full_name": name, "reason": reason} for name, reason in report.recheck],
    }


def annual_report_docx(report: AnnualReport, *, school_name: str, school_short_name: str = "") -> bytes:
    """The region's current «annual_report» template (or the built-in one) filled in the sandbox.

    The template row lives in public (tenants.DocumentTemplate), so the school reads it without importing the
    region; a stored template that breaks the rules raises ``TemplateRefused`` (a 400, never its output).
    """
    context = annual_report_context(report, school_name=school_name, school_short_name=school_short_name)
    return docx_render(kind="annual_report", context=context)
