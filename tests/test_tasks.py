"""Celery tasks run in the schema they were sent from, and school tasks refuse the public schema."""

import pytest
from django_tenants.utils import schema_context

from config.celery import SchoolTaskInPublicError, send_to_school
from tenants.context import in_public_schema
from tests.probe_tasks import probe_written, schema_probe

pytestmark = pytest.mark.django_db


def test_a_task_started_from_school_a_runs_in_school_a(world):
    with schema_context(world.school_a.schema_name):
        assert schema_probe.delay("probe-a").get() == world.school_a.schema_name
        assert probe_written("probe-a")
    with schema_context(world.school_b.schema_name):
        assert not probe_written("probe-a")


def test_a_school_task_started_in_public_refuses_to_run(world):
    assert in_public_schema()
    with pytest.raises(SchoolTaskInPublicError):
        schema_probe.delay("probe-public")


def test_a_public_dispatcher_can_address_one_school_explicitly(world):
    result = send_to_school(schema_probe, world.school_b.schema_name, "probe-b")
    assert result.get() == world.school_b.schema_name
    assert in_public_schema()  # the caller's schema is restored after the task
    with schema_context(world.school_b.schema_name):
        assert probe_written("probe-b")


def test_the_schema_travels_in_the_message_headers(world):
    from tenant_schemas_celery.task import headers_with_schema

    with schema_context(world.school_c.schema_name):
        assert headers_with_schema({})["_schema_name"] == world.school_c.schema_name
