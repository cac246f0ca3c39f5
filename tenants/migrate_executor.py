"""``migrate_schemas`` that skips (and reports) schools whose schema does not exist yet.

A school is registered before its schema is created, and an interrupted provisioning leaves none; stock
django-tenants then fails the whole run («relation does not exist») and ``make run`` exits 1. Wired in by
the ``GET_EXECUTOR_FUNCTION`` setting, which django-tenants' migrate_schemas reads.
"""

import sys
from typing import Any

from django_tenants.migration_executors import get_executor as stock_get_executor
from django_tenants.utils import get_public_schema_name


def get_executor(codename: str | None = None) -> type:
    base: Any = stock_get_executor(codename)

    class SchemaCheckingExecutor(base):
        def run_migrations(self, tenants: Any = None) -> Any:
            from tenants.provisioning import schemas_existing

            names = list(tenants or [])
            public = get_public_schema_name()
            existing = schemas_existing(names) | {public}
            skipped = [name for name in names if name not in existing]
            if skipped:
                sys.stderr.write(
                    f"migrate_schemas: пропущены школы без схемы ({len(skipped)}): {', '.join(skipped)}\n"
                )
            return super().run_migrations(tenants=[name for name in names if name in existing])

    SchemaCheckingExecutor.__name__ = f"SchemaChecking{base.__name__}"
    return SchemaCheckingExecutor
