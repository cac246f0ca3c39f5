"""`seed_demo` builds a usable region, and running it again changes nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from core.acts.models import LocalAct
from core.consents.selectors import consent_check
from core.pairs.models import Pair
from core.people.models import Person
from core.programmes.models import Programme
from core.roadmap.models import RoadmapItem
from regional.models import SchoolSnapshot
from tenants.models import Membership, School

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_region_and_is_idempotent(host_client, world, capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "Школ создано: 12" in output and "Nastavnik-2026" in output
    call_command("seed_demo")
    assert "Школ создано: 0" in capsys.readouterr().out
    assert School.objects.filter(status=School.Status.ACTIVE).count() == 12 + 3
    for days in (0, 100, 250):  # the consent rule holds in every demo school, today and in the past
        call_command("consent_invariant", on=timezone.localdate() - timedelta(days=days))
    school = School.objects.get(slug="tver-sosh14")
    with schema_context(school.schema_name):
        assert Person.objects.count() == 24
        assert Pair.objects.count() == 5 and Programme.objects.values("status").distinct().count() == 4
        assert SchoolSnapshot.objects.filter(school__slug__in=["tver-sosh14", "rzhev-college"]).count() == 2
        assert LocalAct.objects.filter(status=LocalAct.Status.IN_FORCE).count() == 4
        assert RoadmapItem.objects.count() == 12
        student = Person.objects.filter(category="student").order_by("pk")[0]
        assert consent_check(person=student, on=student.created_at.date()).allowed
    curator = Membership.objects.get(user__email="curator@sosh14.test").user
    client = host_client(school, curator)
    assert client.get("/").status_code == 200
    assert "24" in client.get("/").content.decode()


def test_the_demo_mentor_sees_their_pair(host_client, world):
    call_command("seed_demo")
    school = School.objects.get(slug="tver-sosh14")
    mentor = Membership.objects.get(user__email="mentor@sosh14.test").user
    page = host_client(school, mentor).get("/my/").content.decode()
    assert "Пара №" in page and "выполняется" in page
