"""The programme DOCX is a region-replaceable template like the other generated documents (issue 12)."""

import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from tenants.catalogues import DocumentTemplate
from tests.seeds.ipr import seed_templates
from tests.test_programme_templates import _programme

pytestmark = pytest.mark.django_db

PAYLOAD = "{{ cycler.__init__.__globals__.os.getpid() }}"


def _docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _all_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_built_in_programme_document_holds_the_whole_plan(host_client, world):
    programme = _programme(host_client, world, form_code="teacher_teacher")
    response = host_client(world.school_a, world.curator_a).get(f"/programmes/{programme.pk}/document.docx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    text = _all_text(response.content)
    seed = seed_templates()[1]
    assert all(section.title in text for section in seed.sections)
    assert all(task.task in text for task in seed.tasks)
    assert "3.9" in text and "учитель – учитель (педагог – педагог)" in text
    assert "Васильев Дмитрий" in text and "{{" not in text and "{%" not in text


def test_the_region_replaces_it_and_the_school_gets_the_regions_text(host_client, world):
    admin = host_client(None, world.regional_admin)
    template = _docx(
        "ИПР: {{ title }} ({{ form }}, {{ role_model }}) с {{ starts_on }} по {{ ends_on }}",
        "{% for row in rows %}{% if row.is_section %}== {{ row.text|upper }}{% else %}{{ row.number }} "
        "{{ row.text }} — до {{ row.due_date }}{% endif %}\n{% endfor %}",
    )
    upload = {"kind": "programme", "file": SimpleUploadedFile("ipr.docx", template)}
    assert admin.post("/document-templates/", upload).status_code == 302
    assert (
        "Персонализированная программа наставничества (ИПР)"
        in admin.get("/document-templates/").content.decode()
    )
    programme = _programme(host_client, world, form_code="student_student")
    response = host_client(world.school_a, world.curator_a).get(f"/programmes/{programme.pk}/document.docx")
    text = _all_text(response.content)
    assert text.startswith("ИПР: Персонализированная программа наставничества пары №")
    assert "== РАЗДЕЛ 1. АНАЛИЗ ТРУДНОСТЕЙ И СПОСОБЫ ИХ ПРЕОДОЛЕНИЯ" in text
    assert "2.5 Записаться в кружок, спортивную секцию" in text


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ programme.pair }}", "programme"),
        ("{% for row in rows %}{{ row.person }}{% endfor %}", "row.person"),
        ("{% for row in rows %}{% for t in rows %}{% endfor %}{% endfor %}", "цикл внутри цикла"),
        (PAYLOAD, "cycler"),
    ],
)
def test_undeclared_placeholders_are_refused_at_upload(host_client, world, text, named):
    admin = host_client(None, world.regional_admin)
    response = admin.post(
        "/document-templates/", {"kind": "programme", "file": SimpleUploadedFile("ipr.docx", _docx(text))}
    )
    page = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert response.status_code == 400 and named in page
    assert not DocumentTemplate.objects.filter(kind="programme").exists()


def test_a_stored_payload_gives_a_400_and_never_the_pid(host_client, world):
    DocumentTemplate.objects.create(
        kind="programme", file=ContentFile(_docx("{{ title }}", PAYLOAD), name="p.docx")
    )
    programme = _programme(host_client, world, form_code="teacher_teacher")
    response = host_client(world.school_a, world.curator_a).get(f"/programmes/{programme.pk}/document.docx")
    assert response.status_code == 400 and not response.content.startswith(b"PK")
    assert str(os.getpid()) not in response.content.decode()


# --- the region's analytical note of a monitoring round -------------------------------------------------


def _round(world):
    from datetime import timedelta

    from django.utils import timezone

    from regional.models import ChecklistTemplate, InspectionRound, InspectionVerdict

    template = ChecklistTemplate.objects.filter(is_current=True).first()
    round_ = InspectionRound.objects.create(
        title="Мониторинг & проверка <1>", municipality=world.m1, created_by=world.regional_admin,
        due_date=timezone.localdate() + timedelta(days=30), template_version=template.version if template else 1,
    )  # fmt: skip
    round_.schools.add(world.school_a)
    InspectionVerdict.objects.create(
        round=round_, school=world.school_a, item_code="site_section", verdict="remark",
        comment="Нет раздела на сайте", auto_state="missing", inspector=world.inspector_m1,
    )  # fmt: skip
    return round_


def test_the_built_in_round_note_keeps_its_content(host_client, world):
    round_ = _round(world)
    response = host_client(None, world.inspector_m1).get(f"/rounds/{round_.pk}/note.docx")
    assert response.status_code == 200
    text = _all_text(response.content)
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in text and "«Мониторинг & проверка <1>», Тверь" in text
    assert "Нет раздела на сайте" in text and "0 из 1" in text and "{{" not in text


def test_the_region_replaces_the_round_note_and_refused_placeholders_stay_out(host_client, world):
    admin = host_client(None, world.regional_admin)
    refused = admin.post(
        "/document-templates/",
        {
            "kind": "round_note",
            "file": SimpleUploadedFile("n.docx", _docx("{{ round.created_by.password }}")),
        },
    )
    assert refused.status_code == 400 and not DocumentTemplate.objects.filter(kind="round_note").exists()
    template = _docx(
        "Справка ИМЦ: {{ municipality|upper }}, школ {{ schools }}",
        "{% for remark in remarks %}{{ remark.school }}: {{ remark.comment }}\n{% endfor %}",
    )
    upload = {"kind": "round_note", "file": SimpleUploadedFile("n.docx", template)}
    assert admin.post("/document-templates/", upload).status_code == 302
    round_ = _round(world)
    text = _all_text(host_client(None, world.inspector_m1).get(f"/rounds/{round_.pk}/note.docx").content)
    assert text.startswith("Справка ИМЦ: ТВЕРЬ, школ 1") and "Нет раздела на сайте" in text
