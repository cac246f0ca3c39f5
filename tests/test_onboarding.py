"""Onboarding schools: one by one, by list, retries, archive and delete — by page and API."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context, schema_exists
from openpyxl import Workbook, load_workbook

from core.people.models import Category, Person
from tenants.importing import SCHOOL_COLUMNS
from tenants.models import AuditEvent, Domain, Invitation, OnboardingBatch, Role, School
from tenants.onboarding import school_onboard, school_provision
from tenants.provisioning import schema_is_complete
from tenants.validators import inn_complete, ogrn_complete
from tests.conftest import school_data

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in SCHOOL_COLUMNS]


def _row(n: int, municipality: str = "Тверь", **over: str) -> list[str]:
    values = {
        "name": f"Муниципальное общеобразовательное учреждение «Средняя школа № {n}»",
        "short_name": f"СШ № {n}",
        "inn": inn_complete(f"{691000000 + n}"),
        "ogrn": ogrn_complete(f"{102691000000 + n}"),
        "kpp": "690101001",
        "municipality": municipality,
        "kind": "общеобразовательная",
        "slug": f"list-school-{n}",
        "curator_email": f"curator{n}@list.test",
    }
    values.update(over)
    return [values[c.field] for c in SCHOOL_COLUMNS]


def _xlsx(rows: list[list[str]], headers: list[str] = HEADERS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "schools.xlsx"
    return buffer


def _form(world, **over) -> dict:
    data = school_data(name="СОШ № 77", municipality=world.m1, slug="sosh77", number=77)
    return {**data, "municipality": world.m1.pk, "curator_email": "curator@sosh77.test", **over}


def _school_schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'school\\_%%'")
        return {row[0] for row in cursor.fetchall()}


# --- one school ---------------------------------------------------------------------------------------


def test_regional_admin_onboards_a_school_and_the_curator_gets_in(
    host_client, world, django_capture_on_commit_callbacks
):
    admin = host_client(None, world.regional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/schools/new/", _form(world))
    assert response.status_code == 302
    school = School.objects.get(inn=_form(world)["inn"])
    assert response.url == f"/schools/{school.pk}/"
    assert school.status == School.Status.ACTIVE
    assert schema_is_complete(school.schema_name)
    assert school.schema_name.startswith("school_") and "sosh77" not in school.schema_name
    assert Domain.objects.get(tenant=school).domain == "sosh77.localhost"
    assert AuditEvent.objects.filter(
        action="school.onboard", object_id=str(school.pk), actor=world.regional_admin
    )

    # The job invites the curator, with a link to the school's own host.
    (message,) = mail.outbox
    assert message.to == ["curator@sosh77.test"]
    invitation = Invitation.objects.get(school=school, role=Role.CURATOR)
    assert f"http://sosh77.localhost/invite/{invitation.token}/" in message.body

    curator = host_client(school)
    accepted = curator.post(
        f"/invite/{invitation.token}/",
        {
            "last_name": "Ёлкина",
            "first_name": "Мария",
            "password1": "Curator-Pass-1",
            "password2": "Curator-Pass-1",
        },
    )
    assert accepted.status_code == 302
    assert curator.get("/").status_code == 200
    # The new school's data lives in its own schema.
    with schema_context(school.schema_name):
        Person.objects.create(last_name="Новикова", first_name="Ольга", category=Category.TEACHER)
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.filter(last_name="Новикова").exists()


def test_the_school_card_reports_progress_while_the_schema_is_created(host_client, world):
    admin = host_client(None, world.regional_admin)
    admin.post("/schools/new/", _form(world))  # on_commit not run: the job has not happened yet
    school = School.objects.get(slug="sosh77")
    assert school.status == School.Status.PENDING
    assert admin.get(f"/schools/{school.pk}/status/").json()["status"] == "pending"
    assert "создаём базу школы" in admin.get(f"/schools/{school.pk}/").content.decode()
    # Its host answers "not ready", never routes into a schema that does not exist yet.
    response = host_client(school).get("/accounts/login/")
    assert response.status_code == 503
    school_provision(school_id=school.pk)
    assert admin.get(f"/schools/{school.pk}/status/").json()["status"] == "active"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "6901043231", "контрольной цифры"),
        ("inn", "12345", "10 цифр"),
        ("ogrn", "1026900512340", "контрольной цифры"),
        ("kpp", "12", "9 знаков"),
        ("slug", "www", "зарезервирован"),
        ("slug", "admin", "зарезервирован"),
        ("slug", "school-a", "уже занят"),
        ("slug", "bad_slug!", "латинских"),
        ("name", "Школа'; DROP TABLE tenants_school; --", "Недопустимые символы"),
        ("short_name", "<script>alert(1)</script>", "Недопустимые символы"),
        ("curator_email", "not-an-email", "адрес электронной почты"),
    ],
)
def test_bad_input_gets_a_clear_400_and_creates_nothing(host_client, world, field, value, message):
    schemas = _school_schemas()
    admin = host_client(None, world.regional_admin)
    page = admin.post("/schools/new/", _form(world, **{field: value}))
    assert page.status_code == 200  # the form again, with the message
    assert message in page.content.decode()
    api = admin.post("/api/v1/schools/", _form(world, **{field: value}), content_type="application/json")
    assert api.status_code == 400
    assert field in api.json()["error"]["fields"]
    assert School.objects.count() == 3
    assert _school_schemas() == schemas


def test_a_school_with_an_existing_inn_is_refused(host_client, world):
    admin = host_client(None, world.regional_admin)
    response = admin.post(
        "/api/v1/schools/",
        _form(world, inn=world.school_a.inn, slug="other"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "уже подключена" in response.json()["error"]["fields"]["inn"][0]


def test_the_address_is_suggested_from_the_short_name(host_client, world, django_capture_on_commit_callbacks):
    admin = host_client(None, world.regional_admin)
    response = admin.post(
        "/api/v1/schools/", _form(world, slug="", short_name="МОУ СОШ № 5"), content_type="application/json"
    )
    assert response.status_code == 202
    assert response.json()["slug"] == "mou-sosh-5"
    assert response.json()["status"] == "pending"


def test_a_failed_job_can_be_retried_and_completes(host_client, world, monkeypatch):
    school = school_onboard(
        data=school_data(name="Школа Г", municipality=world.m1, slug="school-g", number=9), actor=None
    )

    def broken(schema_name: str) -> None:
        with connection.cursor() as cursor:  # leave a half-made schema behind, then fail
            cursor.execute(f"CREATE SCHEMA {schema_name}")
            cursor.execute(f"CREATE TABLE {schema_name}.junk (id int)")
        raise RuntimeError("disk full")

    monkeypatch.setattr("tenants.onboarding.schema_create", broken)
    with pytest.raises(RuntimeError):
        school_provision(school_id=school.pk)
    school.refresh_from_db()
    assert school.status == School.Status.FAILED
    assert "disk full" in school.provision_error
    admin = host_client(None, world.regional_admin)
    assert "Не удалось создать школу" in admin.get(f"/schools/{school.pk}/").content.decode()

    monkeypatch.undo()
    response = admin.post(f"/api/v1/schools/{school.pk}/retry/")
    assert response.status_code == 200
    school_provision(school_id=school.pk)  # what the queued job does
    school.refresh_from_db()
    assert school.status == School.Status.ACTIVE
    assert schema_is_complete(school.schema_name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{school.schema_name}.junk"])
        assert cursor.fetchone()[0] is None  # the leftovers were cleared


def test_provisioning_twice_changes_nothing(world):
    school = school_provision(school_id=world.school_a.pk)
    assert school.status == School.Status.ACTIVE


# --- lists ------------------------------------------------------------------------------------------


def test_a_300_row_list_is_previewed_then_onboarded_once(
    host_client, world, django_capture_on_commit_callbacks
):
    admin = host_client(None, world.regional_admin)
    rows = [_row(n) for n in range(1, 301)]
    response = admin.post("/schools/import/", {"file": _xlsx(rows)})
    assert response.status_code == 302
    batch = OnboardingBatch.objects.get()
    page = admin.get(response.url).content.decode()
    assert "новых школ: 300" in page and "Подключить 300" in page
    assert School.objects.count() == 3  # a preview writes no school

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert admin.post(f"/schools/import/{batch.pk}/").status_code == 302
    assert School.objects.filter(status=School.Status.PENDING).count() == 300
    assert len(callbacks) == 300  # one provisioning job per new school
    # Run a few of the queued jobs as the worker would; the rest stay pending.
    for callback in callbacks[:3]:
        callback()
    assert School.objects.filter(status=School.Status.ACTIVE).count() == 3 + 3
    progress = admin.get(f"/schools/import/{batch.pk}/progress/").json()
    assert progress["total"] == 300 and progress["active"] == 3 and progress["status"] == "running"

    # Uploading the same file again creates nothing twice.
    again = admin.post("/schools/import/", {"file": _xlsx(rows)})
    second = OnboardingBatch.objects.exclude(pk=batch.pk).get()
    assert again.url == f"/schools/import/{second.pk}/"
    assert "уже подключены: 300" in admin.get(again.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/schools/import/{second.pk}/")
    assert School.objects.count() == 303


def test_a_list_with_one_bad_row_creates_nothing(host_client, world):
    admin = host_client(None, world.regional_admin)
    rows = [
        _row(1),
        _row(2, inn="1234567890"),
        _row(3, municipality="Атлантида"),
        _row(4, slug="public"),
        _row(5, slug="list-school-1"),
        _row(6, name="Школа № 6; DROP TABLE tenants_school"),
    ]
    response = admin.post("/schools/import/", {"file": _xlsx(rows)})
    batch = OnboardingBatch.objects.get()
    page = admin.get(response.url).content.decode()
    for text in ("контрольной цифры", "«Атлантида» не найден", "зарезервирован", "уже встречается в строке 2",
                 "Недопустимые символы"):  # fmt: skip
        assert text in page, text
    assert "Подключить" not in page.split("<table")[0].split("Строк:")[1]
    confirm = admin.post(f"/schools/import/{batch.pk}/")
    assert confirm.status_code == 400
    assert School.objects.count() == 3


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "schools.xlsx", "повреждён"),
        (b"", "empty.csv", "пуст"),
        ("Название;Город\nШкола;Тверь\n".encode(), "wrong.csv", "Не найдены столбцы"),
        (b"\x00\x01\x02binary", "x.csv", "не CSV"),
    ],
)
def test_a_broken_or_wrong_file_gets_a_400_with_a_reason(host_client, world, content, name, message):
    admin = host_client(None, world.regional_admin)
    upload = io.BytesIO(content)
    upload.name = name
    response = admin.post("/schools/import/", {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OnboardingBatch.objects.exists()


def test_a_cp1251_csv_with_semicolons_is_read(host_client, world):
    lines = [";".join(HEADERS), ";".join(_row(1))]
    upload = io.BytesIO("\n".join(lines).encode("cp1251"))
    upload.name = "schools.csv"
    response = host_client(None, world.regional_admin).post("/api/v1/onboarding-batches/", {"file": upload})
    assert response.status_code == 201
    (row,) = response.json()["rows"]
    assert row["messages"] == [] and row["cells"]["municipality"] == "Тверь"


def test_the_template_downloads_as_a_real_xlsx(host_client, world):
    response = host_client(None, world.regional_admin).get("/schools/import/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS
    assert workbook.sheetnames == ["Школы", "Подсказки"]


def test_the_list_api_previews_and_confirms(host_client, world, django_capture_on_commit_callbacks):
    admin = host_client(None, world.regional_admin)
    preview = admin.post("/api/v1/onboarding-batches/", {"file": _xlsx([_row(1), _row(2)])})
    assert preview.status_code == 201
    batch_id = preview.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin.post(f"/api/v1/onboarding-batches/{batch_id}/confirm/")
    assert confirmed.status_code == 202
    assert admin.get(f"/api/v1/onboarding-batches/{batch_id}/").json()["progress"]["active"] == 2
    assert admin.post(f"/api/v1/onboarding-batches/{batch_id}/confirm/").status_code == 400  # not twice


# --- archive and delete -------------------------------------------------------------------------------


def test_an_archived_school_is_read_only(host_client, world):
    admin = host_client(None, world.regional_admin)
    assert admin.post(f"/schools/{world.school_b.pk}/archive/").status_code == 302
    world.school_b.refresh_from_db()
    assert world.school_b.status == School.Status.ARCHIVED
    curator = host_client(world.school_b, world.curator_b)
    assert curator.get("/").status_code == 200
    assert "в архиве" in curator.get("/").content.decode()
    assert curator.post("/users/", {"email": "x@b.test", "role": "mentor"}).status_code == 403
    assert (
        curator.post("/api/v1/invitations/", {"email": "x@b.test", "role": "mentor"}).json()["error"]["code"]
        == "school_archived"
    )
    assert admin.post(f"/api/v1/schools/{world.school_b.pk}/unarchive/").json()["status"] == "active"


def test_deleting_needs_the_typed_address_and_removes_schema_files_and_row(
    host_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        school = school_onboard(
            data=school_data(name="Школа Д", municipality=world.m2, slug="school-d", number=11), actor=None
        )
    school.refresh_from_db()
    files = Path(settings.MEDIA_ROOT) / school.schema_name
    files.mkdir(parents=True, exist_ok=True)
    (files / "scan.pdf").write_bytes(b"%PDF-1.4")
    admin = host_client(None, world.regional_admin)

    wrong = admin.post(f"/schools/{school.pk}/delete/", {"confirmation": "school-a"})
    assert wrong.status_code == 200 and "Введите адрес школы" in wrong.content.decode()
    assert (
        admin.delete(
            f"/api/v1/schools/{school.pk}/", {"confirmation": ""}, content_type="application/json"
        ).status_code
        == 400
    )
    assert schema_exists(school.schema_name) and files.exists()

    assert admin.post(f"/schools/{school.pk}/delete/", {"confirmation": "school-d"}).status_code == 302
    assert not School.objects.filter(pk=school.pk).exists()
    assert not Domain.objects.filter(domain="school-d.localhost").exists()
    assert not schema_exists(school.schema_name)
    assert not files.exists()
    event = AuditEvent.objects.get(action="school.delete")
    assert event.actor == world.regional_admin and event.details["inn"] == school.inn


# --- who may ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["inspector_m1", "curator_a"])
def test_only_the_regional_admin_onboards_archives_or_deletes(host_client, world, persona):
    user = getattr(world, persona)
    client = host_client(None, user)
    pk = world.school_a.pk
    for path in ("/schools/new/", "/schools/import/", f"/schools/{pk}/archive/", f"/schools/{pk}/delete/",
                 f"/schools/{pk}/retry/"):  # fmt: skip
        assert client.post(path, {"confirmation": "school-a"}).status_code == 403, path
    assert client.post("/api/v1/schools/", _form(world), content_type="application/json").status_code == 403
    assert client.post(f"/api/v1/schools/{pk}/archive/").status_code == 403
    assert (
        client.delete(
            f"/api/v1/schools/{pk}/", {"confirmation": "school-a"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.post("/api/v1/onboarding-batches/", {"file": _xlsx([_row(1)])}).status_code == 403
    world.school_a.refresh_from_db()
    assert world.school_a.status == School.Status.ACTIVE and School.objects.count() == 3


def test_an_inspector_reads_only_their_municipalitys_school_cards(host_client, world):
    inspector = host_client(None, world.inspector_m1)
    assert inspector.get(f"/schools/{world.school_a.pk}/").status_code == 200
    assert inspector.get(f"/schools/{world.school_c.pk}/").status_code == 404
    assert inspector.get(f"/api/v1/schools/{world.school_c.pk}/").status_code == 404


def test_inspectors_are_invited_per_municipality(host_client, world, django_capture_on_commit_callbacks):
    admin = host_client(None, world.regional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/municipalities/{world.m2.pk}/", {"i-email": "imc@m2.test", "i-role": "inspector"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="imc@m2.test")
    assert invitation.role == Role.INSPECTOR and invitation.municipality == world.m2
    assert mail.outbox[0].to == ["imc@m2.test"]


def test_a_municipality_is_added_with_a_checked_oktmo(host_client, world):
    admin = host_client(None, world.regional_admin)
    assert admin.post("/municipalities/", {"name": "Торжок", "oktmo": "12"}).status_code == 400
    assert admin.post("/municipalities/", {"name": "Торжок", "oktmo": "28750000"}).status_code == 302
    assert host_client(None, world.inspector_m1).post("/municipalities/", {"name": "X"}).status_code == 403


def test_school_staff_invite_mentors_but_not_across_schools(
    host_client, world, django_capture_on_commit_callbacks
):
    curator_a = host_client(world.school_a, world.curator_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert curator_a.post("/users/", {"email": "m2@a.test", "role": "mentor"}).status_code == 302
    assert mail.outbox[0].body.count("http://school-a.localhost/invite/") == 1
    # A curator cannot hand out the curator role; a mentor cannot invite at all.
    assert curator_a.post("/users/", {"email": "c2@a.test", "role": "curator"}).status_code == 400
    assert host_client(world.school_a, world.mentor_a).get("/users/").status_code == 403
    # Curator B does not see or resend A's invitations.
    invitation = Invitation.objects.get(email="m2@a.test")
    curator_b = host_client(world.school_b, world.curator_b)
    assert "m2@a.test" not in curator_b.get("/users/").content.decode()
    assert curator_b.post(f"/users/invitations/{invitation.pk}/resend/").status_code == 404
    assert curator_b.get("/api/v1/members/").json()["results"][0]["email"] == "curator@b.test"
