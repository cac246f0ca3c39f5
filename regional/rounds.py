"""ИМЦ monitoring rounds: verdicts beside the automatic result, remarks to the school, the analytical note."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.documents.render import docx_render
from regional.checklist.history import percent_at, percent_on
from regional.checklist.rules import STATE_LABELS
from regional.checklist.snapshots import checklist_current
from regional.models import (
    ChecklistItem,
    ChecklistTemplate,
    InspectionRound,
    InspectionVerdict,
    SchoolSnapshot,
)
from regional.notifications import remark_notify, round_started_notify
from tenants.models import Municipality, School, User
from tenants.selectors import AnyUser, user_inspected_municipality_ids, user_is_regional_admin
from tenants.services import audit_record


def round_items(round_: InspectionRound) -> list[ChecklistItem]:
    """The items of the checklist version the round was started with: a version published during the round
    changes neither what its inspectors review nor its progress and note (the current one if that version
    was deleted)."""
    template = ChecklistTemplate.objects.filter(version=round_.template_version).first()
    return list((template or checklist_current()).items.all())


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
    if item_code not in {i.code for i in round_items(round_)}:
        raise ValidationError(
            f"Нет такого пункта в чек-листе раунда (версия {round_.template_version}).", code="unknown_item"
        )
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
        remark_notify(
            verdict=obj, item_title=next(i.title for i in round_items(round_) if i.code == item_code)
        )
    return obj


def round_progress(round_: InspectionRound) -> dict[str, Any]:
    codes = [i.code for i in round_items(round_)]
    items = len(codes)
    schools = round_.schools.count()
    per_school = dict(
        round_.verdicts.filter(item_code__in=codes)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
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
    codes = [i.code for i in round_items(round_)]
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
            min(previous.due_date, today),
            school_ids=list(previous.schools.values_list("pk", flat=True)),
            codes=[i.code for i in round_items(previous)],
        )
    return {
        "start_on": start_on,
        "start": percent_at(round_.created_at, school_ids=school_ids, codes=codes),
        "end_on": end_on,
        "end_is_due": round_.due_date <= today,
        "end": percent_on(end_on, school_ids=school_ids, codes=codes),
        "previous": previous_percent,
        "previous_title": previous.title if previous else "",
    }


def round_note_docx(round_: InspectionRound) -> bytes:
    """Аналитическая справка по итогам раунда, from the verdicts and the schools' snapshots, filled into the
    region's «round_note» DOCX template (or the built-in one) in the documents' sandbox."""
    items = round_items(round_)
    snapshots = {s.school_id: s for s in SchoolSnapshot.objects.filter(school__in=round_.schools.all())}
    progress = round_progress(round_)
    trend = round_trend(round_)
    remarks_by_item = dict(
        round_.verdicts.filter(verdict="remark").values_list("item_code").annotate(n=Count("pk"))
    )
    titles = {i.code: i.title for i in items}
    remarks = (
        round_.verdicts.filter(Q(verdict="remark")).select_related("school").order_by("school__short_name")
    )
    context = {
        "title": round_.title,
        "municipality": round_.municipality.name,
        "date": f"{timezone.localdate():%d.%m.%Y}",
        "due_date": f"{round_.due_date:%d.%m.%Y}",
        "schools": progress["schools"],
        "reviewed": progress["reviewed"],
        "remarks_count": progress["remarks"],
        "no_data": progress["schools"] - len(snapshots),
        "start_on": f"{trend['start_on']:%d.%m.%Y}",
        "start_percent": _shown(trend["start"]),
        "end_label": "на срок" if trend["end_is_due"] else "на дату справки",
        "end_on": f"{trend['end_on']:%d.%m.%Y}",
        "end_percent": _shown(trend["end"]),
        "previous_title": trend["previous_title"],
        "previous_percent": _shown(trend["previous"]) if trend["previous_title"] else "",
        "items": [
            {
                "title": item.title,
                "done": f"{sum(1 for s in snapshots.values() if s.items.get(item.code, {}).get('state') == 'done')}"
                f" из {progress['schools']}",
                "remarks": remarks_by_item.get(item.code, 0),
            }
            for item in items
        ],
        "remarks": [
            {
                "school": verdict.school.short_name,
                "item": titles.get(verdict.item_code, verdict.item_code),
                "comment": verdict.comment,
                "auto_state": str(STATE_LABELS.get(verdict.auto_state, "—")),
            }
            for verdict in remarks
        ],
    }
    return docx_render(kind="round_note", context=context)


def _shown(percent: int | None) -> str:
    return "нет данных" if percent is None else f"{percent} %"
