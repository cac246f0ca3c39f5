"""Models of a school's schema, one subpackage per subdomain; Django finds them all here."""

from core.health.models import WorkerCheck

__all__ = ["WorkerCheck"]
