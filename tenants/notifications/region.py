"""Notifications of the region site: created in the caller's transaction, e-mailed after it commits."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q

from tenants.models import AuditEvent, Membership, OnboardingBatch, Role, School
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


@transaction.atomic
def onboarding_notify(*, school_id: int) -> None:
    """A school became active or failed: tell whoever started it (once per outcome and attempt).

    A school of an uploaded list is told about once for the whole list, when its last school is done.
    """
    school = School.objects.get(pk=school_id)
    batch = school.onboarding_batches.order_by("-pk").first()
    if batch is not None and batch.created_by_id is not None:
        _batch_notify(batch.pk)
        return
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


def _batch_notify(batch_id: int) -> None:
    # The batch row is locked: of two schools finishing together, the second waits and sees the first done.
    batch = OnboardingBatch.objects.select_for_update().get(pk=batch_id)
    counts = batch.schools.aggregate(
        pending=Count("pk", filter=Q(status=School.Status.PENDING)),
        failed=Count("pk", filter=Q(status=School.Status.FAILED)),
        done=Count("pk", filter=Q(status__in=[School.Status.ACTIVE, School.Status.ARCHIVED])),
    )
    if counts["pending"]:
        return  # the list's last school reports
    failed, done = counts["failed"], counts["done"]
    region_notify(
        kind="onboarding_failed" if failed else "onboarding_finished",
        key=f"batch:{batch.pk}:{done}:{failed}",  # a retried school changes the counts: a new summary
        recipient_ids=[batch.created_by_id],
        title=f"Список «{batch.file_name}»: подключено {done} из {done + failed}"
        + (f", с ошибкой — {failed}" if failed else ""),
        link=f"/schools/import/{batch.pk}/",
    )
