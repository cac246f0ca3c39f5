"""A refused form comes back as it was filled: the good values and the bad one in their fields, the error
under the field it is about (naming it), a 400, nothing written. Success is a redirect as before."""

import re
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from core.acts.models import ActKind, CuratorAppointment, LocalAct
from core.indicators.models import ContingentDeclaration
from core.pairs.services import pair_end
from tenants.catalogues import EndReason
from tests.test_orders import ORDER_DAY, TODAY, _setup, _teacher

pytestmark = pytest.mark.django_db

DAY = ORDER_DAY.strftime("%d.%m.%Y")


def _field(page: str, field_id: str) -> str:
    """The HTML of one field: from its control to the next field or the end of its form."""
    start = page.rindex("<", 0, page.index(f'id="{field_id}"'))  # the control's tag, its class included
    stops = ('<div class="mb-3">', '<div class="col-md-4">', "</form>")  # acts' fields, the contingent's
    ends = [i for i in (page.find(stop, start) for stop in stops) if i != -1]
    return page[start : min(ends)]


def _selected(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, select_id
    return re.findall(r'<option value="([^"]*)" selected>', select.group(1))


# --- the contingent on «Показатели» ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["12а", "-5", "1" * 40, "9" * 5000])
def test_a_refused_contingent_keeps_every_number_typed_and_names_the_wrong_field(host_client, world, bad):
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        "/indicators/?on=2026-11-01", {"students_10_18": "120", "teachers": bad, "young_teachers": "7"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="120"' in _field(page, "id_students_10_18")
    assert f'value="{bad}"' in _field(page, "id_teachers")
    assert 'value="7"' in _field(page, "id_young_teachers")
    teachers = _field(page, "id_teachers")
    assert "is-invalid" in teachers and "«Педагогов»: нужно целое число от 0 до 1 000 000" in teachers
    assert "is-invalid" not in _field(page, "id_students_10_18")
    assert "Контингент не сохранён" in page
    with schema_context(world.school_a.schema_name):
        assert not ContingentDeclaration.objects.exists()


def test_a_refused_contingent_leaves_the_declared_one_as_it_was(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    ok = client.post(
        "/indicators/?on=2026-11-01", {"students_10_18": "120", "teachers": "40", "young_teachers": ""}
    )
    assert ok.status_code == 302 and ok["Location"].endswith("/indicators/?on=2026-11-01")
    page = client.get(ok["Location"]).content.decode()
    assert "Контингент на 2026 год сохранён." in page
    assert 'value="120"' in _field(page, "id_students_10_18") and 'value="40"' in _field(page, "id_teachers")
    refused = client.post(
        "/indicators/?on=2026-11-01", {"students_10_18": "99", "teachers": "40", "young_teachers": "x"}
    )
    assert refused.status_code == 400
    assert 'value="99"' in _field(refused.content.decode(), "id_students_10_18")  # as typed, not as stored
    with schema_context(world.school_a.schema_name):
        row = ContingentDeclaration.objects.get()
        assert (row.students_10_18, row.teachers, row.young_teachers) == (120, 40, None)
    with schema_context(world.school_b.schema_name):  # A's figures are A's alone
        assert not ContingentDeclaration.objects.exists()
    b_page = host_client(world.school_b, world.curator_b).get("/indicators/?on=2026-11-01").content.decode()
    assert 'value="120"' not in b_page


# --- the order forms on «Акты и приказы» -----------------------------------------------------------------


def test_a_curator_order_with_an_impossible_date_comes_back_with_the_curator_still_chosen(host_client, world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Кузьмич", "Анна", "Лукинична")
    client = host_client(world.school_a, world.curator_a)
    response = client.post("/acts/curator-order/", {"curator": curator.pk, "date": "31.02.2026"})
    assert response.status_code == 400
    page = response.content.decode()
    assert _selected(page, "order_curator") == [str(curator.pk)]
    date_field = _field(page, "order_date")
    assert 'value="31.02.2026"' in date_field and "is-invalid" in date_field
    assert "Даты «31.02.2026» нет в календаре" in date_field
    assert "Дата приказа: Даты «31.02.2026» нет в календаре" in page  # the summary names the field
    assert 'value="31.02.2026"' not in _field(page, "intro_date")  # the other forms stay fresh
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.exists() and not CuratorAppointment.objects.exists()
    ok = client.post("/acts/curator-order/", {"curator": curator.pk, "date": DAY})
    assert ok.status_code == 302
    assert "Проверьте его и переведите в «действует»" in client.get(ok["Location"]).content.decode()
    with schema_context(world.school_a.schema_name):
        assert LocalAct.objects.get().curator_id == curator.pk


def test_an_introduction_order_refused_by_the_form_or_the_generator_keeps_what_was_filled(host_client, world):
    with schema_context(world.school_a.schema_name):
        curator = _teacher("Салтыкова-Щедрина", "Анна", "Петровна")
    client = host_client(world.school_a, world.curator_a)
    bad_until = client.post(
        "/acts/introduction-order/", {"curator": curator.pk, "date": "01.09.2026", "until": "30.02.2028"}
    )
    assert bad_until.status_code == 400
    page = bad_until.content.decode()
    assert _selected(page, "intro_curator") == [str(curator.pk)]
    assert 'value="01.09.2026"' in _field(page, "intro_date") and "is-invalid" not in _field(
        page, "intro_date"
    )
    assert "Даты «30.02.2028» нет в календаре" in _field(page, "intro_until")
    assert "Срок внедрения (по): Даты «30.02.2028»" in page
    # The generator's own refusal (the term ends before the order) lands under «Срок внедрения» too.
    early = client.post(
        "/acts/introduction-order/", {"curator": curator.pk, "date": "01.09.2026", "until": "01.08.2026"}
    )
    assert early.status_code == 400
    page = early.content.decode()
    assert _selected(page, "intro_curator") == [str(curator.pk)]
    assert "Срок внедрения должен быть позже даты приказа." in _field(page, "intro_until")
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.exists() and not CuratorAppointment.objects.exists()
    ok = client.post(
        "/acts/introduction-order/", {"curator": curator.pk, "date": "01.09.2026", "until": "31.08.2028"}
    )
    assert ok.status_code == 302
    with schema_context(world.school_a.schema_name):
        assert LocalAct.objects.get().kind == ActKind.ORDER_INTRODUCTION


def test_a_policy_order_with_a_bad_date_keeps_the_chosen_acts(host_client, world):
    with schema_context(world.school_a.schema_name):
        policy = LocalAct.objects.create(
            kind=ActKind.POLICY_TEACHERS, title="Положение о наставничестве педагогов"
        )
        roadmap = LocalAct.objects.create(kind=ActKind.ROADMAP, title="Дорожная карта")
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        "/acts/policy-order/", {"policy": policy.pk, "roadmap": roadmap.pk, "date": "32.01.2026"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert _selected(page, "policy_policy") == [str(policy.pk)]
    assert _selected(page, "policy_roadmap") == [str(roadmap.pk)]
    assert 'value="32.01.2026"' in _field(page, "policy_date") and "нет в календаре" in _field(
        page, "policy_date"
    )
    with schema_context(world.school_a.schema_name):
        assert set(LocalAct.objects.values_list("number", flat=True)) == {""}  # nothing numbered, no order


def test_an_early_end_order_dated_before_the_end_keeps_the_pair_and_says_why_under_the_date(
    host_client, world
):
    with schema_context(world.school_a.schema_name):
        w = _setup(world)
        reason = EndReason.objects.filter(early=True).order_by("pk")[0]
        pair_end(pair=w["pair"], on=TODAY - timedelta(days=2), reason_code=reason.code, actor=None)
    client = host_client(world.school_a, world.curator_a)
    before = (TODAY - timedelta(days=5)).strftime("%d.%m.%Y")
    response = client.post("/acts/early-end-order/", {"pair": w["pair"].pk, "date": before})
    assert response.status_code == 400
    page = response.content.decode()
    assert _selected(page, "early_pair") == [str(w["pair"].pk)]
    date_field = _field(page, "early_date")
    assert f'value="{before}"' in date_field and "Дата приказа раньше прекращения" in date_field
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.filter(kind=ActKind.ORDER_EARLY_END).exists()
    assert (
        client.post(
            "/acts/early-end-order/", {"pair": w["pair"].pk, "date": TODAY.strftime("%d.%m.%Y")}
        ).status_code
        == 302
    )


def test_a_person_of_another_school_is_refused_and_not_shown_as_chosen(host_client, world):
    with schema_context(world.school_a.schema_name):
        own = _teacher("Кузьмич", "Анна", "Лукинична")
        ids_a = {own.pk}
    with schema_context(world.school_b.schema_name):  # ids are per schema: take one that A does not have
        foreign = next(
            p for i in range(3) if (p := _teacher(f"Чужакова{'а' * i}", "Вера", "Ивановна")).pk not in ids_a
        )
    client = host_client(world.school_a, world.curator_a)
    for url, select_id, data in (
        ("/acts/curator-order/", "order_curator", {"date": DAY}),
        ("/acts/introduction-order/", "intro_curator", {"date": DAY, "until": "31.08.2028"}),
    ):
        response = client.post(url, {"curator": foreign.pk, **data})
        assert response.status_code == 400
        page = response.content.decode()
        assert _selected(page, select_id) == []
        assert "Выберите куратора из педагогов школы." in _field(page, select_id)
        assert "Чужакова" not in page and f'<option value="{foreign.pk}"' not in page
        assert f'value="{DAY}"' in _field(page, select_id.replace("curator", "date"))
    for school in (world.school_a, world.school_b):
        with schema_context(school.schema_name):
            assert not LocalAct.objects.exists() and not CuratorAppointment.objects.exists()
