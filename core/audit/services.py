from typing import Any

from django.db.models import Model

from core.audit.models import AuditEntry
from core.signals import school_data_changed
from tenants.models import User

READ_ONLY_ACTIONS = {"view", "export", "scan_download"}


def audit_log(
    *, actor: User | None, action: str, obj: Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """One row in the school's journal. Called by every service that changes or reveals personal data."""
    if action not in READ_ONLY_ACTIONS:
        # Every journaled change may move the school's checklist: whoever keeps the region's picture of the
        # school (regional.apps) marks it stale in this same transaction, so the mark commits with the change.
        school_data_changed.send(sender=AuditEntry)
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        actor_email=actor.email if actor is not None and actor.is_authenticated else "",
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that differ, values as text (dates as ДД.ММ.ГГГГ)."""

    def show(value: Any) -> Any:
        if hasattr(value, "strftime"):
            return value.strftime("%d.%m.%Y")
        return value

    return {k: [show(before.get(k)), show(after.get(k))] for k in after if before.get(k) != after.get(k)}
