"""Celery's autodiscovery looks here; the tasks live beside their subdomains."""

from core.pairs.tasks import consents_enforce_daily

__all__ = ["consents_enforce_daily"]
