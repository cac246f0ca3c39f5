"""Rows edited in place with htmx (issue 14): the roadmap, the programme's tasks and the banks.

Each partial endpoint is called as htmx calls it (the HX-Request header): a success answers the row alone, a
validation error answers the row with its Russian messages and a 400 and saves nothing, a role without the
right is refused, and school A's curator can reach no row of school B through these URLs. The same URLs
without the header still work as plain pages (no JavaScript).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.roadmap.forms import RoadmapItemForm
from core.roadmap.models import RoadmapItem

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
