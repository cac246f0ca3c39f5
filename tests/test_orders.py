"""Orders generated from the data are complete documents: re-read the DOCX and find every element, with the
names declined as an order writes them."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document

from core.acts.models import ActKind, CuratorAppointment, LocalAct
from core.acts.orders import (
    early_end_order_generate,
    incentives_order_generate,
    introduction_order_generate,
    policy_order_generate,
)
from core.consents.models import Consent
from core.documents.names import Case, full_name_in, person_gender, short_name_in
from core.incentives.models import Incentive
from core.pairs.services import pair_create, pair_end
from core.people.models import BankEntry, Category, Person
from core.programmes.services import programme_create
from core.roadmap.models import RoadmapItem
from tenants.catalogues import EndReason, RoleModel

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=40)
ORDER_DAY = TODAY - timedelta(days=3)  # chosen in the form: not today


def _text(act: LocalAct) -> str:
    content = act.files.get().file.read()
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# --- declension --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "first", "middle", "case", "expected"),
    [
        ("Белова", "Ольга", "Сергеевна", Case.ACCUSATIVE, "Белову Ольгу Сергеевну"),
        ("Иванов", "Пётр", "Ильич", Case.ACCUSATIVE, "Иванова Петра Ильича"),
        ("Иванов", "Пётр", "Ильич", Case.INSTRUMENTAL, "Ивановым Петром Ильичом"),
        ("Римский-Корсаков", "Николай", "Андреевич", Case.DATIVE, "Римскому-Корсакову Николаю Андреевичу"),
        ("Салтыкова-Щедрина", "Анна", "Петровна", Case.ACCUSATIVE, "Салтыкову-Щедрину Анну Петровну"),
        ("Шмидт", "Ирина", "Карловна", Case.GENITIVE, "Шмидт Ирины Карловны"),  # a woman's «Шмидт» stays
        ("Шмидт", "Отто", "Карлович", Case.GENITIVE, "Шмидта Отто Карловича"),
        ("Гюго", "Виктор", "", Case.DATIVE, "Гюго Виктору"),
        ("Ким", "Елена", "Вячеславовна", Case.INSTRUMENTAL, "Ким Еленой Вячеславовной"),
        ("Черных", "Илья", "Саввич", Case.ACCUSATIVE, "Черных Илью Саввича"),
        ("Кузьмич", "Анна", "Лукинична", Case.DATIVE, "Кузьмич Анне Лукиничне"),
        ("Алиев", "Мамед", "Али оглы", Case.GENITIVE, "Алиева Мамеда Али оглы"),
    ],
)
def test_names_are_declined_as_russian_orders_write_them(last, first, middle, case, expected):
    person = Person(last_name=last, first_name=first, middle_name=middle)
    assert full_name_in(person, case) == expected


def test_gender_comes_from_the_patronymic_then_the_names():
    assert person_gender(Person(last_name="Кузьмич", first_name="Анна", middle_name="Лукинична")) == "female"
    assert person_gender(Person(last_name="Ким", first_name="Илья", middle_name="")) == "male"
    assert person_gender(Person(last_name="Шмидт", first_name="Ирина", middle_name="")) == "female"
    assert short_name_in(
        Person(last_name="Белова", first_name="Ольга", middle_name="Сергеевна"), Case.ACCUSATIVE
    ) == ("Белову О. С.")


# --- the world of an order ---------------------------------------------------------------------------------


def _consents(person: Person, **extra) -> None:
    for kind in Consent.Kind:
        Consent.objects.create(person=person, kind=kind, valid_from=START - timedelta(days=10), **extra)


def _teacher(last: str, first: str, middle: str, **extra) -> Person:
    person = Person.objects.create(last_name=last, first_name=first, middle_name=middle, category=Category.TEACHER,
                                   position="учитель", birth_date=date(1980, 1, 1), **extra)  # fmt: skip
    _consents(person)
    return person


def _mentor(last: str, first: str, middle: str) -> Person:
    person = _teacher(last, first, middle)
    BankEntry.objects.create(person=person, bank="mentor", status="approved", capacity=3)
    return person


def _student(last: str, first: str, middle: str) -> Person:
    person = Person.objects.create(last_name=last, first_name=first, middle_name=middle, category=Category.STUDENT,
                                   school_class="7Б", birth_date=TODAY.replace(year=TODAY.year - 13))  # fmt: skip
    _consents(person, by_representative=True, representative_last_name="Шмидт", representative_first_name="Анна",
              representative_relation="мать", representative_document="паспорт")  # fmt: skip
    BankEntry.objects.create(person=person, bank="mentee", status="approved")
    return person


def _setup(world) -> dict:
    curator = _teacher("Белова", "Ольга", "Сергеевна")
    CuratorAppointment.objects.create(person=curator, since=START)
    policy = LocalAct.objects.create(kind=ActKind.POLICY_STUDENTS, title="Положение о системе наставничества обучающихся",
                                     number="151/1", date=date(2024, 8, 30), status="in_force")  # fmt: skip
    mentor = _mentor("Римский-Корсаков", "Николай", "Андреевич")
    mentee = _student("Шмидт", "Отто", "Карлович")
    mentee2 = _student("Ким", "Елена", "Вячеславовна")
    role_model = RoleModel.objects.filter(form__code="teacher_student").order_by("pk")[0]
    pair = pair_create(form_code="teacher_student", role_model_id=role_model.pk, kind_code="traditional",
                       mentors=[mentor], mentees=[mentee, mentee2], started_on=START, actor=world.curator_a)  # fmt: skip
    programme = programme_create(
        pair=pair, starts_on=START, ends_on=START + timedelta(days=200), actor=world.curator_a
    )
    return {"curator": curator, "policy": policy, "mentor": mentor, "pair": pair, "programme": programme,
            "role_model": role_model}  # fmt: skip


def test_the_pairs_order_holds_every_element_with_declined_names(host_client, world):
    with schema_context(world.school_a.schema_name):
        w = _setup(world)
    client = host_client(world.school_a, world.curator_a)
    response = client.post("/pairs/order/", {"pairs": [w["pair"].pk], "date": ORDER_DAY.strftime("%d.%m.%Y")})
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.get(kind="order_pairs")
        assert act.date == ORDER_DAY and act.number == "1-н"
        text = _text(act)
    assert f"от {ORDER_DAY:%d.%m.%Y}" in text
    # the pair: members declined («закрепить кого за кем»), form, role model, kind, term, programme, consents
    assert (
        "Закрепить Ким Елену Вячеславовну, Шмидта Отто Карловича за наставником Римским-Корсаковым Николаем Андреевичем"
        in text
    )
    assert "«учитель – ученик»" in text and f"«{w['role_model'].name}»" in text and "традиционное" in text
    programme = w["programme"]
    assert f"с {programme.starts_on:%d.%m.%Y} по {programme.ends_on:%d.%m.%Y}" in text
    assert f"«{programme.title}»" in text
    assert "с письменного согласия их участников" in text
    assert "Шмидт О. К. — согласие законного представителя (Шмидт Анна, мать)" in text
    assert "Римский-Корсаков Н. А. — согласие от" in text
    # the Положение with its number and date, and the curator declined
    assert "«Положение о системе наставничества обучающихся» (№ 151/1 от 30.08.2024)" in text
    assert "возложить на куратора Белову О. С." in text
    assert "О. С.." not in text and "О. С. ." not in text
    # the table lists the members by full name
    assert "Римский-Корсаков Николай Андреевич" in text


def test_the_pairs_order_is_refused_without_a_policy_in_force_or_with_a_bad_date(host_client, world):
    with schema_context(world.school_a.schema_name):
        w = _setup(world)
        LocalAct.objects.filter(pk=w["policy"].pk).update(date=TODAY + timedelta(days=5))  # not yet in force
    client = host_client(world.school_a, world.curator_a)
    refused = client.post("/pairs/order/", {"pairs": [w["pair"].pk], "date": TODAY.isoformat()}, follow=True)
    assert "нет действующего акта: Положение о наставничестве обучающихся" in refused.content.decode()
    bad = client.post("/pairs/order/", {"pairs": [w["pair"].pk], "date": "31.02.2026"}, follow=True)
    assert "нет в календаре" in bad.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.filter(kind="order_pairs").exists()


def test_the_curator_order_names_the_curator_in_the_accusative(host_client, world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Кузьмич", "Анна", "Лукинична")
    client = host_client(world.school_a, world.curator_a)
    client.post("/acts/curator-order/", {"curator": curator.pk, "date": ORDER_DAY.strftime("%d.%m.%Y")})
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.get(kind="order_curator")
        text = _text(act)
    assert act.date == ORDER_DAY
    assert (
        "Назначить куратором внедрения целевой модели наставничества Кузьмич Анну Лукиничну (учитель)" in text
    )


def test_the_curator_is_chosen_in_the_people_picker_among_this_schools_teachers_only(host_client, world):
    with schema_context(world.school_a.schema_name):
        own = _teacher("Кузьмич", "Анна", "Лукинична")
        pupil = Person.objects.create(last_name="Ученикова", first_name="Ольга", category=Category.STUDENT,
                                      school_class="7А", birth_date=date(2013, 1, 1))  # fmt: skip
        ids_a = set(Person.objects.values_list("pk", flat=True))
    with schema_context(world.school_b.schema_name):  # ids are per schema: take one that A does not have
        foreign = next(
            p
            for i in range(len(ids_a) + 1)
            if (p := _teacher(f"Чужакова{'а' * i}", "Вера", "Ивановна")).pk not in ids_a
        )
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/acts/").content.decode()
    for select_id in ("order_curator", "intro_curator"):
        tag = re.search(rf'<select[^>]*id="{select_id}"[^>]*>', page)
        assert tag and "data-picker" in tag.group(0), select_id
        assert 'data-placeholder="Найти педагога: начните вводить фамилию"' in tag.group(0)
    assert f'<option value="{own.pk}"' in page and "Кузьмич Анна" in page
    assert "Чужакова" not in page and "Ученикова" not in page  # B's people and A's pupils are not offered
    day = ORDER_DAY.strftime("%d.%m.%Y")
    for person in (foreign, pupil):
        refused = client.post("/acts/curator-order/", {"curator": person.pk, "date": day}, follow=True)
        assert "Куратор: Выберите куратора из педагогов школы." in refused.content.decode()
        intro = client.post("/acts/introduction-order/", {"curator": person.pk, "date": day, "until": "31.08.2028"},
                            follow=True)  # fmt: skip
        assert "Куратор внедрения: Выберите куратора из педагогов школы." in intro.content.decode()
    for school in (world.school_a, world.school_b):
        with schema_context(school.schema_name):
            assert not LocalAct.objects.exists() and not CuratorAppointment.objects.exists()
    # School B's curator cannot use A's form at all, with A's teacher or B's.
    other = host_client(world.school_a, world.curator_b)
    assert other.post("/acts/curator-order/", {"curator": own.pk, "date": day}).status_code == 403
    assert client.post("/acts/curator-order/", {"curator": own.pk, "date": day}).status_code == 302
    with schema_context(world.school_a.schema_name):
        assert LocalAct.objects.get().curator_id == own.pk


def test_the_policy_order_has_the_policy_and_the_roadmap_as_annexes(host_client, world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Белова", "Ольга", "Сергеевна")
        CuratorAppointment.objects.create(person=curator, since=START)
        policy = LocalAct.objects.create(
            kind=ActKind.POLICY_TEACHERS, title="Положение о системе наставничества педагогических работников"
        )
        roadmap = LocalAct.objects.create(kind=ActKind.ROADMAP, title="Дорожная карта")
        RoadmapItem.objects.create(stage="Подготовка условий", title="Издание приказа о внедрении", period="сентябрь 2026",
                                   responsible="директор", result="приказ", position=1)  # fmt: skip
        RoadmapItem.objects.create(title="Формирование базы наставников", period="октябрь 2026",
                                   responsible="куратор", result="база наставников", position=2)  # fmt: skip
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        "/acts/policy-order/", {"policy": policy.pk, "roadmap": roadmap.pk, "date": "01.09.2026"}
    )
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.get(kind="order_policy")
        text = _text(act)
        policy.refresh_from_db()
        roadmap.refresh_from_db()
    assert act.title == "Об утверждении Положения о системе наставничества педагогических работников"
    assert "1. Утвердить Положение о системе наставничества педагогических работников (приложение 1)." in text
    assert "2. Утвердить дорожную карту (план мероприятий)" in text
    assert f"Приложение 2 к приказу от 01.09.2026 № {act.number}" in text
    assert (
        "Издание приказа о внедрении" in text
        and "Формирование базы наставников" in text
        and "база наставников" in text
    )
    assert "возложить на куратора Белову О. С." in text
    # the annexes carry the order's number and date
    assert (policy.number, policy.date) == (act.number, date(2026, 9, 1)) == (roadmap.number, roadmap.date)


def test_the_introduction_order_names_basis_terms_the_responsible_and_results(host_client, world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Салтыкова-Щедрина", "Анна", "Петровна")
    client = host_client(world.school_a, world.curator_a)
    refused = client.post("/acts/introduction-order/", {"curator": curator.pk, "date": "01.09.2026", "until": "01.08.2026"},
                          follow=True)  # fmt: skip
    assert "Срок внедрения должен быть позже" in refused.content.decode()
    client.post(
        "/acts/introduction-order/", {"curator": curator.pk, "date": "01.09.2026", "until": "31.08.2028"}
    )
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.get(kind="order_introduction")
        text = _text(act)
    assert "№ Р-145" in text and "№ АЗ-1128/08" in text
    assert "с 01.09.2026 по 31.08.2028" in text
    assert (
        "Назначить куратором внедрения целевой модели наставничества Салтыкову-Щедрину Анну Петровну" in text
    )
    assert "Куратору Салтыковой-Щедриной Анне Петровне разработать" in text
    assert "Планируемые результаты" in text


def test_the_early_end_order_names_the_pair_and_the_reason(world):
    with schema_context(world.school_a.schema_name):
        w = _setup(world)
        reason = EndReason.objects.filter(early=True).order_by("pk")[0]
        pair_end(pair=w["pair"], on=TODAY - timedelta(days=2), reason_code=reason.code, actor=None)
        with pytest.raises(Exception, match="раньше прекращения"):
            early_end_order_generate(
                school=world.school_a, pair=w["pair"], on=TODAY - timedelta(days=5), actor=None
            )
        act = early_end_order_generate(school=world.school_a, pair=w["pair"], on=TODAY, actor=None)
        text = _text(act)
        assert act.pair_id == w["pair"].pk
        with pytest.raises(Exception, match="уже есть"):
            early_end_order_generate(school=world.school_a, pair=w["pair"], on=TODAY, actor=None)
    assert (
        f"Досрочно прекратить с {TODAY - timedelta(days=2):%d.%m.%Y} наставничество Римского-Корсакова Николая "
        "Андреевича в отношении Ким Елены Вячеславовны, Шмидта Отто Карловича"
    ) in text
    assert f"Причина: {reason.name}." in text and "Куратору Беловой Ольге Сергеевне" in text


def test_an_order_for_a_pair_ended_normally_is_refused(world):
    with schema_context(world.school_a.schema_name):
        w = _setup(world)
        normal = EndReason.objects.filter(early=False).order_by("pk")[0]
        pair_end(pair=w["pair"], on=TODAY, reason_code=normal.code, actor=None)
        with pytest.raises(Exception, match="завершённой досрочно"):
            early_end_order_generate(school=world.school_a, pair=w["pair"], on=TODAY, actor=None)


def test_the_incentives_order_declines_each_name_after_its_verb(host_client, world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Белова", "Ольга", "Сергеевна")
        CuratorAppointment.objects.create(person=curator, since=START)
        a = _mentor("Черных", "Илья", "Саввич")
        b = _mentor("Гюго", "Виктор", "")
        c = _mentor("Шмидт", "Ирина", "Карловна")
        thanks = Incentive.objects.create(person=a, kind="gratitude", given_on=ORDER_DAY)
        bonus = Incentive.objects.create(person=b, kind="bonus", given_on=ORDER_DAY, amount=Decimal("5000"))
        diploma = Incentive.objects.create(
            person=c, kind="certificate", given_on=ORDER_DAY, title="Почётная грамота"
        )
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/incentives/").content.decode()
    assert "Сформировать приказ о поощрении отмеченных" in page
    response = client.post(
        "/incentives/order/",
        {"incentives": [thanks.pk, bonus.pk, diploma.pk], "date": ORDER_DAY.strftime("%d.%m.%Y")},
    )
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        act = LocalAct.objects.get(kind="order_incentives")
        text = _text(act)
        assert set(Incentive.objects.values_list("order_id", flat=True)) == {act.pk}
    assert act.date == ORDER_DAY
    assert "1. Объявить благодарность Черных Илье Саввичу, учитель." in text
    assert (
        "2. Выплатить доплату за наставническую деятельность Гюго Виктору, учитель в размере 5 000,00 руб."
        in text
    )
    assert "3. Наградить грамотой Шмидт Ирину Карловну, учитель (Почётная грамота)." in text
    assert "4. Контроль исполнения приказа возложить на куратора Белову О. С." in text
    again = client.post(
        "/incentives/order/", {"incentives": [thanks.pk], "date": ORDER_DAY.isoformat()}, follow=True
    )
    assert "уже внесена в приказ" in again.content.decode()


def test_orders_of_one_school_are_not_generated_from_another_schools_data(host_client, world):
    with schema_context(world.school_a.schema_name):
        w = _setup(world)
        thanks = Incentive.objects.create(person=w["mentor"], kind="gratitude", given_on=ORDER_DAY)
    other = host_client(world.school_b, world.curator_b)
    other.post("/pairs/order/", {"pairs": [w["pair"].pk], "date": TODAY.isoformat()})
    other.post("/incentives/order/", {"incentives": [thanks.pk], "date": TODAY.isoformat()})
    other.post("/acts/early-end-order/", {"pair": w["pair"].pk, "date": TODAY.isoformat()})
    with schema_context(world.school_b.schema_name):
        assert not LocalAct.objects.exists()
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.exclude(pk=w["policy"].pk).exists()
        assert Incentive.objects.get().order_id is None


def test_a_region_template_for_a_new_order_kind_is_used_and_sandboxed(world):
    from django.core.files.base import ContentFile

    from core.documents.defaults import default_template
    from core.documents.render import docx_template_check
    from tenants.catalogues import DocumentTemplate

    for kind in ("order_policy", "order_introduction", "order_early_end", "order_incentives"):
        docx_template_check(kind=kind, content=default_template(kind))
    doc = Document()
    doc.add_paragraph("РЕГИОНАЛЬНЫЙ ШАБЛОН {% for line in lines %}{{ line.name_declined }};{% endfor %}")
    buffer = io.BytesIO()
    doc.save(buffer)
    template = DocumentTemplate(kind="order_incentives")
    template.file.save("order_incentives.docx", ContentFile(buffer.getvalue()), save=True)
    with schema_context(world.school_a.schema_name):
        mentor = _mentor("Белова", "Ольга", "Сергеевна")
        incentive = Incentive.objects.create(person=mentor, kind="gratitude", given_on=ORDER_DAY)
        act = incentives_order_generate(
            school=world.school_a, incentives=[incentive], on=ORDER_DAY, actor=None
        )
        assert "РЕГИОНАЛЬНЫЙ ШАБЛОН Беловой Ольге Сергеевне;" in _text(act)
    bad = Document()
    bad.add_paragraph("{{ lines.__class__ }}")
    buffer = io.BytesIO()
    bad.save(buffer)
    with pytest.raises(Exception, match="служебному атрибуту"):
        docx_template_check(kind="order_incentives", content=buffer.getvalue())


def test_introduction_and_policy_orders_are_numbered_in_the_one_register(world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Белова", "Ольга", "Сергеевна")
        first = introduction_order_generate(school=world.school_a, curator=curator, on=date(2026, 9, 1),
                                            until=date(2028, 8, 31), actor=None)  # fmt: skip
        policy = LocalAct.objects.create(kind=ActKind.POLICY_STUDENTS, title="Положение")
        second = policy_order_generate(
            school=world.school_a, policy=policy, roadmap=None, on=date(2026, 9, 2), actor=None
        )
        assert (first.number, second.number) == ("1-н", "2-н")
        assert "Дорожную карту утвердить отдельным приказом" in _text(second)
