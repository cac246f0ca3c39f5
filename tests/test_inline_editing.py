"""Rows edited in place with htmx (issue 14): the roadmap, the programme's tasks and the banks.

Each partial endpoint is called as htmx calls it (the HX-Request header): a success answers the row alone, a
validation error answers the row with its Russian messages and a 400 and saves nothing, a role without the
right is refused, and school A's curator can reach no row of school B through these URLs. The same URLs
without the header still work as plain pages (no JavaScript).
"""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.people.models import BankEntry, Category, Person
from core.programmes.models import Programme, ProgrammeTask
from core.roadmap.forms import RoadmapItemForm
from core.roadmap.models import RoadmapItem
from core.templatetags.nastavnik import chosen_in
from tenants.catalogues import BankRequest
from tests.objects import school_objects
from tests.test_pairs import _pair_with_programme

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HX = {"HX-Request": "true"}


def _item(school, **over) -> RoadmapItem:
    with schema_context(school.schema_name):
        return RoadmapItem.objects.create(**{"title": "Разработать положение", "position": 1, **over})


def _row_data(**over) -> dict:
    return {"stage": "Подготовка", "title": "Утвердить положение о наставничестве",
            "due_date": (TODAY + timedelta(days=10)).isoformat(), "responsible": "Директор",
            "result": "Приказ", "status": "planned", **over}  # fmt: skip


# --- roadmap ----------------------------------------------------------------------------------------


def test_it_opens_one_roadmap_row_for_editing_and_answers_only_that_row(host_client, world):
    item = _item(world.school_a)
    response = host_client(world.school_a, world.curator_a).get(f"/roadmap/{item.pk}/edit/", headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith(("{#", "<tr"))
    assert f'id="rf-{item.pk}"' in body and body.count("Сохранить") == 1 and "Отмена" in body
    assert 'value="Разработать положение"' not in body  # the title is a textarea
    assert "Разработать положение</textarea>" in body


def test_it_saves_a_roadmap_row_in_place(host_client, world):
    item = _item(world.school_a)
    client = host_client(world.school_a, world.curator_a)
    past = (TODAY - timedelta(days=3)).isoformat()
    response = client.post(f"/roadmap/{item.pk}/", _row_data(due_date=past), headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and f'id="roadmap-{item.pk}"' in body
    assert "Утвердить положение о наставничестве" in body and "просрочено</span>" in body
    # the overdue count at the top of the page comes along, out of band
    assert 'id="roadmap-overdue" hx-swap-oob="true"' in body and "Просрочено мероприятий: 1." in body
    with schema_context(world.school_a.schema_name):
        item.refresh_from_db()
    assert item.title == "Утвердить положение о наставничестве" and str(item.due_date) == past


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"due_date": "2062-05-01"}, "Срок 01.05.2062 вне дорожной карты"),
        ({"due_date": "2010-05-01"}, "Срок 01.05.2010 вне дорожной карты"),
        ({"due_date": "31.02.2026"}, "Введите правильную дату."),
        ({"title": "   "}, "Обязательное поле."),
        ({"title": "Я" * 501}, "не более 500 символов"),
        ({"status": "finished"}, "Выберите корректный вариант."),
    ],
)
def test_it_shows_validation_errors_in_the_roadmap_row_and_saves_nothing(host_client, world, change, message):
    item = _item(world.school_a)
    response = host_client(world.school_a, world.curator_a).post(
        f"/roadmap/{item.pk}/", _row_data(**change), headers=HX
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in body and f'id="rf-{item.pk}"' in body and "invalid-feedback" in body
    assert message in body
    with schema_context(world.school_a.schema_name):
        item.refresh_from_db()
    assert item.title == "Разработать положение" and item.due_date is None


def test_cancel_gives_back_the_row_as_shown(host_client, world):
    item = _item(world.school_a, due_date=TODAY + timedelta(days=5))
    body = (
        host_client(world.school_a, world.curator_a)
        .get(f"/roadmap/{item.pk}/row/", headers=HX)
        .content.decode()
    )
    assert f'id="roadmap-{item.pk}"' in body and "Изменить" in body and "<input" not in body
    assert (TODAY + timedelta(days=5)).strftime("%d.%m.%Y") in body


def test_the_roadmap_works_without_javascript(host_client, world):
    item = _item(world.school_a)
    client = host_client(world.school_a, world.curator_a)
    page = client.get(f"/roadmap/{item.pk}/edit/")
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert f'id="rf-{item.pk}"' in page.content.decode()  # the whole page with that row open
    assert client.get(f"/roadmap/{item.pk}/row/").status_code == 302
    bad = client.post(f"/roadmap/{item.pk}/", _row_data(due_date="2062-05-01"))
    assert bad.status_code == 400 and "<html" in bad.content.decode()
    assert "вне дорожной карты" in bad.content.decode()
    assert client.post(f"/roadmap/{item.pk}/", _row_data()).status_code == 302
    with schema_context(world.school_a.schema_name):
        item.refresh_from_db()
    assert item.responsible == "Директор"


def test_it_adds_a_roadmap_item_in_place_or_shows_the_form_with_errors(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    added = client.post("/roadmap/", _row_data(title="Провести семинар"), headers=HX)
    body = added.content.decode()
    assert added.status_code == 200 and "Провести семинар" in body
    assert 'id="roadmap-empty" hx-swap-oob="delete"' in body and 'id="roadmap-add" hx-swap-oob="true"' in body
    refused = client.post("/roadmap/", _row_data(title="", due_date="2062-01-01"), headers=HX)
    assert refused.status_code == 400
    assert refused["HX-Retarget"] == "#roadmap-add" and refused["HX-Reswap"] == "outerHTML"
    assert "вне дорожной карты" in refused.content.decode() and "<html" not in refused.content.decode()
    with schema_context(world.school_a.schema_name):
        assert list(RoadmapItem.objects.values_list("title", flat=True)) == ["Провести семинар"]


def test_a_mentor_may_not_edit_roadmap_rows(host_client, world):
    item = _item(world.school_a)
    mentor = host_client(world.school_a, world.mentor_a)
    assert mentor.get(f"/roadmap/{item.pk}/edit/", headers=HX).status_code == 403
    assert mentor.post(f"/roadmap/{item.pk}/", _row_data(), headers=HX).status_code == 403
    with schema_context(world.school_a.schema_name):
        item.refresh_from_db()
    assert item.title == "Разработать положение"


def test_school_as_curator_cannot_edit_school_bs_roadmap_row(host_client, world):
    theirs = _item(world.school_b, title="Мероприятие Б")
    # on school B's host: not a member there
    on_b = host_client(world.school_b, world.curator_a)
    assert on_b.get(f"/roadmap/{theirs.pk}/edit/", headers=HX).status_code == 403
    assert on_b.post(f"/roadmap/{theirs.pk}/", _row_data(), headers=HX).status_code == 403
    # on school A's own host the id names nothing of school B (its own schema)
    on_a = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        assert not RoadmapItem.objects.filter(pk=theirs.pk).exists()
    assert on_a.get(f"/roadmap/{theirs.pk}/edit/", headers=HX).status_code == 404
    assert on_a.post(f"/roadmap/{theirs.pk}/", _row_data(), headers=HX).status_code == 404
    with schema_context(world.school_b.schema_name):
        theirs.refresh_from_db()
    assert theirs.title == "Мероприятие Б" and theirs.responsible == ""


def test_every_page_sends_the_csrf_token_with_htmx_requests_once(host_client, world, settings):
    client = Client(HTTP_HOST=world.host(world.school_a), enforce_csrf_checks=True)
    client.force_login(world.curator_a)
    page = client.get("/roadmap/").content.decode()
    assert page.count('hx-headers=\'{"X-CSRFToken": "') == 1
    token = page.split('hx-headers=\'{"X-CSRFToken": "')[1].split('"')[0]
    item = _item(world.school_a)
    assert client.post(f"/roadmap/{item.pk}/", _row_data(), headers=HX).status_code == 403  # no token
    saved = client.post(f"/roadmap/{item.pk}/", _row_data(), headers={**HX, "X-CSRFToken": token})
    assert saved.status_code == 200
    assert "vendor/htmx/htmx.min.js" in page and "cdn" not in page.lower()


def test_the_due_date_bounds_move_with_today():
    ok = RoadmapItemForm(data=_row_data(due_date=(TODAY + timedelta(days=365 * 4)).isoformat()))
    assert ok.is_valid(), ok.errors


# --- the programme's tasks ----------------------------------------------------------------------------


def _programme(host_client, world):
    _curator, _pair, programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        sections = list(programme.sections.all())
        tasks = list(sections[0].tasks.all())
    return programme, sections, tasks


def _task(world, pk) -> ProgrammeTask:
    with schema_context(world.school_a.schema_name):
        return ProgrammeTask.objects.get(pk=pk)


def test_a_task_row_opens_in_place_for_the_plan_or_for_the_result(host_client, world):
    programme, _sections, tasks = _programme(host_client, world)
    mentor = host_client(world.school_a, world.mentor_a)
    plan = mentor.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/edit/", headers=HX)
    body = plan.content.decode()
    assert plan.status_code == 200 and "<html" not in body
    assert f'id="tf-{tasks[0].pk}"' in body and 'name="text"' in body and body.count("Сохранить") == 1
    assert f"{tasks[0].task}</textarea>" in body and "1.1" in body
    fill = mentor.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/edit/?mode=fill", headers=HX)
    assert fill.status_code == 200 and 'name="result"' in fill.content.decode()
    assert f'action="/tasks/{tasks[0].pk}/"' in fill.content.decode()
    row = mentor.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/row/", headers=HX).content.decode()
    assert "<textarea" not in row and "Изменить" in row and "Результат" in row


def test_a_task_is_saved_from_its_row_and_the_plan_comes_back(host_client, world):
    programme, sections, tasks = _programme(host_client, world)
    mentor = host_client(world.school_a, world.mentor_a)
    due = (programme.starts_on + timedelta(days=30)).isoformat()
    data = {"action": "task_edit", "task_id": tasks[0].pk, "text": "Диагностическая беседа",
            "due_date": due, "planned_result": "Перечень тем", "section": sections[0].pk}  # fmt: skip
    response = mentor.post(f"/programmes/{programme.pk}/plan/", data, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#plan"
    assert body.lstrip().startswith(("{#", '<div id="plan">')) and "<html" not in body
    assert "Задание сохранено." in body and "Диагностическая беседа" in body
    saved = _task(world, tasks[0].pk)
    assert saved.task == "Диагностическая беседа" and str(saved.due_date) == due


def test_a_refused_task_stays_open_with_the_reason_and_what_was_typed(host_client, world):
    programme, sections, tasks = _programme(host_client, world)
    mentor = host_client(world.school_a, world.mentor_a)
    late = (programme.ends_on + timedelta(days=3)).isoformat()
    data = {"action": "task_edit", "task_id": tasks[0].pk, "text": "Новая формулировка", "due_date": late,
            "planned_result": "", "section": sections[0].pk}  # fmt: skip
    response = mentor.post(f"/programmes/{programme.pk}/plan/", data, headers=HX)
    body = response.content.decode()
    assert response.status_code == 400 and "<html" not in body
    assert f'id="tf-{tasks[0].pk}"' in body and "в сроках программы" in body and "invalid-feedback" in body
    assert "Новая формулировка</textarea>" in body and f'value="{late}"' in body
    empty = mentor.post(
        f"/programmes/{programme.pk}/plan/", {**data, "text": " ", "due_date": ""}, headers=HX
    )
    assert empty.status_code == 400 and "Задание: заполните поле." in empty.content.decode()
    assert _task(world, tasks[0].pk).task == tasks[0].task


def test_tasks_are_added_reordered_and_removed_in_place(host_client, world):
    programme, sections, tasks = _programme(host_client, world)
    mentor = host_client(world.school_a, world.mentor_a)
    url = f"/programmes/{programme.pk}/plan/"
    added = mentor.post(
        url, {"action": "task_add", "section": sections[0].pk, "text": "Посетить урок"}, headers=HX
    )
    assert added.status_code == 200 and "Посетить урок" in added.content.decode()
    refused = mentor.post(url, {"action": "task_add", "section": sections[0].pk, "text": "",
                                "planned_result": "Отчёт"}, headers=HX)  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 400 and refused["HX-Retarget"] == "#plan"
    assert "Задание: заполните поле." in body and 'value="Отчёт"' in body  # the add form keeps the typing
    down = mentor.post(url, {"action": "task_down", "task_id": tasks[0].pk}, headers=HX)
    assert down.status_code == 200
    with schema_context(world.school_a.schema_name):
        order = list(sections[0].tasks.values_list("pk", flat=True))
    assert order[:2] == [tasks[1].pk, tasks[0].pk] and len(order) == len(tasks) + 1
    removed = mentor.post(url, {"action": "task_delete", "task_id": tasks[1].pk}, headers=HX)
    assert removed.status_code == 200 and "Задание удалено." in removed.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not ProgrammeTask.objects.filter(pk=tasks[1].pk).exists()


def test_the_result_is_recorded_from_its_row(host_client, world):
    tasks = _programme(host_client, world)[2]
    mentor = host_client(world.school_a, world.mentor_a)
    due = tasks[0].due_date.isoformat() if tasks[0].due_date else ""
    ok = mentor.post(f"/tasks/{tasks[0].pk}/", {"due_date": due, "result": "full", "result_text": "Беседа прошла",
                                                "mentor_assessment": "отлично"}, headers=HX)  # fmt: skip
    body = ok.content.decode()
    assert ok.status_code == 200 and "<html" not in body and f'id="task-{tasks[0].pk}"' in body
    assert "достигнут в полной мере: Беседа прошла" in body
    bad = mentor.post(f"/tasks/{tasks[0].pk}/", {"due_date": due, "result": "perfect"}, headers=HX)
    assert bad.status_code == 400 and "Выберите корректный вариант." in bad.content.decode()
    assert f'id="ff-{tasks[0].pk}"' in bad.content.decode()
    assert _task(world, tasks[0].pk).result == "full"


def test_an_approved_plan_reopened_from_a_row_reloads_the_page(host_client, world):
    programme, sections, tasks = _programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.APPROVED)
    mentor = host_client(world.school_a, world.mentor_a)
    data = {"action": "task_edit", "task_id": tasks[0].pk, "text": "Другая формулировка",
            "due_date": "", "planned_result": "", "section": sections[0].pk}  # fmt: skip
    response = mentor.post(f"/programmes/{programme.pk}/plan/", data, headers=HX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    with schema_context(world.school_a.schema_name):
        assert Programme.objects.get(pk=programme.pk).status == Programme.Status.REVISION


def test_the_mentee_may_open_no_task_row_for_editing(host_client, world):
    programme, sections, tasks = _programme(host_client, world)
    mentee = host_client(world.school_a, world.mentee_a)
    assert mentee.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/edit/", headers=HX).status_code == 403
    assert (
        mentee.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/edit/?mode=fill", headers=HX).status_code
        == 403
    )
    assert mentee.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/row/", headers=HX).status_code == 200
    data = {"action": "task_edit", "task_id": tasks[0].pk, "text": "X", "section": sections[0].pk}
    assert mentee.post(f"/programmes/{programme.pk}/plan/", data, headers=HX).status_code == 403
    assert mentee.post(f"/tasks/{tasks[0].pk}/", {"result": "full"}, headers=HX).status_code == 403
    assert _task(world, tasks[0].pk).task == tasks[0].task and _task(world, tasks[0].pk).result == ""


def test_the_programme_page_works_without_javascript(host_client, world):
    programme, _sections, tasks = _programme(host_client, world)
    mentor = host_client(world.school_a, world.mentor_a)
    page = mentor.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/edit/")
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert f'id="tf-{tasks[0].pk}"' in page.content.decode()
    assert mentor.get(f"/programmes/{programme.pk}/tasks/{tasks[0].pk}/row/").status_code == 302
    full = mentor.get(f"/programmes/{programme.pk}/").content.decode()
    assert full.count("<textarea") == 1  # only the comment box: no row is open until asked


def test_school_as_curator_cannot_reach_school_bs_task_rows(host_client, world):
    theirs = school_objects(world.school_b, curator=world.curator_b)
    with schema_context(world.school_b.schema_name):
        before = ProgrammeTask.objects.get(pk=theirs.task).task
    on_b = host_client(world.school_b, world.curator_a)
    assert (
        on_b.get(f"/programmes/{theirs.programme}/tasks/{theirs.task}/edit/", headers=HX).status_code == 403
    )
    data = {"action": "task_edit", "task_id": theirs.task, "text": "Чужое", "section": theirs.section}
    assert on_b.post(f"/programmes/{theirs.programme}/plan/", data, headers=HX).status_code == 403
    on_a = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        assert not Programme.objects.filter(pk=theirs.programme).exists()
    assert (
        on_a.get(f"/programmes/{theirs.programme}/tasks/{theirs.task}/edit/", headers=HX).status_code == 404
    )
    assert on_a.post(f"/programmes/{theirs.programme}/plan/", data, headers=HX).status_code == 404
    assert on_a.post(f"/tasks/{theirs.task}/", {"result": "full"}, headers=HX).status_code == 404
    with schema_context(world.school_b.schema_name):
        assert ProgrammeTask.objects.get(pk=theirs.task).task == before


# --- banks ---------------------------------------------------------------------------------------------


def _entry(school, *, status="candidate", capacity=2) -> BankEntry:
    with schema_context(school.schema_name):
        person = Person.objects.create(last_name="Сергеева", first_name="Мария", category=Category.TEACHER,
                                       position="учитель", birth_date=date(1975, 3, 14))  # fmt: skip
        return BankEntry.objects.create(person=person, bank="mentor", status=status, capacity=capacity)


def _bank_data(**over) -> dict:
    return {"requests": ["gifted", "methods"], "competencies": "Олимпиадная математика", "subjects": "алгебра",
            "capacity": "3", **over}  # fmt: skip


def test_a_bank_row_is_edited_in_place(host_client, world):
    entry = _entry(world.school_a)
    client = host_client(world.school_a, world.curator_a)
    opened = client.get(f"/bank-entries/{entry.pk}/edit/", headers=HX)
    body = opened.content.decode()
    assert opened.status_code == 200 and "<html" not in body and f'id="bf-{entry.pk}"' in body
    assert "data-picker" in body and body.count("Сохранить") == 1
    saved = client.post(f"/bank-entries/{entry.pk}/edit/", _bank_data(bank="mentee"), headers=HX)
    body = saved.content.decode()
    assert saved.status_code == 200 and "<html" not in body and "до 3" in body
    # Requests are shown by the names of the region's catalogue (tenants.catalogues.BankRequest).
    names = ", ".join(BankRequest.objects.get(code=c).name for c in ("gifted", "methods"))
    assert names in body and "Олимпиадная математика" in body
    with schema_context(world.school_a.schema_name):
        entry.refresh_from_db()
    assert (entry.bank, entry.capacity, entry.requests) == ("mentor", 3, ["gifted", "methods"])


@pytest.mark.parametrize(
    ("change", "message"),
    [({"capacity": "0"}, "От 1 до 30 наставляемых."), ({"capacity": "31"}, "От 1 до 30 наставляемых."),
     ({"requests": ["wishes"]}, "Запроса «wishes» нет в справочнике региона."), ({"capacity": "два"}, "Введите целое число.")],
)  # fmt: skip
def test_a_refused_bank_row_stays_open_with_the_reason(host_client, world, change, message):
    entry = _entry(world.school_a)
    response = host_client(world.school_a, world.curator_a).post(
        f"/bank-entries/{entry.pk}/edit/", _bank_data(**change), headers=HX
    )
    body = response.content.decode()
    assert response.status_code == 400 and "<html" not in body and f'id="bf-{entry.pk}"' in body
    assert message in body
    with schema_context(world.school_a.schema_name):
        entry.refresh_from_db()
    assert entry.capacity == 2 and entry.requests == []


def test_a_bank_status_is_changed_in_its_row_or_refused_there(host_client, world):
    entry = _entry(world.school_a)
    client = host_client(world.school_a, world.curator_a)
    ok = client.post(f"/bank-entries/{entry.pk}/status/", {"status": "approved"}, headers=HX)
    assert ok.status_code == 200 and "<html" not in ok.content.decode() and "одобрен" in ok.content.decode()
    refused = client.post(f"/bank-entries/{entry.pk}/status/", {"status": "in_pair"}, headers=HX)
    assert refused.status_code == 400 and "ставится при формировании пары" in refused.content.decode()
    with schema_context(world.school_a.schema_name):
        entry.refresh_from_db()
    assert entry.status == "approved"
    # without JavaScript: back to the bank page
    assert client.post(f"/bank-entries/{entry.pk}/status/", {"status": "left"}).status_code == 302


def test_the_bank_works_without_javascript(host_client, world):
    entry = _entry(world.school_a)
    client = host_client(world.school_a, world.curator_a)
    page = client.get(f"/bank-entries/{entry.pk}/edit/")
    assert (
        page.status_code == 200
        and "<html" in page.content.decode()
        and f'id="bf-{entry.pk}"' in page.content.decode()
    )
    bad = client.post(f"/bank-entries/{entry.pk}/edit/", _bank_data(capacity="0"))
    assert bad.status_code == 400 and "От 1 до 30 наставляемых." in bad.content.decode()
    assert client.post(f"/bank-entries/{entry.pk}/edit/", _bank_data()).status_code == 302
    assert client.get(f"/bank-entries/{entry.pk}/row/").status_code == 302


def test_a_mentor_may_not_edit_bank_rows(host_client, world):
    entry = _entry(world.school_a)
    mentor = host_client(world.school_a, world.mentor_a)
    assert mentor.get(f"/bank-entries/{entry.pk}/edit/", headers=HX).status_code == 403
    assert mentor.post(f"/bank-entries/{entry.pk}/edit/", _bank_data(), headers=HX).status_code == 403
    assert (
        mentor.post(f"/bank-entries/{entry.pk}/status/", {"status": "approved"}, headers=HX).status_code
        == 403
    )
    with schema_context(world.school_a.schema_name):
        entry.refresh_from_db()
    assert entry.capacity == 2 and entry.status == "candidate"


def test_school_as_curator_cannot_edit_school_bs_bank_rows(host_client, world):
    theirs = _entry(world.school_b)
    on_b = host_client(world.school_b, world.curator_a)
    assert on_b.get(f"/bank-entries/{theirs.pk}/edit/", headers=HX).status_code == 403
    assert on_b.post(f"/bank-entries/{theirs.pk}/edit/", _bank_data(), headers=HX).status_code == 403
    on_a = host_client(world.school_a, world.curator_a)
    with schema_context(world.school_a.schema_name):
        assert not BankEntry.objects.filter(pk=theirs.pk).exists()
    assert on_a.post(f"/bank-entries/{theirs.pk}/edit/", _bank_data(), headers=HX).status_code == 404
    assert (
        on_a.post(f"/bank-entries/{theirs.pk}/status/", {"status": "approved"}, headers=HX).status_code == 404
    )
    with schema_context(world.school_b.schema_name):
        theirs.refresh_from_db()
    assert theirs.capacity == 2 and theirs.status == "candidate"


def test_the_bank_filter_updates_the_list_and_the_address(host_client, world):
    _entry(world.school_a, status="approved")
    page = (
        host_client(world.school_a, world.curator_a).get("/banks/mentor/?status=candidate").content.decode()
    )
    assert 'hx-push-url="true"' in page and 'hx-select="#bank-list"' in page
    assert "Сергеева" not in page.split('id="bank-list"')[1]  # filtered out on the server


# --- the people picker ----------------------------------------------------------------------------------


def test_the_pair_form_offers_searchable_pickers_over_the_native_selects(host_client, world):
    page = host_client(world.school_a, world.curator_a).get("/pairs/new/").content.decode()
    assert page.count("data-picker") == 3  # mentors, mentees, the mentee of «Подбор наставника»
    assert 'name="mentors" id="id_mentors" multiple' in page and "Найти наставника" in page
    assert "vendor/tom-select/tom-select.popular.min.js" in page


def test_a_refused_pair_form_reselects_exactly_the_chosen_people():
    assert chosen_in(1, ["1", "3"]) and chosen_in("3", ["1", "3"])
    assert not chosen_in(1, ["12"]) and not chosen_in(2, None) and not chosen_in(2, "12")
