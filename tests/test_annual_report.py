"""The curator's yearly analytical report (DOCX re-read, figures asserted) and the re-check of mentees.

The DOCX is the region-replaceable «annual_report» template (core/documents/defaults.py builds the built-in
one), filled in the sandbox with the school's figures in the school's schema.
"""

import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from core.incentives.models import Incentive, Training
from core.people.models import Category, Person
from tenants.catalogues import DocumentTemplate
from tests.objects import school_objects

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAYLOAD = "{{ cycler.__init__.__globals__.os.getpid() }}"
PID = str(os.getpid())


def _docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _upload(admin, content: bytes):
    return admin.post(
        "/document-templates/",
        {"kind": "annual_report", "file": SimpleUploadedFile("annual.docx", content)},
    )


def _page(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


def _young_teacher(school, last_name: str) -> None:
    with schema_context(school.schema_name):
        Person.objects.create(last_name=last_name, first_name="Дарья", category=Category.TEACHER,
                              career_start=TODAY - timedelta(days=200))  # fmt: skip


def _text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [" | ".join(c.text for c in row.cells) for t in doc.tables for row in t.rows]
    return "\n".join(parts)


def test_the_annual_report_holds_the_years_figures(host_client, world):
    school_objects(world.school_a, curator=world.curator_a)  # two pairs «учитель – ученик» with programmes
    with schema_context(world.school_a.schema_name):
        mentor = Person.objects.filter(category=Category.TEACHER, last_name="Васильев").get()
        Incentive.objects.create(person=mentor, kind="gratitude", given_on=TODAY.replace(day=1))
        Incentive.objects.create(
            person=mentor, kind="bonus", amount=Decimal(1000), given_on=TODAY.replace(day=1)
        )
        Incentive.objects.create(person=mentor, kind="gratitude", given_on=TODAY.replace(year=TODAY.year - 1))
        Training.objects.create(
            person=mentor, course="Курс", hours=Decimal("36"), starts_on=TODAY, ends_on=TODAY
        )
        Training.objects.create(
            person=mentor, course="Сессия", hours=Decimal("1.5"), starts_on=TODAY, ends_on=TODAY
        )
        Person.objects.create(last_name="Новикова", first_name="Дарья", middle_name="Игоревна", category=Category.TEACHER,
                              career_start=TODAY - timedelta(days=200))  # fmt: skip
        Person.objects.create(last_name="Старов", first_name="Иван", category=Category.TEACHER,
                              career_start=TODAY.replace(year=TODAY.year - 20))  # fmt: skip
    client = host_client(world.school_a, world.curator_a)
    response = client.get("/reports/annual.docx")
    assert response.status_code == 200
    text = _text(response.content)
    assert (
        f"Итоговый аналитический отчёт о реализации целевой модели наставничества за {TODAY.year} год" in text
    )
    assert "Муниципальное общеобразовательное учреждение «Школа А»" in text
    assert "{{" not in text and "{%" not in text
    # The built-in template keeps the seven sections and the table headers of the report built in code.
    for heading in ("1. Наставнические пары и группы", "2. Персонализированные программы и их результаты",
                    "3. Динамика (мониторинг, этап 2: на входе и на выходе)", "4. Удовлетворённость участников",
                    "5. Поощрение наставников", "6. Обучение наставников",
                    "7. Кого включить в базу наставляемых (ежегодная актуализация)"):  # fmt: skip
        assert heading in text
    assert "Форма наставничества | Пар и групп" in text and "Ролевая модель | Пар и групп" in text
    assert "Вид поощрения | Количество" in text and "ФИО | Основание" in text
    assert "Анкеты на входе и на выходе за год не заполнены." in text
    assert "Анкеты удовлетворённости не заполнены." in text
    assert "Работало пар и групп: 2." in text and "учитель – ученик | 2" in text
    assert "Программ: 2; завершено за год: 0." in text
    # school_objects gives the pair's mentor a благодарность and 36 hours of training too
    assert "Поощрений за год: 3." in text
    assert (
        "благодарность (благодарственное письмо) | 2" in text
        and "доплата (выплата) за наставничество | 1" in text
    )
    assert "Курсов (обучений): 3; часов: 73,5." in text
    assert "Новикова Дарья Игоревна | молодой специалист" in text
    assert "Старов" not in text
    assert client.get("/reports/annual.docx?year=abc").status_code == 400
    assert client.get(f"/reports/annual.docx?year={TODAY.year + 1}").status_code == 400
    assert host_client(world.school_a, world.mentor_a).get("/reports/annual.docx").status_code == 403
    other = host_client(world.school_b, world.curator_b).get("/reports/annual.docx")
    assert other.status_code == 200 and "Работало пар и групп: 0." in _text(other.content)
    assert "Новикова" not in _text(other.content)
    assert "Педагогов, которых нужно включить в наставничество в качестве наставляемых, нет." in _text(
        other.content
    )


def test_the_annual_report_compares_stage_2_answers_on_entry_and_exit(host_client, world):
    from core.monitoring.models import SurveyResponse
    from core.monitoring.services import survey_templates
    from core.pairs.models import Pair

    objects = school_objects(world.school_a, curator=world.curator_a)
    template = survey_templates().filter(stage=2).first()
    assert template is not None
    question = template.questions[0]
    with schema_context(world.school_a.schema_name):
        pair = Pair.objects.get(pk=objects.pair)
        mentee = pair.members.get(role="mentee").person
        SurveyResponse.objects.create(template_code=template.code, person=mentee, pair=pair, phase="entry",
                                      answers={question["code"]: 3})  # fmt: skip
        SurveyResponse.objects.create(template_code=template.code, person=mentee, pair=pair, phase="exit",
                                      answers={question["code"]: 8})  # fmt: skip
    text = _text(host_client(world.school_a, world.curator_a).get("/reports/annual.docx").content)
    assert f"{question['text']} | 3,0 | 8,0 | 1" in text


def test_a_region_template_gives_each_school_its_text_with_its_own_figures(host_client, world):
    school_objects(world.school_a, curator=world.curator_a)
    _young_teacher(world.school_a, "Новикова")
    _young_teacher(world.school_b, "Зайцева")
    admin = host_client(None, world.regional_admin)
    template = _docx(
        "ОТЧЁТ {{ school.short_name|upper }} ЗА {{ year }}: пар {{ pairs_count }}, программ {{ programmes_count }}",
        "{% for row in by_form %}{{ row.name }} — {{ row.count }}\n{% endfor %}",
        "Включить: {% for row in recheck %}{{ row.full_name }} ({{ row.reason }}); {% else %}никого{% endfor %}",
    )
    assert _upload(admin, template).status_code == 302
    page = _page(admin.get("/document-templates/"))
    assert "Итоговый аналитический отчёт куратора за год" in page and "загружен" in page
    assert "<code>{{ pairs_count }}</code> — работало пар и групп за год" in page
    # The region downloads what it uploaded, not the built-in one.
    assert "ОТЧЁТ" in _text(admin.get("/document-templates/annual_report.docx").content)

    text_a = _text(host_client(world.school_a, world.curator_a).get("/reports/annual.docx").content)
    assert f"ОТЧЁТ ШКОЛА А ЗА {TODAY.year}: пар 2, программ 2" in text_a
    assert "учитель – ученик — 2" in text_a and "Новикова Дарья (молодой специалист" in text_a
    assert "Итоговый аналитический отчёт" not in text_a  # the built-in text is gone
    # Cross-school: each school's download holds its own data only.
    assert "Зайцева" not in text_a and "Школа Б" not in text_a.title()
    text_b = _text(host_client(world.school_b, world.curator_b).get("/reports/annual.docx").content)
    assert f"ОТЧЁТ ШКОЛА Б ЗА {TODAY.year}: пар 0, программ 0" in text_b
    assert "Зайцева Дарья (молодой специалист" in text_b
    assert "Новикова" not in text_b and "учитель – ученик" not in text_b

    # Reset: the built-in template again.
    assert admin.post("/document-templates/", {"kind": "annual_report", "reset": "1"}).status_code == 302
    text_a = _text(host_client(world.school_a, world.curator_a).get("/reports/annual.docx").content)
    assert "Итоговый аналитический отчёт о реализации" in text_a and "ОТЧЁТ" not in text_a


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{{ ''.__class__ }}", "«__class__»"),
        ("{{ school.__class__.__mro__ }}", "«__mro__»"),
        (PAYLOAD, f"«{PAYLOAD}»"),
        ("{% for row in by_form.__class__.__subclasses__() %}{{ row }}{% endfor %}", "вызовы функций"),
        ("{% for x in school %}{{ x }}{% endfor %}", "перебирать можно только списки"),
        ("{% for row in recheck %}{{ row._state }}{% endfor %}", "«_state»"),
        ("{% for row in by_form %}{% for r in programmes %}{% endfor %}{% endfor %}", "цикл внутри цикла"),
        ("{{ row.name }}", "поля «row»"),  # «row» exists only inside its loop
        ("{{ recheck|attr('x') }}", "фильтр «attr»"),
    ],
)
def test_an_unsafe_template_is_refused_at_upload_nothing_stored(host_client, world, text, named):
    response = _upload(host_client(None, world.regional_admin), _docx("Отчёт за {{ year }}", text))
    assert response.status_code == 400
    assert named in _page(response)
    assert not DocumentTemplate.objects.filter(kind="annual_report").exists()
    assert not DocumentTemplate.objects.exists()


def test_a_broken_file_is_refused_in_russian(host_client, world):
    response = host_client(None, world.regional_admin).post(
        "/document-templates/",
        {"kind": "annual_report", "file": SimpleUploadedFile("annual.docx", b"PK\x03\x04 not a docx")},
    )
    assert response.status_code == 400
    assert "содержимое файла не похоже ни на один из них" in _page(response)
    assert not DocumentTemplate.objects.exists()


def test_a_stored_unsafe_template_gives_the_school_a_400_and_never_its_output(host_client, world):
    # A template stored before the rules (or written around the upload check) is checked again at rendering.
    DocumentTemplate.objects.create(
        kind="annual_report",
        file=ContentFile(_docx("Отчёт {{ year }}", PAYLOAD, "{{ ''.__class__ }}"), name="annual_report.docx"),
    )
    response = host_client(world.school_a, world.curator_a).get("/reports/annual.docx")
    assert response.status_code == 400
    assert not response.content.startswith(b"PK")
    assert PID not in response.content.decode() and "недопустимый плейсхолдер" in _page(response)
