from config.celery import RegionTask, app
from tenants.onboarding import school_provision


@app.task(base=RegionTask, name="tenants.school_provision")
def school_provision_task(school_id: int) -> str:
    return school_provision(school_id=school_id).status
