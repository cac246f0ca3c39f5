"""School workspace II: pairs and groups, programmes, meetings, the mentor's own view."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from core.acts.models import LocalAct
from core.consents.models import Consent
from core.pairs.models import Pair, PairMember
from core.pairs.selectors import pairs_on
from core.people.models import BankEntry, Category, Person
from core.programmes.models import Programme
from tenants.catalogues import RoleModel

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)
REP = {"by_representative": True, "representative_last_name": "Иванова", "representative_first_name": "Анна",
       "representative_relation": "мать", "representative_document": "паспорт 2812 000000"}  # fmt: skip


def _consents(person: Person, **extra) -> None:
    for kind in Consent.Kind:
        Consent.objects.create(person=person, kind=kind, valid_from=START - timedelta(days=10), **extra)


def mentor(last="Васильев", capacity=2, user_id=None, consents=True) -> Person:
    person = Person.objects.create(last_name=last, first_name="Дмитрий", category=Category.TEACHER,
                                   position="учитель", birth_date=TODAY.replace(year=TODAY.year - 40), user_id=user_id)  # fmt: skip
    if consents:
        _consents(person)
    BankEntry.objects.create(person=person, bank="mentor", status="approved", capacity=capacity,
                             requests=["low_results", "gifted"])  # fmt: skip
    return person


def mentee(last="Корнеев", consents=True, category=Category.STUDENT, user_id=None) -> Person:
    person = Person.objects.create(last_name=last, first_name="Пётр", category=category, school_class="7Б",
                                   position="учитель" if category == Category.TEACHER else "",
                                   birth_date=TODAY.replace(year=TODAY.year - 13), user_id=user_id)  # fmt: skip
    if consents:
        _consents(person, **REP)
    BankEntry.objects.create(person=person, bank="mentee", status="approved", requests=["low_results"])
    return person


def _role_model(form_code="teacher_student") -> int:
    return RoleModel.objects.filter(form__code=form_code).order_by("pk")[0].pk


def _pair_post(client, mentors, mentees, form_code="teacher_student", started_on=START):
    return client.post("/pairs/new/", {
        "form_code": form_code, "role_model_id": _role_model(form_code), "kind_code": "traditional",
        "mentors": [p.pk for p in mentors], "mentees": [p.pk for p in mentees], "started_on": started_on.isoformat(),
    })  # fmt: skip


def test_a_curator_forms_a_pair_from_the_banks(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    response = _pair_post(host_client(world.school_a, world.curator_a), [m], [s])
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get()
        assert {(x.person_id, x.role) for x in pair.members.all()} == {(m.pk, "mentor"), (s.pk, "mentee")}
        assert set(BankEntry.objects.values_list("status", flat=True)) == {"in_pair"}


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_a_person_without_valid_consents_cannot_join(host_client, world, who):
    with schema_context(world.school_a.schema_name):
        m = mentor(consents=who != "mentor")
        s = mentee(consents=who != "mentee")
    response = _pair_post(host_client(world.school_a, world.curator_a), [m], [s])
    assert response.status_code == 400
    assert "Нет действующего согласия" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Pair.objects.exists()


def test_a_category_the_form_does_not_allow_cannot_join(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor()
        teacher_mentee = mentee(category=Category.TEACHER, consents=False)
        _consents(teacher_mentee)
    response = _pair_post(
        host_client(world.school_a, world.curator_a), [m], [teacher_mentee], form_code="student_student"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "не может быть наставником в форме «ученик – ученик»" in page
    assert "не может быть наставляемым в форме «ученик – ученик»" in page


def test_mentor_capacity_is_respected(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor(capacity=2)
        kids = [mentee(last=f"Ученик{i}") for i in range(3)]
    client = host_client(world.school_a, world.curator_a)
    assert _pair_post(client, [m], kids[:2]).status_code == 302  # a group of two
    refused = _pair_post(client, [m], kids[2:])
    assert refused.status_code == 400 and "можно не больше 2" in refused.content.decode()


def test_withdrawing_a_consent_suspends_the_pair(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    client = host_client(world.school_a, world.curator_a)
    _pair_post(client, [m], [s])
    with schema_context(world.school_a.schema_name):
        consent = s.consents.get(kind="personal_data")
    client.post(f"/api/v1/consents/{consent.pk}/withdraw/", {"withdrawn_on": TODAY.isoformat()})
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get()
        assert pair.status == Pair.Status.SUSPENDED and "Отозвано" in pair.suspended_reason
    resumed = client.post(f"/pairs/{pair.pk}/resume/", follow=True)
    assert "Нет действующего согласия" in resumed.content.decode()  # cannot resume without consent


def test_the_state_of_pairs_on_a_past_date(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s1, s2 = mentor(capacity=3), mentee(last="Первый"), mentee(last="Второй")
    client = host_client(world.school_a, world.curator_a)
    _pair_post(client, [m], [s1, s2], started_on=START)
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get()
        PairMember.objects.filter(pair=pair, person=s2).update(until=START + timedelta(days=10))
        ended = Pair.objects.create(form_code="teacher_student", role_model_id=_role_model(), kind_code="traditional",
                                    started_on=START - timedelta(days=30), ended_on=START - timedelta(days=1),
                                    status="ended")  # fmt: skip
        early = pairs_on(on=START + timedelta(days=5))
        later = pairs_on(on=START + timedelta(days=20))
        before = pairs_on(on=START - timedelta(days=5))
    assert [(st.pair.pk, {p.last_name for p in st.mentees}) for st in early] == [
        (pair.pk, {"Первый", "Второй"})
    ]
    assert [(st.pair.pk, {p.last_name for p in st.mentees}) for st in later] == [(pair.pk, {"Первый"})]
    assert [st.pair.pk for st in before] == [ended.pk]
    page = client.get("/pairs/", {"on": (START + timedelta(days=20)).isoformat()}).content.decode()
    assert "Первый" in page and "Второй" not in page


def test_ending_a_pair_needs_a_reason_and_a_date_after_its_start(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    client = host_client(world.school_a, world.curator_a)
    _pair_post(client, [m], [s])
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get()
    early = client.post(f"/pairs/{pair.pk}/end/", {"ended_on": (START - timedelta(days=1)).isoformat(),
                                                    "reason_code": "completed"}, follow=True)  # fmt: skip
    assert "раньше начала" in early.content.decode()
    client.post(f"/pairs/{pair.pk}/end/", {"ended_on": TODAY.isoformat(), "reason_code": "mentor_request"})
    with schema_context(world.school_a.schema_name):
        pair.refresh_from_db()
        assert pair.status == "ended" and pair.end_reason_code == "mentor_request"
        assert not pair.members.filter(until__isnull=True).exists()
        assert set(BankEntry.objects.values_list("status", flat=True)) == {"approved", "candidate"} - {
            "candidate"
        } | {"approved"}


# --- programmes ---------------------------------------------------------------------------------------


def _pair_with_programme(host_client, world):
    with schema_context(world.school_a.schema_name):
        m = mentor(user_id=world.mentor_a.pk)
        s = mentee(user_id=world.mentee_a.pk)
    client = host_client(world.school_a, world.curator_a)
    _pair_post(client, [m], [s])
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get()
    client.post(f"/pairs/{pair.pk}/programme/", {"starts_on": START.isoformat(),
                                                 "ends_on": (START + timedelta(days=200)).isoformat()})  # fmt: skip
    with schema_context(world.school_a.schema_name):
        programme = Programme.objects.get()
    return client, pair, programme


@pytest.mark.parametrize(
    ("days", "message"),
    [(-5, "раньше её начала"), (60, "не меньше 3 месяцев"), (400, "не больше года")],
)
def test_programme_dates_are_checked(host_client, world, days, message):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    client = host_client(world.school_a, world.curator_a)
    _pair_post(client, [m], [s])
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get()
    response = client.post(f"/pairs/{pair.pk}/programme/", {"starts_on": START.isoformat(),
                           "ends_on": (START + timedelta(days=days)).isoformat()}, follow=True)  # fmt: skip
    assert message in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Programme.objects.exists()


def test_a_programme_starts_from_the_forms_template_and_can_be_extended(host_client, world):
    client, _pair, programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        assert programme.sections.count() == 2 and programme.sections.first().tasks.exists()
    too_long = {
        "starts_on": START.isoformat(),
        "ends_on": (START + timedelta(days=500)).isoformat(),
        "stage": "design",
    }
    assert (
        "не больше года"
        in client.post(f"/programmes/{programme.pk}/update/", too_long, follow=True).content.decode()
    )
    client.post(f"/programmes/{programme.pk}/update/", {**too_long, "extended": "on"})
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert programme.extended and programme.stage == "design"


def test_the_mentor_fills_results_the_curator_approves(host_client, world):
    client, pair, programme = _pair_with_programme(host_client, world)
    mentor_client = host_client(world.school_a, world.mentor_a)
    mentee_client = host_client(world.school_a, world.mentee_a)
    assert f"/pairs/{pair.pk}/" in mentor_client.get("/my/").content.decode()
    mentor_client.post(f"/programmes/{programme.pk}/move/", {"to": "review"})
    assert mentor_client.post(f"/programmes/{programme.pk}/move/", {"to": "approved"}).status_code == 403
    client.post(f"/programmes/{programme.pk}/move/", {"to": "approved"})
    mentor_client.post(f"/programmes/{programme.pk}/move/", {"to": "running"})
    with schema_context(world.school_a.schema_name):
        task = programme.sections.first().tasks.first()
    mentor_client.post(
        f"/tasks/{task.pk}/",
        {"result": "full", "result_text": "Составлен план", "mentor_assessment": "Отлично"},
    )
    assert mentee_client.post(f"/tasks/{task.pk}/", {"result": "none"}).status_code == 403
    mentor_client.post(f"/pairs/{pair.pk}/meetings/", {"kind": "intro", "date": TODAY.isoformat(), "format": "in_person",
                                                        "hours": "1.5", "notes": "Знакомство"})  # fmt: skip
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        task.refresh_from_db()
        assert programme.status == "running" and programme.approved_by_id == world.curator_a.pk
        assert (task.result, task.mentor_assessment) == ("full", "Отлично")
        assert pair.meetings.get().hours == 1.5
    assert "Составлен план" in mentee_client.get(f"/programmes/{programme.pk}/").content.decode()
    doc = Document(io.BytesIO(mentor_client.get(f"/programmes/{programme.pk}/document.docx").content))
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert (
        "Наставник: Васильев Дмитрий" in text
        and "Подпись наставника" in text
        and "достигнут в полной мере" in text
    )


def test_a_mentor_sees_and_edits_only_their_own_pairs(host_client, world):
    _client, pair, _programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        other = Pair.objects.create(form_code="teacher_student", role_model_id=_role_model(), kind_code="traditional",
                                    started_on=START)  # fmt: skip
    mentor_client = host_client(world.school_a, world.mentor_a)
    assert mentor_client.get(f"/pairs/{other.pk}/").status_code == 403
    assert mentor_client.post(f"/pairs/{other.pk}/meetings/", {"kind": "intro", "date": TODAY.isoformat(),
                              "format": "remote", "hours": "1"}).status_code == 403  # fmt: skip
    assert mentor_client.get("/pairs/").status_code == 403
    assert (
        mentor_client.post(
            f"/pairs/{pair.pk}/end/", {"ended_on": TODAY.isoformat(), "reason_code": "completed"}
        ).status_code
        == 403
    )
    assert f"/pairs/{other.pk}/" not in mentor_client.get("/my/").content.decode()


def test_inactive_pairs_are_flagged_and_the_order_lists_the_members(host_client, world):
    client, pair, _programme = _pair_with_programme(host_client, world)
    page = client.get("/pairs/").content.decode()
    assert "нет встреч 30+ дней" in page
    with schema_context(world.school_a.schema_name):  # the order cites the Положение in force
        LocalAct.objects.create(kind="policy_students", title="Положение о наставничестве обучающихся",
                                number="151/1", date=TODAY - timedelta(days=90), status="in_force")  # fmt: skip
    response = client.post("/pairs/order/", {"pairs": [pair.pk], "date": TODAY.isoformat()}, follow=True)
    assert "Сформирован приказ № 1-н" in response.content.decode(), response.content.decode()[-3000:]
    with schema_context(world.school_a.schema_name):
        pair.refresh_from_db()
        act_file = pair.order.files.get()
        assert pair.order.kind == "order_pairs" and pair.order.number == "1-н"
    content = b"".join(client.get(f"/files/acts/{act_file.pk}/").streaming_content)
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any(c.startswith("Васильев") for c in cells) and any(c.startswith("Корнеев") for c in cells)
    assert "учитель – ученик" in cells


def test_pairs_of_school_a_are_invisible_from_school_b(host_client, world):
    _client, pair, programme = _pair_with_programme(host_client, world)
    curator_b = host_client(world.school_b, world.curator_b)
    for path in (
        f"/pairs/{pair.pk}/",
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/document.docx",
    ):
        assert curator_b.get(path).status_code == 404, path
    assert (
        curator_b.post(
            f"/pairs/{pair.pk}/end/", {"ended_on": TODAY.isoformat(), "reason_code": "completed"}
        ).status_code
        == 404
    )
    assert "Васильев" not in curator_b.get("/pairs/").content.decode()
    assert host_client(world.school_b, world.mentor_a).get(f"/pairs/{pair.pk}/").status_code == 403


# --- monitoring surveys -------------------------------------------------------------------------------

SATISFIED = {
    "comfort": "8",
    "usefulness": "9",
    "support": "10",
    "goals": "7",
    "satisfaction": "9",
    "change": "Больше встреч",
}
MEASURES = {"engagement": "4", "activity": "5", "self_esteem": "3", "anxiety": "8", "performance": "5"}


def test_participants_fill_their_own_questionnaires_and_measures_are_compared(host_client, world):
    client, pair, _programme = _pair_with_programme(host_client, world)
    mentee_client = host_client(world.school_a, world.mentee_a)
    mentor_client = host_client(world.school_a, world.mentor_a)
    base = f"/pairs/{pair.pk}/surveys/"
    assert (
        mentee_client.post(f"{base}satisfaction_mentee/once/", {**SATISFIED, "comfort": "11"}).status_code
        == 400
    )
    assert mentee_client.post(f"{base}satisfaction_mentee/once/", SATISFIED).status_code == 302
    again = mentee_client.post(f"{base}satisfaction_mentee/once/", SATISFIED)
    assert again.status_code == 400 and "уже заполнена" in again.content.decode()
    assert mentee_client.post(f"{base}satisfaction_mentor/once/", SATISFIED).status_code == 403
    assert (
        mentor_client.post(
            f"{base}process_curator/once/", {"regularity": "5", "plan": "5", "cooperation": "5"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{base}process_curator/once/", {"regularity": "7", "plan": "6", "cooperation": "8"}
        ).status_code
        == 302
    )

    early_exit = mentee_client.post(f"{base}personal_measures/exit/", MEASURES)
    assert early_exit.status_code == 400 and "Сначала нужен замер на входе" in early_exit.content.decode()
    mentee_client.post(f"{base}personal_measures/entry/", MEASURES)
    mentee_client.post(f"{base}personal_measures/exit/", {**MEASURES, "engagement": "7", "anxiety": "5"})
    page = mentee_client.get(base).content.decode()
    assert "+3" in page and "-3" in page
    monitoring = client.get("/monitoring/").content.decode()
    assert "9.0" in monitoring or "9,0" in monitoring
    assert host_client(world.school_b, world.curator_b).get(base).status_code == 404


def test_the_curators_overview_counts_pairs_and_programmes(host_client, world):
    client, _pair, _programme = _pair_with_programme(host_client, world)
    page = client.get("/").content.decode()
    assert "пар и групп сейчас" in page and "учитель – ученик" in page
    assert "подготовительный · черновик: 1" in page
    assert "Пар без встреч 30+ дней: <strong>1</strong>" in page


def test_the_regional_admin_manages_role_models_that_schools_then_use(host_client, world):
    admin = host_client(None, world.regional_admin)
    assert host_client(None, world.inspector_m1).get("/catalogues/").status_code == 403
    assert admin.post("/catalogues/", {"form": "teacher_student", "name": "x"}).status_code == 400
    assert (
        admin.post(
            "/catalogues/", {"form": "teacher_student", "name": "исследователь – будущий учёный"}
        ).status_code
        == 302
    )
    role_model = RoleModel.objects.get(name="исследователь – будущий учёный")
    curator = host_client(world.school_a, world.curator_a)
    assert "исследователь – будущий учёный" in curator.get("/pairs/new/").content.decode()
    admin.post("/catalogues/", {"toggle": role_model.pk})
    with schema_context(world.school_a.schema_name):
        m, s = mentor(), mentee()
    response = curator.post("/pairs/new/", {"form_code": "teacher_student", "role_model_id": role_model.pk,
                            "kind_code": "traditional", "mentors": [m.pk], "mentees": [s.pk],
                            "started_on": START.isoformat()})  # fmt: skip
    assert response.status_code == 400


def test_the_pairs_api_follows_the_same_rules(host_client, world):
    with schema_context(world.school_a.schema_name):
        m, s = mentor(user_id=world.mentor_a.pk), mentee()
        no_consent = mentee(last="Безсогласия", consents=False)
    curator = host_client(world.school_a, world.curator_a)
    body = {"form_code": "teacher_student", "role_model_id": _role_model(), "kind_code": "traditional",
            "mentors": [m.pk], "mentees": [no_consent.pk], "started_on": START.isoformat()}  # fmt: skip
    refused = curator.post("/api/v1/pairs/", body, content_type="application/json")
    assert refused.status_code == 400 and "Нет действующего согласия" in str(refused.json())
    created = curator.post("/api/v1/pairs/", {**body, "mentees": [s.pk]}, content_type="application/json")
    assert created.status_code == 201
    pair_id = created.json()["id"]
    mentor_client = host_client(world.school_a, world.mentor_a)
    assert [p["id"] for p in mentor_client.get("/api/v1/pairs/").json()] == [pair_id]
    meeting = mentor_client.post(f"/api/v1/pairs/{pair_id}/meetings/",
                                 {"kind": "intro", "date": TODAY.isoformat(), "format": "remote", "hours": "1"})  # fmt: skip
    assert meeting.status_code == 201
    assert (
        mentor_client.post(
            f"/api/v1/pairs/{pair_id}/end/", {"ended_on": TODAY.isoformat(), "reason_code": "completed"}
        ).status_code
        == 403
    )
    assert curator.get("/api/v1/pairs/", {"on": (START - timedelta(days=1)).isoformat()}).json() == []
    assert host_client(world.school_b, world.curator_b).get(f"/api/v1/pairs/{pair_id}/").status_code == 404
    assert host_client(world.school_a, world.mentee_a).get(f"/api/v1/pairs/{pair_id}/").status_code == 403
