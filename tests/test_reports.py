"""Federal reporting export: three schools, a reporting date, the file re-read."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from regional.models import ReportRun
from tests.test_indicators import D, _fixture, _pair, _person

pytestmark = pytest.mark.django_db


def _run_export(host_client, world, django_capture_on_commit_callbacks):
    with schema_context(world.school_a.schema_name):
        _fixture()  # 1 of 4 students, 1 of 1 young teachers, 2 of 3 teachers
    with schema_context(world.school_b.schema_name):
        mentor = _person("Наставник Б", "teacher", date(1975, 1, 1), date(2000, 9, 1))
        kid = _person("Ученик Б", "student", date(2013, 5, 1))
        _person("Другой Б", "student", date(2012, 5, 1))
        _pair(mentor, kid, date(2026, 9, 1))  # 1 of 2 students, 1 of 1 teachers
    admin = host_client(None, world.regional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/reports/", {"on": D.isoformat()})
    run = ReportRun.objects.get()
    assert response.url == f"/reports/{run.pk}/"
    return admin, run


def test_the_federal_export_has_the_customary_layout_and_correct_totals(
    host_client, world, django_capture_on_commit_callbacks
):
    admin, run = _run_export(host_client, world, django_capture_on_commit_callbacks)
    assert (run.status, run.total, run.finished) == ("done", 3, 3)
    assert admin.get(f"/reports/{run.pk}/?progress=1").json() == {
        "status": "done",
        "finished": 3,
        "total": 3,
        "error": "",
    }
    assert (
        "33,3 % (2 из 6)" in admin.get(f"/reports/{run.pk}/").content.decode()
    )  # region → municipality → school
    content = b"".join(admin.get(f"/reports/{run.pk}/download.xlsx").streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Мониторинг внедрения целевой модели наставничества"
    assert rows[1][0] == f"по состоянию на {D:%d.%m.%Y}"
    assert rows[2][:4] == [
        "№ п/п",
        "Муниципальное образование",
        "Образовательная организация",
        "Обучающиеся 10–18 лет",
    ]
    assert rows[3][3:6] == ["вовлечено", "всего", "%"]
    body = {(r[1], r[2]): r for r in rows[4:]}
    assert body[("Тверь", "Школа А")][3:6] == [1, 4, 25]
    assert body[("Тверь", "Школа Б")][3:6] == [1, 2, 50]
    assert body[("Итого: Тверь", None)][3:6] == [2, 6, 33.3]
    assert body[("Итого: Тверь", None)][9:12] == [3, 4, 75]  # teachers: 2 of 3 + 1 of 1
    region = body[("Итого по региону", None)]
    assert region[3:6] == [2, 6, 33.3] and body[("Ржевский муниципальный округ", "Школа В")][3:6] == [
        0,
        0,
        None,
    ]
    assert [r[0] for r in rows[4:] if r[0]] == [1, 2, 3]
    forms = load_workbook(io.BytesIO(content))["Формы и ролевые модели"]
    assert [c.value for c in forms[2]][:2] == ["учитель – ученик", 5]  # 4 current pairs in A, 1 in B


def test_csv_for_russian_excel_and_json(host_client, world, django_capture_on_commit_callbacks):
    admin, run = _run_export(host_client, world, django_capture_on_commit_callbacks)
    raw = admin.get(f"/reports/{run.pk}/download.csv").content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    school_a = next(line for line in lines if line[2:3] == ["Школа А"])
    assert lines[0][0] == "№ п/п" and school_a[1:6] == ["Тверь", "Школа А", "1", "4", "25,0"]
    data = admin.get(f"/reports/{run.pk}/download.json").json()
    assert data["on"] == D.isoformat() and data["rows"][-1]["students_10_18"] == {
        "counted": 2,
        "total": 6,
        "percent": 33.3,
    }


def test_only_the_regional_admin_exports_and_future_dates_are_refused(host_client, world):
    assert host_client(None, world.inspector_m1).get("/reports/").status_code == 403
    admin = host_client(None, world.regional_admin)
    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    assert (
        "не может быть в будущем"
        in admin.post("/reports/", {"on": future.isoformat()}, follow=True).content.decode()
    )
    assert not ReportRun.objects.exists()


def test_the_report_api_gives_json_and_csv(host_client, world, django_capture_on_commit_callbacks):
    admin = host_client(None, world.regional_admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = admin.post("/api/v1/reports/", {"on": D.isoformat()})
    assert started.status_code == 202
    report = admin.get(f"/api/v1/reports/{started.json()['id']}/").json()
    assert report["status"] == "done" and report["report"]["rows"][-1]["title"] == "Итого по региону"
    csv_body = admin.get(f"/api/v1/reports/{started.json()['id']}/", {"as": "csv"}).content
    assert csv_body.startswith(b"\xef\xbb\xbf")
    assert (
        host_client(None, world.inspector_m1).post("/api/v1/reports/", {"on": D.isoformat()}).status_code
        == 403
    )


def _template_xlsx(*rows: list[str]) -> io.BytesIO:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "form.xlsx"
    return buffer


def test_the_regions_own_xlsx_template_is_filled_by_the_same_engine(
    host_client, world, django_capture_on_commit_callbacks
):
    admin, run = _run_export(host_client, world, django_capture_on_commit_callbacks)
    bad = admin.post(
        "/reports/templates/", {"title": "Плохой", "file": _template_xlsx(["нет полей"])}, follow=True
    )
    assert "нет строки с полями" in bad.content.decode()
    template = _template_xlsx(
        ["Форма 2026 на {{ on }}"],
        ["Школа", "Доля 10–18, %", "Пар"],
        ["{{ row.municipality }} / {{ row.title }}", "{{ row.students_10_18.percent }}", "{{ row.pairs }}"],
        ["Подпись ____"],
    )
    assert admin.post("/reports/templates/", {"title": "Форма 2026", "file": template}).status_code == 302
    from regional.models import ReportTemplate

    filled = admin.get(f"/reports/{run.pk}/templates/{ReportTemplate.objects.get().pk}/")
    sheet = load_workbook(io.BytesIO(filled.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == f"Форма 2026 на {D:%d.%m.%Y}"
    assert ["Тверь / Школа А", 25, 4] in rows and ["Итого по региону / ", 33.3, 5] in rows
    assert rows[-1][0] == "Подпись ____"  # what stood below the row template moved down, intact
    assert (
        host_client(None, world.inspector_m1).post("/reports/templates/", {"title": "x"}).status_code == 403
    )
