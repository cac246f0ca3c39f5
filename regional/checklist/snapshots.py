"""School → region: evaluate the checklist inside a school's schema and write its public snapshot row.

Freshness protocol (any number of processes, any cache):

1. A change in a school sends ``core.signals.school_data_changed`` inside its transaction; the receiver
   stamps ``SchoolSnapshot.requested_at`` in that same transaction (so the mark commits with the change, or
   not at all) and, when nothing was pending yet, queues one refresh job on commit.
2. The refresh job takes a per-school advisory lock (one refresher at a time), reads the stamp, evaluates,
   and writes the row clearing the stamp only if it is still the one it read (compare-and-set). A change
   that committed during the evaluation has moved the stamp: the job sees it still pending and goes again.
3. A stamp that stays set (a worker killed, a message lost) is picked up by the periodic repair job.
"""

import json
import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.facts import DONE, NA, RULES, checklist_evaluate, school_counts
from core.facts.indicators import figures_definition, school_report_values
from regional.models import ChecklistTemplate, SchoolSnapshot, SchoolSnapshotVersion
from regional.notifications import remarks_fixed_notify
from tenants.catalogues import EndReason
from tenants.context import current_schema_name, in_public_schema
from tenants.locks import advisory_try_lock
from tenants.models import School

logger = logging.getLogger(__name__)

# A pending stamp older than this is taken for lost (its job died): the next change queues a job again,
# and the periodic repair refreshes it.
STALE_REQUEST = timedelta(seconds=60)
_LOCK_CLASS = 7_305_002  # pg advisory lock namespace: (class, school id) = one refresher per school
_ROUNDS = 5  # refresh passes in one job before it hands over to a new message


def checklist_current() -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(is_current=True).prefetch_related("items").first()
    if template is None:
        raise RuntimeError("No current checklist template: run migrations")
    return template


def _plain(value: Any) -> Any:
    """As the JSON column will give it back: the history compares stored values with fresh ones."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot_refresh(*, school: School, today: date | None = None) -> SchoolSnapshot:
    """Recompute and store this school's row (and a dated version if anything changed).

    Must run in the school's own schema. Clears the pending stamp only if no change arrived meanwhile.
    Safe beside another refresh of the same school that does not hold the refresher lock (a management
    command): the row is written under its row lock, and not at all if a refresh that wrote after this one
    began has already written it — its values are as new, and the stamp tells whether anything is left.
    """
    if current_schema_name() != school.schema_name:
        raise RuntimeError("snapshot_refresh must run in the school's schema")
    today = today or timezone.localdate()
    started = timezone.now()
    # Read the stamp before evaluating: whatever committed before it is seen by the evaluation below.
    stamp = SchoolSnapshot.objects.filter(school=school).values_list("requested_at", flat=True).first()
    template = checklist_current()
    items = _plain(checklist_evaluate(template.items.all(), today))
    counts = _plain(school_counts())
    values = {"template_version": template.version, "items": items, "counts": counts, **items_totals(items)}
    report = _report_figures(school, today)
    with transaction.atomic():
        written = (
            SchoolSnapshot.objects.select_for_update()
            .filter(school=school)
            .values_list("computed_at", flat=True)
            .first()
        )
        if written is not None and written >= started:
            return SchoolSnapshot.objects.get(school=school)
        # Read under the row lock: an archiving that committed meanwhile is seen, one still running waits.
        active = School.objects.filter(pk=school.pk, status=School.Status.ACTIVE).exists()
        now = timezone.now()
        snapshot, _ = SchoolSnapshot.objects.update_or_create(
            school=school,
            defaults={
                **values,
                **report,
                "municipality_id": school.municipality_id,
                "school_kind": school.kind,
                "active": active,
                "computed_at": now,
            },
        )
        if stamp is not None:
            SchoolSnapshot.objects.filter(pk=snapshot.pk).update(
                requested_at=Case(When(requested_at=stamp, then=Value(None)), default=F("requested_at"))
            )
        _version_write(school=school, values={**values, "active": active}, at=now)
        remarks_fixed_notify(
            school=school, items=items, titles={i.code: i.title for i in template.items.all()}
        )
    snapshot.refresh_from_db(fields=["requested_at"])
    return snapshot


def items_totals(items: dict[str, Any]) -> dict[str, int]:
    """A snapshot's ``done``, ``applicable`` and ``percent`` from its items (a not-applicable item is in neither)."""
    applicable = [v for v in items.values() if v["state"] != NA]
    done = sum(1 for v in applicable if v["state"] == DONE)
    return {
        "done": done,
        "applicable": len(applicable),
        "percent": round(100 * done / len(applicable)) if applicable else 0,
    }


def _report_figures(school: School, today: date) -> dict[str, Any]:
    """Today's federal report figures with what they were computed by (the snapshot row's ``report_*``).

    An export for today reads them from the row instead of opening every school's tables. If they cannot
    be computed, the row keeps none (an export recomputes the school) and the checklist is still stored.
    """
    early = early_end_codes()
    try:
        with transaction.atomic():  # a savepoint: a failed statement leaves the connection usable
            report = _plain(school_report_values(on=today, early_end_codes=early))
    except DatabaseError:
        logger.exception("Report figures of school %s failed; an export recomputes them", school.pk)
        report = None
    return {
        "report_on": today if report is not None else None,
        "report_values": report,
        "report_early_codes": early,
        "report_definition": figures_definition(),
    }


_VERSION_FIELDS = ("template_version", "items", "counts", "done", "applicable", "percent", "active")


def _version_write(*, school: School, values: dict[str, Any], at: Any) -> None:
    """A new dated version only when the values differ from the latest one (runs under the row's lock)."""
    latest = (
        SchoolSnapshotVersion.objects.filter(school=school)
        .order_by("-valid_from")
        .values(*values.keys())
        .first()
    )
    if latest == values:
        return
    SchoolSnapshotVersion.objects.create(school=school, valid_from=at, **values)


def snapshot_refresh_pending(*, school: School, force: bool = False) -> str:
    """The refresh job's body: refresh while a change is pending (or once, with ``force``).

    Returns «busy» when another process holds the school (it will see any stamp left after it),
    «done» when nothing is pending any more, «again» when changes kept arriving (a new job is queued).
    """
    with advisory_try_lock(_LOCK_CLASS, school.pk) as acquired:  # one refresher per school
        if not acquired:
            return "busy"
        for _ in range(_ROUNDS):
            snapshot = SchoolSnapshot.objects.filter(school=school).only("requested_at").first()
            if snapshot is not None and snapshot.requested_at is None and not force:
                return "done"
            force = False
            snapshot = snapshot_refresh(school=school)
            if snapshot.requested_at is None:
                return "done"
    # Still pending after a few passes (a school being edited non-stop): let other schools in, then again.
    return "again"


def snapshot_request_refresh(**kwargs: Any) -> None:
    """Receiver of ``school_data_changed``: mark this school's snapshot stale in the changing transaction."""
    if in_public_schema():
        return
    schema = current_schema_name()
    now = timezone.now()
    public = get_public_schema_name()
    snapshots, schools = SchoolSnapshot._meta.db_table, School._meta.db_table
    with connection.cursor() as cursor:
        # One statement: set the stamp and learn the previous one (to queue a job only when none is pending).
        cursor.execute(
            f'UPDATE "{public}"."{snapshots}" s SET requested_at = %s '  # noqa: S608 - names from models
            f'FROM (SELECT p.id, p.requested_at FROM "{public}"."{snapshots}" p '
            f'JOIN "{public}"."{schools}" t ON t.id = p.school_id WHERE t.schema_name = %s FOR UPDATE OF p) old '
            "WHERE s.id = old.id RETURNING old.requested_at",
            [now, schema],
        )
        row = cursor.fetchone()
    previous = row[0] if row else None
    if row is not None and previous is not None and now - previous < STALE_REQUEST:
        return  # a job is queued or running: it reads the new stamp, or sees it left and goes again

    def queue() -> None:
        from regional.tasks import snapshot_refresh_task

        try:
            snapshot_refresh_task.apply_async(headers={"_schema_name": schema})
        except Exception:  # the broker is down: the stamp stays, the periodic repair will refresh it
            logger.exception("Could not queue the snapshot refresh of %s", schema)

    transaction.on_commit(queue)


def snapshot_first(*, school: School, **kwargs: Any) -> None:
    """Receiver of ``school_provisioned``: the school's first row, so it is in the region's picture at once.

    Runs inside the activating transaction. A failure here must not undo the provisioning: it is rolled back
    to a savepoint, logged, and the repair job writes the row later (the region view shows «нет данных»).
    """
    from django_tenants.utils import schema_context

    try:
        with transaction.atomic(), schema_context(school.schema_name):  # a savepoint: a failure stays here
            snapshot_refresh(school=school)
    except Exception:
        logger.exception("First snapshot of school %s failed; the periodic repair will write it", school.pk)


def snapshot_active_sync(*, school: School, **kwargs: Any) -> None:
    """Receiver of ``school_status_changed``: an archived school leaves the region's picture, and comes back.

    The dated history gets a version with the new state (the latest values otherwise unchanged), so the
    picture of a day before the archiving still holds the school, and the picture of a day after does not.
    """
    active = school.status == School.Status.ACTIVE
    SchoolSnapshot.objects.filter(school=school).update(active=active)
    latest = (
        SchoolSnapshotVersion.objects.filter(school=school)
        .order_by("-valid_from")
        .values(*_VERSION_FIELDS)
        .first()
    )
    if latest is not None:
        _version_write(school=school, values={**latest, "active": active}, at=timezone.now())


def early_end_codes() -> list[str]:
    """The region's end reasons that count as «досрочно», in a stable order (stored with the figures)."""
    return sorted(EndReason.objects.filter(early=True).values_list("code", flat=True))


def figures_current(day: date, *, prefix: str = "") -> Q:
    """Snapshot rows holding the figures of ``day`` as they would be computed now: for that day, with the
    region's «досрочно» reasons and the code's fingerprint (``prefix``: the path to the row, e.g. from a
    School). Whether a change is pending since (``requested_at``) is the caller's to add."""
    return Q(
        **{
            f"{prefix}report_on": day,
            f"{prefix}report_early_codes": early_end_codes(),
            f"{prefix}report_definition": figures_definition(),
        }
    )


class RegionChecklistSource:
    """The region's side of the school's own checklist page (registered in regional.apps)."""

    def items(self) -> Any:
        return checklist_current().items.all()

    def remarks(self, school_id: int) -> Any:
        from regional.models import InspectionVerdict

        return InspectionVerdict.objects.filter(
            school_id=school_id, verdict=InspectionVerdict.Verdict.REMARK
        ).select_related("round")


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
