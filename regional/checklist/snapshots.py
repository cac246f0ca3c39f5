"""School → region: evaluate the checklist inside a school's schema and write its public snapshot row."""

from datetime import date
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from regional.checklist.rules import DONE, NA, RULES, STATE_LABELS
from regional.models import ChecklistTemplate, SchoolSnapshot
from tenants.context import current_schema_name, in_public_schema
from tenants.models import School

DEDUP_SECONDS = 5


def checklist_current() -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(is_current=True).prefetch_related("items").first()
    if template is None:
        raise RuntimeError("No current checklist template: run migrations")
    return template


def checklist_evaluate(*, today: date) -> dict[str, dict[str, Any]]:
    """The current checklist for the school whose schema is active."""
    if in_public_schema():
        raise RuntimeError("checklist_evaluate runs in a school's schema")
    results = {}
    for item in checklist_current().items.all():
        rule = RULES.get(item.rule)
        if rule is None:
            continue
        result = rule(today)
        state = NA if item.optional and result.state != DONE else result.state
        results[item.code] = {
            "title": item.title,
            "state": state,
            "label": STATE_LABELS[state],
            "evidence": result.evidence,
            "hint": result.hint,
        }
    return results


def school_counts() -> dict[str, Any]:
    from core.monitoring.services import satisfaction_average
    from core.pairs.models import Pair
    from core.people.models import BankEntry, Person
    from core.programmes.models import Programme

    people = dict(Person.objects.values_list("category").annotate(n=Count("pk")).values_list("category", "n"))
    return {
        "people": sum(people.values()),
        "students": people.get("student", 0),
        "teachers": people.get("teacher", 0),
        "pairs": Pair.objects.exclude(status=Pair.Status.ENDED).count(),
        "mentors": BankEntry.objects.filter(bank="mentor").count(),
        "mentees": BankEntry.objects.filter(bank="mentee").count(),
        "programmes": Programme.objects.count(),
        "programmes_completed": Programme.objects.filter(status=Programme.Status.COMPLETED).count(),
        "satisfaction": satisfaction_average(),
        "meeting_hours": float(Pair.objects.aggregate(h=Avg("meetings__hours"))["h"] or 0),
    }


def snapshot_refresh(*, school: School, today: date | None = None) -> SchoolSnapshot:
    """Recompute and store this school's row. Must run in the school's own schema."""
    if current_schema_name() != school.schema_name:
        raise RuntimeError("snapshot_refresh must run in the school's schema")
    today = today or timezone.localdate()
    template = checklist_current()
    items = checklist_evaluate(today=today)
    applicable = [v for v in items.values() if v["state"] != NA]
    done = sum(1 for v in applicable if v["state"] == DONE)
    snapshot, _ = SchoolSnapshot.objects.update_or_create(
        school=school,
        defaults={
            "municipality_id": school.municipality_id,
            "school_kind": school.kind,
            "active": school.status == School.Status.ACTIVE,
            "template_version": template.version,
            "items": items,
            "counts": school_counts(),
            "done": done,
            "applicable": len(applicable),
            "percent": round(100 * done / len(applicable)) if applicable else 0,
            "computed_at": timezone.now(),
        },
    )
    return snapshot


def snapshot_refresh_later() -> None:
    """After a change commits in a school: one refresh job per school per few seconds, however many changes."""
    if in_public_schema():
        return
    schema = current_schema_name()

    def queue() -> None:
        from regional.tasks import snapshot_refresh_task

        # cache keys carry the schema (django_tenants.cache.make_key); add() is atomic: the first change wins.
        if cache.add("snapshot-refresh-pending", schema, timeout=DEDUP_SECONDS):
            snapshot_refresh_task.apply_async(countdown=1)

    transaction.on_commit(queue)


@transaction.atomic
def checklist_publish(*, extra_rules: list[str], actor: Any) -> ChecklistTemplate:
    """A new version: the current items plus extra ones; snapshots of every school are recomputed."""
    from regional.models import ChecklistItem
    from tenants.services import audit_record

    current = checklist_current()
    unknown = [r for r in extra_rules if r not in RULES]
    if unknown or not extra_rules:
        raise ValidationError("Выберите пункты, которые добавить.")
    existing = {i.rule for i in current.items.all()}
    new_rules = [r for r in extra_rules if r not in existing]
    if not new_rules:
        raise ValidationError("Эти пункты уже есть в чек-листе.")
    ChecklistTemplate.objects.filter(pk=current.pk).update(is_current=False)
    template = ChecklistTemplate.objects.create(
        version=current.version + 1, title=current.title, is_current=True
    )
    items = list(current.items.all())
    for position, item in enumerate(items, start=1):
        ChecklistItem.objects.create(
            template=template,
            code=item.code,
            title=item.title,
            rule=item.rule,
            optional=item.optional,
            position=position,
        )
    for offset, rule in enumerate(new_rules, start=len(items) + 1):
        ChecklistItem.objects.create(
            template=template, code=rule, title=EXTRA_RULE_TITLES.get(rule, rule), rule=rule, position=offset
        )
    audit_record(actor=actor, action="checklist.publish", obj=template, details={"added": new_rules})

    def fan_out() -> None:
        from regional.tasks import snapshots_rebuild_all_task

        snapshots_rebuild_all_task.delay()

    transaction.on_commit(fan_out)
    return template


EXTRA_RULE_TITLES = {
    "order_introduction": "Приказ о внедрении целевой модели наставничества",
    "pairs_count": "Количество пар, закреплённых приказом",
}
