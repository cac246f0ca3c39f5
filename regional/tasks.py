from django.core.cache import cache

from config.celery import RegionTask, SchoolTask, app, send_to_school
from regional.checklist.snapshots import snapshot_refresh
from tenants.context import current_schema_name
from tenants.models import School


@app.task(base=SchoolTask, name="regional.snapshot_refresh")
def snapshot_refresh_task() -> int:
    """Runs in the school's schema (tenant-schemas-celery) and writes its public snapshot row."""
    cache.delete("snapshot-refresh-pending")
    school = School.objects.get(schema_name=current_schema_name())
    return snapshot_refresh(school=school).percent


@app.task(base=RegionTask, name="regional.snapshots_rebuild_all")
def snapshots_rebuild_all_task() -> int:
    """The public dispatcher: one snapshot job per school, each running in that school's schema."""
    schools = list(
        School.objects.filter(status__in=[School.Status.ACTIVE, School.Status.ARCHIVED]).values_list(
            "schema_name", flat=True
        )
    )
    for schema_name in schools:
        send_to_school(snapshot_refresh_task, schema_name)
    return len(schools)
