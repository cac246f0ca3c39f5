"""School workspace I: people, banks, consents, acts and generated documents, roadmap, subject rights."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document
from openpyxl import Workbook

from core.acts.models import ActFile, LocalAct
from core.audit.models import AuditEntry, ErasureRecord
from core.consents.models import Consent
from core.consents.selectors import consent_check, people_due_own_consent
from core.people.models import BankEntry, Category, Person
from core.roadmap.models import RoadmapItem
from tenants.models import School

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


def _teacher(**over) -> Person:
    data = {"last_name": "Фёдорова", "first_name": "Алёна", "middle_name": "Петровна", "category": Category.TEACHER,
            "position": "учитель математики", "birth_date": _years_ago(30), "career_start": _years_ago(2)}  # fmt: skip
    return Person.objects.create(**{**data, **over})


def _student(**over) -> Person:
    data = {"last_name": "Ёлкин", "first_name": "Пётр", "category": Category.STUDENT, "school_class": "7Б",
            "birth_date": _years_ago(13)}  # fmt: skip
    return Person.objects.create(**{**data, **over})


def _consents(person: Person, **over) -> None:
    for kind in Consent.Kind:
        Consent.objects.create(person=person, kind=kind, valid_from=TODAY - timedelta(days=30), **over)


REPRESENTATIVE = {
    "by_representative": True,
    "representative_last_name": "Ёлкина",
    "representative_first_name": "Мария",
    "representative_relation": "мать",
    "representative_document": "паспорт 2812 345678",
}


# --- consents: «may this person take part on this date?» -------------------------------------------


def test_an_adult_with_both_valid_consents_may_take_part(world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
        _consents(teacher)
        assert consent_check(person=teacher, on=TODAY).allowed


def test_one_consent_missing_is_a_no_with_the_reason(world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
        Consent.objects.create(person=teacher, kind=Consent.Kind.PARTICIPATION, valid_from=TODAY)
        check = consent_check(person=teacher, on=TODAY)
        assert not check.allowed
        assert check.problems == [
            f"Нет действующего согласия на обработку персональных данных на {TODAY:%d.%m.%Y}."
        ]


def test_an_expired_consent_is_a_no(world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
        _consents(teacher, valid_until=TODAY - timedelta(days=1))
        assert consent_check(person=teacher, on=TODAY - timedelta(days=2)).allowed
        assert not consent_check(person=teacher, on=TODAY).allowed


def test_a_withdrawn_consent_is_a_no_from_the_withdrawal_date(host_client, world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
        _consents(teacher)
        consent = teacher.consents.get(kind=Consent.Kind.PERSONAL_DATA)
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/", {"withdrawn_on": TODAY.isoformat(), "reason": "заявление"}
    )
    assert response.status_code == 200
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert (
        client.get(f"/api/v1/people/{teacher.pk}/consent-check/", {"on": yesterday}).json()["allowed"] is True
    )
    assert client.get(f"/api/v1/people/{teacher.pk}/consent-check/").json()["allowed"] is False
    again = client.post(f"/api/v1/consents/{consent.pk}/withdraw/", {"withdrawn_on": TODAY.isoformat()})
    assert again.status_code == 400 and "уже отозвано" in str(again.json())


def test_a_minor_needs_consents_from_a_legal_representative(host_client, world):
    with schema_context(world.school_a.schema_name):
        student = _student()
        _consents(student)  # given «by the student themselves»: not valid for a minor
        assert not consent_check(person=student, on=TODAY).allowed
    client = host_client(world.school_a, world.curator_a)
    refused = client.post(
        "/api/v1/consents/", {"person": student.pk, "kind": "participation", "valid_from": TODAY.isoformat()}
    )
    assert refused.status_code == 400
    assert "законный представитель" in str(refused.json())
    for kind in ("participation", "personal_data"):
        created = client.post(
            "/api/v1/consents/",
            {"person": student.pk, "kind": kind, "valid_from": TODAY.isoformat(), **REPRESENTATIVE},
        )
        assert created.status_code == 201, created.json()
    assert client.get(f"/api/v1/people/{student.pk}/consent-check/").json() == {
        "allowed": True,
        "problems": [],
    }


def test_a_student_who_turned_18_is_flagged_for_their_own_consent(host_client, world):
    with schema_context(world.school_a.schema_name):
        grown = _student(last_name="Взрослый", birth_date=_years_ago(18, days=3), school_class="11А")
        _consents(grown, **REPRESENTATIVE)
        young = _student(last_name="Юный")
        _consents(young, **REPRESENTATIVE)
        assert people_due_own_consent(on=TODAY) == [grown]
    page = host_client(world.school_a, world.curator_a).get("/people/").content.decode()
    assert (
        "нужно собственное согласие" in page
        and "Взрослый" in page.split("нужно собственное согласие")[1][:300]
    )


def test_consent_dates_must_be_ordered(host_client, world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
    response = host_client(world.school_a, world.curator_a).post(
        "/api/v1/consents/",
        {
            "person": teacher.pk,
            "kind": "participation",
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400 and "valid_until" in response.json()["error"]["fields"]


# --- uploads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "не совпадает с содержимым"),
        ("scan.pdf", b"just some text, not a pdf", "Можно загрузить только PDF"),
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "Можно загрузить только PDF"),
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "больше 10 МБ"),
    ],
)
def test_an_upload_whose_content_is_not_allowed_or_too_large_is_refused(
    host_client, world, name, content, message
):
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.create(kind="policy_teachers", title="Положение")
    response = host_client(world.school_a, world.curator_a).post(
        f"/acts/{act.pk}/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert message in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not ActFile.objects.exists()


def test_a_good_upload_is_stored_in_the_schools_own_folder_and_served_only_to_its_staff(host_client, world):
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.create(kind="policy_teachers", title="Положение")
    curator = host_client(world.school_a, world.curator_a)
    curator.post(f"/acts/{act.pk}/", {"file": SimpleUploadedFile("Положение.pdf", PDF)})
    with schema_context(world.school_a.schema_name):
        act_file = ActFile.objects.get()
    assert act_file.content_type == "application/pdf" and act_file.version == 1
    assert Path(act_file.file.path).is_relative_to(Path(settings.MEDIA_ROOT) / world.school_a.schema_name)
    download = curator.get(f"/files/acts/{act_file.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert host_client(world.school_a, world.mentor_a).get(f"/files/acts/{act_file.pk}/").status_code == 403
    assert host_client(world.school_b, world.curator_b).get(f"/files/acts/{act_file.pk}/").status_code == 404
    assert host_client(world.school_b, world.curator_a).get(f"/files/acts/{act_file.pk}/").status_code == 403


# --- import -------------------------------------------------------------------------------------------


def _people_xlsx(rows: list[list[str]]) -> SimpleUploadedFile:
    from core.people.importing import PEOPLE_COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in PEOPLE_COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("people.xlsx", buffer.getvalue())


GOOD = [
    ["Иванова", "Мария", "Петровна", "обучающийся", "15.03.2012", "7Б", "", "", "", "", ""],
    [
        "Сидоров",
        "Олег",
        "",
        "педагог",
        "01.02.1990",
        "",
        "учитель физики",
        "01.09.2023",
        "01.09.2023",
        "o@s.ru",
        "",
    ],
]


def test_an_import_with_one_bad_row_writes_nothing(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    bad = [*GOOD, ["Петров", "", "", "обучающийся", "01.01.2013", "5А", "", "", "", "", ""]]
    preview = client.post("/people/import/", {"file": _people_xlsx(bad)})
    assert preview.status_code == 400
    assert "Имя: Обязательное поле" in preview.content.decode()
    confirm = client.post("/people/import/", {"confirm": "1"}, follow=True)
    assert "Сначала загрузите файл без ошибок" in confirm.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.exists()


def test_a_clean_import_writes_every_row_once(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert client.post("/people/import/", {"file": _people_xlsx(GOOD)}).status_code == 200
    assert client.post("/people/import/", {"confirm": "1"}).status_code == 302
    assert client.post("/people/import/", {"confirm": "1"}).status_code == 302  # the preview is used once
    with schema_context(world.school_a.schema_name):
        assert Person.objects.count() == 2
        assert Person.objects.get(last_name="Иванова").birth_date == date(2012, 3, 15)
    with schema_context(world.school_b.schema_name):
        assert not Person.objects.exists()


# --- people, search, banks ----------------------------------------------------------------------------


def test_search_folds_yo_and_case_and_flags_possible_duplicates(host_client, world):
    with schema_context(world.school_a.schema_name):
        _student()
        _student(last_name="ЕЛКИН", first_name="петр")  # same person typed again
        _student(last_name="Ёлкин", first_name="Пётр", birth_date=_years_ago(10))  # a namesake
    page = host_client(world.school_a, world.curator_a).get("/people/", {"q": "елкин петр"}).content.decode()
    assert page.count("возможный дубль") == 2
    assert "Всего" not in page and page.count('href="/people/') >= 3


def test_the_person_form_checks_category_specific_fields(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        "/api/v1/people/", {"last_name": "Иванов", "first_name": "Иван", "category": "student"}
    )
    fields = response.json()["error"]["fields"]
    assert response.status_code == 400 and {"birth_date", "school_class"} <= set(fields)
    response = client.post(
        "/api/v1/people/", {"last_name": "<b>X</b>", "first_name": "Иван", "category": "parent"}
    )
    assert response.status_code == 400 and "last_name" in response.json()["error"]["fields"]


def test_mentor_bank_entry_is_approved_by_the_curator(host_client, world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
    client = host_client(world.school_a, world.curator_a)
    client.post(
        f"/people/{teacher.pk}/bank/",
        {"bank": "mentor", "requests": ["adaptation", "burnout"], "capacity": "2"},
    )
    with schema_context(world.school_a.schema_name):
        entry = BankEntry.objects.get(person=teacher)
        assert entry.requests == ["adaptation", "burnout"] and entry.status == "candidate"
    client.post(f"/bank-entries/{entry.pk}/status/", {"status": "approved"})
    with schema_context(world.school_a.schema_name):
        entry.refresh_from_db()
        assert entry.status == "approved" and entry.approved_by_id == world.curator_a.pk
    assert "Фёдорова Алёна Петровна" in client.get("/banks/mentor/").content.decode()


# --- audit --------------------------------------------------------------------------------------------


def test_changes_and_views_of_a_minors_card_are_journaled(host_client, world):
    with schema_context(world.school_a.schema_name):
        student, teacher = _student(), _teacher()
    client = host_client(world.school_a, world.curator_a)
    client.get(f"/people/{student.pk}/")
    client.get(f"/people/{teacher.pk}/")  # an adult's card: not a «view» entry
    client.patch(f"/api/v1/people/{teacher.pk}/", {"position": "завуч"}, content_type="application/json")
    with schema_context(world.school_a.schema_name):
        views = AuditEntry.objects.filter(action="view")
        assert [(v.object_id, v.actor_email) for v in views] == [(str(student.pk), "curator@a.test")]
        update = AuditEntry.objects.get(action="update", object_id=str(teacher.pk))
        assert update.changes == {"position": ["учитель математики", "завуч"]}


# --- documents ----------------------------------------------------------------------------------------


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    return "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        cell.text for table in doc.tables for row in table.rows for cell in row.cells
    )


def test_the_curator_order_is_numbered_per_year_and_names_survive(host_client, world):
    School.objects.filter(pk=world.school_a.pk).update(name="МОУ «Школа „Ёлочка“ & Ко»")
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
    client = host_client(world.school_a, world.curator_a)
    first = client.post("/acts/curator-order/", {"curator": teacher.pk, "date": TODAY.isoformat()})
    second = client.post("/acts/curator-order/", {"curator": teacher.pk, "date": TODAY.isoformat()})
    assert first.status_code == second.status_code == 302
    with schema_context(world.school_a.schema_name):
        numbers = list(LocalAct.objects.order_by("pk").values_list("number", flat=True))
        assert numbers == ["1-н", "2-н"]
        act_file = ActFile.objects.get(act__number="1-н")
        assert LocalAct.objects.get(number="1-н").curator == teacher
    text = _docx_text(b"".join(client.get(f"/files/acts/{act_file.pk}/").streaming_content))
    assert "МОУ «Школа „Ёлочка“ & Ко»" in text
    assert "№ 1-н" in text and f"от {TODAY:%d.%m.%Y}" in text
    assert (
        "Назначить куратором внедрения целевой модели наставничества Фёдорову Алёну Петровну (учитель математики)"
        in text
    )
    # Settings show the curator with their order.
    assert "приказ № 1-н" in client.get("/settings/").content.decode()


def test_the_consent_form_docx_is_filled_from_the_data(host_client, world):
    with schema_context(world.school_a.schema_name):
        student = _student()
        consent = Consent.objects.create(
            person=student, kind="personal_data", valid_from=TODAY, **REPRESENTATIVE
        )
    response = host_client(world.school_a, world.curator_a).get(f"/consents/{consent.pk}/document.docx")
    assert response.status_code == 200
    text = _docx_text(response.content)
    assert "Ёлкина Мария, мать" in text and "Ёлкин Пётр" in text and "152-ФЗ" in text
    assert f"с {TODAY:%d.%m.%Y} до его отзыва" in text


def test_an_act_comes_into_force_only_with_a_number_and_date(host_client, world):
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.create(kind="policy_students", title="Положение")
    client = host_client(world.school_a, world.curator_a)
    assert client.post(f"/acts/{act.pk}/", {"status": "in_force"}).status_code == 400
    with schema_context(world.school_a.schema_name):
        LocalAct.objects.filter(pk=act.pk).update(number="15", date=TODAY)
    assert client.post(f"/acts/{act.pk}/", {"status": "in_force"}).status_code == 302
    assert client.post(f"/acts/{act.pk}/", {"status": "draft"}).status_code == 400


# --- roadmap and settings -----------------------------------------------------------------------------


def test_the_roadmap_starts_from_the_regional_template_and_shows_overdue_items(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert client.post("/roadmap/from-template/").status_code == 302
    with schema_context(world.school_a.schema_name):
        assert RoadmapItem.objects.count() == 12
        item = RoadmapItem.objects.order_by("position")[0]
    client.post(f"/roadmap/{item.pk}/", {"title": item.title, "due_date": (TODAY - timedelta(days=1)).isoformat(),
                                          "status": "planned"})  # fmt: skip
    page = client.get("/roadmap/").content.decode()
    assert "Просрочено мероприятий: 1" in page and "просрочено</span>" in page
    assert "уже заполнена" in client.post("/roadmap/from-template/", follow=True).content.decode()


def test_the_site_section_url_is_validated(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    assert client.post("/settings/", {"site_section_url": "javascript:alert(1)"}).status_code == 400
    assert client.post("/settings/", {"site_section_url": "https://school14.ru/nastavnik"}).status_code == 302


# --- subject rights -----------------------------------------------------------------------------------


def test_a_person_is_exported_then_erased_with_a_generated_act(host_client, world):
    with schema_context(world.school_a.schema_name):
        student = _student()
    client = host_client(world.school_a, world.curator_a)
    client.post(
        f"/people/{student.pk}/consents/new/",
        {
            "kind": "personal_data",
            "valid_from": TODAY.isoformat(),
            "scan": SimpleUploadedFile("c.png", PNG),
            **{k: ("on" if v is True else v) for k, v in REPRESENTATIVE.items()},
        },
    )
    with schema_context(world.school_a.schema_name):
        scan_path = Path(Consent.objects.get().scan.path)
    assert scan_path.exists()
    export = client.get(f"/people/{student.pk}/export/").json()
    assert export["person"]["last_name"] == "Ёлкин" and len(export["consents"]) == 1

    assert client.post(f"/people/{student.pk}/erase/", {"confirmation": "Иванов"}).status_code == 400
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/people/{student.pk}/erase/", {"confirmation": "ёлкин"})
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.exists() and not Consent.objects.exists()
        record = ErasureRecord.objects.get()
        assert record.subject == "Ёлкин Пётр"
        assert not AuditEntry.objects.filter(object_repr__contains="Ёлкин").exists()
    assert not scan_path.exists()
    assert response.url == "/people/"  # back to the list, the act linked in the message (issue 14)
    act = _docx_text(b"".join(client.get(f"/erasure/{record.pk}/document.docx").streaming_content))
    assert "АКТ № 1" in act and "Ёлкин Пётр" in act


# --- isolation ----------------------------------------------------------------------------------------


def _school_a_objects(world):
    with schema_context(world.school_a.schema_name):
        person = _teacher()
        _consents(person)
        consent = person.consents.first()
        act = LocalAct.objects.create(kind="policy_teachers", title="Положение А", number="1", date=TODAY)
        item = RoadmapItem.objects.create(title="Мероприятие А")
        entry = BankEntry.objects.create(person=person, bank="mentor")
    return person, consent, act, item, entry


def test_school_bs_curator_can_neither_see_nor_change_school_as_data(host_client, world):
    person, consent, act, item, entry = _school_a_objects(world)
    curator_b = host_client(world.school_b, world.curator_b)
    for path in (f"/people/{person.pk}/", f"/people/{person.pk}/edit/", f"/people/{person.pk}/export/",
                 f"/people/{person.pk}/erase/", f"/acts/{act.pk}/", f"/consents/{consent.pk}/document.docx",
                 f"/consents/{consent.pk}/scan/", f"/api/v1/people/{person.pk}/",
                 f"/api/v1/people/{person.pk}/consent-check/"):  # fmt: skip
        assert curator_b.get(path).status_code == 404, path
    for path, data in ((f"/people/{person.pk}/edit/", {"last_name": "X"}), (f"/consents/{consent.pk}/withdraw/",
                       {"withdrawn_on": TODAY.isoformat()}), (f"/api/v1/consents/{consent.pk}/withdraw/",
                       {"withdrawn_on": TODAY.isoformat()}), (f"/bank-entries/{entry.pk}/status/", {"status": "left"}),
                       (f"/roadmap/{item.pk}/", {"title": "X", "status": "done"}), (f"/people/{person.pk}/erase/",
                       {"confirmation": person.last_name})):  # fmt: skip
        assert curator_b.post(path, data).status_code == 404, path
    for path in ("/people/", "/acts/", "/roadmap/", "/banks/mentor/", "/api/v1/people/", "/api/v1/acts/",
                 "/api/v1/roadmap/"):  # fmt: skip
        body = curator_b.get(path).content.decode()
        assert "Фёдорова" not in body and "Положение А" not in body and "Мероприятие А" not in body, path
    with schema_context(world.school_a.schema_name):
        assert Person.objects.filter(pk=person.pk, last_name="Фёдорова").exists()
        consent.refresh_from_db()
        assert consent.withdrawn_on is None


@pytest.mark.parametrize(
    "path", ["/people/", "/acts/", "/roadmap/", "/settings/", "/banks/mentor/", "/api/v1/people/"]
)
def test_school_a_staff_pages_refuse_school_bs_curator_and_school_as_mentor(host_client, world, path):
    assert host_client(world.school_b, world.curator_a).get(path).status_code == 403
    assert host_client(world.school_a, world.mentor_a).get(path).status_code == 403
    assert host_client(world.school_a, world.curator_a).get(path).status_code == 200


# --- region-provided templates ------------------------------------------------------------------------


def _docx_with(text: str) -> SimpleUploadedFile:
    doc = Document()
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return SimpleUploadedFile("template.docx", buffer.getvalue())


def test_the_regions_own_template_is_used_for_generated_orders(host_client, world):
    admin = host_client(None, world.regional_admin)
    broken = admin.post(
        "/document-templates/", {"kind": "order_curator", "file": _docx_with("{{ school.name ")}
    )
    assert broken.status_code == 400 and "Ошибка в шаблоне" in broken.content.decode()
    not_docx = admin.post(
        "/document-templates/", {"kind": "order_curator", "file": SimpleUploadedFile("t.docx", PDF)}
    )
    assert not_docx.status_code == 400
    assert (
        host_client(None, world.inspector_m1)
        .post("/document-templates/", {"kind": "order_curator"})
        .status_code
        == 403
    )
    ok = admin.post(
        "/document-templates/",
        {"kind": "order_curator", "file": _docx_with("Особый приказ {{ number }}: {{ curator.full_name }}")},
    )
    assert ok.status_code == 302
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
    client = host_client(world.school_a, world.curator_a)
    client.post("/acts/curator-order/", {"curator": teacher.pk, "date": TODAY.isoformat()})
    with schema_context(world.school_a.schema_name):
        act_file = ActFile.objects.get()
    text = _docx_text(b"".join(client.get(f"/files/acts/{act_file.pk}/").streaming_content))
    assert "Особый приказ 1-н: Фёдорова Алёна Петровна" in text
    admin.post("/document-templates/", {"kind": "order_curator", "reset": "1"})
    assert "особый" not in _docx_text(admin.get("/document-templates/order_curator.docx").content).lower()


def test_bank_status_moves_only_along_the_allowed_steps(host_client, world):
    with schema_context(world.school_a.schema_name):
        teacher = _teacher()
        entry = BankEntry.objects.create(person=teacher, bank="mentor", capacity=1)
    client = host_client(world.school_a, world.curator_a)

    def move(status: str) -> str:
        client.post(f"/bank-entries/{entry.pk}/status/", {"status": status})
        with schema_context(world.school_a.schema_name):
            entry.refresh_from_db()
        return entry.status

    assert move("in_pair") == "candidate"  # «в паре» only by forming a pair, never by hand
    assert "ставится при формировании пары" in client.get("/banks/mentor/").content.decode()
    assert move("approved") == "approved"
    assert move("left") == "left"
    assert move("approved") == "left"  # back through «кандидат» first
    assert move("candidate") == "candidate"
    with schema_context(world.school_a.schema_name):
        BankEntry.objects.filter(pk=entry.pk).update(status="in_pair")
    assert move("left") == "in_pair"  # end the pair first
