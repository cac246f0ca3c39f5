"""What both sides do with notifications, given their model and their site's host.

Services call ``notifications_create`` inside their transaction; the e-mail goes later, from a task, through
``notifications_deliver`` (immediate kinds) or ``digest_send`` (the daily digest). Each row is e-mailed once:
it is locked (``SELECT … FOR UPDATE SKIP LOCKED``) and ``emailed_at`` is set in the same transaction as the
send, so a second run, a redelivered job or a second worker finds nothing to send. A row locked by another
session is not taken for sent: the job is retried until it is (``RowsBusy``). Drilled with real workers killed
mid-send: ``tests/test_notifications_worker_lost.py``.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from tenants.models import REGION_ROLES, School, User
from tenants.notifications.kinds import KINDS, Channel
from tenants.notifications.models import NotificationBase, NotificationPreference
from tenants.urls_util import site_url


class RowsBusy(Exception):
    """Rows of the job are locked by another session: one sending them now, or that of a worker that died
    mid-send and that the database has not dropped yet (a vanished host's lasts until its TCP keepalive)."""


# What makes a send job retry (with the durable tasks' backoff) rather than fail: the database or the mail
# server away, or rows another session holds. OSError covers a refused or dropped SMTP connection;
# SMTPException the server's refusals.
MAIL_AWAY: tuple[type[Exception], ...] = (OperationalError, InterfaceError, SMTPException, OSError, RowsBusy)
# Read notifications older than this are deleted by the daily jobs; unread ones stay until read.
KEEP_READ = timedelta(days=180)
# A digest carries what came in since about a day ago; older unsent rows (the job was down) up to a week.
DIGEST_LOOKBACK = timedelta(days=7)
PREFERENCES_PATH = "/notifications/preferences/"


def notifications_create[N: NotificationBase](
    model: type[N],
    *,
    kind: str,
    key: str,
    recipient_ids: Iterable[int | None],
    title: str,
    link: str,
    body: str = "",
) -> list[int]:
    """One row per recipient unless the (key, recipient) pair exists; returns the recipients newly notified."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    recipients = sorted({int(r) for r in recipient_ids if r})
    if not recipients:
        return []
    existing = set(
        model._default_manager.filter(key=key, recipient_id__in=recipients).values_list(
            "recipient_id", flat=True
        )
    )
    new = [r for r in recipients if r not in existing]
    # ignore_conflicts: a concurrent run that inserted the same pair in between is not an error, not a dup.
    model._default_manager.bulk_create(
        [model(recipient_id=r, kind=kind, key=key[:200], title=title[:300], link=link[:500], body=body)
         for r in new],
        ignore_conflicts=True,
    )  # fmt: skip
    return new


def channels_for(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """(user, kind) → channel: the person's choice, else the kind's default. One query."""
    users, kinds = list(user_ids), list(kinds)
    chosen = {
        (user_id, kind): channel
        for user_id, kind, channel in NotificationPreference.objects.filter(
            user_id__in=users, kind__in=kinds
        ).values_list("user_id", "kind", "channel")
    }
    return {
        (u, k): chosen.get((u, k), KINDS[k].default if k in KINDS else Channel.NONE)
        for u in users
        for k in kinds
    }


def _footer(host: str) -> str:
    return (
        "\n\n—\nЭто письмо отправлено системой «Наставник». Какие уведомления приходят на почту и как часто, "
        f"можно выбрать здесь: {site_url(host, PREFERENCES_PATH)}"
    )


def open_path(notification: NotificationBase) -> str:
    """Where a letter's link leads (the list's links too): the open view, «notification-open», which marks it
    read for its recipient and redirects to the page (logged out: through the login page and back here)."""
    return f"/notifications/{notification.pk}/open/"


def _text(notification: NotificationBase, host: str) -> str:
    lines = [notification.title]
    if notification.body:
        lines.append(notification.body)
    if notification.link:
        # Through the open view, not straight to the page: a link followed from the letter marks it read.
        lines.append(f"Открыть: {site_url(host, open_path(notification))}")
    return "\n".join(lines)


def site_audience(school: School | None) -> QuerySet[User]:
    """Who may still read a site's notifications: its members now (a person who left gets no more mail)."""
    if school is not None:
        return User.objects.filter(memberships__school=school)
    return User.objects.filter(memberships__role__in=sorted(REGION_ROLES))


def _emails(audience: QuerySet[User], user_ids: Iterable[int]) -> dict[int, str]:
    rows = audience.filter(pk__in=list(user_ids), is_active=True).exclude(email="").values_list("pk", "email")
    return dict(rows.distinct())


def notifications_deliver[N: NotificationBase](
    model: type[N], *, key: str, host: str, site_title: str, audience: QuerySet[User]
) -> int:
    """E-mail the not yet e-mailed rows of one event to those who want this kind at once. Returns how many."""
    sent = 0
    pending = list(
        model._default_manager.filter(key=key, emailed_at__isnull=True).values_list(
            "pk", "recipient_id", "kind"
        )
    )
    if not pending:
        return 0
    channels = channels_for({r for _, r, _ in pending}, {k for _, _, k in pending})
    emails = _emails(audience, {r for _, r, _ in pending})
    busy = 0
    with _mail_connection() as mail:
        for pk, recipient_id, kind in pending:
            if channels[(recipient_id, kind)] != Channel.IMMEDIATE or not emails.get(recipient_id):
                continue  # the digest or nobody takes it; the bell shows it either way
            with transaction.atomic():
                rows = model._default_manager.filter(pk=pk, emailed_at__isnull=True)
                row = rows.select_for_update(skip_locked=True).first()
                if row is None:
                    busy += rows.exists()  # locked by another session; not there: sent meanwhile
                    continue
                mail.open()
                send_mail(
                    subject=f"[Наставник] {row.title}"[:250],
                    message=f"{site_title}\n\n{_text(row, host)}{_footer(host)}",
                    from_email=None,
                    recipient_list=[emails[recipient_id]],
                    connection=mail,
                )
                row.emailed_at = timezone.now()
                row.save(update_fields=["emailed_at"])
                sent += 1
    if busy:
        raise RowsBusy(f"{key}: {busy} row(s) locked by another session; sent {sent}")
    return sent


@contextmanager
def _mail_connection() -> Iterator[BaseEmailBackend]:
    """One SMTP connection for the whole job, opened at the first letter and closed (QUIT) after the last row
    is marked: each letter is marked as soon as the server has it, not after a goodbye a worker may not live
    through (killed there, it would send that letter again)."""
    mail = get_connection()
    try:
        yield mail
    finally:
        mail.close()


def digest_send[N: NotificationBase](
    model: type[N], *, host: str, site_title: str, audience: QuerySet[User]
) -> int:
    """The daily digest of this site: one letter per person with their unsent, unread «digest» kinds."""
    since = timezone.now() - DIGEST_LOOKBACK
    pending = model._default_manager.filter(
        emailed_at__isnull=True, read_at__isnull=True, created_at__gte=since
    )
    rows = list(pending.values_list("recipient_id", "kind").distinct())
    channels = channels_for({r for r, _ in rows}, {k for _, k in rows})
    wanted: dict[int, list[str]] = defaultdict(list)
    for recipient_id, kind in rows:
        if channels[(recipient_id, kind)] == Channel.DIGEST:
            wanted[recipient_id].append(kind)
    emails = _emails(audience, wanted)
    letters = busy = 0
    with _mail_connection() as mail:
        for recipient_id, kinds in sorted(wanted.items()):
            if not emails.get(recipient_id):
                continue
            with transaction.atomic():
                theirs = pending.filter(recipient_id=recipient_id, kind__in=kinds)
                locked = list(theirs.select_for_update(skip_locked=True).order_by("created_at", "pk"))
                busy += theirs.exclude(pk__in=[row.pk for row in locked]).count()  # another session's
                if not locked:
                    continue
                items = "\n\n".join(f"• {_text(row, host)}" for row in locked)
                mail.open()
                send_mail(
                    subject=f"[Наставник] Сводка уведомлений за {timezone.localdate():%d.%m.%Y}",
                    message=f"{site_title}\n\n{items}{_footer(host)}",
                    from_email=None,
                    recipient_list=[emails[recipient_id]],
                    connection=mail,
                )
                model._default_manager.filter(pk__in=[row.pk for row in locked]).update(
                    emailed_at=timezone.now()
                )
                letters += 1
    if busy:
        raise RowsBusy(f"digest: {busy} row(s) locked by another session; sent {letters} letter(s)")
    return letters


def notifications_of[N: NotificationBase](
    model: type[N], *, user_id: int, kind: str = "", unread: bool = False
) -> QuerySet[N]:
    rows = model._default_manager.filter(recipient_id=user_id)
    if kind:
        rows = rows.filter(kind=kind)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(model: type[NotificationBase], *, user_id: int) -> int:
    return model._default_manager.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_mark_read(model: type[NotificationBase], *, user_id: int, ids: Iterable[int] | None) -> int:
    """Mark the person's own notifications read (all of them when ``ids`` is None); others' ids are ignored."""
    rows = model._default_manager.filter(recipient_id=user_id, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def is_local_path(link: str) -> bool:
    """A path on the same site: «/…», never «//host», «/\\host», a scheme or a control character. Links are
    written by our own code, but a redirect built from a stored value must not become an open redirect."""
    if not link.startswith("/") or link.startswith(("//", "/\\")):
        return False
    # Browsers drop tabs and newlines and read a backslash as «/»: «/<TAB>/x.example» is «//x.example».
    if any(ord(c) < 32 or c in "\\\x7f" for c in link):
        return False
    return url_has_allowed_host_and_scheme(link, allowed_hosts=None)


def notification_open(model: type[NotificationBase], *, user_id: int, pk: int) -> str | None:
    """Following a notification's link: mark that one read and return the link.

    None: no such notification of this person on this site (another person's, another school's id);
    "": it has no link to a page of this site — then nothing is marked.
    """
    row = model._default_manager.filter(pk=pk, recipient_id=user_id).only("link", "read_at").first()
    if row is None:
        return None
    if not is_local_path(row.link):
        return ""
    if row.read_at is None:
        model._default_manager.filter(pk=row.pk, read_at__isnull=True).update(read_at=timezone.now())
    return row.link


@transaction.atomic
def preferences_set(*, user: User, choices: dict[str, str]) -> None:
    """Store the person's channel per kind; unknown kinds or channels are refused before anything is written."""
    if any(k not in KINDS for k in choices):
        raise ValidationError("Нет такого вида уведомлений.")
    if any(v not in Channel.values for v in choices.values()):
        raise ValidationError("Выберите, как присылать: сразу, в ежедневной сводке или не присылать.")
    for kind, channel in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})


def preferences_of(user: User) -> dict[str, str]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {code: chosen.get(code, kind.default) for code, kind in KINDS.items()}


def notifications_prune(model: type[NotificationBase], *, now: datetime | None = None) -> int:
    """Delete read notifications older than ``KEEP_READ``, so the tables do not grow without end."""
    cutoff = (now or timezone.now()) - KEEP_READ
    deleted, _ = model._default_manager.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
