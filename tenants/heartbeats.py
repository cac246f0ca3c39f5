"""Signs of life of the worker and beat, written where every process can read them (public schema)."""

from django.utils import timezone

from tenants.models import Heartbeat

WORKER, BEAT = "worker", "beat"
# The queues whose consumers /readyz follows: the main worker (``celery``, with provision and bulk) and the
# snapshot-refresh worker (``snapshots``), each a process of its own in deploy/ and under ``make run``.
WATCHED_QUEUES = ("celery", "snapshots")


def worker_heartbeat_name(queue: str) -> str:
    """The main worker's row keeps its first name ("worker"); others are "worker:<queue>"."""
    return WORKER if queue == "celery" else f"{WORKER}:{queue}"


def heartbeat_record(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def heartbeat_ages() -> dict[str, float]:
    """Seconds since each recorded heartbeat; a process that never wrote one is absent."""
    now = timezone.now()
    return {beat.name: (now - beat.at).total_seconds() for beat in Heartbeat.objects.all()}
