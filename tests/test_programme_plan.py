"""The programme is a real plan (issue 12): sections and tasks edited, reordered, removed; versions; comments."""

import json
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from core.pairs.models import Pair
from core.programmes.models import Programme, ProgrammeComment, ProgrammeSection, ProgrammeTask
from tests.seeds.ipr import seed_templates
from tests.test_pairs import START, _pair_post, _pair_with_programme, mentee, mentor

pytestmark = pytest.mark.django_db

# Seed 003, «Учитель – учитель (педагог – педагог)»: 3 sections, 1.1–1.3, 2.1–2.7, 3.1–3.9 (19 tasks), read
# from the seed's text (tests/seeds/003_ipr_templates.txt), not retyped.
SEED_TEACHER = [
    (section.title, [(task.task, task.planned_result) for task in section.tasks])
    for section in seed_templates()[1].sections
]


def _api(client, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


def _plan(world, programme):
    with schema_context(world.school_a.schema_name):
        return [
            (s.title, [(t.task, t.planned_result, t.due_date) for t in s.tasks.all()])
            for s in programme.sections.prefetch_related("tasks")
        ]


def _reenter(world, client, programme):
    """Remove the template's sections and enter seed 003's plan task by task."""
    p = f"/programmes/{programme.pk}"
    for section in _api(client, "get", f"{p}/sections/").json():
        assert _api(client, "delete", f"{p}/sections/{section['id']}/").status_code == 204
    for s_no, (title, tasks) in enumerate(SEED_TEACHER):
        response = _api(client, "post", f"{p}/sections/", {"title": title})
        assert response.status_code == 201, response.content
        sid = response.json()["id"]
        for t_no, (task, planned) in enumerate(tasks):
            due = (START + timedelta(days=10 * s_no + t_no + 1)).isoformat()
            body = {"task": task, "planned_result": planned, "due_date": due}
            assert _api(client, "post", f"{p}/sections/{sid}/tasks/", body).status_code == 201


def test_the_seed_programme_is_re_entered_edited_reordered_and_versioned(host_client, world):
    curator, _pair, programme = _pair_with_programme(host_client, world)
    mentor_client = host_client(world.school_a, world.mentor_a)
    _reenter(world, mentor_client, programme)
    plan = _plan(world, programme)
    assert [len(tasks) for _t, tasks in plan] == [3, 7, 9] and len(SEED_TEACHER) == 3
    assert [(t, p) for _s, tasks in plan for t, p, _d in tasks] == [
        pair for _s, tasks in SEED_TEACHER for pair in tasks
    ]
    p = f"/programmes/{programme.pk}"
    sections = _api(mentor_client, "get", f"{p}/sections/").json()
    s1, s2, s3 = (s["id"] for s in sections)
    # edit a task's text, deadline and planned result
    t = sections[0]["tasks"][2]["id"]
    edit = {
        "task": "Подготовить справку",
        "planned_result": "Справка",
        "due_date": (START + timedelta(days=30)).isoformat(),
    }
    assert _api(mentor_client, "patch", f"{p}/sections/{s1}/tasks/{t}/", edit).status_code == 200
    # reorder: the last task of section 3 goes first; section 3 goes first
    last = sections[2]["tasks"][-1]["id"]
    assert (
        _api(mentor_client, "patch", f"{p}/sections/{s3}/tasks/{last}/", {"position": 0}).status_code == 200
    )
    assert _api(mentor_client, "patch", f"{p}/sections/{s3}/", {"position": 0}).status_code == 200
    # move a task from section 2 to section 1, remove another
    moved = sections[1]["tasks"][0]["id"]
    assert (
        _api(mentor_client, "patch", f"{p}/sections/{s2}/tasks/{moved}/", {"section": s1}).status_code == 200
    )
    gone = sections[1]["tasks"][1]["id"]
    assert _api(mentor_client, "delete", f"{p}/sections/{s2}/tasks/{gone}/").status_code == 204
    plan = _plan(world, programme)
    assert [title for title, _t in plan] == [SEED_TEACHER[2][0], SEED_TEACHER[0][0], SEED_TEACHER[1][0]]
    assert plan[0][1][0][0] == SEED_TEACHER[2][1][-1][0]
    assert plan[1][1][2][:2] == ("Подготовить справку", "Справка")
    assert plan[1][1][3][0] == SEED_TEACHER[1][1][0][0] and len(plan[2][1]) == 5
    with schema_context(world.school_a.schema_name):
        positions = list(ProgrammeTask.objects.filter(section_id=s2).values_list("position", flat=True))
        assert positions == list(range(5))
    # approve → version 1 frozen
    assert _api(mentor_client, "post", f"{p}/move/", {"to": "review"}).status_code == 200
    assert _api(curator, "post", f"{p}/move/", {"to": "approved"}).status_code == 200
    assert _api(mentor_client, "post", f"{p}/move/", {"to": "running"}).status_code == 200
    versions = _api(mentor_client, "get", f"{p}/versions/").json()
    assert [v["number"] for v in versions] == [1] and sum(len(s["tasks"]) for s in versions[0]["plan"]) == 18
    # an empty or no-op edit starts nothing
    assert _api(mentor_client, "patch", f"{p}/sections/{s3}/", {}).status_code == 200
    assert (
        _api(mentor_client, "patch", f"{p}/sections/{s3}/tasks/{last}/", {"position": 0}).status_code == 200
    )
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert programme.status == "running"
    # an edit after approval opens a new draft version («на доработке»); version 1 stays as it was
    body = {"task": "Посетить открытые уроки победителей конкурса «Учитель года»"}
    assert _api(mentor_client, "post", f"{p}/sections/{s3}/tasks/", body).status_code == 201
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert (programme.status, programme.resume_status) == ("revision", "running")
    assert _api(mentor_client, "post", f"{p}/move/", {"to": "approved"}).status_code == 403
    assert _api(curator, "post", f"{p}/move/", {"to": "approved"}).status_code == 200
    versions = _api(curator, "get", f"{p}/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert [sum(len(s["tasks"]) for s in v["plan"]) for v in versions] == [18, 19]
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert programme.status == "running" and programme.resume_status == ""


def test_template_tasks_get_deadlines_within_the_programme(host_client, world):
    _client, _pair, programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        tasks = ProgrammeTask.objects.filter(section__programme=programme).order_by(
            "section__position", "position"
        )
        dues = [d for d in tasks.values_list("due_date", flat=True) if d is not None]
        assert len(dues) == tasks.count()
        assert dues and all(programme.starts_on < d <= programme.ends_on for d in dues)
        assert dues == sorted(dues) and dues[-1] == programme.ends_on


def test_who_may_edit_and_comment(host_client, world):
    curator, pair, programme = _pair_with_programme(host_client, world)
    p = f"/programmes/{programme.pk}"
    sid = _api(curator, "get", f"{p}/sections/").json()[0]["id"]
    mentee_client = host_client(world.school_a, world.mentee_a)
    assert _api(mentee_client, "post", f"{p}/sections/", {"title": "Мой раздел"}).status_code == 403
    assert _api(mentee_client, "delete", f"{p}/sections/{sid}/").status_code == 403
    response = _api(mentee_client, "post", f"{p}/comments/", {"text": "Хочу больше про работу с родителями"})
    assert response.status_code == 201
    # a mentor of another pair of the same school
    with schema_context(world.school_a.schema_name):
        ProgrammeSection.objects.filter(programme=programme).update(title="Раздел")
        pair.members.filter(role="mentor").update(person=mentor(last="Другой"))
    mentor_client = host_client(world.school_a, world.mentor_a)
    assert _api(mentor_client, "post", f"{p}/sections/", {"title": "Чужой"}).status_code == 403
    assert _api(mentor_client, "patch", f"{p}/sections/{sid}/", {"title": "Чужой"}).status_code == 403
    # a curator of school B sees nothing of school A's programme, by API or page
    other = host_client(world.school_b, world.curator_b)
    assert _api(other, "get", f"{p}/sections/").status_code in (403, 404)
    assert _api(other, "post", f"{p}/sections/", {"title": "Чужой"}).status_code in (403, 404)
    foreign_a = host_client(world.school_a, world.curator_b)
    assert _api(foreign_a, "post", f"{p}/sections/", {"title": "Чужой"}).status_code in (302, 401, 403, 404)
    with schema_context(world.school_a.schema_name):
        assert not ProgrammeSection.objects.exclude(title="Раздел").exists()
        assert ProgrammeComment.objects.get().role == "mentee"
    # a programme on review is refused with a reason
    _api(curator, "post", f"{p}/move/", {"to": "review"})
    response = _api(curator, "post", f"{p}/sections/", {"title": "Новый"})
    assert response.status_code == 400 and "менять нельзя" in json.dumps(response.json(), ensure_ascii=False)


def test_school_b_programme_cannot_be_reached_from_school_a(host_client, world):
    with schema_context(world.school_b.schema_name):
        m, s = mentor(), mentee()
    client_b = host_client(world.school_b, world.curator_b)
    _pair_post(client_b, [m], [s])
    with schema_context(world.school_b.schema_name):
        from core.pairs.models import Pair

        pair_b = Pair.objects.get()
    client_b.post(f"/pairs/{pair_b.pk}/programme/", {"starts_on": START.isoformat(),
                                                     "ends_on": (START + timedelta(days=200)).isoformat()})  # fmt: skip
    with schema_context(world.school_b.schema_name):
        programme_b = Programme.objects.get()
        before = ProgrammeTask.objects.count()
    curator_a = host_client(world.school_a, world.curator_a)
    url = f"/programmes/{programme_b.pk}/sections/"
    assert _api(curator_a, "get", url).status_code == 404
    assert _api(curator_a, "post", url, {"title": "Взлом"}).status_code == 404
    with schema_context(world.school_b.schema_name):
        assert ProgrammeTask.objects.count() == before
        assert not ProgrammeSection.objects.filter(title="Взлом").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"task": "Задание\x00с NUL"},
        {"task": "Ж" * 10_000},
        ["task", "не объект"],
        {"task": {"вложенный": "объект"}},
        {"task": "Задание", "due_date": "2031-13-45"},
        {"task": "Задание", "due_date": "OUTSIDE"},
        {"task": "Задание", "position": "первое"},
    ],
)
def test_bad_input_is_a_400_and_nothing_written(host_client, world, body):
    curator, _pair, programme = _pair_with_programme(host_client, world)
    p = f"/programmes/{programme.pk}"
    sid = _api(curator, "get", f"{p}/sections/").json()[0]["id"]
    if isinstance(body, dict) and body.get("due_date") == "OUTSIDE":
        body = {**body, "due_date": (START + timedelta(days=400)).isoformat()}
    with schema_context(world.school_a.schema_name):
        before = list(ProgrammeTask.objects.values_list("pk", "task", "due_date"))
        status_before = Programme.objects.get().status
    response = _api(curator, "post", f"{p}/sections/{sid}/tasks/", body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] in ("invalid", "nul_character") and error["message"]  # NUL: the API's guard
    task_id = before[0][0]
    assert _api(curator, "patch", f"{p}/sections/{sid}/tasks/{task_id}/", body).status_code in (400, 404)
    assert _api(curator, "post", f"{p}/sections/", {"title": "Р" * 10_000}).status_code == 400
    with schema_context(world.school_a.schema_name):
        assert list(ProgrammeTask.objects.values_list("pk", "task", "due_date")) == before
        assert Programme.objects.get().status == status_before


def test_a_deadline_outside_the_programme_is_refused_in_the_results_form_too(host_client, world):
    _curator, _pair, programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        task = ProgrammeTask.objects.filter(section__programme=programme).order_by("pk")[0]
        old = task.due_date
    mentor_client = host_client(world.school_a, world.mentor_a)
    late = (programme.ends_on + timedelta(days=1)).isoformat()
    assert _api(mentor_client, "patch", f"/tasks/{task.pk}/", {"due_date": late}).status_code == 400
    with schema_context(world.school_a.schema_name):
        task.refresh_from_db()
        assert task.due_date == old


def test_the_plan_is_edited_on_the_page_and_the_history_is_shown(host_client, world):
    curator, _pair, programme = _pair_with_programme(host_client, world)
    mentor_client = host_client(world.school_a, world.mentor_a)
    mentee_client = host_client(world.school_a, world.mentee_a)
    url = f"/programmes/{programme.pk}/plan/"
    page = mentor_client.get(f"/programmes/{programme.pk}/").content.decode()
    assert "Добавить раздел" in page and "confirm(" in page
    assert mentor_client.post(url, {"action": "section_add", "title": "Раздел 3. Проекты"}).status_code == 302
    with schema_context(world.school_a.schema_name):
        first, second, added = programme.sections.all()
        a, b = list(second.tasks.all())[:2]
    due = (START + timedelta(days=20)).isoformat()
    mentor_client.post(url, {"action": "task_add", "section": added.pk, "text": "Подготовить проект", "due_date": due,
                             "planned_result": "Проект защищён"})  # fmt: skip
    mentor_client.post(url, {"action": "section_up", "section": added.pk})
    mentor_client.post(url, {"action": "task_edit", "task_id": b.pk, "text": "Новая формулировка",
                             "due_date": due, "planned_result": "Итог", "section": first.pk})  # fmt: skip
    mentor_client.post(url, {"action": "task_down", "task_id": a.pk})
    mentor_client.post(url, {"action": "section_edit", "section": first.pk, "title": "Раздел 1. Диагностика"})
    late = (programme.ends_on + timedelta(days=3)).isoformat()
    response = mentor_client.post(
        url, {"action": "task_edit", "task_id": a.pk, "text": "x", "due_date": late}
    )
    assert response.status_code == 400 and "в сроках программы" in response.content.decode()
    assert mentee_client.post(url, {"action": "section_delete", "section": first.pk}).status_code == 403
    assert mentee_client.post(f"/programmes/{programme.pk}/comment/", {"text": "Согласна"}).status_code == 302
    with schema_context(world.school_a.schema_name):
        titles = [s.title for s in programme.sections.all()]
        assert titles == ["Раздел 1. Диагностика", "Раздел 3. Проекты", second.title]
        assert [t.task for t in first.tasks.all()][-1] == "Новая формулировка"
        assert list(second.tasks.values_list("pk", flat=True))[1] == a.pk  # moved down past the next one
        assert ProgrammeTask.objects.get(pk=a.pk).task != "x"
        assert added.tasks.get().due_date.isoformat() == due
    mentor_client.post(url, {"action": "section_delete", "section": added.pk})
    with schema_context(world.school_a.schema_name):
        assert programme.sections.count() == 2
    curator.post(
        f"/programmes/{programme.pk}/move/", {"to": "approved"}
    )  # refused: drafts go to review first
    mentor_client.post(f"/programmes/{programme.pk}/move/", {"to": "review"})
    curator.post(f"/programmes/{programme.pk}/move/", {"to": "approved"})
    mentor_client.post(url, {"action": "section_add", "title": "Раздел 4. Дополнительно"})
    curator.post(f"/programmes/{programme.pk}/move/", {"to": "approved"})
    page = mentee_client.get(f"/programmes/{programme.pk}/").content.decode()
    assert (
        "Версия 1" in page and "Версия 2" in page and "Раздел 4. Дополнительно" in page and "Согласна" in page
    )
    assert "Добавить раздел" not in page  # the mentee only comments


def test_programme_dates_cannot_leave_a_deadline_outside(host_client, world):
    curator, _pair, programme = _pair_with_programme(host_client, world)
    shorter = {"starts_on": START.isoformat(), "ends_on": (START + timedelta(days=120)).isoformat()}
    response = curator.post(f"/programmes/{programme.pk}/update/", shorter)
    assert response.status_code == 400 and "выйдут за новые даты" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        programme.refresh_from_db()
        assert programme.ends_on == START + timedelta(days=200)


def test_old_template_tasks_without_deadlines_get_them_from_the_dates(host_client, world):
    """The data migration 0009: tasks created before deadlines existed get one within the programme."""
    import importlib

    from django.apps import apps

    fill = importlib.import_module("core.migrations.0009_programme_task_deadlines").fill_deadlines
    _client, _pair, programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        tasks = ProgrammeTask.objects.filter(section__programme=programme)
        kept = tasks.order_by("pk")[0]
        tasks.exclude(pk=kept.pk).update(due_date=None)
        fill(apps, None)
        dues = dict(tasks.values_list("pk", "due_date"))
        assert None not in dues.values() and dues[kept.pk] == kept.due_date
        assert all(programme.starts_on < d <= programme.ends_on for d in dues.values() if d is not None)


def test_the_plan_of_an_ended_pair_is_no_longer_edited(host_client, world):
    curator, pair, programme = _pair_with_programme(host_client, world)
    with schema_context(world.school_a.schema_name):
        Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.ENDED)
        sections = ProgrammeSection.objects.filter(programme=programme).count()
    response = _api(curator, "post", f"/programmes/{programme.pk}/sections/", {"title": "После конца"})
    assert response.status_code == 400 and "завершена" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert ProgrammeSection.objects.filter(programme=programme).count() == sections
