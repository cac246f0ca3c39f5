from config.celery import SchoolTask, app
from core.health.services import worker_check_complete


@app.task(base=SchoolTask, name="core.worker_check_process")
def worker_check_process(check_id: int) -> str:
    return worker_check_complete(check_id=check_id).processed_in_schema
