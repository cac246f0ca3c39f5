"""The five stages of seed 001 follow the programme's lifecycle: a draft is never «результативный»."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from core.programmes.models import Programme
from core.programmes.services import programme_update
from core.programmes.stages import ALLOWED, stage_fit
from tests.test_pairs import START, _pair_with_programme

pytestmark = pytest.mark.django_db


def test_every_status_has_stages_and_only_a_completed_programme_is_resultative():
    assert set(ALLOWED) == set(Programme.Status.values)
    assert [s for s, stages in ALLOWED.items() if "results" in stages] == ["completed"]
    assert stage_fit(stage="results", status="draft") == "design"
    assert stage_fit(stage="preparatory", status="running") == "implementation"
    assert stage_fit(stage="implementation", status="completed") == "reflection"


def test_a_draft_cannot_be_made_resultative_by_page_or_service(host_client, world):
    curator, _pair, programme = _pair_with_programme(host_client, world)
    dates = {"starts_on": START.isoformat(), "ends_on": programme.ends_on.isoformat()}
    response = curator.post(f"/programmes/{programme.pk}/update/", {**dates, "stage": "results"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Этап «результативный» не подходит программе в статусе «черновик»" in page
    assert "«подготовительный» или «проектировочный»" in page
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert programme.stage == "preparatory"
        with pytest.raises(ValidationError):
            programme_update(programme=programme, data={"stage": "reflection"}, role="staff", actor=None)
        programme.refresh_from_db()
        assert programme.stage == "preparatory"
    # the page offers only the stages the status allows
    page = curator.get(f"/programmes/{programme.pk}/").content.decode()
    assert 'value="design"' in page and 'value="results"' not in page
    assert (
        curator.post(f"/programmes/{programme.pk}/update/", {**dates, "stage": "design"}).status_code == 302
    )


def test_the_stage_moves_with_the_status(host_client, world):
    curator, _pair, programme = _pair_with_programme(host_client, world)
    mentor = host_client(world.school_a, world.mentor_a)

    def move(client, to):
        response = client.post(
            f"/api/v1/programmes/{programme.pk}/move/",
            data=json.dumps({"to": to}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        with schema_context(world.school_a.schema_name):
            programme.refresh_from_db()
        return programme.stage

    assert move(mentor, "review") == "design"
    assert move(curator, "approved") == "design"
    assert move(mentor, "running") == "implementation"
    assert move(curator, "completed") == "reflection"
    dates = {"starts_on": START.isoformat(), "ends_on": programme.ends_on.isoformat()}
    # once completed, the curator may mark it «результативный» (seed 001: the mentee sets new goals alone)
    curator.post(f"/programmes/{programme.pk}/update/", {**dates, "stage": "results"})
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert programme.stage == "results"


def test_the_data_migration_fixes_inconsistent_rows(host_client, world):
    _curator, _pair, programme = _pair_with_programme(host_client, world)
    migration = importlib.import_module("core.migrations.0013_programme_stage_follows_status")
    with schema_context(world.school_a.schema_name):
        Programme.objects.filter(pk=programme.pk).update(status="draft", stage="results")
        migration.fit(django_apps, None)
        programme.refresh_from_db()
        assert programme.stage == "design"
        Programme.objects.filter(pk=programme.pk).update(status="completed", stage="preparatory")
        migration.fit(django_apps, None)
        programme.refresh_from_db()
        assert programme.stage == "reflection"
