"""Celery tasks run in the schema they were sent from, and school tasks refuse the public schema."""

import pytest
from django_tenants.utils import schema_context

from config.celery import SchoolTaskInPublicError, send_to_school
from core.health.models import WorkerCheck
from core.health.services import worker_check_request
from core.health.tasks import worker_check_process
from tenants.context import in_public_schema

pytestmark = pytest.mark.django_db


def test_a_task_started_from_school_a_runs_in_school_a(world, django_capture_on_commit_callbacks):
    with schema_context(world.school_a.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            check = worker_check_request()
        check.refresh_from_db()
        assert check.processed_in_schema == world.school_a.schema_name
        assert check.processed_at is not None
    with schema_context(world.school_b.schema_name):
        assert not WorkerCheck.objects.exists()


def test_a_school_task_started_in_public_refuses_to_run(world):
    assert in_public_schema()
    with pytest.raises(SchoolTaskInPublicError):
        worker_check_process.delay(1)


def test_a_public_dispatcher_can_address_one_school_explicitly(world):
    with schema_context(world.school_b.schema_name):
        check = WorkerCheck.objects.create()
    result = send_to_school(worker_check_process, world.school_b.schema_name, check.pk)
    assert result.get() == world.school_b.schema_name
    assert in_public_schema()  # the caller's schema is restored after the task


def test_the_schema_travels_in_the_message_headers(world):
    from tenant_schemas_celery.task import headers_with_schema

    with schema_context(world.school_c.schema_name):
        assert headers_with_schema({})["_schema_name"] == world.school_c.schema_name
