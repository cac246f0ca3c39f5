"""Numbers, words and bad data on the school and region pages (issue 14, items 3 and 4).

Decimal comma accepted and shown; Russian plural forms from one helper; a teacher younger than a
teacher can be, a hire before the career start, a mentor capacity of 0, a meeting not yet held, a round
due in the past are refused with a Russian message and nothing saved; a probable duplicate person is
warned about before saving and saved only on «Сохранить всё равно».
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django_tenants.utils import schema_context

from core.audit.models import ErasureRecord
from core.consents.models import Consent
from core.pairs.models import Meeting
from core.people.models import BankEntry, Category, Person
from core.templatetags.nastavnik import plural_ru
from regional.models import InspectionRound
from tests.objects import TODAY, _mentee, _mentor, _pair

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("count", "word"),
    [(0, "школ"), (1, "школа"), (2, "школы"), (4, "школы"), (5, "школ"), (11, "школ"), (12, "школ"),
     (14, "школ"), (21, "школа"), (22, "школы"), (101, "школа"), (111, "школ"), (1000, "школ")],
)  # fmt: skip
def test_plural_ru(count, word):
    assert plural_ru(count, "школа,школы,школ") == word


def test_plural_ru_filter_in_templates():
    template = Template(
        '{% load nastavnik %}{% for n in ns %}{{ n }} {{ n|plural_ru:"участник,участника,участников" }};{% endfor %}'
    )
    text = template.render(Context({"ns": [1, 3, 7, 21]}))
    assert text == "1 участник;3 участника;7 участников;21 участник;"


def _school_pair(world):
    with schema_context(world.school_a.schema_name):
        pair, _ = _pair(_mentor("Лебедев", None), _mentee("Уткин", None), world.curator_a)
    return pair


def test_meeting_hours_accept_a_decimal_comma_and_show_one(world, host_client):
    pair = _school_pair(world)
    client = host_client(world.school_a, world.curator_a)
    data = {"kind": "regular", "date": TODAY.isoformat(), "format": "in_person", "hours": "1,5", "notes": ""}
    response = client.post(f"/pairs/{pair.pk}/meetings/", data, follow=True)
    assert "Встреча записана." in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert Meeting.objects.get(pair=pair).hours == Decimal("1.5")
    page = client.get(f"/pairs/{pair.pk}/").content.decode()
    assert "<td>1,5</td>" in page


def test_a_meeting_not_yet_held_is_refused(world, host_client):
    pair = _school_pair(world)
    client = host_client(world.school_a, world.curator_a)
    ahead = TODAY + timedelta(days=90)
    data = {"kind": "regular", "date": ahead.isoformat(), "format": "in_person", "hours": "1", "notes": ""}
    response = client.post(f"/pairs/{pair.pk}/meetings/", data, follow=True)
    assert f"Встреча {ahead:%d.%m.%Y} ещё не состоялась" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Meeting.objects.filter(pair=pair).exists()


def _teacher(**extra: str) -> dict[str, str]:
    return {"last_name": "Громова", "first_name": "Ольга", "middle_name": "Петровна", "category": "teacher",
            "position": "учитель математики", "birth_date": "1985-04-12", "career_start": "2008-09-01",
            "hired_on": "2015-09-01", **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "field_message"),
    [
        ({"birth_date": "2015-03-01", "career_start": "2020-09-01", "hired_on": ""},
         "участнику было 5 лет: педагогом работают с 18 лет"),
        ({"birth_date": "2015-03-01", "career_start": "", "hired_on": ""},
         "Педагогу не может быть меньше 18 лет"),
        ({"career_start": "2010-09-01", "hired_on": "2009-09-01"},
         "Дата приёма на работу (01.09.2009) раньше начала педагогической деятельности (01.09.2010)"),
        ({"hired_on": (TODAY + timedelta(days=30)).isoformat()}, "Дата приёма на работу не может быть в будущем"),
    ],
)  # fmt: skip
def test_impossible_teacher_dates_are_refused(world, host_client, extra, field_message):
    client = host_client(world.school_a, world.curator_a)
    response = client.post("/people/new/", _teacher(**extra))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.filter(last_name="Громова").exists()


def test_a_plausible_teacher_is_saved(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    response = client.post("/people/new/", _teacher())
    assert response.status_code == 302


def test_mentor_capacity_zero_is_refused_not_saved_as_one(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        person = Person.objects.create(last_name="Зотов", first_name="Илья", category=Category.TEACHER,
                                       position="учитель", birth_date=date(1980, 1, 1))  # fmt: skip
    data = {"bank": "mentor", "requests": ["gifted"], "competencies": "", "subjects": "", "capacity": "0"}
    response = client.post(f"/people/{person.pk}/bank/", data, follow=True)
    assert "От 1 до 30 наставляемых." in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not BankEntry.objects.filter(person=person).exists()
    client.post(f"/people/{person.pk}/bank/", {**data, "capacity": ""})  # empty: the default, one
    with schema_context(world.school_a.schema_name):
        assert BankEntry.objects.get(person=person).capacity == 1


def test_consent_asks_who_the_representative_is_in_plain_russian(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        child = Person.objects.create(last_name="Лисицын", first_name="Павел", category=Category.STUDENT,
                                      school_class="5А", birth_date=TODAY.replace(year=TODAY.year - 11))  # fmt: skip
    data = {"kind": "participation", "by_representative": "on", "representative_last_name": "Лисицына",
            "representative_first_name": "Анна", "representative_relation": "", "representative_document": "паспорт",
            "valid_from": TODAY.isoformat()}  # fmt: skip
    page = client.post(f"/people/{child.pk}/consents/new/", data, follow=True).content.decode()
    assert "Укажите, кем законный представитель приходится участнику." in page
    assert "Укажите кем приходится законного представителя" not in page
    with schema_context(world.school_a.schema_name):
        assert not Consent.objects.filter(person=child).exists()


def test_a_round_due_in_the_past_is_refused(world, host_client):
    client = host_client(None, world.inspector_m1)
    response = client.post(
        "/rounds/", {"title": "Старый", "municipality": world.m1.pk, "due_date": "2020-05-01"}
    )
    assert response.status_code == 400
    assert "Срок раунда 01.05.2020 уже прошёл" in response.content.decode()
    assert not InspectionRound.objects.filter(title="Старый").exists()


def test_a_duplicate_person_is_warned_about_before_saving(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    assert client.post("/people/new/", _teacher()).status_code == 302
    # The same ФИО (ё and case folded) and birth date: nothing saved, the existing card is named.
    again = _teacher(last_name="громова")
    response = client.post("/people/new/", again)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Похоже, этот участник уже есть в школе" in page and "Сохранить всё равно" in page
    with schema_context(world.school_a.schema_name):
        assert Person.objects.filter(last_name__iexact="Громова").count() == 1
    response = client.post("/people/new/", {**again, "confirm_duplicate": "1"})
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        assert Person.objects.filter(last_name__iexact="Громова").count() == 2
    # Editing a person is not a duplicate of themselves.
    with schema_context(world.school_a.schema_name):
        other = Person.objects.create(last_name="Юдина", first_name="Вера", category=Category.TEACHER,
                                      position="учитель", birth_date=date(1990, 2, 2))  # fmt: skip
    edit = {"last_name": "Юдина", "first_name": "Вера", "middle_name": "", "category": "teacher",
            "position": "завуч", "birth_date": "1990-02-02"}  # fmt: skip
    assert client.post(f"/people/{other.pk}/edit/", edit).status_code == 302


def test_erasing_a_person_returns_to_the_list_with_a_link_to_the_act(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        person = Person.objects.create(last_name="Стёркин", first_name="Иван", category=Category.TEACHER,
                                       position="учитель", birth_date=date(1975, 5, 5))  # fmt: skip
    response = client.post(f"/people/{person.pk}/erase/", {"confirmation": "Стёркин"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    page = client.get("/people/").content.decode()
    with schema_context(world.school_a.schema_name):
        record = ErasureRecord.objects.order_by("-pk")[0]
    link = f'href="/erasure/{record.pk}/document.docx"'
    assert f"Составлен акт № {record.number}" in page and link in page
    assert client.get(f"/erasure/{record.pk}/document.docx").status_code == 200


def test_editing_a_person_keeps_their_dates_in_the_date_fields(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        person = Person.objects.create(last_name="Датова", first_name="Нина", category=Category.TEACHER,
                                       position="учитель", birth_date=date(1985, 4, 12),
                                       career_start=date(2008, 9, 1))  # fmt: skip
    page = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert 'name="birth_date" id="id_birth_date" value="1985-04-12"' in page
    assert 'name="career_start" id="id_career_start" value="2008-09-01"' in page
    # A refused form shows back what was typed.
    page = client.post(
        f"/people/{person.pk}/edit/", {**_teacher(), "hired_on": "2001-01-01"}
    ).content.decode()
    assert 'name="hired_on" id="id_hired_on" value="2001-01-01"' in page
