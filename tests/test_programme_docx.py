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
