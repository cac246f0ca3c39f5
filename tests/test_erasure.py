"""Erasure at the subject's request (152-ФЗ): the name leaves the whole school schema, pairs are ended or
repaired, and the act lists what was destroyed. Also the personal-data export of a consent without a scan."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document
from psycopg import sql

from core.acts.models import ActFile, LocalAct
from core.acts.services import curator_order_generate
from core.audit.models import AuditEntry, ErasureRecord
from core.consents.models import Consent
from core.consents.services import consent_withdraw
from core.monitoring.models import SurveyResponse
from core.pairs.models import Meeting, Pair
from core.pairs.services import pair_create, pairs_order_generate
from core.people.models import BankEntry, Category, Person
from core.people.rights import person_erase
from tenants.catalogues import RoleModel
from tenants.models import Membership, Role, User
from tenants.services import membership_grant
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)
LAST, FIRST, MIDDLE = "Зюзькевич", "Евлампия", "Феофилактовна"
REP = {"by_representative": True, "representative_last_name": "Корнеева", "representative_first_name": "Анна",
       "representative_relation": "мать", "representative_document": "паспорт 2812 000000"}  # fmt: skip


def _consents(person: Person, **extra) -> list[Consent]:
    return [
        Consent.objects.create(person=person, kind=kind, valid_from=START - timedelta(days=10), **extra)
        for kind in Consent.Kind
    ]


def _teacher(last: str, first: str, middle: str = "", **extra) -> Person:
    person = Person.objects.create(
        last_name=last, first_name=first, middle_name=middle, category=Category.TEACHER, position="учитель",
        birth_date=TODAY.replace(year=TODAY.year - 40), **extra,
    )  # fmt: skip
    _consents(person)
    BankEntry.objects.create(person=person, bank="mentor", status="approved", capacity=3)
    return person


def _student(last: str) -> Person:
    person = Person.objects.create(
        last_name=last, first_name="Пётр", category=Category.STUDENT, school_class="7Б",
        birth_date=TODAY.replace(year=TODAY.year - 13),
    )  # fmt: skip
    _consents(person, **REP)
    BankEntry.objects.create(person=person, bank="mentee", status="approved")
    return person


def _pair(mentors: list[Person], mentees: list[Person], actor: User) -> Pair:
    role_model = RoleModel.objects.filter(form__code="teacher_student").order_by("pk")[0].pk
    return pair_create(
        form_code="teacher_student", role_model_id=role_model, kind_code="traditional",
        mentors=mentors, mentees=mentees, started_on=START, actor=actor,
    )  # fmt: skip


def _school_text_hits(schema: str, needles: list[str]) -> list[str]:
    """Every text/JSON column of every table of the school's schema that still holds one of the needles.

    The act of destruction itself is the one place the law wants the name kept (whose data was destroyed).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')",
            [schema],
        )
        columns = cursor.fetchall()
        hits = []
        for table, column in columns:
            if (table, column) == ("core_erasurerecord", "subject"):
                continue
            for needle in needles:
                query = sql.SQL("SELECT count(*) FROM {}.{} WHERE {}::text ILIKE %s").format(
                    sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column)
                )
                cursor.execute(query, [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column} ∋ {needle}")
    assert columns, "no columns found: wrong schema?"
    return hits


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_erasure_removes_the_name_from_the_whole_schema_and_ends_or_repairs_the_pairs(host_client, world):
    account = User.objects.create_user("zuz@a.test", PASSWORD, last_name=LAST, first_name=FIRST)
    membership_grant(user=account, role=Role.MENTOR, school=world.school_a)
    schema = world.school_a.schema_name
    with schema_context(schema):
        subject = _teacher(LAST, FIRST, MIDDLE, user_id=account.pk)
        other_mentor = _teacher("Васильев", "Дмитрий")
        kid_alone, kid_group = _student("Корнеев"), _student("Сидоров")
        alone = _pair([subject], [kid_alone], world.curator_a)  # she is its only mentor: it must end
        group = _pair([subject, other_mentor], [kid_group], world.curator_a)  # it keeps a mentor
        Meeting.objects.create(
            pair=alone,
            kind="intro",
            date=START,
            notes=f"Провела {subject.full_name}, следующая — у {subject.short_name}",
        )
        SurveyResponse.objects.create(template_code="satisfaction_mentor", person=subject, pair=alone,
                                      answers={"comfort": "5", "change": "больше встреч"})  # fmt: skip
        SurveyResponse.objects.create(template_code="satisfaction_mentee", person=kid_alone, pair=alone,
                                      answers={"comfort": "5", "change": f"Спасибо, {subject.full_name}!"})  # fmt: skip
        LocalAct.objects.create(kind="policy_students", title="Положение", number="1", status="in_force",
                                date=TODAY - timedelta(days=365))  # the pairs order cites it  # fmt: skip
        order = pairs_order_generate(
            school=world.school_a,
            pairs=[alone, group],
            on=TODAY,
            curator_name="Ёлкина С.",
            actor=world.curator_a,
        )
        curator_order = curator_order_generate(
            school=world.school_a, curator=subject, on=TODAY, actor=world.curator_a
        )
        # A withdrawal that suspends her pairs writes her name into the suspension reasons.
        consent_withdraw(consent=subject.consents.get(kind="personal_data"), on=TODAY, reason="", actor=None)
        assert _school_text_hits(schema, [LAST])  # the setup did copy the name around
        order_files = list(ActFile.objects.filter(act__in=[order, curator_order]))
        assert any(LAST in _docx_text(f.file.read()) for f in order_files)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = host_client(world.school_a, world.curator_a).post(
            f"/people/{subject.pk}/erase/", {"confirmation": LAST}
        )
    assert response.status_code == 302

    with schema_context(schema):
        hits = _school_text_hits(schema, [LAST, FIRST, MIDDLE, f"{LAST} Е. Ф."])
        assert hits == []
        for act_file in ActFile.objects.filter(act__in=[order, curator_order]):
            with act_file.file.open("rb") as handle:
                text = _docx_text(handle.read())
            assert LAST not in text and f"участник #{subject.pk}" in text
            assert act_file.size == act_file.file.size

        alone.refresh_from_db()
        group.refresh_from_db()
        assert alone.status == Pair.Status.ENDED and alone.end_reason_code == "consent_withdrawn"
        assert group.status != Pair.Status.ENDED
        assert set(group.members.filter(until__isnull=True).values_list("person__last_name", flat=True)) == {
            "Васильев", "Сидоров",
        }  # fmt: skip
        assert not SurveyResponse.objects.filter(person_id=subject.pk).exists()
        assert SurveyResponse.objects.filter(person=kid_alone).exists()  # others' answers stay, name-free

        record = ErasureRecord.objects.get()
        assert record.subject == f"{LAST} {FIRST} {MIDDLE}"
        lines = "\n".join(record.summary["lines"])
        for expected in (
            f"участие в паре: Пара № {alone.pk}, наставник",
            f"участие в паре: Пара № {group.pk}, наставник",
            "ответы на анкету мониторинга «satisfaction_mentor»",
            "доступ учётной записи к школе: роль «наставник»",
            f"Пара № {alone.pk}: завершена",
            f"Пара № {group.pk}: участник выведен из пары, пара продолжает работу",
            "назначение куратором",
            "ФИО убрано из сформированных приказов (DOCX): 2",
        ):
            assert expected in lines, expected
        act = record.document.read()
        assert "участие в паре" in _docx_text(act)
        assert LocalAct.objects.filter(pk=curator_order.pk).exists()  # the order stays, without her name
    # Her login no longer opens the school; the account itself (public, maybe other roles) stays.
    assert not Membership.objects.filter(user=account, school=world.school_a).exists()
    assert User.objects.filter(pk=account.pk).exists()


def test_erasing_in_one_school_leaves_a_namesake_in_another_untouched(host_client, world):
    with schema_context(world.school_b.schema_name):
        namesake = _teacher(LAST, FIRST, MIDDLE)
        AuditEntry.objects.create(action="update", object_type="person", object_id=str(namesake.pk),
                                  object_repr=namesake.full_name, changes={"note": namesake.full_name})  # fmt: skip
    with schema_context(world.school_a.schema_name):
        subject = _teacher(LAST, FIRST, MIDDLE)
        person_erase(person=subject, school=world.school_a, actor=world.curator_a)
    with schema_context(world.school_b.schema_name):
        assert Person.objects.filter(pk=namesake.pk, last_name=LAST).exists()
        assert AuditEntry.objects.filter(
            object_repr=namesake.full_name, changes__note=namesake.full_name
        ).exists()
        assert not ErasureRecord.objects.exists()


def test_erasing_one_person_leaves_a_namesake_in_the_same_school_untouched(host_client, world):
    with schema_context(world.school_a.schema_name):
        namesake = _teacher(LAST, FIRST, "Петрович")  # same surname and first name, another patronymic
        AuditEntry.objects.create(action="update", object_type="person", object_id=str(namesake.pk),
                                  object_repr=namesake.full_name, changes={"note": namesake.short_name})  # fmt: skip
        subject = _teacher(LAST, FIRST, MIDDLE)
        person_erase(person=subject, school=world.school_a, actor=world.curator_a)
        assert AuditEntry.objects.filter(
            object_repr=namesake.full_name, changes__note=namesake.short_name
        ).exists()
        assert not AuditEntry.objects.filter(object_repr__contains=subject.full_name).exists()


def test_the_export_of_a_person_whose_consents_have_no_scan(host_client, world):
    with schema_context(world.school_a.schema_name):
        person = _teacher("Фёдорова", "Ольга")
        assert not any(c.scan for c in person.consents.all())
    response = host_client(world.school_a, world.curator_a).get(f"/people/{person.pk}/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["person"]["last_name"] == "Фёдорова"
    assert len(data["consents"]) == len(Consent.Kind) and {c["scan"] for c in data["consents"]} == {""}
    assert data["pairs"] == [] and data["survey_answers"] == []
