"""Indicators of a school for a reporting date, on a hand-computed fixture."""

from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from core.consents.models import Consent
from core.indicators.models import ContingentDeclaration
from core.indicators.selectors import indicators_on
from core.pairs.models import Pair, PairMember
from core.people.models import Person

pytestmark = pytest.mark.django_db

D = date(2026, 10, 1)  # the reporting date


def _person(last: str, category: str, born: date, career: date | None = None) -> Person:
    person = Person.objects.create(last_name=last, first_name="Тест", category=category, birth_date=born,
                                   career_start=career, school_class="7А" if category == "student" else "",
                                   position="учитель" if category == "teacher" else "")  # fmt: skip
    rep = {"by_representative": True, "representative_last_name": "Родитель", "representative_first_name": "Р",
           "representative_relation": "мать", "representative_document": "паспорт"}  # fmt: skip
    for kind in Consent.Kind:
        Consent.objects.create(
            person=person, kind=kind, valid_from=date(2026, 1, 1), **(rep if category == "student" else {})
        )
    return person


def _pair(mentor: Person, mentee: Person, started: date, ended: date | None = None) -> Pair:
    pair = Pair.objects.create(form_code="teacher_student", role_model_id=1, kind_code="traditional", started_on=started,
                               ended_on=ended, status="ended" if ended else "active")  # fmt: skip
    PairMember.objects.create(pair=pair, person=mentor, role="mentor", since=started, until=ended)
    PairMember.objects.create(pair=pair, person=mentee, role="mentee", since=started, until=ended)
    return pair


def _fixture() -> dict[str, Person]:
    people = {
        "mentor": _person("Наставник", "teacher", date(1980, 5, 1), date(2005, 9, 1)),
        "young": _person("Молодой", "teacher", date(2000, 3, 1), date(2024, 9, 1)),  # 26, 2 years
        "four_years": _person("Четырёхлетний", "teacher", date(1998, 3, 1), date(2022, 9, 1)),  # 28, 4 years
        "s12": _person("Двенадцать", "student", date(2014, 2, 1)),
        "s15_ended": _person("Пятнадцать", "student", date(2011, 2, 1)),
        "s16_withdrawn": _person("Шестнадцать", "student", date(2010, 2, 1)),
        "s19": _person("Девятнадцать", "student", date(2007, 6, 1)),  # turned 19 before D
        "s11_alone": _person("Одиннадцать", "student", date(2015, 1, 1)),
    }
    _pair(people["mentor"], people["s12"], date(2026, 9, 1))
    _pair(people["mentor"], people["s15_ended"], date(2026, 3, 1), ended=date(2026, 9, 15))  # ended before D
    _pair(people["mentor"], people["s16_withdrawn"], date(2026, 9, 1))
    Consent.objects.filter(person=people["s16_withdrawn"], kind="personal_data").update(
        withdrawn_on=date(2026, 9, 20)
    )
    _pair(people["mentor"], people["s19"], date(2026, 9, 1))
    _pair(people["mentor"], people["young"], date(2026, 9, 1))
    return people


def test_indicators_on_a_hand_computed_fixture(world):
    with schema_context(world.school_a.schema_name):
        people = _fixture()
        result = indicators_on(D)
    # Students 10–18 on D: 12, 15, 16 and 11 years old (the 19-year-old is out) = 4. In mentoring: only the
    # 12-year-old (the 15-year-old's pair ended before D, the 16-year-old withdrew consent) = 1 → 25 %.
    assert (result["students_10_18"].numerator, result["students_10_18"].denominator) == (1, 4)
    assert result["students_10_18"].percent == 25.0
    assert result["students_10_18"].people == [people["s12"]]
    # Young teachers (< 35, under 3 years of teaching): only «Молодой» (the 4-year one is out), who has a mentor.
    assert (
        result["young_teachers_with_mentor"].numerator,
        result["young_teachers_with_mentor"].denominator,
    ) == (1, 1)
    # Teachers in mentoring: the mentor and the young mentee of 3 teachers → 66.7 %.
    assert (result["teachers_in_mentoring"].numerator, result["teachers_in_mentoring"].denominator) == (2, 3)
    assert result["teachers_in_mentoring"].percent == 66.7


def test_a_declared_contingent_replaces_the_register_denominator(world):
    with schema_context(world.school_a.schema_name):
        _fixture()
        ContingentDeclaration.objects.create(year=2026, students_10_18=20, declared_by_email="curator@a.test")
        result = indicators_on(D)
        assert (result["students_10_18"].numerator, result["students_10_18"].denominator) == (1, 20)
        assert result["students_10_18"].declared and not result["teachers_in_mentoring"].declared
        assert indicators_on(D + timedelta(days=365))["students_10_18"].declared is False  # another year


def test_indicators_read_only_the_schools_own_data(world):
    with schema_context(world.school_a.schema_name):
        _fixture()
    with schema_context(world.school_b.schema_name):
        assert indicators_on(D)["students_10_18"].denominator == 0


def test_the_school_sees_the_people_behind_its_numbers_and_declares_its_contingent(host_client, world):
    with schema_context(world.school_a.schema_name):
        _fixture()
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/indicators/", {"on": D.isoformat()}).content.decode()
    assert "25,0 %" in page and "1 из 4" in page and "Двенадцать" in page
    client.post(f"/indicators/?on={D.isoformat()}", {"students_10_18": "10"})
    assert "1 из 10" in client.get("/indicators/", {"on": D.isoformat()}).content.decode()
    assert host_client(world.school_a, world.mentor_a).get("/indicators/").status_code == 403
    assert (
        "Двенадцать"
        not in host_client(world.school_b, world.curator_b)
        .get("/indicators/", {"on": D.isoformat()})
        .content.decode()
    )
