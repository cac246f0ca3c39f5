"""Creating a school's notifications: one call per event from the services that cause it."""

from collections.abc import Iterable

from django.db import transaction

from config.celery import send_to_school
from core.notifications.models import Notification
from core.notifications.recipients import member_ids, staff_ids
from core.notifications.tasks import notifications_send_task
from core.programmes.models import Programme
from tenants.context import current_schema_name
from tenants.notifications.engine import notifications_create


def notify(
    *, kind: str, key: str, recipient_ids: Iterable[int | None], title: str, link: str, body: str = ""
) -> list[int]:
    """Notify these logins in the current school; e-mail goes after commit. Returns who was new."""
    new = notifications_create(
        Notification, kind=kind, key=key, recipient_ids=recipient_ids, title=title, link=link, body=body
    )
    if new:
        schema = current_schema_name()  # a region job may leave the school's schema before the commit
        transaction.on_commit(lambda: send_to_school(notifications_send_task, schema, key))
    return new


def staff_notify(*, kind: str, key: str, title: str, link: str, body: str = "") -> list[int]:
    """Notify the school's curators and administrators (the region's events for a school come here)."""
    return notify(kind=kind, key=key, recipient_ids=staff_ids(), title=title, link=link, body=body)


def programme_status_notify(
    *, programme: Programme, old: str, to: str, actor_id: int | None, event: int
) -> None:
    """Submitted → the curators; approved or returned → the pair's mentor(s) and mentee(s).

    ``event`` is the journal row of the move: a programme is submitted and returned many times.
    """
    link, Status = f"/programmes/{programme.pk}/", Programme.Status
    if to == Status.REVIEW:
        kind, title, people = (
            "programme_submitted",
            f"Программа «{programme.title}» ждёт согласования",
            staff_ids(),
        )
    elif to == Status.APPROVED:
        kind, title = "programme_approved", f"Программа «{programme.title}» утверждена"
        people = member_ids([programme.pair_id]).get(programme.pair_id, [])
    elif old == Status.REVIEW and to in (Status.DRAFT, Status.REVISION):
        kind, title = "programme_returned", f"Программа «{programme.title}» возвращена на доработку"
        people = member_ids([programme.pair_id]).get(programme.pair_id, [])
    else:
        return
    notify(
        kind=kind, key=f"{kind}:{programme.pk}:{event}", recipient_ids=[p for p in people if p != actor_id],
        title=title, link=link,
    )  # fmt: skip
