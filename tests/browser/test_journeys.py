"""The journeys of issue 14, each by the people who make it, in the system Chromium (see conftest.py).

Every ``step`` asserts the page fits 1366 px, answered no 4xx/5xx and logged no console error, and takes
a screenshot. What a journey needs before it starts (a school, people, a pair) is made through the same
services the pages call; the journey itself is clicked and typed.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from core.demo import school_demo_fill, school_demo_mentoring
from core.monitoring.models import SurveyResponse
from core.pairs.models import Pair
from regional.checklist.snapshots import snapshot_refresh
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

    # The curator approves both candidates: only approved people are paired (кандидат → одобрен → в паре).
    for bank, last in (("mentee", "Лебедев"), ("mentor", "Сергеева")):
        curator.go(f"/banks/{bank}/", school)
        curator.page.locator("tr", has_text=last).get_by_role("button", name="→ одобрен").click()
        curator.see("одобрен(а)")
    curator.step("mentor-bank")

    curator.go("/acts/", school)
    curator.choose("#order_curator", "Сергеева")
    curator.page.fill("#order_date", today.strftime("%d.%m.%Y"))  # typed as a curator would, ДД.ММ.ГГГГ
    # Each generated order has its own card and «Сформировать DOCX»; this one is the curator's appointment.
    curator.page.locator("form[action$='/acts/curator-order/']").get_by_role(
        "button", name="Сформировать DOCX"
    ).click()
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
    curator.go("/acts/", school)
    # «действует» on one line at 1366 px: the status column is never narrower than its word («действу/ет»).
    lines = curator.page.eval_on_selector_all(
        "main td .status-word", "els => els.map(e => e.getClientRects().length)"
    )
    assert lines and set(lines) == {1}, lines
    curator.step("acts-list")

    curator.go("/checklist/", school)
    curator.step("checklist-complete")
    states = curator.page.locator("main table .badge").all_inner_texts()
    assert len(states) == 8 and set(states) <= {"выполнено", "не применимо"}, states
    curator.see("пар: 1, закреплено приказом: 1 — Приказ о закреплении")  # evidence in words, not «1; ['…']»


def test_the_inspector_runs_a_round_and_the_curator_fixes_the_remark(world, visit):
    school = _fresh_school(world, "e2e-round", 72)
    membership_grant(user=world.curator_a, role=Role.CURATOR, school=school)
    inspector = visit("inspector")
    inspector.login(world.inspector_m1.email)
    inspector.go("/rounds/")
    inspector.step("rounds")
    inspector.page.fill("input[name=title]", "Мониторинг I полугодия")
    inspector.page.fill("input[name=due_date]", (timezone.localdate() + timedelta(days=30)).isoformat())
    inspector.click("Начать")
    inspector.page.wait_for_url(re.compile(r"/rounds/\d+/$"))
    inspector.step("round")
    inspector.page.get_by_role("link", name=school.short_name, exact=True).click()
    row = inspector.page.locator("tr", has_text="Раздел «Наставничество»")
    row.locator("select[name=verdict]").select_option(label="замечание")
    row.locator("input[name=comment]").fill("Нет раздела на сайте школы")
    row.get_by_role("button", name="OK").click()
    inspector.see("Нет раздела на сайте школы")
    inspector.step("remark")

    curator = visit("curator")
    curator.login(world.curator_a.email, school)
    curator.go("/checklist/", school)
    curator.see("Нет раздела на сайте школы")
    curator.step("checklist-with-remark")
    curator.page.locator("tr", has_text="Раздел «Наставничество»").get_by_role("link", name="Перейти").click()
    curator.page.fill("#id_site_section_url", "https://e2e-round.edu.ru/nastavnichestvo")
    curator.click("Сохранить")
    curator.step("fixed")

    # The change reaches the region through the snapshot (refreshed on commit); the inspector re-checks.
    inspector.page.reload()
    row = inspector.page.locator("tr", has_text="Раздел «Наставничество»")
    expect(row.locator(".badge")).to_have_text("выполнено")
    row.locator("select[name=verdict]").select_option(label="подтверждено")
    row.locator("input[name=comment]").fill("")
    row.get_by_role("button", name="OK").click()
    expect(inspector.page.locator("tr", has_text="Раздел «Наставничество»")).to_contain_text("подтверждено")
    inspector.step("re-checked")


def test_the_regional_admin_exports_the_federal_report(world, visit):
    """Eager jobs: the batches run in the live server on commit, so the run is done when the page comes.

    The same jobs through a broker and a prefork worker are covered by test_export_worker_lost; here the
    pages, the figures shown and the download are what is tested.
    """
    school = _fresh_school(world, "e2e-report", 74)  # a school with data, so the report has figures
    with schema_context(school.schema_name):
        school_demo_fill(school=school, seed=74)
        school_demo_mentoring(seed=74)
        snapshot_refresh(school=school)
    admin = visit("admin")
    admin.login(world.regional_admin.email)
    admin.go("/compliance/")
    admin.see("Школа e2e-report")
    admin.step("readme-region-compliance")
    admin.go("/reports/")
    admin.step("reports")
    admin.page.locator("form:has(input[name=on])").get_by_role("button", name="Сформировать").click()
    admin.page.wait_for_url(re.compile(r"/reports/\d+/$"))
    admin.see(re.compile(r"(\d+) из \1"))  # every school counted
    expect(admin.page.locator("tr", has_text="Школа e2e-report")).to_contain_text(re.compile(r"\d+,\d|\d+ %"))
    admin.step("report")
    with admin.page.expect_download() as download:
        admin.page.get_by_role("link", name="Скачать XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # a zip: an XLSX, not an error page
    admin.step("downloaded")


def test_the_mentor_fills_a_task_and_the_mentee_a_survey(world, visit):
    school = _fresh_school(world, "e2e-pairs", 73)
    membership_grant(user=world.mentor_a, role=Role.MENTOR, school=school)
    membership_grant(user=world.mentee_a, role=Role.MENTEE, school=school)
    membership_grant(user=world.curator_a, role=Role.CURATOR, school=school)
    with schema_context(school.schema_name):
        school_demo_fill(school=school, seed=73)
        school_demo_mentoring(seed=73, mentor_user_id=world.mentor_a.pk, mentee_user_id=world.mentee_a.pk)
        pair = Pair.objects.get(members__person__user_id=world.mentee_a.pk)
        SurveyResponse.objects.filter(pair=pair, person__user_id=world.mentee_a.pk).delete()

    curator = visit("curator")
    curator.login(world.curator_a.email, school)
    curator.step("readme-school-home")

    mentor = visit("mentor")
    mentor.login(world.mentor_a.email, school)
    mentor.go("/my/", school)
    mentor.step("my-pairs")
    mentor.page.locator("main").get_by_role("link", name=re.compile("^Программа")).first.click()
    mentor.step("readme-programme")
    # The row opens in place (htmx), one «Сохранить», and closes showing what was saved.
    mentor.page.get_by_role("link", name="Результат задания 1.1").click()
    row = mentor.page.locator("tr.table-active")
    row.locator("select[name=result]").select_option("full")
    row.locator("input[name=result_text]").fill("Проведён открытый урок, разобран с наставником")
    row.locator("input[name=mentor_assessment]").fill("Цель задания достигнута")
    mentor.step("task-open")
    row.get_by_role("button", name="Сохранить").click()
    expect(mentor.page.locator("tr.table-active")).to_have_count(0)
    mentor.see("Проведён открытый урок, разобран с наставником")
    mentor.step("task-filled")

    mentee = visit("mentee")
    mentee.login(world.mentee_a.email, school)
    mentee.go(f"/pairs/{pair.pk}/surveys/", school)
    mentee.step("surveys")
    mentee.page.get_by_role("link", name="Заполнить").first.click()
    for question in mentee.page.locator("input[type=radio]").evaluate_all(
        "els => [...new Set(els.map(e => e.name))]"
    ):
        mentee.page.locator(f"input[name='{question}']").last.check()
    mentee.step("survey-form")
    mentee.click("Отправить")
    mentee.page.wait_for_url(re.compile(r"/surveys/$"))
    mentee.see("заполнена")
    mentee.step("survey-sent")
    with schema_context(school.schema_name):
        assert SurveyResponse.objects.filter(pair=pair, person__user_id=world.mentee_a.pk).exists()
