"""Acts can be corrected: a draft's number, date, title and file; «утратил силу» by a later act; one number a
year per register; impossible dates refused in Russian; an act dated in the future is not in force yet."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from core.acts.models import LocalAct
from core.acts.selectors import acts_in_force
from core.audit.models import AuditEntry
from core.facts.checklist import RULES

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _act(**over) -> LocalAct:
    data = {"kind": "policy_teachers", "title": "Положение о системе наставничества педагогических работников",
            "number": "", "date": None}  # fmt: skip
    return LocalAct.objects.create(**{**data, **over})


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_a_draft_is_corrected_and_the_journal_says_who_changed_what(host_client, world):
    with schema_context(world.school_a.schema_name):
        act = _act(number="15", date=date(2026, 3, 1))
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        f"/acts/{act.pk}/",
        {
            "edit": "1",
            "edit-number": "15/1",
            "edit-date": "02.03.2026",
            "edit-title": "Положение  (новая редакция)",
        },
    )
    assert response.status_code == 302
    with schema_context(world.school_a.schema_name):
        act.refresh_from_db()
        assert (act.number, act.date, act.title) == ("15/1", date(2026, 3, 2), "Положение (новая редакция)")
        entry = AuditEntry.objects.get(action="update", object_id=str(act.pk))
        assert entry.actor_email == "curator@a.test"
        assert entry.changes["number"] == ["15", "15/1"] and entry.changes["date"] == [
            "01.03.2026",
            "02.03.2026",
        ]
    page = client.get(f"/acts/{act.pk}/").content.decode()
    assert "номер: 15 → 15/1" in page and "curator@a.test" in page
    # a new file is a new version while it is a draft
    client.post(f"/acts/{act.pk}/", {"file": SimpleUploadedFile("Положение.pdf", PDF)})
    client.post(f"/acts/{act.pk}/", {"file": SimpleUploadedFile("Положение-2.pdf", PDF)})
    with schema_context(world.school_a.schema_name):
        assert list(act.files.values_list("version", flat=True)) == [2, 1]


def test_the_mistyped_date_31_02_is_refused_in_russian_and_never_becomes_no_date(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    response = client.post(
        "/acts/", {"kind": "roadmap", "number": "7", "date": "31.02.2026", "title": "Дорожная карта"}
    )
    assert response.status_code == 400
    assert "Даты «31.02.2026» нет в календаре" in response.content.decode()
    api = client.post(
        "/api/v1/acts/",
        {"kind": "roadmap", "number": "7", "date": "2026-02-31", "title": "Дорожная карта"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "нет в календаре" in api.json()["error"]["fields"]["date"][0]
    with schema_context(world.school_a.schema_name):
        assert not LocalAct.objects.filter(kind="roadmap").exists()
        # and a draft saved without a date gets one later, so it can come into force
        act = _act(kind="roadmap", number="7", title="Дорожная карта")
    assert client.post(f"/acts/{act.pk}/", {"status": "in_force"}).status_code == 400
    bad = client.post(f"/acts/{act.pk}/", {"edit": "1", "edit-number": "7", "edit-date": "30.02.2026",
                                           "edit-title": "Дорожная карта"})  # fmt: skip
    assert bad.status_code == 400 and "нет в календаре" in _messages(bad)
    client.post(f"/acts/{act.pk}/", {"edit": "1", "edit-number": "7", "edit-date": "28.02.2026",
                                     "edit-title": "Дорожная карта"})  # fmt: skip
    assert client.post(f"/acts/{act.pk}/", {"status": "in_force"}).status_code == 302
    with schema_context(world.school_a.schema_name):
        act.refresh_from_db()
        assert act.status == "in_force" and act.date == date(2026, 2, 28)


def test_an_act_in_force_is_not_edited_but_repealed_by_a_later_act(host_client, world):
    with schema_context(world.school_a.schema_name):
        old = _act(number="10", date=date(2025, 8, 30), status="in_force")
        new = _act(number="151/1", date=date(2026, 8, 30), status="in_force", title="Положение (ред. 2026)")
        earlier = _act(
            number="3", date=date(2024, 1, 10), kind="order_curator", title="Старый", status="in_force"
        )
    client = host_client(world.school_a, world.curator_a)
    edit = client.post(f"/acts/{old.pk}/", {"edit": "1", "edit-number": "11", "edit-date": "30.08.2025",
                                            "edit-title": "x"})  # fmt: skip
    assert edit.status_code == 400 and "Исправлять можно только проект" in _messages(edit)
    # the plain status button no longer repeals without saying by what
    assert client.post(f"/acts/{old.pk}/", {"status": "repealed"}).status_code == 400
    refused = client.post(f"/acts/{old.pk}/", {"repeal": "1", "repeal-repealed_by": earlier.pk})
    assert refused.status_code == 400  # an earlier act cannot repeal a later one: not even offered
    itself = client.post(f"/acts/{old.pk}/", {"repeal": "1", "repeal-repealed_by": old.pk})
    assert itself.status_code == 400
    too_early = client.post(
        f"/acts/{old.pk}/", {"repeal": "1", "repeal-repealed_by": new.pk, "repeal-repealed_on": "01.01.2025"}
    )
    assert too_early.status_code == 400 and "раньше даты самого акта" in _messages(too_early)
    ok = client.post(f"/acts/{old.pk}/", {"repeal": "1", "repeal-repealed_by": new.pk})
    assert ok.status_code == 302
    with schema_context(world.school_a.schema_name):
        old.refresh_from_db()
        assert (old.status, old.repealed_by_id, old.repealed_on, old.repealed_from) == (
            "repealed",
            new.pk,
            date(2026, 8, 30),
            "in_force",
        )
        entry = AuditEntry.objects.get(action="repeal", object_id=str(old.pk))
        assert entry.changes["repealed_by"] == str(new) and entry.actor_email == "curator@a.test"
        # in force up to the day before the later act, not after
        assert old.in_force_on(date(2026, 8, 29)) and not old.in_force_on(date(2026, 8, 30))
        assert set(acts_in_force(on=date(2026, 8, 29))) == {old, earlier}
    page = client.get(f"/acts/{old.pk}/").content.decode()
    assert "утратил силу" in page and "151/1" in page
    again = client.post(f"/acts/{old.pk}/", {"repeal": "1", "repeal-repealed_by": new.pk})
    assert again.status_code == 400


def test_a_draft_can_be_repealed_and_never_counts_as_in_force(world):
    from core.acts.services import act_repeal

    with schema_context(world.school_a.schema_name):
        draft = _act(number="4", date=TODAY - timedelta(days=20))
        later = _act(number="5", date=TODAY - timedelta(days=10), status="in_force")
        act_repeal(act=draft, by=later, on=None, actor=None)
        draft.refresh_from_db()
        assert draft.repealed_from == "draft"
        assert not draft.in_force_on(TODAY - timedelta(days=15))
        assert draft not in acts_in_force(on=TODAY - timedelta(days=15))


def test_duplicate_numbers_in_one_year_are_refused_per_register(host_client, world):
    with schema_context(world.school_a.schema_name):
        _act(kind="order_curator", number="12", date=date(2026, 1, 15), title="О назначении куратора")
        _act(kind="policy_teachers", number="20", date=date(2026, 2, 1))
        _act(kind="supplementary", number="1", date=date(2026, 2, 1), title="Доп. соглашение Петровой")
    client = host_client(world.school_a, world.curator_a)

    def post(kind: str, number: str, day: str):
        return client.post("/acts/", {"kind": kind, "number": number, "date": day, "title": "Акт"})

    # orders of any kind share one register a year
    duplicate = post("order_pairs", "12", "01.09.2026")
    assert duplicate.status_code == 400 and "Номер 12 в 2026 году уже занят" in duplicate.content.decode()
    assert post("order_pairs", "12", "01.09.2027").status_code == 302  # another year
    # a Положение carries the number of the order approving it: the order may share it, another Положение not
    assert post("order_policy", "20", "01.02.2026").status_code == 302
    assert post("policy_teachers", "20", "05.05.2026").status_code == 400
    # supplementary agreements are numbered per employment contract
    assert post("supplementary", "1", "03.03.2026").status_code == 302
    # correcting a draft into a taken number is refused too, and through the API
    with schema_context(world.school_a.schema_name):
        draft = _act(kind="order_introduction", number="", date=date(2026, 3, 1), title="О внедрении")
    api = client.patch(f"/api/v1/acts/{draft.pk}/", {"number": "12"}, content_type="application/json")
    assert api.status_code == 400 and "уже занят" in api.json()["error"]["fields"]["number"][0]
    ok = client.patch(f"/api/v1/acts/{draft.pk}/", {"number": "13"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["number"] == "13" and ok.json()["date"] == "2026-03-01"


def test_a_generated_order_skips_a_number_typed_by_hand(world):
    from core.acts.services import order_number_next

    with schema_context(world.school_a.schema_name):
        _act(kind="order_pairs", number="1-н", date=date(2026, 5, 5), title="Приказ, набранный вручную")
        assert order_number_next(on=date(2026, 6, 1)) == "2-н"


def test_an_act_dated_in_the_future_is_not_in_force_until_that_date(host_client, world):
    with schema_context(world.school_a.schema_name):
        act = _act(kind="roadmap", number="8", date=TODAY + timedelta(days=10), status="in_force",
                   title="Дорожная карта")  # fmt: skip
        assert not act.in_force_on(TODAY) and act.in_force_on(TODAY + timedelta(days=10))
        assert RULES["roadmap_act"](TODAY).state != "done"
        assert RULES["roadmap_act"](TODAY + timedelta(days=10)).state == "done"
    page = host_client(world.school_a, world.curator_a).get("/acts/").content.decode()
    assert f"вступает в силу с {act.date:%d.%m.%Y}" in page


def test_the_api_repeals_and_refuses_bad_bodies(host_client, world):
    with schema_context(world.school_a.schema_name):
        old = _act(number="1", date=date(2026, 1, 10), status="in_force")
        new = _act(number="2", date=date(2026, 4, 1), status="in_force")
    client = host_client(world.school_a, world.curator_a)
    bodies: list[object] = [[], {"repealed_by": "x"}, {"repealed_by": new.pk, "repealed_on": "2026-02-30"},
                            {"repealed_by": 999999}]  # fmt: skip
    for body in bodies:
        response = client.post(f"/api/v1/acts/{old.pk}/repeal/", body, content_type="application/json")
        assert response.status_code == 400, body
    response = client.post(
        f"/api/v1/acts/{old.pk}/repeal/", {"repealed_by": new.pk, "repealed_on": "2026-05-01"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["repealed_on"] == "2026-05-01" and response.json()["status"] == "repealed"
    assert (
        client.patch(f"/api/v1/acts/{old.pk}/", {"title": "x"}, content_type="application/json").status_code
        == 400
    )


def test_another_school_can_neither_see_nor_correct_nor_repeal_an_act(host_client, world):
    with schema_context(world.school_a.schema_name):
        act = _act(number="1", date=date(2026, 1, 10))
        later = _act(number="2", date=date(2026, 4, 1), status="in_force")
    other = host_client(world.school_b, world.curator_b)
    assert other.get(f"/acts/{act.pk}/").status_code == 404
    assert (
        other.post(f"/acts/{act.pk}/", {"edit": "1", "edit-number": "9", "edit-title": "x"}).status_code
        == 404
    )
    assert (
        other.patch(f"/api/v1/acts/{act.pk}/", {"number": "9"}, content_type="application/json").status_code
        == 404
    )
    assert other.post(f"/api/v1/acts/{act.pk}/repeal/", {"repealed_by": later.pk},
                      content_type="application/json").status_code == 404  # fmt: skip
    with schema_context(world.school_a.schema_name):
        act.refresh_from_db()
        assert act.number == "1" and act.status == "draft"
