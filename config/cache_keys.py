"""Cache keys: per school schema, except the rate-limit counters, which are global.

django-tenants prefixes every key with the current schema so one school never reads another's entries.
That is wrong for allauth's rate limits: a login counter kept per host gives an attacker a fresh five
guesses on every school's host. Keys allauth builds (``allauth:rl:…`` and their ``…:lock`` companions)
hold no school data — only an account's hashed e-mail or a client address and timestamps — so they share
one prefix on every host.
"""

from django.db import connection

GLOBAL_PREFIX = "*"  # never a schema name: those match ^[a-z][a-z0-9_]+$
_GLOBAL_KEYS = ("allauth:",)


def make_key(key: str, key_prefix: str, version: int) -> str:
    scope = GLOBAL_PREFIX if key.startswith(_GLOBAL_KEYS) else connection.schema_name  # type: ignore[attr-defined]
    return f"{scope}:{key_prefix}:{version}:{key}"


def reverse_key(key: str) -> str:
    return key.split(":", 3)[3]
