"""The curator's yearly analytical report (DOCX re-read, figures asserted) and the re-check of mentees."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from core.incentives.models import Incentive, Training
from core.people.models import Category, Person
from tests.objects import school_objects

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


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
    assert f"за {TODAY.year} год" in text
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
