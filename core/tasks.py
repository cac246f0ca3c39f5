"""Celery's autodiscovery looks here; the tasks live beside their subdomains."""

from core.health.tasks import worker_check_process

__all__ = ["worker_check_process"]
