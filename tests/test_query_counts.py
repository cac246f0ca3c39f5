"""Every school page costs the same number of queries whatever the size of the school (issue 14).

A school is measured with a few pairs, then grown eight-fold (more pairs, with their people, consents,
bank entries, programmes and meetings) and measured again: the count must not move. An N+1 (one consent
check per person, one order lookup per pair) makes the second count larger and fails the test.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.acts.models import LocalAct
from core.monitoring.models import SurveyResponse
from core.pairs.models import Meeting
from core.pairs.services import pairs_order_generate
from core.people.models import BankEntry, Category, Person
from tests.objects import REPRESENTATIVE, START, TODAY, _consents, _mentee, _mentor, _pair

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/people/",
    "/pairs/",
    "/indicators/",
    "/banks/mentor/",
    "/banks/mentee/",
    "/monitoring/",
    "/checklist/",
    "/roadmap/",
    "/acts/",
    "/my/",
    "/users/",
]


def _grow(school, curator, start: int, count: int) -> None:
    """``count`` more pairs, each with a mentor, a mentee, consents, a programme and a meeting, plus a
    candidate in each bank without consents (they show on the home page as «без согласия»)."""
    with schema_context(school.schema_name):
        pairs = []
        for i in range(start, start + count):
            pair, _ = _pair(_mentor(f"Наставник{i}", None), _mentee(f"Наставляемый{i}", None), curator)
            pairs.append(pair)
            Meeting.objects.create(pair=pair, kind="regular", date=TODAY, format="in_person", hours=1)
            for member in pair.members.all():
                code = "satisfaction_mentee" if member.role == "mentee" else "satisfaction_mentor"
                SurveyResponse.objects.create(
                    template_code=code, pair=pair, person=member.person, answers={"comfort": 8}
                )
            teacher = Person.objects.create(
                last_name=f"Кандидат{i}", first_name="Ольга", category=Category.TEACHER, position="учитель",
                birth_date=TODAY.replace(year=TODAY.year - 35),
            )  # fmt: skip
            BankEntry.objects.create(person=teacher, bank="mentor", requests=["gifted"])
            student = Person.objects.create(
                last_name=f"Ученик{i}", first_name="Иван", category=Category.STUDENT, school_class="8А",
                birth_date=TODAY.replace(year=TODAY.year - 18, day=1) - timedelta(days=40),
            )  # fmt: skip
            _consents(student, **REPRESENTATIVE)
            BankEntry.objects.create(person=student, bank="mentee", requests=["low_results"])
            Person.objects.create(  # a double entry of the student: the people list flags both
                last_name=f"ученик{i}", first_name="Иван", category=Category.STUDENT, school_class="8А",
                birth_date=student.birth_date,
            )  # fmt: skip
        # Every pair in an order: the pairs list shows each pair's order.
        LocalAct.objects.create(kind="policy_students", title="Положение", number="1", status="in_force",
                                date=TODAY - timedelta(days=365))  # the pairs order cites it  # fmt: skip
        pairs_order_generate(school=school, pairs=pairs, on=TODAY, curator_name="Ёлкина С.", actor=curator)
    assert START < TODAY


def _counts(client) -> dict[str, int]:
    counts = {}
    for page in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        counts[page] = len(queries)
    return counts


def test_school_pages_cost_the_same_queries_at_5_and_40_pairs(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    _grow(world.school_a, world.curator_a, 0, 5)
    _counts(client)  # warm the caches (catalogues, the school's settings)
    small = _counts(client)
    _grow(world.school_a, world.curator_a, 5, 35)
    large = _counts(client)
    grown = {page: (small[page], large[page]) for page in PAGES if small[page] != large[page]}
    print("query counts at 5 and 40 pairs:", small)
    assert not grown, f"pages whose query count grows with the school (5 pairs → 40 pairs): {grown}"
