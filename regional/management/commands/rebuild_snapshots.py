import time
from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from regional.checklist.snapshots import snapshot_refresh_pending
from tenants.models import School


class Command(BaseCommand):
    help = "Пересчитывает снимки чек-листа всех работающих школ (после новой версии чек-листа или правил)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        schools = School.objects.filter(status__in=[School.Status.ACTIVE, School.Status.ARCHIVED])
        count = 0
        for school in list(schools):  # not .iterator(): its cursor must not outlive a schema switch
            with schema_context(school.schema_name):
                snapshot_refresh_pending(school=school, force=True)  # under the refresher lock
            count += 1
        self.stdout.write(f"Снимков пересчитано: {count} за {time.perf_counter() - started:.1f} с")
