"""Bad input to the API and the pages: a 400 with a Russian message in the documented format, nothing written.

Every case here was a 500 before (issue 11, item 5): bodies of the wrong JSON shape fed to Django forms,
an unknown programme status, NUL characters, impossible or absurd dates, 40-digit numbers.
"""

import json

import pytest
from django_tenants.utils import schema_context

from core.acts.models import LocalAct
from core.consents.models import Consent
from core.indicators.models import ContingentDeclaration
from core.pairs.models import Meeting
from core.people.models import Person
from core.programmes.models import Programme
from regional.models import InspectionRound, ReportRun
from tenants.catalogues import RoleModel
from tenants.models import Municipality, School
from tests.objects import school_objects

pytestmark = pytest.mark.django_db

WRONG_SHAPES: list[object] = [[], ["a"], "строка", 42, True, None]


def _post_json(client, path, body, method="post"):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def _assert_api_400(response):
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] in ("invalid", "parse_error", "nul_character", "bad_request")
    assert any("а" <= ch <= "я" for ch in error["message"].lower())  # a Russian message


@pytest.fixture
def objs(world):
    return school_objects(
        world.school_a, curator=world.curator_a, mentor=world.mentor_a, mentee=world.mentee_a
    )


def _school_counts(world):
    with schema_context(world.school_a.schema_name):
        return (
            Person.objects.count(),
            Consent.objects.count(),
            LocalAct.objects.count(),
            Meeting.objects.count(),
            list(Programme.objects.order_by("pk").values_list("status", flat=True)),
        )


PERSON = {"last_name": "Иванов", "first_name": "Иван", "category": "teacher", "position": "учитель"}
CONSENT = {"person": 1, "kind": "participation", "valid_from": "2026-01-01"}
ACT = {"kind": "policy_teachers", "title": "Положение", "date": "2026-01-01"}
MEETING = {"kind": "regular", "date": "2026-11-01", "hours": "1", "format": "remote", "notes": ""}
PAIR = {"form_code": "teacher_student", "role_model_id": 1, "kind_code": "traditional", "mentors": [1],
        "mentees": [2], "started_on": "2026-11-01"}  # fmt: skip

# Each body is wrong for its endpoint in one way: a field that is a list, a boolean, an object, a number
# where text is expected, or an id that is not a number.
SCHOOL_WRITES: dict[tuple[str, str], list[object]] = {
    ("post", "/api/v1/people/"): [
        {**PERSON, "last_name": ["Иванов"]},
        {**PERSON, "first_name": True},
        {**PERSON, "birth_date": 20100101},
        {**PERSON, "category": {"a": 1}},
        {**PERSON, "last_name": "Я" * 10_000},
    ],
    ("patch", "/api/v1/people/{person}/"): [
        {"last_name": ["Иванов"]},
        {"first_name": False},
        {"birth_date": [1]},
        {"phone": {"x": 1}},
    ],
    ("post", "/api/v1/consents/"): [
        {**CONSENT, "person": "AAA"},
        {**CONSENT, "person": [1]},
        {**CONSENT, "person": True},
        {**CONSENT, "kind": ["participation"]},
        {**CONSENT, "valid_from": True},
        {**CONSENT, "person": 10**30},
    ],
    ("post", "/api/v1/acts/"): [
        {**ACT, "kind": {"x": 1}},
        {**ACT, "title": ["Положение"]},
        {**ACT, "date": 20260101},
        {**ACT, "title": "Я" * 10_000},
        {**ACT, "number": True},
    ],
    ("post", "/api/v1/pairs/{pair}/meetings/"): [
        {**MEETING, "hours": [1]},
        {**MEETING, "format": False},
        {**MEETING, "notes": {"a": 1}},
        {**MEETING, "hours": "1e400"},
        {**MEETING, "date": "0001-01-01T00:00"},
    ],
    ("post", "/api/v1/programmes/{programme}/move/"): [{}, {"to": ["approved"]}, {"to": "no-such-status"}],
    ("post", "/api/v1/consents/{consent}/withdraw/"): [
        {},
        {"withdrawn_on": ["2026-01-01"]},
        {"reason": True},
    ],
    ("post", "/api/v1/pairs/"): [
        {**PAIR, "mentors": "AAA"},
        {**PAIR, "mentors": [True]},
        {**PAIR, "role_model_id": "x"},
        {**PAIR, "mentors": [10**30]},
    ],
}


@pytest.mark.parametrize("method,path", list(SCHOOL_WRITES))
def test_school_api_refuses_bodies_of_the_wrong_shape_and_writes_nothing(
    host_client, world, objs, method, path
):
    client = host_client(world.school_a, world.curator_a)
    url = path.format(**vars(objs))
    before = _school_counts(world)
    for body in [*WRONG_SHAPES, *SCHOOL_WRITES[method, path]]:
        _assert_api_400(_post_json(client, url, body, method))
    assert _school_counts(world) == before


SCHOOL = {"name": "Школа", "short_name": "Школа", "inn": "6900000001", "ogrn": "1026900000011",
          "municipality": 1, "kind": "general", "curator_email": "a@b.test"}  # fmt: skip
REGION_WRITES: dict[tuple[str, str], list[object]] = {
    ("post", "/api/v1/municipalities/"): [
        {"name": ["Тверь-2"]}, {"name": "Кимры", "oktmo": True}, {"name": "Кимры", "oktmo": ["12345678"]},
        {"name": "Я" * 10_000},
    ],
    ("patch", "/api/v1/municipalities/{m1}/"): [{"name": ["Тверь-2"]}, {"oktmo": True}, {"imc_name": {"a": 1}}],
    ("post", "/api/v1/schools/"): [
        {**SCHOOL, "inn": 123}, {**SCHOOL, "ogrn": [1]}, {**SCHOOL, "municipality": "AAA"},
        {**SCHOOL, "kind": True}, {**SCHOOL, "municipality": 10**30}, {**SCHOOL, "name": "Я" * 10_000},
    ],
}  # fmt: skip


@pytest.mark.parametrize("method,path", list(REGION_WRITES))
def test_region_api_refuses_bodies_of_the_wrong_shape_and_writes_nothing(host_client, world, method, path):
    client = host_client(None, world.regional_admin)
    url = path.format(m1=world.m1.pk)
    before = (list(Municipality.objects.values_list("name", "oktmo", "imc_name")), School.objects.count())
    for body in [*WRONG_SHAPES, *REGION_WRITES[method, path]]:
        _assert_api_400(_post_json(client, url, body, method))
    assert (
        list(Municipality.objects.values_list("name", "oktmo", "imc_name")),
        School.objects.count(),
    ) == before


def test_school_delete_with_a_body_of_the_wrong_shape_is_a_400(host_client, world):
    client = host_client(None, world.regional_admin)
    for body in [*WRONG_SHAPES, {"confirmation": ["school-c"]}]:
        _assert_api_400(_post_json(client, f"/api/v1/schools/{world.school_c.pk}/", body, "delete"))
    assert School.objects.filter(pk=world.school_c.pk).exists()


def test_the_api_still_creates_what_is_valid(host_client, world, objs):
    client = host_client(world.school_a, world.curator_a)
    person = _post_json(client, "/api/v1/people/", {"last_name": "Новикова", "first_name": "Ольга",
                                                     "category": "teacher", "position": "учитель"})  # fmt: skip
    assert person.status_code == 201, person.content
    renamed = _post_json(
        client, f"/api/v1/people/{person.json()['id']}/", {"middle_name": "Игоревна"}, "patch"
    )
    assert renamed.json()["middle_name"] == "Игоревна" and renamed.json()["last_name"] == "Новикова"
    consent = _post_json(client, "/api/v1/consents/", {"person": person.json()["id"], "kind": "participation",
                                                       "valid_from": "2026-11-01"})  # fmt: skip
    assert consent.status_code == 201, consent.content
    # The shared form's rules still apply: a name of digits is refused with the form's message.
    bad = _post_json(client, "/api/v1/people/", {"last_name": "123", "first_name": "Ольга", "category": "teacher",
                                                 "position": "учитель"})  # fmt: skip
    assert bad.status_code == 400 and "только буквы" in bad.json()["error"]["fields"]["last_name"][0]
    meeting = _post_json(client, f"/api/v1/pairs/{objs.pair}/meetings/",
                         {"kind": "regular", "date": "2026-11-20", "format": "remote", "hours": "1.5"})  # fmt: skip
    assert meeting.status_code == 201, meeting.content
    region = host_client(None, world.regional_admin)
    created = _post_json(region, "/api/v1/municipalities/", {"name": "Кимрский округ", "oktmo": "28626000"})
    assert created.status_code == 201, created.content
    patched = _post_json(
        region, f"/api/v1/municipalities/{created.json()['id']}/", {"imc_name": "ИМЦ"}, "patch"
    )
    assert patched.json() == {**created.json(), "imc_name": "ИМЦ"}


def test_programme_move_with_an_unknown_status_is_refused_on_the_page_and_the_api(host_client, world, objs):
    client = host_client(world.school_a, world.curator_a)
    before = _school_counts(world)
    for data in ({}, {"to": "no-such-status"}):
        page = client.post(f"/programmes/{objs.programme}/move/", data)
        assert page.status_code == 400
        assert "Неизвестный статус" in page.content.decode()
        _assert_api_400(_post_json(client, f"/api/v1/programmes/{objs.programme}/move/", data))
    assert _school_counts(world) == before


def test_act_with_an_unknown_status_is_refused(host_client, world, objs):
    client = host_client(world.school_a, world.curator_a)
    response = client.post(f"/acts/{objs.act}/", {"status": "no-such-status"})
    assert response.status_code == 400
    assert "Неизвестный статус" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert LocalAct.objects.get(pk=objs.act).status == LocalAct.Status.DRAFT


@pytest.mark.parametrize("on", ["2026-02-31", "0001-01-01", "9999-12-31", "вчера", "2026-13-01"])
@pytest.mark.parametrize(
    "path", ["/indicators/", "/pairs/", "/api/v1/pairs/", "/api/v1/people/{person}/consent-check/"]
)
def test_an_impossible_or_absurd_on_date_is_a_400_not_silently_today(host_client, world, objs, on, path):
    response = host_client(world.school_a, world.curator_a).get(path.format(**vars(objs)), {"on": on})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Дата «" in text or "Даты «" in text  # the shared parser quotes what it got (tests/test_dates.py)
    if path.startswith("/api/"):
        assert response.json()["error"]["fields"]["on"]


def test_a_valid_on_date_still_works(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert client.get("/indicators/", {"on": "2026-02-28"}).status_code == 200
    assert client.get("/pairs/", {"on": ""}).status_code == 200


@pytest.mark.parametrize("value", ["1" * 40, "-5", "12abc", "1e9", "２"])
def test_declared_contingent_refuses_absurd_numbers_and_leaves_no_row(host_client, world, value):
    client = host_client(world.school_a, world.curator_a)
    response = client.post("/indicators/?on=2026-11-01", {"students_10_18": "10", "teachers": value})
    assert response.status_code == 400
    assert "«Педагогов»: нужно целое число от 0 до 1 000 000" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not ContingentDeclaration.objects.exists()


LONG = "Я" * 10_000


def test_a_10000_character_round_title_is_a_400_and_no_round(host_client, world):
    # Caught by the guard's last line (api/guards.py: the database's «value too long» → 400) unless the
    # rounds service checks the length itself first; either way a Russian message and no round.
    client = host_client(None, world.regional_admin)
    due = "2026-12-31"
    response = client.post("/rounds/", {"title": LONG, "municipality": world.m1.pk, "due_date": due})
    assert response.status_code == 400
    assert "не помещается" in response.content.decode() or "символов" in response.content.decode()
    assert not InspectionRound.objects.exists()


@pytest.mark.parametrize(
    "path,data",
    [
        ("/catalogues/", {"form": "teacher_student", "name": LONG}),
        ("/municipalities/", {"name": LONG}),
        ("/schools/new/", {"name": LONG, "short_name": LONG}),
    ],
)
def test_10000_character_names_on_region_pages_are_refused(host_client, world, path, data):
    before = (RoleModel.objects.count(), Municipality.objects.count(), School.objects.count())
    response = host_client(None, world.regional_admin).post(path, data)
    # The form again with its errors (the onboarding page answers 200 there, as tests/test_onboarding.py
    # documents), or back with a message: never a 500, and nothing created.
    assert response.status_code in (200, 400, 302)
    assert response.status_code != 302 or "/accounts/login/" not in response["Location"]
    assert (RoleModel.objects.count(), Municipality.objects.count(), School.objects.count()) == before


@pytest.mark.parametrize(
    "path,data",
    [
        ("/acts/", {"kind": "policy_teachers", "title": LONG}),
        ("/roadmap/", {"title": LONG}),
        (
            "/people/new/",
            {"last_name": LONG, "first_name": "Иван", "category": "teacher", "position": "учитель"},
        ),
    ],
)
def test_10000_character_titles_on_school_pages_are_refused(host_client, world, path, data):
    response = host_client(world.school_a, world.curator_a).post(path, data)
    assert response.status_code == 400
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize("on", ["0001-01-01", "2026-02-30"])
def test_a_report_for_an_absurd_or_impossible_date_is_refused(host_client, world, on):
    client = host_client(None, world.regional_admin)
    page = client.post("/reports/", {"on": on}, follow=True).content.decode()
    assert "нет в календаре" in page or "вне допустимых лет" in page  # the shared parser's message
    api = _post_json(client, "/api/v1/reports/", {"on": on})
    _assert_api_400(api)
    assert not ReportRun.objects.exists()


# «²» and «١» pass str.isdigit() but int() refuses them: ids, years and filters read from a request go through
# tenants.numbers, so each of these is an ordinary refusal or an ignored filter, never a 500.
ODD_DIGITS = ["²", "١٢", "9" * 30]


@pytest.mark.parametrize("odd", ODD_DIGITS)
def test_odd_digits_in_ids_and_filters_are_refused_or_ignored_not_a_500(world, host_client, odd):
    region = host_client(None, world.regional_admin)
    curator = host_client(world.school_a, world.curator_a)
    answers = [
        region.get(f"/api/v1/compliance/?municipality={odd}"),
        region.get(f"/compliance/?municipality={odd}"),
        region.get(f"/api/v1/schools/?municipality={odd}"),
        region.post("/programme-templates/", {"copy_of": odd, "title": "Копия"}),
        region.post("/catalogues/", {"action": "role_model_toggle", "toggle": odd}),
        curator.get(f"/reports/annual.docx?year={odd}"),
        curator.get(f"/pairs/new/?mentee={odd}"),
        curator.post("/pairs/order/", {"pairs": [odd], "date": "01.12.2026"}),
    ]
    for response in answers:
        assert response.status_code < 500, (response.request["PATH_INFO"], response.status_code)
    assert answers[5].status_code == 400  # the year of the annual report is refused in Russian


def test_a_template_term_with_an_impossible_year_is_not_understood_rather_than_a_crash():
    from datetime import date

    from core.programmes.terms import term_deadline

    deadline = term_deadline("май 0000", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31))
    assert deadline.due == date(2027, 5, 31) and "не распознан" in deadline.note
