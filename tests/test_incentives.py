"""The register of incentives given to mentors and of mentor training, and checklist item 7 built on it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.acts.models import LocalAct
from core.audit.models import AuditEntry
from core.facts.checklist import checklist_evaluate
from core.incentives.models import Incentive, Training
from core.people.models import BankEntry, Category, Person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _mentor(last: str = "Белова", first: str = "Ольга", middle: str = "Сергеевна") -> Person:
    person = Person.objects.create(
        last_name=last, first_name=first, middle_name=middle, category=Category.TEACHER
    )
    BankEntry.objects.create(person=person, bank="mentor", status="approved")
    return person


class _Item:
    code = rule = "incentives_act"
    title = "Акт о мерах стимулирования наставников (при наличии)"
    optional = True


def _item7(on: date = TODAY) -> dict:
    return checklist_evaluate([_Item()], on)["incentives_act"]


def test_the_curator_adds_edits_and_deletes_an_incentive_with_confirmation(host_client, world):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
    client = host_client(world.school_a, world.curator_a)
    empty = client.get("/incentives/").content.decode()
    assert "Поощрений пока не записано" in empty and "Обучение наставников пока не записано" in empty
    response = client.post(
        "/incentives/new/",
        {"person": mentor.pk, "kind": "bonus", "title": "Доплата за наставничество", "given_on": "01.09.2026",
         "amount": "5 000,50"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(world.school_a.schema_name):
        incentive = Incentive.objects.get()
        assert incentive.amount == Decimal("5000.50") and incentive.given_on == date(2026, 9, 1)
        assert AuditEntry.objects.filter(action="create", object_type="incentive").exists()
    page = client.get("/incentives/").content.decode()
    assert "Белова Ольга Сергеевна" in page and "01.09.2026" in page
    edit = client.post(
        f"/incentives/{incentive.pk}/",
        {"person": mentor.pk, "kind": "certificate", "title": "Почётная грамота", "given_on": "02.09.2026"},
    )
    assert edit.status_code == 302
    confirm = client.get(f"/incentives/{incentive.pk}/delete/")
    assert confirm.status_code == 200 and "Удалить запись из реестра?" in confirm.content.decode()
    with schema_context(world.school_a.schema_name):
        assert Incentive.objects.get().kind == "certificate"  # a GET deletes nothing
    assert client.post(f"/incentives/{incentive.pk}/delete/").status_code == 302
    with schema_context(world.school_a.schema_name):
        assert not Incentive.objects.exists()
        assert AuditEntry.objects.filter(action="delete", object_type="incentive").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"given_on": "31.02.2026"}, "Даты «31.02.2026» нет в календаре"),
        ({"given_on": (TODAY + timedelta(days=1)).strftime("%d.%m.%Y")}, "ещё не вручено"),
        ({"kind": "bonus", "amount": ""}, "Для доплаты укажите сумму"),
        ({"person": 0}, "Выберите наставника"),
    ],
)
def test_a_bad_incentive_is_refused_in_russian_and_nothing_is_written(host_client, world, data, message):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
    body = {"person": mentor.pk, "kind": "gratitude", "given_on": "01.09.2026", **data}
    response = host_client(world.school_a, world.curator_a).post("/incentives/new/", body)
    assert response.status_code == 400 and message in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Incentive.objects.exists()


def test_training_hours_take_a_decimal_comma_and_must_be_positive(host_client, world):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
    client = host_client(world.school_a, world.curator_a)
    base = {"person": mentor.pk, "course": "Организация деятельности наставников", "organiser": "ИРО",
            "starts_on": "11.04.2022", "ends_on": "15.04.2022"}  # fmt: skip
    for hours in ("0", "-2", "0,0", "abc"):
        assert client.post("/trainings/new/", {**base, "hours": hours}).status_code == 400, hours
    backwards = client.post("/trainings/new/", {**base, "hours": "36", "ends_on": "10.04.2022"})
    assert backwards.status_code == 400 and "Окончание раньше начала" in backwards.content.decode()
    assert client.post("/trainings/new/", {**base, "hours": "1,5"}).status_code == 302
    with schema_context(world.school_a.schema_name):
        assert Training.objects.get().hours == Decimal("1.5")
    assert "1,5" in client.get("/incentives/").content.decode()


def test_the_api_keeps_the_same_rules_and_refuses_wrong_shapes(host_client, world):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
        student = Person.objects.create(last_name="Ученик", first_name="Иван", category=Category.STUDENT)
    client = host_client(world.school_a, world.curator_a)
    bodies: list[object] = [[], "x", {"person": [1]}, {"person": mentor.pk, "course": "К", "hours": "0",
                                             "starts_on": "2026-01-10", "ends_on": "2026-01-12"},
                 {"person": student.pk, "course": "К", "hours": "8", "starts_on": "2026-01-10",
                  "ends_on": "2026-01-12"},
                 {"person": mentor.pk, "course": "К\x00", "hours": "8", "starts_on": "2026-01-10",
                  "ends_on": "2026-01-12"}]  # fmt: skip
    for body in bodies:
        response = client.post("/api/v1/trainings/", body, content_type="application/json")
        assert response.status_code == 400, body
    created = client.post(
        "/api/v1/trainings/",
        {"person": mentor.pk, "course": "Установочная сессия", "hours": "2,5", "starts_on": "2026-01-10",
         "ends_on": "12.01.2026"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["hours"] == "2.5"
    pk = created.json()["id"]
    patched = client.patch(f"/api/v1/trainings/{pk}/", {"hours": "4"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["hours"] == "4.0"
    assert patched.json()["course"] == "Установочная сессия"
    future = client.post(
        "/api/v1/incentives/",
        {"person": mentor.pk, "kind": "award", "given_on": (TODAY + timedelta(days=3)).isoformat()},
        content_type="application/json",
    )
    assert future.status_code == 400 and "ещё не вручено" in future.json()["error"]["fields"]["given_on"][0]
    assert client.delete(f"/api/v1/trainings/{pk}/").status_code == 204
    with schema_context(world.school_a.schema_name):
        assert not Training.objects.exists() and not Incentive.objects.exists()


def test_another_school_never_sees_or_changes_the_register(host_client, world):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
        incentive = Incentive.objects.create(person=mentor, kind="gratitude", given_on=TODAY)
        training = Training.objects.create(
            person=mentor, course="Курс", hours=8, starts_on=TODAY, ends_on=TODAY
        )
    other = host_client(world.school_b, world.curator_b)
    assert "Белова" not in other.get("/incentives/").content.decode()
    for listing in ("/api/v1/incentives/", "/api/v1/trainings/"):
        body = other.get(listing).json()
        assert (body["results"] if isinstance(body, dict) else body) == [], listing
    for path in (f"/incentives/{incentive.pk}/", f"/incentives/{incentive.pk}/delete/", f"/trainings/{training.pk}/",
                 f"/trainings/{training.pk}/delete/"):  # fmt: skip
        assert other.post(path, {}).status_code == 404, path
    assert other.delete(f"/api/v1/incentives/{incentive.pk}/").status_code == 404
    assert (
        other.patch(
            f"/api/v1/trainings/{training.pk}/", {"hours": "1"}, content_type="application/json"
        ).status_code
        == 404
    )
    # and a person of school B's schema with the same id is not school A's mentor
    with schema_context(world.school_b.schema_name):
        assert not Incentive.objects.exists() and not Training.objects.exists()
    with schema_context(world.school_a.schema_name):
        assert Incentive.objects.count() == 1 and Training.objects.get().hours == 8


# --- checklist item 7 -------------------------------------------------------------------------------


def test_item_7_is_not_applicable_while_no_incentive_is_recorded(world):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
        Training.objects.create(person=mentor, course="Курс", hours=8, starts_on=TODAY, ends_on=TODAY)
        result = _item7()
        assert result["state"] == "na" and result["evidence"]["incentives"] == 0


def test_item_7_fails_when_mentors_were_incentivised_without_a_regulating_act(world):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
        Incentive.objects.create(person=mentor, kind="bonus", amount=1000, given_on=TODAY - timedelta(days=5))
        result = _item7()
        assert result["state"] == "not_done" and result["evidence"]["incentives"] == 1
        assert "нет действующего положения о стимулировании" in result["hint"]
        # a draft act is only partial, and so is an approved one dated in the future (as items 2–4: «частично»
        # with its date) until that date; a repealed one does not count
        act = LocalAct.objects.create(kind="incentives", title="Положение о стимулировании", number="7",
                                      date=TODAY + timedelta(days=3))  # fmt: skip
        assert _item7()["state"] == "partial"
        LocalAct.objects.filter(pk=act.pk).update(status="in_force")
        assert _item7()["state"] == "partial"
        assert _item7(TODAY + timedelta(days=3))["state"] == "done"
        # an act of another kind does not regulate incentives
        LocalAct.objects.filter(pk=act.pk).delete()
        LocalAct.objects.create(
            kind="order_curator", title="О куратор", number="8", date=TODAY, status="in_force"
        )
        assert _item7()["state"] == "not_done"


@pytest.mark.parametrize("kind", ["incentives", "supplementary"])
def test_item_7_is_done_with_an_incentives_act_or_a_supplementary_agreement(world, kind):
    with schema_context(world.school_a.schema_name):
        mentor = _mentor()
        Incentive.objects.create(person=mentor, kind="gratitude", given_on=TODAY - timedelta(days=5))
        LocalAct.objects.create(
            kind=kind, title="Акт", number="3", date=TODAY - timedelta(days=30), status="in_force"
        )
        result = _item7()
        assert result["state"] == "done" and result["evidence"]["number"] == "3"
        assert result["evidence"]["incentives"] == 1
