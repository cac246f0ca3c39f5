"""The region's events as notifications: its own people's in public, a school's staff's in the school's schema.

Region services call these after their change (inside the transaction); a school's notifications are
written by a region job that enters each school's schema (``school_staff_notify_task``), after commit.
"""

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import DurableRegionTask, app
from core.notifications.services import staff_notify
from regional.models import InspectionRound, InspectionVerdict, ReportRun
from tenants.models import School
from tenants.notifications.region import inspector_ids, region_notify

SOON = timedelta(days=7)
LOOK_BACK = timedelta(days=30)


@app.task(base=DurableRegionTask, name="regional.school_staff_notify")
def school_staff_notify_task(school_ids: list[int], **event: Any) -> int:
    """Notify the curators of each school in its own schema. Idempotent (the event's key)."""
    created = 0
    for school in School.objects.filter(pk__in=school_ids, status=School.Status.ACTIVE):
        with schema_context(school.schema_name):
            created += len(staff_notify(**event))
    return created


def _to_schools(school_ids: list[int], **event: str) -> None:
    if school_ids:
        transaction.on_commit(
            lambda: school_staff_notify_task.apply_async(
                args=[school_ids], kwargs=event, headers={"_schema_name": "public"}
            )
        )


def remark_notify(*, verdict: InspectionVerdict, item_title: str) -> None:
    """An inspector's remark → the school's curators, with a link to the school's own checklist."""
    _to_schools(
        [verdict.school_id],
        kind="remark",
        key=f"remark:{verdict.pk}:{verdict.decided_at:%Y%m%d%H%M%S%f}",
        title=f"Замечание ИМЦ по пункту «{item_title}»",
        body=f"Раунд «{verdict.round.title}»: {verdict.comment}",
        link="/checklist/",
    )


def remarks_fixed_notify(*, school: School, items: dict[str, Any], titles: dict[str, str]) -> None:
    """The school's data now satisfies an item the inspector remarked on → that inspector, once per remark."""
    remarks = InspectionVerdict.objects.filter(
        school=school, verdict=InspectionVerdict.Verdict.REMARK
    ).exclude(auto_state="done")
    for verdict in remarks.select_related("round"):
        if items.get(verdict.item_code, {}).get("state") != "done":
            continue
        title = titles.get(verdict.item_code, verdict.item_code)
        region_notify(
            kind="remark_fixed",
            key=f"remark_fixed:{verdict.pk}:{verdict.decided_at:%Y%m%d%H%M%S%f}",
            recipient_ids=[verdict.inspector_id],
            title=f"{school.short_name}: пункт «{title}» теперь выполнен",
            body=f"Замечание раунда «{verdict.round.title}»: {verdict.comment}. Проверьте и подтвердите.",
            link=f"/rounds/{verdict.round_id}/schools/{school.pk}/",
        )


def round_started_notify(*, round_: InspectionRound, actor_id: int | None) -> None:
    title = f"Начат раунд мониторинга «{round_.title}», срок — {round_.due_date:%d.%m.%Y}"
    key = f"round_started:{round_.pk}"
    region_notify(
        kind="round_started", key=key, title=title, link=f"/rounds/{round_.pk}/",
        recipient_ids=[u for u in inspector_ids(round_.municipality_id) if u != actor_id],
    )  # fmt: skip
    _to_schools(list(round_.schools.values_list("pk", flat=True)), kind="round_started", key=key, title=title,
                link="/checklist/")  # fmt: skip


def rounds_remind(*, today: date) -> int:
    """Rounds due within 7 days or overdue (in the last 30): the inspectors, and the schools of the round
    whose review is not finished. Keys carry the due date: a moved deadline is a new reminder."""
    from regional.rounds import round_items  # regional.rounds imports this module

    rounds = InspectionRound.objects.filter(due_date__gt=today - LOOK_BACK, due_date__lte=today + SOON)
    count = 0
    for round_ in rounds:
        # Reviewed in full: a verdict on every item of the round's own checklist version (a version
        # published since adds items the round does not review).
        codes = [i.code for i in round_items(round_)]
        overdue = round_.due_date < today
        kind = "round_overdue" if overdue else "round_due"
        title = (
            f"Срок раунда мониторинга «{round_.title}» прошёл ({round_.due_date:%d.%m.%Y})"
            if overdue
            else f"Срок раунда мониторинга «{round_.title}» — {round_.due_date:%d.%m.%Y}"
        )
        key = f"{kind}:{round_.pk}:{round_.due_date:%Y-%m-%d}"
        count += len(
            region_notify(
                kind=kind, key=key, title=title, link=f"/rounds/{round_.pk}/",
                recipient_ids=inspector_ids(round_.municipality_id),
            )
        )  # fmt: skip
        reviewed = (
            round_.verdicts.filter(item_code__in=codes)
            .values("school_id")
            .annotate(n=Count("pk"))
            .filter(n__gte=len(codes))
        )
        unfinished = list(
            round_.schools.exclude(pk__in=reviewed.values("school_id")).values_list("pk", flat=True)
        )
        _to_schools(unfinished, kind=kind, key=key, title=title, link="/checklist/")
    return count


@app.task(base=DurableRegionTask, name="regional.rounds_remind")
def rounds_remind_task() -> int:
    return rounds_remind(today=timezone.localdate())


def export_notify(*, run_id: int) -> None:
    """An export finished or failed → whoever started it."""
    run = ReportRun.objects.get(pk=run_id)
    if run.created_by_id is None or run.finished_at is None:
        return
    if run.status == ReportRun.Status.DONE:
        kind, title = "export_ready", f"Выгрузка «{run}» готова"
    elif run.status == ReportRun.Status.FAILED:
        kind, title = "export_failed", f"Выгрузка «{run}» не сформирована"
    else:
        return
    region_notify(
        kind=kind, key=f"{kind}:{run.pk}:{run.finished_at:%Y%m%d%H%M%S%f}", recipient_ids=[run.created_by_id],
        title=title, body=run.error[:500], link=f"/reports/{run.pk}/",
    )  # fmt: skip
