"""Notifications of the region site: created in the caller's transaction, e-mailed after it commits."""

from collections.abc import Iterable

from django.db import transaction

from tenants.models import AuditEvent, Membership, Role, School
from tenants.notifications.engine import notifications_create
from tenants.notifications.models import RegionNotification
from tenants.notifications.tasks import region_notifications_send_task


def region_notify(
    *, kind: str, key: str, recipient_ids: Iterable[int | None], title: str, link: str, body: str = ""
) -> list[int]:
    new = notifications_create(
        RegionNotification, kind=kind, key=key, recipient_ids=recipient_ids, title=title, link=link, body=body
    )
    if new:
        # Sent to public explicitly: a school's job (a snapshot refresh) may create region notifications.
        transaction.on_commit(
            lambda: region_notifications_send_task.apply_async(args=[key], headers={"_schema_name": "public"})
        )
    return new


def inspector_ids(municipality_id: int) -> list[int]:
    return list(
        Membership.objects.filter(role=Role.INSPECTOR, municipality_id=municipality_id).values_list(
            "user_id", flat=True
        )
    )


def _onboarding_start(school: School) -> tuple[int, int] | None:
    """(journal row, user) of the regional admin who onboarded the school or last pressed «Повторить»."""
    return (
        AuditEvent.objects.filter(
            object_type="tenants.school",
            object_id=str(school.pk),
            action__in=["school.onboard", "school.provision_retry"],
            actor__isnull=False,
        )
        .order_by("-at", "-pk")
        .values_list("pk", "actor_id")
        .first()
    )


def onboarding_notify(*, school_id: int) -> None:
    """A school became active or failed: tell whoever started it (once per outcome and attempt count)."""
    school = School.objects.get(pk=school_id)
    start = _onboarding_start(school)
    if start is None:
        return
    attempt, starter = start  # a retry is a new attempt: its outcome is a new event
    link = f"/schools/{school.pk}/"
    if school.status == School.Status.ACTIVE:
        region_notify(
            kind="onboarding_finished", key=f"onboarding:{school.pk}:{attempt}:active", recipient_ids=[starter],
            title=f"Школа «{school.short_name}» подключена", link=link,
        )  # fmt: skip
    elif school.status == School.Status.FAILED:
        region_notify(
            kind="onboarding_failed",
            key=f"onboarding:{school.pk}:{attempt}:failed",
            recipient_ids=[starter],
            title=f"Не удалось подключить школу «{school.short_name}»",
            body=school.provision_error[:500],
            link=link,
        )
