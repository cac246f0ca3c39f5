"""Issue 12, reference data: forms, role models and requests from the documents; the bank's «Запросы»;
matching by requests and subjects; the bank's status steps, each by its role."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.consents.models import Consent
from core.pairs.models import Pair
from core.pairs.selectors import mentor_suggestions
from core.pairs.services import pair_create, pair_end
from core.people.models import BankEntry, Category, Person
from tenants.catalogues import BankRequest, MentoringForm, RoleModel
from tenants.models import Role, User
from tenants.services import membership_grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)
REP = {"by_representative": True, "representative_last_name": "Иванова", "representative_first_name": "Анна",
       "representative_relation": "мать", "representative_document": "паспорт 2812 000000"}  # fmt: skip


def _consents(person: Person, **extra: object) -> None:
    for kind in Consent.Kind:
        Consent.objects.create(person=person, kind=kind, valid_from=START - timedelta(days=10), **extra)


def _teacher(last: str, *, bank: str = "mentor", status: str = "approved", **entry: object) -> Person:
    person = Person.objects.create(last_name=last, first_name="Ольга", category=Category.TEACHER,
                                   position="учитель", birth_date=TODAY.replace(year=TODAY.year - 40))  # fmt: skip
    _consents(person)
    BankEntry.objects.create(person=person, bank=bank, status=status, **entry)
    return person


def _student(last: str, *, status: str = "approved", **entry: object) -> Person:
    person = Person.objects.create(last_name=last, first_name="Пётр", category=Category.STUDENT,
                                   school_class="7Б", birth_date=TODAY.replace(year=TODAY.year - 13))  # fmt: skip
    _consents(person, **REP)
    BankEntry.objects.create(person=person, bank="mentee", status=status, **entry)
    return person


def _role_model(form_code: str, name: str) -> RoleModel:
    return RoleModel.objects.get(form__code=form_code, name=name)


# --- reference data from the documents ----------------------------------------------------------------


@pytest.mark.parametrize(
    "form_code,name",
    [
        ("teacher_teacher", "равный – равному"),
        ("student_pupil", "лидер – равнодушный"),
        ("employer_student", "работодатель – будущий студент"),
        ("employer_student", "коллега – молодой коллега"),
        ("teacher_student", "учитель – одарённый ученик"),
        ("teacher_student", "классный руководитель – ученик"),
        ("teacher_student", "социальный педагог – ученик"),
        ("teacher_student", "мастер – ученик"),
        ("teacher_student", "ответственный по профориентации – ученик"),
        ("student_student", "ученик с ОВЗ – ученик"),
        ("senior_junior", "успевающий – неуспевающий"),
        ("senior_junior", "лидер – равнодушный"),
        ("senior_junior", "равный – равному"),
        ("senior_junior", "куратор – автор проекта"),
    ],
)
def test_the_role_models_the_documents_name_are_in_the_catalogue_with_their_source(form_code, name):
    role_model = _role_model(form_code, name)
    assert role_model.is_active and role_model.source


def test_the_senior_junior_form_follows_student_student_and_takes_students_on_both_sides():
    forms = list(MentoringForm.objects.values_list("code", flat=True))
    assert forms.index("senior_junior") == forms.index("student_student") + 1
    form = MentoringForm.objects.get(code="senior_junior")
    assert form.mentor_categories == ["student"] and form.mentee_categories == ["student"]
    assert "СОШ № 55" in form.source


def test_parents_and_graduates_may_be_mentors_where_seed_003_takes_them():
    assert {"parent", "graduate"} <= set(MentoringForm.objects.get(code="employer_student").mentor_categories)
    assert "graduate" in MentoringForm.objects.get(code="student_pupil").mentor_categories


def test_role_models_no_document_names_are_marked_and_the_misplaced_ones_are_off():
    misplaced = RoleModel.objects.filter(name="куратор – автор проекта", form__code__in=["teacher_student",
                                                                                          "employer_student"])  # fmt: skip
    assert misplaced.count() == 2
    assert all(not r.is_active and r.source == "" for r in misplaced)
    # Kept (a pair may use it) but marked: no document puts it under «работодатель – ученик».
    kept = _role_model("employer_student", "работодатель – будущий сотрудник")
    assert kept.is_active and kept.source == ""
    # The rows seeded before keep their ids: the first role model of «ученик – ученик» is still the first.
    first = RoleModel.objects.filter(form__code="student_student").order_by("pk").first()
    assert first is not None and first.name == "успевающий – неуспевающий"


@pytest.mark.parametrize(
    "code,words",
    [
        ("behaviour", "проблемы с поведением"),
        ("disengaged", "отстранён от коллектива"),
        ("digital", "цифровые навыки"),
        ("competitions", "конкурсное движение"),
        ("motivation", "мотивации"),
        ("civic", "гражданской позиции"),
        ("psych_barriers", "психологических барьеров"),
        ("new_technologies", "новых образовательных технологий"),
        ("team_support", "командное сопровождение"),
        ("new_workplace", "на новом месте работы"),
        ("adaptation", "адаптация молодого педагога"),
        ("hardship", "трудная жизненная ситуация"),
    ],
)
def test_the_requests_of_seeds_001_and_003_are_reference_data(code, words):
    request = BankRequest.objects.get(code=code)
    assert words in request.name and request.is_active and request.source


def test_requests_no_document_names_are_marked():
    assert set(BankRequest.objects.filter(source="").values_list("code", flat=True)) == {
        "methods", "subject", "projects", "leadership",
    }  # fmt: skip


def test_the_region_edits_requests_and_schools_choose_from_them(host_client, world):
    admin = host_client(None, world.regional_admin)
    page = admin.get("/catalogues/").content.decode()
    assert "проблемы с поведением" in page and "нет в документах" in page
    response = admin.post("/catalogues/", {"action": "request_add", "code": "sport", "name": "спортивные результаты",
                                           "audience": "students"})  # fmt: skip
    assert response.status_code == 302
    assert admin.post("/catalogues/", {"action": "request_add", "code": "Спорт!", "name": "x y z",
                                       "audience": "students"}).status_code == 400  # fmt: skip
    assert admin.post("/catalogues/", {"action": "request_add", "code": "sport2", "name": "Спортивные результаты",
                                       "audience": "students"}).status_code == 400  # fmt: skip
    admin.post("/catalogues/", {"action": "request_update", "code": "behaviour",
                                "name": "проблемы с поведением (ВШК, ПДН)", "audience": "students"})  # fmt: skip
    admin.post("/catalogues/", {"action": "request_toggle", "code": "turnover"})
    assert BankRequest.objects.get(code="behaviour").name == "проблемы с поведением (ВШК, ПДН)"
    with schema_context(world.school_a.schema_name):
        person = _teacher("Зуева", status="candidate")
    page = host_client(world.school_a, world.curator_a).get(f"/people/{person.pk}/").content.decode()
    assert 'value="sport"' in page and "проблемы с поведением (ВШК, ПДН)" in page
    assert 'value="turnover"' not in page  # switched off: not offered any more
    assert (
        host_client(None, world.inspector_m1)
        .post("/catalogues/", {"action": "request_toggle", "code": "behaviour"})
        .status_code
        == 403
    )


def test_the_region_says_who_may_take_each_side_of_a_form(host_client, world):
    admin = host_client(None, world.regional_admin)
    response = admin.post("/catalogues/", {"action": "form_sides", "form": "teacher_student",
                                           "mentors": ["teacher", "parent"], "mentees": ["student"]})  # fmt: skip
    assert response.status_code == 302
    assert MentoringForm.objects.get(code="teacher_student").mentor_categories == ["teacher", "parent"]
    for bad in (
        {"mentors": ["teacher", "alien"], "mentees": ["student"]},
        {"mentors": [], "mentees": ["student"]},
    ):
        response = admin.post("/catalogues/", {"action": "form_sides", "form": "teacher_student", **bad})
        assert response.status_code == 400
    assert MentoringForm.objects.get(code="teacher_student").mentor_categories == ["teacher", "parent"]


# --- «Включить в базу»: requests recorded ----------------------------------------------------------------


def test_the_bank_form_offers_one_checkbox_per_request_and_stores_the_choice(host_client, world):
    with schema_context(world.school_a.schema_name):
        person = Person.objects.create(last_name="Лаврова", first_name="Ия", category=Category.STUDENT,
                                       school_class="8А", birth_date=TODAY.replace(year=TODAY.year - 14))  # fmt: skip
    client = host_client(world.school_a, world.curator_a)
    page = client.get(f"/people/{person.pk}/").content.decode()
    active = BankRequest.objects.filter(is_active=True).count()
    assert page.count('name="requests"') == active > 20
    assert 'name="requests" id="id_requests" value=""' not in page  # the one empty box of before
    client.post(f"/people/{person.pk}/bank/", {"bank": "mentee", "requests": ["behaviour", "ovz"],
                                               "subjects": "Математика; физика, математика", "capacity": ""})  # fmt: skip
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=person)
        assert entry.requests == ["behaviour", "ovz"] and entry.status == "candidate"
        assert entry.subjects == "Математика, физика"
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "проблемы с поведением" in page
    response = client.post(f"/people/{person.pk}/bank/", {"bank": "mentee", "requests": ["no_such_request"]})
    assert "нет в справочнике" in client.get(response["Location"]).content.decode()
    with schema_context(world.school_a.schema_name):
        assert BankEntry.objects.get(person=person).requests == ["behaviour", "ovz"]


def test_the_bank_api_records_requests_and_refuses_wrong_shapes(host_client, world):
    with schema_context(world.school_a.schema_name):
        person = _teacher("Орлова", status="candidate")
        BankEntry.objects.filter(person=person).delete()
    client = host_client(world.school_a, world.curator_a)
    response = client.post("/api/v1/bank-entries/", {"person": person.pk, "bank": "mentor",
                                                     "requests": ["digital", "competitions"],
                                                     "subjects": "информатика"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert (
        response.json()["requests"] == ["digital", "competitions"]
        and response.json()["status"] == "candidate"
    )
    for body in ({"person": person.pk, "bank": "mentor", "requests": "digital"},
                 {"person": person.pk, "bank": "mentor", "requests": [["digital"]]},
                 {"person": person.pk, "bank": "mentor", "requests": ["unknown"]},
                 {"person": person.pk, "bank": "nowhere"}, ["digital"]):  # fmt: skip
        response = client.post("/api/v1/bank-entries/", body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"
    codes = [r["code"] for r in client.get("/api/v1/bank-requests/").json()]
    assert "behaviour" in codes and "turnover" in codes


# --- matching ------------------------------------------------------------------------------------------


def _ranked(mentee: Person, form: str = "teacher_student") -> list[str]:
    return [s.entry.person.last_name for s in mentor_suggestions(mentee=mentee, form_code=form, on=TODAY)]


def test_a_mentor_covering_more_of_the_mentees_requests_ranks_first(world):
    with schema_context(world.school_a.schema_name):
        kid = _student("Ученик", requests=["behaviour", "disengaged"])
        _teacher("Свободная", capacity=10, requests=["gifted"])
        _teacher("Одна", capacity=1, requests=["behaviour"])
        _teacher("Обе", capacity=1, requests=["behaviour", "disengaged", "gifted"])
        assert _ranked(kid) == ["Обе", "Одна", "Свободная"]
        best = mentor_suggestions(mentee=kid, form_code="teacher_student", on=TODAY)[0]
        assert (
            best.reasons[0]
            == "совпадает: проблемы с поведением, не участвует в жизни школы, отстранён от коллектива"
        )


def test_a_subject_match_outweighs_free_places_and_any_other_subject_scores_nothing(world):
    with schema_context(world.school_a.schema_name):
        kid = _student("Ученик", subjects="Математика")
        _teacher("Физик", capacity=10, subjects="физика, астрономия")
        _teacher("Математик", capacity=1, subjects="алгебра; МАТЕМАТИКА")
        # Before: the subject was never scored (or +1 for any subject text), so free places decided.
        assert _ranked(kid) == ["Математик", "Физик"]
        physicist = next(s for s in mentor_suggestions(mentee=kid, form_code="teacher_student", on=TODAY)
                         if s.entry.person.last_name == "Физик")  # fmt: skip
        assert physicist.subjects == [] and not any("предмет" in r for r in physicist.reasons)
        assert physicist.score == 2  # free places only, capped


def test_the_pair_page_explains_each_suggestion(host_client, world):
    with schema_context(world.school_a.schema_name):
        kid = _student("Ученик", requests=["ovz"], subjects="русский язык")
        _teacher("Наставница", capacity=2, requests=["ovz"], subjects="Русский язык, литература")
    page = (
        host_client(world.school_a, world.curator_a)
        .get(f"/pairs/new/?mentee={kid.pk}&form=teacher_student")
        .content.decode()
    )
    assert "Ищем: ограниченные возможности здоровья (ОВЗ), предмет: русский язык" in page
    assert "совпадает: ограниченные возможности здоровья (ОВЗ); совпадает предмет: русский язык" in page


# --- the bank's status steps, by role ------------------------------------------------------------------


@pytest.fixture
def school_admin_a(world) -> User:
    user = User.objects.create_user("director@a.test", "x", last_name="Директорова")
    membership_grant(user=user, role=Role.SCHOOL_ADMIN, school=world.school_a)
    return user


def _status(world, entry: BankEntry) -> str:
    with schema_context(world.school_a.schema_name):
        entry.refresh_from_db()
    return entry.status


def test_the_curator_approves_and_withdraws_approval(host_client, world):
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=_teacher("Кандидатова", status="candidate"))
    client = host_client(world.school_a, world.curator_a)
    response = client.post(f"/api/v1/bank-entries/{entry.pk}/status/", {"status": "approved"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["approved_at"]
    row = client.post(
        f"/bank-entries/{entry.pk}/status/", {"status": "candidate"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200 and "кандидат" in row.content.decode()  # the row as it now is
    assert 'name="status" value="approved"' in row.content.decode()  # and the next step offered from there
    assert _status(world, entry) == "candidate"
    with schema_context(world.school_a.schema_name):
        assert BankEntry.objects.get(pk=entry.pk).approved_at is None


def test_the_school_admin_may_not_approve_but_may_record_a_leaver(host_client, world, school_admin_a):
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=_teacher("Кандидатова", status="candidate"))
    admin = host_client(world.school_a, school_admin_a)
    response = admin.post(f"/api/v1/bank-entries/{entry.pk}/status/", {"status": "approved"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert "только куратор" in response.json()["error"]["message"]
    response = admin.post(f"/bank-entries/{entry.pk}/status/", {"status": "approved"}, follow=True)
    assert "только куратор" in response.content.decode()
    assert _status(world, entry) == "candidate"
    page = admin.get("/banks/mentor/").content.decode()
    assert "одобряет куратор" in page and 'name="status" value="approved"' not in page
    admin.post(f"/bank-entries/{entry.pk}/status/", {"status": "left"})
    assert _status(world, entry) == "left"
    admin.post(f"/bank-entries/{entry.pk}/status/", {"status": "candidate"})
    assert _status(world, entry) == "candidate"


@pytest.mark.parametrize("who", ["mentor_a", "mentee_a"])
def test_mentors_and_mentees_change_no_status(host_client, world, who):
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=_teacher("Кандидатова", status="candidate"))
    client = host_client(world.school_a, getattr(world, who))
    assert client.post(f"/bank-entries/{entry.pk}/status/", {"status": "approved"}).status_code == 403
    response = client.post(f"/api/v1/bank-entries/{entry.pk}/status/", {"status": "approved"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert _status(world, entry) == "candidate"


def test_in_pair_is_neither_set_nor_lifted_by_hand_and_bad_input_is_refused(host_client, world):
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=_teacher("Парная", status="in_pair"))
        candidate = BankEntry.objects.get(person=_teacher("Новенькая", status="candidate"))
    client = host_client(world.school_a, world.curator_a)
    for status, target, message in (("approved", entry, "сначала завершите пару"),
                                    ("left", entry, "сначала завершите пару"),
                                    ("in_pair", candidate, "ставится при формировании пары")):  # fmt: skip
        response = client.post(f"/api/v1/bank-entries/{target.pk}/status/", {"status": status},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400 and message in response.content.decode()
    for body in ({"status": "approved\x00"}, {"status": ["approved"]}, {}):
        response = client.post(
            f"/api/v1/bank-entries/{candidate.pk}/status/", body, content_type="application/json"
        )
        assert response.status_code == 400
    assert (_status(world, entry), _status(world, candidate)) == ("in_pair", "candidate")


def test_the_other_schools_curator_cannot_touch_the_bank(host_client, world):
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=_teacher("Чужая", status="candidate"))
    client = host_client(world.school_b, world.curator_b)
    response = client.post(f"/api/v1/bank-entries/{entry.pk}/status/", {"status": "approved"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert "Чужая" not in client.get("/api/v1/bank-entries/?bank=mentor").content.decode()
    assert _status(world, entry) == "candidate"


def test_forming_a_pair_takes_only_approved_people_and_ending_it_brings_them_back(world):
    with schema_context(world.school_a.schema_name):
        role_model = _role_model("teacher_student", "педагог – неуспевающий ученик")
        mentor = _teacher("Наставник", capacity=3)
        kid = _student("Кандидат", status="candidate")
        # The student is also a candidate mentor (ученик – ученик): forming a pair as a mentee leaves that.
        BankEntry.objects.create(person=kid, bank="mentor")
        args: dict[str, Any] = {"form_code": "teacher_student", "role_model_id": role_model.pk, "kind_code": "traditional",
                "mentors": [mentor], "started_on": START, "actor": None}  # fmt: skip
        with pytest.raises(Exception, match="только одобренных куратором"):
            pair_create(mentees=[kid], **args)
        BankEntry.objects.filter(person=kid, bank="mentee").update(
            status="approved", approved_at=timezone.now()
        )
        pair = pair_create(mentees=[kid], **args)
        other = pair_create(mentees=[_student("Второй")], **args)
        assert BankEntry.objects.get(person=kid, bank="mentee").status == "in_pair"
        assert BankEntry.objects.get(person=kid, bank="mentor").status == "candidate"
        assert BankEntry.objects.get(person=mentor, bank="mentor").status == "in_pair"
        pair_end(pair=Pair.objects.get(pk=pair.pk), on=TODAY, reason_code="completed", actor=None)
        assert BankEntry.objects.get(person=kid, bank="mentee").status == "approved"
        assert BankEntry.objects.get(person=mentor, bank="mentor").status == "in_pair"  # still in ``other``
        pair_end(pair=Pair.objects.get(pk=other.pk), on=TODAY, reason_code="completed", actor=None)
        assert BankEntry.objects.get(person=mentor, bank="mentor").status == "approved"


def test_the_catalogue_shows_a_request_by_its_name_and_its_code_only_as_a_muted_api_note(host_client, world):
    page = host_client(None, world.regional_admin).get("/catalogues/").content.decode()
    assert "<th>Код</th>" not in page
    for code in ("adaptation", "burnout"):
        request = BankRequest.objects.get(code=code)
        row = page[page.index(f'name="code" value="{code}"') :]
        row = row[: row.index("</tr>")]
        name_at, code_at = (
            row.index(f'value="{request.name}"'),
            row.index(f'<code class="text-muted">{code}</code>'),
        )
        assert name_at < code_at and "код в API" in row[name_at : code_at + 40]
