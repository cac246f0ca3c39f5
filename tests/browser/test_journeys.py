"""The journeys of issue 14, each by the people who make it, in the system Chromium (see conftest.py).

Every ``step`` asserts the page fits 1366 px, answered no 4xx/5xx and logged no console error, and takes
a screenshot. What a journey needs before it starts (a school, people, a pair) is made through the same
services the pages call; the journey itself is clicked and typed.
"""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenants.models import Invitation, Role, School
from tenants.services import membership_grant
from tenants.validators import inn_complete, ogrn_complete
from tests.conftest import make_school

pytestmark = pytest.mark.django_db(transaction=True)


def _invitation_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    match = re.search(r"https?://\S+/invite/\S+/", str(message.body))
    assert match, message.body
    return match.group(0)


def test_the_regional_admin_onboards_a_school_and_its_curator_starts_work(world, visit):
    admin = visit("admin")
    admin.login(world.regional_admin.email)
    admin.step("schools")
    admin.page.get_by_role("link", name="Подключить школу").first.click()
    admin.step("onboarding-form")
    admin.page.fill("#id_name", "Муниципальное общеобразовательное учреждение «Средняя школа № 7»")
    admin.page.fill("#id_short_name", "СШ № 7")
    admin.page.fill("#id_inn", inn_complete("690000071"))
    admin.page.fill("#id_ogrn", ogrn_complete("102690000071"))
    admin.page.fill("#id_kpp", "690101001")
    admin.page.select_option("#id_municipality", label=world.m1.name)
    admin.page.fill("#id_slug", "e2e-school7")
    admin.page.fill("#id_curator_email", "curator7@e2e.test")
    admin.click("Подключить")
    # The schema is made by the provisioning job (eager in tests); the card polls until it is done.
    admin.page.wait_for_url(re.compile(r"/schools/\d+/$"))
    admin.see("работает")
    admin.see("curator7@e2e.test")
    admin.step("school-card")
    school = School.objects.get(slug="e2e-school7")
    assert school.status == School.Status.ACTIVE
    assert Invitation.objects.filter(school=school, email="curator7@e2e.test", role=Role.CURATOR).exists()

    curator = visit("curator")
    link = _invitation_link("curator7@e2e.test")
    assert link.startswith(f"http://e2e-school7.localhost:{curator.port}/"), link
    curator.page.goto(link)
    curator.step("invitation")
    curator.page.fill("#id_last_name", "Петрова")
    curator.page.fill("#id_first_name", "Наталья")
    curator.page.fill("#id_middle_name", "Игоревна")
    curator.page.fill("#id_password1", "Kurator-Seven-2026")
    curator.page.fill("#id_password2", "Kurator-Seven-2026")
    curator.click("Принять и войти")
    curator.page.wait_for_url(lambda url: "/invite/" not in url)
    curator.step("school-home")
    curator.see("Средняя школа № 7")

    admin.page.reload()
    admin.see("Петрова Наталья")
    admin.step("school-card-with-curator")


def _fresh_school(world, slug: str, number: int) -> School:
    """A new school with nothing entered yet (its own schema: committed tests leave school data behind)."""
    return make_school(name=f"Школа {slug}", municipality=world.m1, slug=slug, number=number)


def _add_person(who, *, last: str, first: str, middle: str, born: date, career: date, position: str) -> None:
    who.go("/people/new/", who.school)
    who.page.fill("#id_last_name", last)
    who.page.fill("#id_first_name", first)
    who.page.fill("#id_middle_name", middle)
    who.page.select_option("#id_category", "teacher")
    who.page.fill("#id_birth_date", born.isoformat())
    who.page.fill("#id_position", position)
    who.page.fill("#id_career_start", career.isoformat())
    who.page.fill("#id_hired_on", career.isoformat())
    who.click("Сохранить")
    who.page.wait_for_url(re.compile(r"/people/\d+/$"))
    for kind in ("participation", "personal_data"):
        who.page.get_by_text("Добавить согласие").click()
        who.page.select_option("select[name=kind]", kind)
        who.page.locator("input[name=valid_from]").fill(
            (timezone.localdate() - timedelta(days=30)).isoformat()
        )
        who.click("Добавить")
        who.page.wait_for_load_state()


def _act(who, *, kind: str, number: str, title: str) -> None:
    who.go("/acts/", who.school)
    who.page.select_option("#id_kind", kind)
    who.page.fill("#id_number", number)
    who.page.fill("#id_date", (timezone.localdate() - timedelta(days=20)).isoformat())
    who.page.fill("#id_title", title)
    who.page.locator("form:has(#id_kind)").get_by_role("button", name="Добавить").click()
    who.page.wait_for_url(re.compile(r"/acts/\d+/$"))
    who.click("Утвердить (действует)")
    who.see("действует")


def test_the_curator_takes_an_empty_school_to_a_complete_checklist(world, visit):
    school = _fresh_school(world, "e2e-empty", 71)
    membership_grant(user=world.curator_a, role=Role.CURATOR, school=school)
    curator = visit("curator")
    curator.school = school
    curator.login(world.curator_a.email, school)
    curator.go("/checklist/", school)
    assert "выполнено" not in curator.page.locator("main table .badge").all_inner_texts()
    curator.step("checklist-empty")

    curator.go("/settings/", school)
    curator.page.fill("#id_site_section_url", "https://e2e-empty.edu.ru/nastavnichestvo")
    curator.click("Сохранить")
    curator.step("settings")
    _act(curator, kind="policy_teachers", number="12", title="Положение о системе наставничества педагогов")
    _act(curator, kind="roadmap", number="13", title="Дорожная карта внедрения целевой модели наставничества")
    curator.step("act-in-force")

    today = timezone.localdate()
    _add_person(curator, last="Сергеева", first="Мария", middle="Олеговна", born=date(1975, 3, 14),
                career=date(1998, 9, 1), position="учитель математики")  # fmt: skip
    curator.step("mentor-card")
    curator.page.get_by_text("Включить в базу / изменить").click()
    curator.page.select_option("#id_bank", "mentor")
    curator.page.fill("#id_capacity", "2")
    curator.page.locator("form[action$='/bank/']").get_by_role("button", name="Сохранить").click()
    curator.see("Сохранено: база наставников")
    _add_person(curator, last="Лебедев", first="Кирилл", middle="Андреевич", born=date(2000, 5, 2),
                career=today - timedelta(days=300), position="учитель физики")  # fmt: skip
    curator.page.get_by_text("Включить в базу / изменить").click()
    curator.page.select_option("#id_bank", "mentee")
    curator.page.locator("form[action$='/bank/']").get_by_role("button", name="Сохранить").click()
    curator.step("mentee-card")

    curator.go("/banks/mentor/", school)
    row = curator.page.locator("tr", has_text="Сергеева")
    row.locator("select[name=status]").select_option("approved")
    row.get_by_role("button", name="OK").click()
    curator.see("одобрен")
    curator.step("mentor-bank")

    curator.go("/acts/", school)
    curator.choose("#order_curator", "Сергеева")
    curator.page.fill("#order_date", today.isoformat())
    curator.click("Сформировать DOCX")
    curator.page.wait_for_url(re.compile(r"/acts/\d+/$"))
    curator.click("Утвердить (действует)")
    curator.step("curator-order")

    curator.go("/pairs/new/", school)
    curator.page.select_option("select[name=form_code]", "teacher_teacher")
    curator.choose("select[name=role_model_id]", "учитель – учитель (педагог – педагог):")
    curator.choose("#id_mentors", "Сергеева")
    curator.choose("#id_mentees", "Лебедев")
    curator.page.fill("input[name=started_on]", (today - timedelta(days=7)).isoformat())
    curator.click("Сформировать")
    curator.page.wait_for_url(re.compile(r"/pairs/\d+/$"))
    curator.step("pair")
    curator.page.fill("input[name=ends_on]", (today + timedelta(days=270)).isoformat())
    curator.click("Создать по шаблону формы")
    curator.page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    curator.page.get_by_role("button", name=re.compile("→ на согласовании", re.I)).click()
    curator.page.get_by_role("button", name=re.compile("→ утвержд", re.I)).click()
    curator.see("утверждена")
    curator.step("programme-approved")

    curator.go("/pairs/", school)
    curator.page.locator("input[name=pairs]").first.check()
    curator.click("Сформировать приказ о закреплении отмеченных пар")
    curator.page.wait_for_url(re.compile(r"/acts/\d+/$"))
    curator.click("Утвердить (действует)")
    curator.step("pairs-order")

    curator.go("/checklist/", school)
    curator.step("checklist-complete")
    states = curator.page.locator("main table .badge").all_inner_texts()
    assert len(states) == 8 and set(states) <= {"выполнено", "не применимо"}, states
