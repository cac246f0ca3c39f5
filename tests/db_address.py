"""Where the test database really listens.

With `DATABASE_URL` unset the settings hold no port: the embedded cluster's port is chosen when it starts and
is filled in by the backend (`config/db/base.py`). Tests that open their own connections or start worker
processes must ask the backend, not the settings, or they reach whatever listens on 5432.
"""

from django.db import connection


def database_address() -> tuple[str, int]:
    params = connection.get_connection_params()
    return str(params.get("host") or "127.0.0.1"), int(params.get("port") or 5432)
