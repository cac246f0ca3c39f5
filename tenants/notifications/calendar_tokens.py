"""The secret of a person's calendar feed: ``<user id>-<secret>`` in the URL, only a hash of it stored.

Compared in constant time; issuing a new one (the «сбросить» button) makes every old URL fail at once.
"""

import hashlib
import hmac
import secrets

from tenants.models import User
from tenants.notifications.models import CalendarToken


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def calendar_token_issue(*, user: User) -> str:
    secret = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(user=user, defaults={"secret_sha256": _hash(secret)})
    return f"{user.pk}-{secret}"


def calendar_token_exists(*, user: User) -> bool:
    return CalendarToken.objects.filter(user=user).exists()


def calendar_token_user(token: str) -> User | None:
    """The active user the token belongs to, or None for anything else (malformed, reset, unknown)."""
    user_id, _, secret = token.partition("-")
    # ASCII digits that fit a bigint: «١٢» or 30 digits must be a 404 like any wrong token, not a DB error.
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 18) or not secret or len(token) > 200:
        return None
    stored = (
        CalendarToken.objects.filter(user_id=int(user_id), user__is_active=True)
        .select_related("user")
        .first()
    )
    if stored is None or not hmac.compare_digest(stored.secret_sha256, _hash(secret)):
        return None
    return stored.user
