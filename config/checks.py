"""Deployment checks (``manage.py check --deploy``): no development stand-ins in production.

config.settings.production refuses to load without DATABASE_URL and CELERY_BROKER_URL. These checks say
the same for any settings module that is deployed (``--deploy``), e.g. a hand-made one based on base.py.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database, deploy=True)
def development_stand_ins_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if getattr(settings, "EMBEDDED_POSTGRES", None):
        errors.append(
            Error(
                "DATABASE_URL is not set: the project would run on its embedded development PostgreSQL.",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/db.",
                id="nastavnik.E001",
            )
        )
    if str(getattr(settings, "CELERY_BROKER_URL", "")).startswith("filesystem"):
        errors.append(
            Error(
                "CELERY_BROKER_URL is not set: jobs would go through the filesystem broker under var/.",
                hint="Set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (or amqp://…).",
                id="nastavnik.E002",
            )
        )
    return errors
