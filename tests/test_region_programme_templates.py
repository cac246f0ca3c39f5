"""The region edits ИПР templates on its own page (not Django admin) and adds its own (issue 12)."""

import pytest

from tenants.catalogues import ProgrammeTemplate, ProgrammeTemplateSection, ProgrammeTemplateTask, RoleModel
from tenants.models import AuditEvent
from tests.seeds.ipr import seed_templates

pytestmark = pytest.mark.django_db


def _teachers() -> ProgrammeTemplate:
    return ProgrammeTemplate.objects.get(heading=seed_templates()[1].heading)


def test_the_regional_admin_copies_edits_reorders_and_archives_a_template(host_client, world):
    admin = host_client(None, world.regional_admin)
    page = admin.get("/programme-templates/").content.decode()
    assert "Учитель – учитель (педагог – педагог)" in page and "Шаблоны программ" in page
    response = admin.post(
        "/programme-templates/", {"name": "Учитель – одарённый ученик", "copy_of": _teachers().pk}
    )
    assert response.status_code == 302
    own = ProgrammeTemplate.objects.get(name="Учитель – одарённый ученик")
    assert ProgrammeTemplateTask.objects.filter(section__template=own).count() == 19
    url = f"/programme-templates/{own.pk}/"
    s1, s2, s3 = own.sections.all()
    task = s1.tasks.all()[0]
    body = {"action": "task_edit", "task_id": task.pk, "task": "Провести диагностическую беседу",
            "term": "в течение первого месяца", "planned_result": "Определены темы", "note": ""}  # fmt: skip
    assert admin.post(url, body).status_code == 302
    task.refresh_from_db()
    assert (task.task, task.term, task.planned_result) == (
        "Провести диагностическую беседу",
        "в течение первого месяца",
        "Определены темы",
    )
    assert admin.post(url, {"action": "task_down", "task_id": task.pk}).status_code == 302
    assert [t.pk for t in s1.tasks.all()][1] == task.pk
    assert admin.post(url, {"action": "section_up", "section": s3.pk}).status_code == 302
    assert [s.pk for s in own.sections.all()] == [s1.pk, s3.pk, s2.pk]
    assert admin.post(url, {"action": "section_delete", "section": s2.pk}).status_code == 302
    assert (
        admin.post(url, {"action": "section_add", "title": "Раздел 3. Олимпиады", "note": ""}).status_code
        == 302
    )
    new = own.sections.get(title="Раздел 3. Олимпиады")
    assert admin.post(url, {"action": "task_add", "section": new.pk, "task": "Подготовить к олимпиаде",
                            "term": "2 четверть", "planned_result": "Участие"}).status_code == 302  # fmt: skip
    role = RoleModel.objects.filter(form__code="teacher_student").order_by("pk")[0]
    body = {"action": "template", "name": own.name, "heading": "", "note": "", "form_codes": [],
            "role_models": [role.pk]}  # fmt: skip
    assert admin.post(url, body).status_code == 302
    assert list(own.role_models.all()) == [role] and own.form_codes == []
    assert admin.post(url, {"action": "archive"}).status_code == 302
    own.refresh_from_db()
    assert own.archived and "в архиве" in admin.get("/programme-templates/").content.decode()
    # the seed's own template is untouched by all this
    assert ProgrammeTemplateTask.objects.filter(section__template=_teachers()).count() == 19
    assert (
        AuditEvent.objects.filter(action__startswith="programme_template.", object_id=str(own.pk)).count()
        >= 8
    )


@pytest.mark.parametrize(
    "body",
    [
        {"action": "task_edit", "task": "x\x00y", "term": "", "planned_result": ""},
        {"action": "task_edit", "task": "", "term": "", "planned_result": ""},
        {"action": "task_edit", "task": "Задание", "term": "т" * 101, "planned_result": ""},
        {"action": "task_edit", "task_id": "abc", "task": "Задание"},
        {"action": "section_edit", "section": "999999999", "title": "Раздел"},
        {"action": "template", "name": "Шаблон", "form_codes": ["no_such_form"]},
        {"action": "template", "name": "Шаблон", "role_models": ["1e5"]},
        {"action": "template", "name": "", "form_codes": []},
        {"action": "explode"},
    ],
)
def test_bad_input_is_a_russian_400_and_writes_nothing(host_client, world, body):
    admin = host_client(None, world.regional_admin)
    template = _teachers()
    task = ProgrammeTemplateTask.objects.filter(section__template=template).order_by(
        "section__position", "position"
    )[0]
    before = list(ProgrammeTemplateTask.objects.values_list("pk", "task", "term", "planned_result"))
    response = admin.post(f"/programme-templates/{template.pk}/", {"task_id": task.pk, **body})
    assert response.status_code == 400
    page = response.content.decode()
    assert any(
        word in page
        for word in (
            "заполните поле",
            "недопустимый символ",
            "не длиннее",
            "в этом шаблоне нет",
            "нет в справочнике",
            "указана неверно",
            "Неизвестное действие",
        )
    )
    assert list(ProgrammeTemplateTask.objects.values_list("pk", "task", "term", "planned_result")) == before
    template.refresh_from_db()
    assert (
        template.name == "Учитель – учитель (педагог – педагог)" and "no_such_form" not in template.form_codes
    )


def test_a_section_of_another_template_cannot_be_reached_through_this_one(host_client, world):
    admin = host_client(None, world.regional_admin)
    teachers, peers = _teachers(), ProgrammeTemplate.objects.get(heading=seed_templates()[0].heading)
    other = ProgrammeTemplateSection.objects.filter(template=peers)[0]
    response = admin.post(
        f"/programme-templates/{teachers.pk}/", {"action": "section_delete", "section": other.pk}
    )
    assert response.status_code == 400 and ProgrammeTemplateSection.objects.filter(pk=other.pk).exists()


def test_inspectors_and_school_staff_cannot_edit_templates(host_client, world):
    template = _teachers()
    for client in (
        host_client(None, world.inspector_m1),
        host_client(None, world.curator_a),
        host_client(None),
    ):
        for url in ("/programme-templates/", f"/programme-templates/{template.pk}/"):
            assert client.get(url).status_code in (302, 403)
        response = client.post(f"/programme-templates/{template.pk}/", {"action": "archive"})
        assert response.status_code in (302, 403)
    template.refresh_from_db()
    assert not template.archived
