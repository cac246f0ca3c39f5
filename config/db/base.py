"""django-tenants' PostgreSQL backend that starts the embedded cluster on first connection.

Starting lazily (not at settings import) keeps ruff, mypy and `manage.py check` free of a database,
and lets every process (web, worker, tests) share one cluster.
"""

from typing import Any

from django.conf import settings
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper

from config.embedded_postgres import project_server


class DatabaseWrapper(TenantDatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        # EMBEDDED_POSTGRES holds the name of the project's database when no DATABASE_URL is set.
        dbname = getattr(settings, "EMBEDDED_POSTGRES", None)
        if dbname:
            server = project_server()
            server.ensure_running(dbname=dbname)
            params["host"] = "127.0.0.1"
            # A port set explicitly (a test pointing one connection at a closed port) is kept.
            params["port"] = self.settings_dict.get("PORT") or server.port
        return params
