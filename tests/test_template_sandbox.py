"""Templates written by users never run code: refused at upload, refused again at rendering (issue 11, item 1).

The probe's payload, «{{ cycler.__init__.__globals__.os.getpid() }}», put the web worker's pid into a
curator's consent form. Every test here fails on the code before the sandbox.
"""

import io
import os
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document
from openpyxl import Workbook, load_workbook

from core.acts.models import LocalAct
from core.consents.models import Consent
from core.documents import sandbox
from core.documents.defaults import default_template
from core.documents.placeholders import DOCX_PLACEHOLDERS, placeholder_docs, sample_context
from core.documents.render import docx_render
from core.documents.sandbox import TemplateRefused
from core.people.models import Category, Person
from regional import report_templates
from regional.models import ReportRun, ReportTemplate
from regional.report_templates import REPORT_XLSX_PLACEHOLDERS
from tenants.catalogues import DocumentTemplate

pytestmark = pytest.mark.django_db

PAYLOAD = "{{ cycler.__init__.__globals__.os.getpid() }}"
PID = str(os.getpid())
TODAY = timezone.localdate()


def _docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def _upload(admin, kind: str, content: bytes):
    return admin.post(
        "/document-templates/", {"kind": kind, "file": SimpleUploadedFile("template.docx", content)}
    )


def _page(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


# --- refused at upload ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["{{ school.name - 1 }}", "{{ 1 is divisibleby 0 }}"])
def test_a_template_that_fails_on_real_values_is_a_400_not_a_500(host_client, world, text):
    response = _upload(host_client(None, world.regional_admin), "consent", _docx("Согласие", text))
    assert response.status_code == 400
    assert "Ошибка в шаблоне" in _page(response)
    assert not DocumentTemplate.objects.exists()


def test_the_probes_payload_is_refused_at_upload_with_the_placeholder_named(host_client, world):
    admin = host_client(None, world.regional_admin)
    response = _upload(admin, "consent", _docx("Согласие", PAYLOAD))
    assert response.status_code == 400
    assert f"недопустимый плейсхолдер «{PAYLOAD}»" in _page(response)
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ school.__class__ }}", "«__class__»"),
        ("{{ school._meta }}", "«_meta»"),
        ("{{ school.name.upper() }}", "{{ school.name.upper() }}"),
        ("{{ school['name'] }}", "квадратные скобки"),
        ("{{ school.name|attr('x') }}", "фильтр «attr»"),
        ("{{ school.name|safe }}", "фильтр «safe»"),
        ("{{ 'a' * 1000000000 }}", "арифметика"),
        ("{{ lipsum() }}", "{{ lipsum() }}"),
        ("{{ range }}", "поля «range»"),
        ("{{ school.kpp }}", "поля «school.kpp»"),  # consent has school.name and school.inn only
        ("{% set x = 1 %}", "«{% set %}»"),
        ("{% include 'x' %}", "«{% include %}»"),
        ("{% macro m() %}{% endmacro %}", "«{% macro %}»"),
        ("{% autoescape false %}{{ title }}{% endautoescape %}", "«{% autoescape %}»"),
        ("{% for x in school %}{% endfor %}", "перебирать можно только списки"),
    ],
)
def test_anything_but_the_declared_placeholders_is_refused_at_upload(host_client, world, text, named):
    response = _upload(host_client(None, world.regional_admin), "consent", _docx("Согласие", text))
    assert response.status_code == 400
    assert named in _page(response)
    assert not DocumentTemplate.objects.exists()


def test_a_loop_inside_a_loop_is_refused(host_client, world):
    nested = "{% for pair in pairs %}{% for other in pairs %}{{ other.form }}{% endfor %}{% endfor %}"
    response = _upload(host_client(None, world.regional_admin), "order_pairs", _docx(nested))
    assert response.status_code == 400 and "цикл внутри цикла" in _page(response)


def test_a_payload_in_the_document_properties_is_refused_too(host_client, world):
    # docxtpl renders the title, subject, author… of the document as templates as well.
    doc = Document()
    doc.add_paragraph("{{ title }}")
    doc.core_properties.title = PAYLOAD
    buffer = io.BytesIO()
    doc.save(buffer)
    response = _upload(host_client(None, world.regional_admin), "consent", buffer.getvalue())
    assert response.status_code == 400 and f"«{PAYLOAD}»" in _page(response)


# --- refused at rendering: a template stored before the rules ----------------------------------------


def _store(kind: str, content: bytes) -> None:
    DocumentTemplate.objects.create(kind=kind, file=ContentFile(content, name=f"{kind}.docx"))


def test_a_stored_payload_in_the_consent_form_gives_a_400_and_never_the_pid(host_client, world):
    _store("consent", _docx("СОГЛАСИЕ {{ person.full_name }}", PAYLOAD))
    with schema_context(world.school_a.schema_name):
        person = Person.objects.create(last_name="Фёдорова", first_name="Алёна", category=Category.TEACHER)
        consent = Consent.objects.create(
            person=person, kind=Consent.Kind.PARTICIPATION, valid_from=TODAY - timedelta(days=1)
        )
    response = host_client(world.school_a, world.curator_a).get(f"/consents/{consent.pk}/document.docx")
    assert response.status_code == 400
    assert not response.content.startswith(b"PK")  # no document at all, so no pid in it
    assert PID not in response.content.decode()
    assert "недопустимый плейсхолдер" in _page(response)


def test_a_stored_payload_in_the_curator_order_writes_nothing(host_client, world):
    _store("order_curator", _docx("Приказ № {{ number }}", PAYLOAD))
    with schema_context(world.school_a.schema_name):
        teacher = Person.objects.create(
            last_name="Фёдорова", first_name="Алёна", category=Category.TEACHER, position="учитель"
        )
    response = host_client(world.school_a, world.curator_a).post(
        "/acts/curator-order/", {"curator": teacher.pk, "date": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert PID not in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.exists()  # the order and its number were rolled back


def test_the_sandbox_alone_stops_the_payload_if_the_check_were_bypassed(monkeypatch):
    # Defence in depth: with the static check switched off, Jinja's sandbox still refuses «__init__».
    monkeypatch.setattr(sandbox, "template_check", lambda *args, **kwargs: None)
    context = sample_context(DOCX_PLACEHOLDERS["consent"])
    with pytest.raises(TemplateRefused) as refused:
        docx_render(kind="consent", context=context, template=_docx(PAYLOAD))
    assert PID not in str(refused.value)


# --- legitimate templates -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DOCX_PLACEHOLDERS))
def test_every_built_in_template_passes_the_check_and_names_only_declared_fields(kind):
    text = _text(docx_render(kind=kind, context=sample_context(DOCX_PLACEHOLDERS[kind])))
    assert "{{" not in text and "{%" not in text
    assert default_template(kind)  # and the documentation lists something for every kind
    assert placeholder_docs(DOCX_PLACEHOLDERS[kind])


def test_a_template_using_filters_conditions_and_a_loop_is_accepted_and_escaped(host_client, world):
    template = _docx(
        "{{ school.name|upper }} № {{ number|default('б/н') }}",
        "{% if curator_name %}Куратор: {{ curator_name }}{% endif %}",
        "{% for pair in pairs %}{{ loop.index }}. {{ pair.mentors }} — {{ pair.mentees|title }}\n{% endfor %}",
    )
    assert _upload(host_client(None, world.regional_admin), "order_pairs", template).status_code == 302
    context = {
        "school": {"name": "МОУ «Школа» & Ко <1>", "short_name": "Школа"},
        "number": "3-н",
        "date": "01.09.2026",
        "pairs": [{"mentors": "Петров П. П.", "mentees": "сидоров с. с.", "form": "учитель – ученик"}],
        "curator_name": "Иванова М. П.",
    }
    text = _text(docx_render(kind="order_pairs", context=context))
    assert "МОУ «ШКОЛА» & КО <1> № 3-н" in text  # autoescape: «&» and «<» are text, not broken XML
    assert "Куратор: Иванова М. П." in text and "1. Петров П. П. — Сидоров С. С." in text


def test_a_context_key_nobody_declared_is_a_programming_error():
    context = sample_context(DOCX_PLACEHOLDERS["erasure_act"]) | {"secret": "x"}
    with pytest.raises(ImproperlyConfigured, match="secret"):
        docx_render(kind="erasure_act", context=context)


# --- the region's XLSX report templates -------------------------------------------------------------


def _xlsx(*rows: list[str]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_payload_in_an_xlsx_report_template_is_refused_at_upload(host_client, world):
    content = _xlsx(["Форма на {{ on }}"], ["{{ row.title }}", PAYLOAD])
    response = host_client(None, world.regional_admin).post(
        "/reports/templates/",
        {"title": "Форма", "file": SimpleUploadedFile("form.xlsx", content)},
        follow=True,
    )
    assert f"Ячейка B2: В шаблоне недопустимый плейсхолдер «{PAYLOAD}»" in _page(response)
    assert not ReportTemplate.objects.exists()


def test_a_stored_xlsx_template_without_a_row_of_fields_gives_a_400_too(host_client, world):
    template = ReportTemplate.objects.create(
        title="Пустой", file=ContentFile(_xlsx(["{{ on }}"]), name="e.xlsx")
    )
    run = ReportRun.objects.create(on=TODAY, status=ReportRun.Status.DONE)
    response = host_client(None, world.regional_admin).get(f"/reports/{run.pk}/templates/{template.pk}/")
    assert response.status_code == 400 and "нет строки с полями" in _page(response)


def test_a_stored_xlsx_template_with_the_payload_gives_a_400(host_client, world):
    content = _xlsx(["{{ row.title }}", "{{ row.__class__.__mro__ }}", "{{ row.pairs * 100000000 }}"])
    template = ReportTemplate.objects.create(title="Старый", file=ContentFile(content, name="old.xlsx"))
    run = ReportRun.objects.create(on=TODAY, status=ReportRun.Status.DONE)
    response = host_client(None, world.regional_admin).get(f"/reports/{run.pk}/templates/{template.pk}/")
    assert response.status_code == 400 and "«__mro__»" in _page(response)


def test_an_xlsx_template_keeps_numbers_and_renders_mixed_cells_in_the_sandbox():
    content = _xlsx(
        ["На {{ on }}"],
        [
            "{{ row.pairs }}",
            "{{ row.municipality }} / {{ row.title|upper }}",
            "{{ row.students_10_18.percent }}",
        ],
    )
    sample = sample_context(REPORT_XLSX_PLACEHOLDERS)
    out = report_templates._fill(
        report_templates._open(content), on=f"{TODAY:%d.%m.%Y}", rows=lambda: [sample["row"]]
    )
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(out)).active.iter_rows()]
    assert rows[0][0] == f"На {TODAY:%d.%m.%Y}"
    assert rows[1] == [3, "Тверь / ШКОЛА", 25.0]


def test_the_templates_page_lists_the_placeholders_the_check_enforces(host_client, world):
    page = _page(host_client(None, world.regional_admin).get("/document-templates/"))
    for kind, spec in DOCX_PLACEHOLDERS.items():
        for code, meaning in placeholder_docs(spec):
            assert f"<code>{code}</code> — {meaning}" in page, (kind, code)
    assert "{{ pair.mentors }}" in page and "{% for line in lines %}…{% endfor %}" in page
