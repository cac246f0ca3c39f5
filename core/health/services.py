from django.db import transaction
from django.utils import timezone

from core.health.models import WorkerCheck
from tenants.context import current_schema_name


def worker_check_request() -> WorkerCheck:
    """Record a check in the current school and queue its processing after commit."""
    from core.health.tasks import worker_check_process

    check = WorkerCheck.objects.create()
    transaction.on_commit(lambda: worker_check_process.delay(check.pk))
    return check


def worker_check_complete(*, check_id: int) -> WorkerCheck:
    check = WorkerCheck.objects.get(pk=check_id)
    check.processed_at = timezone.now()
    check.processed_in_schema = current_schema_name()
    check.save(update_fields=["processed_at", "processed_in_schema"])
    return check
