"""Signs of life of the worker and beat, written where every process can read them (public schema)."""

from django.utils import timezone

from tenants.models import Heartbeat

WORKER, BEAT = "worker", "beat"


def heartbeat_record(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def heartbeat_ages() -> dict[str, float]:
    """Seconds since each recorded heartbeat; a process that never wrote one is absent."""
    now = timezone.now()
    return {beat.name: (now - beat.at).total_seconds() for beat in Heartbeat.objects.all()}
