"""Issue 12: checklist rules an ИМЦ inspector would accept (seed 002), readable evidence everywhere, and
rounds that keep the checklist version they were started with."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from core.acts.models import CuratorAppointment, LocalAct
from core.acts.services import curator_order_generate
from core.consents.models import Consent
from core.facts import evidence_describe
from core.incentives.models import Incentive
from core.pairs.models import Pair
from core.people.models import BankEntry, Category, Person
from regional.checklist.rules import RULES
from regional.checklist.snapshots import checklist_publish, snapshot_refresh
from regional.models import ChecklistTemplate, SchoolSnapshot
from regional.rounds import round_create, round_progress, verdict_set

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _result(rule: str):
    return RULES[rule](TODAY)


def _act(
    kind: str, *, number: str = "12", date=TODAY, status: str = "in_force", title: str = "Акт"
) -> LocalAct:
    return LocalAct.objects.create(kind=kind, title=title, status=status, number=number, date=date)


def _teacher(last: str = "Белова") -> Person:
    return Person.objects.create(last_name=last, first_name="Ольга", middle_name="Сергеевна",
                                 category=Category.TEACHER, position="учитель",
                                 birth_date=TODAY.replace(year=TODAY.year - 40))  # fmt: skip


def _consents(person: Person) -> None:
    for kind in Consent.Kind:
        Consent.objects.create(person=person, kind=kind, valid_from=TODAY - timedelta(days=30))


# --- item 2: the Положение of PEDAGOGICAL workers, in force today --------------------------------------


def test_item_2_is_not_made_by_the_students_policy(world):
    with schema_context(world.school_a.schema_name):
        _act("policy_students", number="7")
        result = _result("policy_act")
        assert result.state == "not_done"
        assert "педагогических работников" in result.hint
        assert "Положение о наставничестве обучающихся № 7" in result.text
        _act("policy_teachers", number="8")
        result = _result("policy_act")
        assert result.state == "done"
        assert result.text == f"Положение о наставничестве педагогических работников № 8 от {TODAY:%d.%m.%Y}"


def test_item_2_an_act_dated_in_the_future_is_not_in_force(world):
    with schema_context(world.school_a.schema_name):
        tomorrow = TODAY + timedelta(days=1)
        _act("policy_teachers", date=tomorrow)
        result = _result("policy_act")
        assert result.state == "partial"
        assert f"датирован {tomorrow:%d.%m.%Y}" in result.hint and "ещё не действует" in result.text
        assert RULES["policy_act"](tomorrow).state == "done"


def test_item_7_an_incentives_act_dated_in_the_future_is_partial_once_incentives_are_given(world):
    with schema_context(world.school_a.schema_name):
        tomorrow = TODAY + timedelta(days=1)
        _act("incentives", date=tomorrow)
        assert _result("incentives_act").state == "na"  # nothing given yet: the item does not apply
        Incentive.objects.create(person=_teacher(), kind="gratitude", given_on=TODAY)
        result = _result("incentives_act")
        assert result.state == "partial" and result.applies
        assert f"датирован {tomorrow:%d.%m.%Y}" in result.hint and "ещё не действует" in result.text
        assert result.evidence["incentives"] == 1
        assert RULES["incentives_act"](tomorrow).state == "done"


# --- item 4: the curator's appointment is current -------------------------------------------------------


def test_item_4_needs_a_current_appointment_by_an_order_in_force(world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher()
        order = curator_order_generate(school=world.school_a, curator=curator, on=TODAY - timedelta(days=40),
                                       actor=None)  # fmt: skip
        assert _result("curator_order").state == "partial"  # generated, not yet approved
        LocalAct.objects.filter(pk=order.pk).update(status="in_force")
        result = _result("curator_order")
        assert result.state == "done"
        assert (
            f"№ {order.number} от {order.date:%d.%m.%Y}" in result.text
            and "куратор — Белова О. С." in result.text
        )
        # The appointment ended: the order alone no longer makes the item.
        CuratorAppointment.objects.filter(order=order).update(until=TODAY - timedelta(days=1))
        result = _result("curator_order")
        assert result.state == "not_done"
        assert f"закончилось {TODAY - timedelta(days=1):%d.%m.%Y}" in result.hint
        CuratorAppointment.objects.filter(order=order).update(until=None)
        LocalAct.objects.filter(pk=order.pk).update(status="repealed")
        assert _result("curator_order").state == "not_done"


def test_item_4_an_appointment_from_a_future_date_or_by_a_future_order_is_not_current(world):
    with schema_context(world.school_a.schema_name):
        future = _act("order_curator", date=TODAY + timedelta(days=5))
        CuratorAppointment.objects.create(person=_teacher(), order=future, since=TODAY + timedelta(days=5))
        assert _result("curator_order").state == "partial"
        order = _act("order_curator", number="3", date=TODAY - timedelta(days=3))
        CuratorAppointment.objects.create(
            person=_teacher("Орлова"), order=order, since=TODAY + timedelta(days=2)
        )
        result = _result("curator_order")
        assert result.state == "not_done" and "начнётся" in result.hint


def test_item_4_an_uploaded_order_in_force_without_a_recorded_appointment_counts(world):
    with schema_context(world.school_a.schema_name):
        _act("order_curator", number="15")
        result = _result("curator_order")
        assert result.state == "done" and "№ 15" in result.text


# --- item 6: a bank of approved mentors with consents ---------------------------------------------------


def test_item_6_a_student_put_into_a_pair_without_approval_does_not_make_the_bank(world):
    with schema_context(world.school_a.schema_name):
        student = Person.objects.create(last_name="Школьник", first_name="Иван", category=Category.STUDENT,
                                        school_class="9А", birth_date=TODAY.replace(year=TODAY.year - 15))  # fmt: skip
        BankEntry.objects.create(person=student, bank="mentor", status="in_pair")
        assert _result("mentor_bank").state == "not_done"
        teacher = _teacher()
        entry = BankEntry.objects.create(person=teacher, bank="mentor", status="in_pair")  # never approved
        result = _result("mentor_bank")
        assert result.state == "partial" and "не одобрены" in result.hint
        BankEntry.objects.filter(pk=entry.pk).update(status="approved", approved_at=timezone.now())
        result = _result("mentor_bank")
        assert result.state == "partial" and "согласий" in result.hint  # approved, but no consents
        _consents(teacher)
        result = _result("mentor_bank")
        assert result.state == "done"
        assert (
            result.text
            == "наставников педагогов в базе: 1, одобрено куратором: 1, с действующими согласиями: 1"
        )


def test_item_6_a_mentor_who_left_is_not_in_the_bank(world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
        _consents(teacher)
        BankEntry.objects.create(person=teacher, bank="mentor", status="left", approved_at=timezone.now())
        assert _result("mentor_bank").state == "not_done"


# --- evidence as text -----------------------------------------------------------------------------------


def _pairs_with_order(world) -> LocalAct:
    with schema_context(world.school_a.schema_name):
        order = _act("order_pairs", number="5")
        for _ in range(3):
            Pair.objects.create(form_code="teacher_student", role_model_id=1, kind_code="traditional",
                                started_on=TODAY - timedelta(days=10), order=order)  # fmt: skip
        snapshot_refresh(school=world.school_a)
    return order


def test_evidence_reads_as_text_on_every_page_and_in_the_xlsx(host_client, world):
    _pairs_with_order(world)
    expected = f"пар: 3, закреплено приказом: 3 — Приказ о закреплении наставнических пар/групп № 5 от {TODAY:%d.%m.%Y}"
    school_page = host_client(world.school_a, world.curator_a).get("/checklist/").content.decode()
    inspector = host_client(None, world.inspector_m1)
    drill_down = inspector.get(f"/schools/{world.school_a.pk}/checklist/").content.decode()
    round_ = round_create(title="Раунд", municipality=world.m1, due_date=TODAY, actor=world.inspector_m1)
    round_page = inspector.get(f"/rounds/{round_.pk}/schools/{world.school_a.pk}/").content.decode()
    for page in (school_page, drill_down, round_page):
        assert expected in page
        assert "[&#x27;" not in page and "['" not in page
    sheet = load_workbook(io.BytesIO(inspector.get("/compliance.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, school_a = rows[0], next(r for r in rows if r[0] == "Школа А")
    column = header.index("Акт о закреплении пар «наставник – наставляемый»: основание")
    assert school_a[column] == expected


def test_a_snapshot_stored_before_evidence_text_is_shown_readable(host_client, world):
    _pairs_with_order(world)
    snapshot = SchoolSnapshot.objects.get(school=world.school_a)
    items = snapshot.items
    items["pairs_order"].pop("text")
    items["pairs_order"]["evidence"] = {"pairs": 3, "covered": 3, "orders": ["Приказ № 5 от 01.09.2025"]}
    SchoolSnapshot.objects.filter(pk=snapshot.pk).update(items=items)
    page = (
        host_client(None, world.inspector_m1).get(f"/schools/{world.school_a.pk}/checklist/").content.decode()
    )
    assert "пар: 3, закреплено приказом: 3 — Приказ № 5 от 01.09.2025" in page
    assert evidence_describe({"x": [1, 2], "act_id": 4}) == "x: 1; 2"


# --- rounds keep their checklist version ----------------------------------------------------------------


def test_a_round_evaluates_the_checklist_version_it_was_started_with(host_client, world):
    with schema_context(world.school_a.schema_name):
        snapshot_refresh(school=world.school_a)
    first = round_create(title="Весна", municipality=world.m1, due_date=TODAY, actor=world.inspector_m1)
    items_v1 = round_progress(first)["items"]
    checklist_publish(extra_rules=["order_introduction"], actor=world.regional_admin)
    assert ChecklistTemplate.objects.get(is_current=True).version == first.template_version + 1
    with schema_context(world.school_a.schema_name):
        snapshot_refresh(school=world.school_a)
    assert round_progress(first)["items"] == items_v1
    with pytest.raises(Exception, match="Нет такого пункта в чек-листе раунда"):
        verdict_set(round_=first, school=world.school_a, item_code="order_introduction", verdict="confirmed",
                    comment="", actor=world.inspector_m1)  # fmt: skip
    page = host_client(None, world.inspector_m1).get(f"/rounds/{first.pk}/schools/{world.school_a.pk}/")
    assert "Приказ о внедрении целевой модели наставничества" not in page.content.decode()
    second = round_create(title="Осень", municipality=world.m1, due_date=TODAY, actor=world.inspector_m1)
    assert round_progress(second)["items"] == items_v1 + 1
    page = host_client(None, world.inspector_m1).get(f"/rounds/{second.pk}/schools/{world.school_a.pk}/")
    assert "Приказ о внедрении целевой модели наставничества" in page.content.decode()
    verdict_set(round_=second, school=world.school_a, item_code="order_introduction", verdict="confirmed",
                comment="", actor=world.inspector_m1)  # fmt: skip
