from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Nobody signs up on their own: people join by invitation to a role.
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys failed logins by site domain + login, i.e. per school host here: five guesses on
        # every host. One account is one person on every host, so the counter is the e-mail alone (and
        # the cache key is global, config/cache_keys.py).
        return str(credentials.get("email", credentials.get("username", ""))).strip().lower()
