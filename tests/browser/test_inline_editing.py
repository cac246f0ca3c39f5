"""The interface of issue 14 in the browser: rows edited in place, the people picker, long words.

The roadmap is added to and edited a row at a time and the page is never reloaded (a marker set on
``window`` survives every step): htmx swaps the new row in, opens a row for editing, shows the Russian error
in the row and puts the saved row back, with the «просрочено» count at the top brought up to date. People
are chosen by typing in the picker, which fills the native select the form sends (a pair's members, an
order's curator). An export's page and a school's card swap in the finished state by themselves. A
200-character word wraps instead of widening the region's pages.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from core.people.models import BankEntry, Category, Person
from regional.models import ReportRun
from tenants.models import Role, School
from tenants.services import membership_grant
from tests.conftest import make_school

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_curator_edits_the_roadmap_in_place(world, visit):
    school = make_school(name="Школа e2e-inline", municipality=world.m1, slug="e2e-inline", number=91)
    membership_grant(user=world.curator_a, role=Role.CURATOR, school=school)
    curator = visit("curator")
    curator.login(world.curator_a.email, school)
    page = curator.go("/roadmap/", school)
    curator.step("roadmap-empty")
    page.evaluate("() => { window.__notReloaded = true; }")

    page.fill("#id_title", "Провести установочный семинар для наставников")
    page.fill("#id_responsible", "Куратор")
    curator.click("Добавить")
    row = page.locator("#roadmap-rows tr", has_text="Провести установочный семинар")
    row.wait_for()
    assert page.locator("#roadmap-empty").count() == 0
    assert page.input_value("#id_title") == ""  # the add form came back empty
    curator.step("roadmap-added")

    row.get_by_role("link", name="Изменить").click()
    editing = page.locator("#roadmap-rows tr.table-active")
    editing.locator("input[name=due_date]").fill("2062-05-01")
    editing.get_by_role("button", name="Сохранить").click()
    page.locator("#roadmap-rows .invalid-feedback", has_text="вне дорожной карты").wait_for()
    # the refusal is the expected 400 of the row, not a broken page
    assert [p for p in curator.problems if " 400 " not in f" {p} "] == []
    curator.problems.clear()
    curator.step("roadmap-row-refused")

    yesterday = timezone.localdate() - timedelta(days=1)
    editing = page.locator("#roadmap-rows tr.table-active")
    editing.locator("input[name=due_date]").fill(yesterday.isoformat())
    editing.get_by_role("button", name="Сохранить").click()
    page.locator("#roadmap-rows .badge", has_text="просрочено").wait_for()
    curator.see("Просрочено мероприятий: 1.")
    curator.see(yesterday.strftime("%d.%m.%Y"))
    assert page.locator("#roadmap-rows tr.table-active").count() == 0
    assert page.locator("#roadmap-rows").get_by_role("button", name="Сохранить").count() == 0
    assert page.evaluate("() => window.__notReloaded === true")
    curator.step("roadmap-row-saved")

    # Esc closes an open row without saving
    page.locator("#roadmap-rows tr", has_text="Провести").get_by_role("link", name="Изменить").click()
    page.locator("#roadmap-rows tr.table-active textarea[name=title]").fill("Другое")
    page.locator("#roadmap-rows tr.table-active textarea[name=title]").press("Escape")
    page.locator("#roadmap-rows tr.table-active").wait_for(state="detached")
    curator.see("Провести установочный семинар")
    assert page.evaluate("() => window.__notReloaded === true")
    curator.step("roadmap-row-cancelled")


def test_a_200_character_word_wraps_on_the_region_round_and_report_pages(world, visit):
    """Issue 14: a single 200-character word (the form allows it) stretched these pages to ~4,000 px.

    Every ``step`` fails if the page scrolls sideways at 1366 px."""
    word = "Наставничество" * 14 + "ааааа"  # 201 letters, no space to break at
    word = word[:200]
    school = make_school(name=word, municipality=world.m1, slug="e2e-longword", number=92)
    inspector = visit("inspector")
    inspector.login(world.inspector_m1.email)
    inspector.go("/")
    inspector.see(word)
    inspector.step("schools-long-word")
    inspector.go("/rounds/")
    inspector.page.fill("input[name=title]", word)
    inspector.page.fill("input[name=due_date]", (timezone.localdate() + timedelta(days=30)).isoformat())
    inspector.click("Начать")
    inspector.page.wait_for_url(re.compile(r"/rounds/\d+/$"))
    inspector.see(word)
    inspector.step("round-long-word")
    inspector.page.get_by_role("link", name=school.short_name, exact=True).click()
    inspector.step("round-school-long-word")
    inspector.go("/compliance/")
    inspector.step("compliance-long-word")

    admin = visit("admin")
    admin.login(world.regional_admin.email)
    admin.go("/reports/")
    admin.page.locator("form:has(input[name=on])").get_by_role("button", name="Сформировать").click()
    admin.page.wait_for_url(re.compile(r"/reports/\d+/$"))
    admin.see(word)
    admin.step("report-long-word")


def test_people_are_chosen_by_typing_in_the_picker(world, visit):
    school = make_school(name="Школа e2e-picker", municipality=world.m1, slug="e2e-picker", number=93)
    with schema_context(school.schema_name):
        for last, bank in (("Сергеева", "mentor"), ("Семёнова", "mentor"), ("Лебедев", "mentee")):
            person = Person.objects.create(last_name=last, first_name="Анна", category=Category.TEACHER,
                                           position="учитель", birth_date=date(1980, 1, 1))  # fmt: skip
            BankEntry.objects.create(person=person, bank=bank, status="approved")
    membership_grant(user=world.curator_a, role=Role.CURATOR, school=school)
    curator = visit("curator")
    curator.login(world.curator_a.email, school)
    page = curator.go("/pairs/new/", school)
    control = page.locator("#id_mentors-ts-control")
    control.click()
    control.fill("серг")
    page.locator(".ts-dropdown .option", has_text="Сергеева").click()
    page.keyboard.press("Escape")
    chosen = page.eval_on_selector("#id_mentors", "s => Array.from(s.selectedOptions).map(o => o.text)")
    assert chosen == ["Сергеева Анна"], chosen
    page.locator("#id_mentors + .ts-wrapper .item", has_text="Сергеева").wait_for()
    curator.step("picker-chosen")
    page.locator("#id_mentors + .ts-wrapper .item .remove").click()
    chosen = page.eval_on_selector("#id_mentors", "s => Array.from(s.selectedOptions).map(o => o.text)")
    assert chosen == [], chosen

    # «Акты и приказы»: the curator of an order is one teacher, found by typing in the same picker.
    page = curator.go("/acts/", school)
    control = page.locator("#order_curator-ts-control")
    control.click()
    control.fill("семё")
    page.locator(".ts-dropdown .option", has_text="Семёнова").click()
    chosen = page.eval_on_selector("#order_curator", "s => Array.from(s.selectedOptions).map(o => o.text)")
    assert chosen == ["Семёнова Анна"], chosen
    curator.step("picker-order-curator")

    # A date that does not exist: the page comes back (400) with the error under the date, the date as typed
    # and Семёнова still chosen in the picker, not an empty form to fill again.
    page.fill("#order_date", "31.02.2026")
    page.locator("form[action$='/acts/curator-order/']").get_by_role(
        "button", name="Сформировать DOCX"
    ).click()
    page.locator("#order_date ~ .invalid-feedback", has_text="Даты «31.02.2026» нет в календаре").wait_for()
    assert page.input_value("#order_date") == "31.02.2026"
    page.locator("#order_curator + .ts-wrapper .item", has_text="Семёнова").wait_for()
    chosen = page.eval_on_selector("#order_curator", "s => Array.from(s.selectedOptions).map(o => o.text)")
    assert chosen == ["Семёнова Анна"], chosen
    assert [p for p in curator.problems if " 400 " not in f" {p} "] == []  # the refusal's own 400 alone
    curator.problems.clear()
    curator.step("picker-order-refused-date")


def test_an_export_page_and_a_school_card_follow_their_job_without_reloading(world, visit):
    """The htmx blocks of /reports/<id>/ and /schools/<id>/ ask again every 2 s and swap in the finished state."""
    run = ReportRun.objects.create(on=timezone.localdate(), status=ReportRun.Status.RUNNING, total=4, finished=1,
                                   created_by=world.regional_admin)  # fmt: skip
    school = make_school(name="Школа e2e-live", municipality=world.m1, slug="e2e-live", number=94)
    School.objects.filter(pk=school.pk).update(status=School.Status.PENDING)
    admin = visit("admin")
    admin.login(world.regional_admin.email)
    page = admin.go(f"/reports/{run.pk}/")
    admin.see("1 из 4")
    page.evaluate("() => { window.__notReloaded = true; }")
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE, finished=4)
    expect(page.get_by_role("link", name="Скачать XLSX")).to_be_visible(timeout=10_000)
    admin.see("4 из 4")
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.locator("[hx-trigger]").count() == 0  # no trigger left: the polling stopped
    admin.step("report-live-done")

    page = admin.go(f"/schools/{school.pk}/")
    admin.see("создаём базу школы")
    page.evaluate("() => { window.__notReloaded = true; }")
    School.objects.filter(pk=school.pk).update(status=School.Status.ACTIVE)
    expect(page.get_by_role("button", name="Пригласить")).to_be_visible(timeout=10_000)
    admin.see("работает")
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.locator("[hx-trigger]").count() == 0
    admin.step("school-card-live-done")
