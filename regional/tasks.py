from django.core.cache import cache

from config.celery import SchoolTask, app
from regional.checklist.snapshots import snapshot_refresh
from tenants.context import current_schema_name
from tenants.models import School


@app.task(base=SchoolTask, name="regional.snapshot_refresh")
def snapshot_refresh_task() -> int:
    """Runs in the school's schema (tenant-schemas-celery) and writes its public snapshot row."""
    cache.delete("snapshot-refresh-pending")
    school = School.objects.get(schema_name=current_schema_name())
    return snapshot_refresh(school=school).percent
