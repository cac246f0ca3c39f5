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


@app.task(base=RegionTask, name="regional.report_dispatch")
def report_dispatch_task(run_id: int) -> int:
    """The public dispatcher of a report: one job per school, each computing in its own schema."""
    from regional.models import ReportRun

    schools = list(School.objects.filter(status=School.Status.ACTIVE).values_list("schema_name", flat=True))
    ReportRun.objects.filter(pk=run_id).update(total=len(schools))
    if not schools:
        report_build_task.delay(run_id)
    for schema_name in schools:
        send_to_school(report_school_task, schema_name, run_id)
    return len(schools)


@app.task(base=SchoolTask, name="regional.report_school")
def report_school_task(run_id: int) -> None:
    from regional.models import ReportRun
    from regional.reports import report_row_save, school_report_values

    run = ReportRun.objects.get(pk=run_id)
    school = School.objects.get(schema_name=current_schema_name())
    if report_row_save(run=run, school=school, values=school_report_values(on=run.on, school=school)):
        report_build_task.apply_async(args=[run_id], headers={"_schema_name": "public"})


@app.task(base=RegionTask, name="regional.report_build")
def report_build_task(run_id: int) -> str:
    from regional.models import ReportRun
    from regional.reports import report_build

    return report_build(run=ReportRun.objects.get(pk=run_id)).status
