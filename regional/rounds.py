"""ИМЦ monitoring rounds: verdicts beside the automatic result, remarks to the school, the analytical note."""

import io
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from docx import Document

from regional.checklist.history import percent_at, percent_on
from regional.checklist.rules import STATE_LABELS
from regional.checklist.snapshots import checklist_current
from regional.models import InspectionRound, InspectionVerdict, SchoolSnapshot
from regional.notifications import remark_notify, round_started_notify
from tenants.models import Municipality, School, User
from tenants.selectors import AnyUser, user_inspected_municipality_ids, user_is_regional_admin
from tenants.services import audit_record


def rounds_visible_to(user: AnyUser) -> QuerySet[InspectionRound]:
    rounds = InspectionRound.objects.select_related("municipality")
    if user_is_regional_admin(user):
        return rounds
    return rounds.filter(municipality_id__in=user_inspected_municipality_ids(user))


def _may_inspect(user: AnyUser, municipality: Municipality) -> bool:
    return user_is_regional_admin(user) or municipality.pk in user_inspected_municipality_ids(user)


def round_due_date_check(due_date: date) -> None:
    """A round being started on the page is due from today to a year ahead («a round due in 2020» was
    accepted). The service itself takes any date: history and tests build rounds already past."""
    today = timezone.localdate()
    if due_date < today:
        raise ValidationError(
            {"due_date": f"Срок раунда {due_date:%d.%m.%Y} уже прошёл: укажите дату не раньше сегодняшней."}
        )
    if due_date > today + timedelta(days=366):
        raise ValidationError({"due_date": "Срок раунда — не дальше чем через год."})


@transaction.atomic
def round_create(*, title: str, municipality: Municipality, due_date: date, actor: User) -> InspectionRound:
    if not _may_inspect(actor, municipality):
        raise PermissionDenied("Раунд проводит ИМЦ своего муниципалитета.")
    if not title.strip():
        raise ValidationError({"title": "Назовите раунд."})
    round_ = InspectionRound.objects.create(
        title=title.strip(),
        municipality=municipality,
        due_date=due_date,
        created_by=actor,
        template_version=checklist_current().version,
    )
    schools = School.objects.filter(municipality=municipality, status=School.Status.ACTIVE)
    round_.schools.set(schools)
    # Kept for the list; the trend itself is read from the dated history (round_trend).
    round_.baseline_percent = percent_at(timezone.now(), school_ids=[s.pk for s in schools])
    round_.save(update_fields=["baseline_percent"])
    audit_record(actor=actor, action="round.create", obj=round_)
    round_started_notify(round_=round_, actor_id=actor.pk)
    return round_


@transaction.atomic
def verdict_set(
    *, round_: InspectionRound, school: School, item_code: str, verdict: str, comment: str, actor: User
) -> InspectionVerdict:
    if not _may_inspect(actor, round_.municipality):
        raise PermissionDenied("Раунд чужого муниципалитета.")
    if not round_.schools.filter(pk=school.pk).exists():
        raise ValidationError("Школа не входит в раунд.")
    if item_code not in {i.code for i in checklist_current().items.all()}:
        raise ValidationError("Нет такого пункта чек-листа.")
    if verdict not in InspectionVerdict.Verdict.values:
        raise ValidationError("Выберите решение.")
    if verdict == InspectionVerdict.Verdict.REMARK and not comment.strip():
        raise ValidationError({"comment": "Замечание нужно сформулировать."})
    snapshot = SchoolSnapshot.objects.filter(school=school).first()
    auto = snapshot.items.get(item_code, {}).get("state", "") if snapshot else ""
    obj, _ = InspectionVerdict.objects.update_or_create(
        round=round_,
        school=school,
        item_code=item_code,
        defaults={"verdict": verdict, "comment": comment.strip(), "auto_state": auto, "inspector": actor},
    )
    audit_record(
        actor=actor, action="round.verdict", obj=obj, details={"school": school.pk, "verdict": verdict}
    )
    if verdict == InspectionVerdict.Verdict.REMARK:
        remark_notify(verdict=obj, item_title=checklist_current().items.get(code=item_code).title)
    return obj


def round_progress(round_: InspectionRound) -> dict[str, Any]:
    items = len(checklist_current().items.all())
    schools = round_.schools.count()
    per_school = dict(
        round_.verdicts.values_list("school_id").annotate(n=Count("pk")).values_list("school_id", "n")
    )
    reviewed = sum(1 for n in per_school.values() if n >= items)
    remarks = round_.verdicts.filter(verdict=InspectionVerdict.Verdict.REMARK).count()
    return {
        "schools": schools,
        "reviewed": reviewed,
        "remarks": remarks,
        "per_school": per_school,
        "items": items,
        "percent": round(100 * reviewed / schools) if schools else 0,
    }


def round_trend(round_: InspectionRound) -> dict[str, Any]:
    """The round's schools' checklist % at its start and at its due date (or now), from the dated history.

    Also where the previous round of the same municipality ended, so the trend between rounds is data,
    not a figure remembered at creation. Percentages are done items over applicable items of the schools
    that had data by then (None when none had).
    """
    today = timezone.localdate()
    school_ids = list(round_.schools.values_list("pk", flat=True))
    start_on = timezone.localdate(round_.created_at)
    end_on = min(round_.due_date, today)
    previous = (
        InspectionRound.objects.filter(municipality=round_.municipality, created_at__lt=round_.created_at)
        .order_by("-created_at")
        .first()
    )
    previous_percent = None
    if previous is not None:
        previous_percent = percent_on(
            min(previous.due_date, today), school_ids=list(previous.schools.values_list("pk", flat=True))
        )
    return {
        "start_on": start_on,
        "start": percent_at(round_.created_at, school_ids=school_ids),
        "end_on": end_on,
        "end_is_due": round_.due_date <= today,
        "end": percent_on(end_on, school_ids=school_ids),
        "previous": previous_percent,
        "previous_title": previous.title if previous else "",
    }


def round_note_docx(round_: InspectionRound) -> bytes:
    """Аналитическая справка по итогам раунда, from the verdicts and the schools' snapshots."""
    items = list(checklist_current().items.all())
    snapshots = {s.school_id: s for s in SchoolSnapshot.objects.filter(school__in=round_.schools.all())}
    progress = round_progress(round_)
    trend = round_trend(round_)
    doc = Document()
    doc.add_heading("АНАЛИТИЧЕСКАЯ СПРАВКА", level=1)
    doc.add_paragraph(
        f"по итогам мониторинга внедрения целевой модели наставничества «{round_.title}», "
        f"{round_.municipality.name}, срок — {round_.due_date:%d.%m.%Y}."
    )
    doc.add_paragraph(
        f"Образовательных организаций в раунде: {progress['schools']}; проверено полностью: "
        f"{progress['reviewed']}; замечаний: {progress['remarks']}; "
        f"без данных (школа ещё ничего не внесла): {progress['schools'] - len(snapshots)}."
    )
    doc.add_paragraph(
        f"Выполнение чек-листа на старте раунда ({trend['start_on']:%d.%m.%Y}): {_shown(trend['start'])}; "
        f"{'на срок' if trend['end_is_due'] else 'на дату справки'} ({trend['end_on']:%d.%m.%Y}): "
        f"{_shown(trend['end'])}."
    )
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Пункт чек-листа", "Выполнено (авто)", "Замечаний"), strict=True
    ):
        cell.text = text
    for item in items:
        done = sum(1 for s in snapshots.values() if s.items.get(item.code, {}).get("state") == "done")
        remarks = round_.verdicts.filter(item_code=item.code, verdict="remark").count()
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = (
            item.title,
            f"{done} из {progress['schools']}",
            str(remarks),
        )
    doc.add_paragraph("")
    doc.add_paragraph("Замечания:")
    titles = {i.code: i.title for i in items}
    for verdict in (
        round_.verdicts.filter(Q(verdict="remark")).select_related("school").order_by("school__short_name")
    ):
        doc.add_paragraph(
            f"{verdict.school.short_name} — {titles.get(verdict.item_code, verdict.item_code)}: "
            f"{verdict.comment} (автопроверка: {STATE_LABELS.get(verdict.auto_state, '—')})"
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _shown(percent: int | None) -> str:
    return "нет данных" if percent is None else f"{percent} %"
