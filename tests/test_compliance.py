"""The ИМЦ checklist: rules on real school data, snapshots, the region-wide view, inspection rounds."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from docx import Document
from openpyxl import load_workbook

from core.acts.models import LocalAct, SchoolProfile
from core.consents.models import Consent
from core.pairs.models import Pair
from core.people.models import BankEntry, Person
from core.programmes.models import Programme
from regional.checklist.rules import RULES
from regional.checklist.snapshots import snapshot_refresh
from regional.exporting import xlsx_table
from regional.models import SchoolSnapshot
from tenants.models import School

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _state(rule: str) -> str:
    return RULES[rule](TODAY).state


def _pair(order: LocalAct | None = None) -> Pair:
    return Pair.objects.create(form_code="teacher_student", role_model_id=1, kind_code="traditional",
                               started_on=TODAY - timedelta(days=10), order=order)  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "kind"),
    [("policy_act", "policy_teachers"), ("roadmap_act", "roadmap"), ("curator_order", "order_curator"),
     ("order_introduction", "order_introduction")],
)  # fmt: skip
def test_act_rules_need_an_act_in_force_with_number_and_date(world, rule, kind):
    with schema_context(world.school_a.schema_name):
        assert _state(rule) == "not_done"
        act = LocalAct.objects.create(kind=kind, title="Акт")
        assert _state(rule) == "partial"
        LocalAct.objects.filter(pk=act.pk).update(status="in_force", number="12", date=TODAY)
        result = RULES[rule](TODAY)
        assert result.state == "done" and result.evidence["number"] == "12"
        assert result.evidence["date"] == f"{TODAY:%d.%m.%Y}"


def test_the_incentives_item_is_not_applicable_until_there_is_an_act(world):
    with schema_context(world.school_a.schema_name):
        assert _state("incentives_act") == "na"
        LocalAct.objects.create(
            kind="incentives", title="Положение", status="in_force", number="3", date=TODAY
        )
        assert _state("incentives_act") == "done"


def test_the_site_section_rule_reads_the_url(world):
    with schema_context(world.school_a.schema_name):
        assert _state("site_section") == "not_done"
        SchoolProfile.objects.create(pk=1, site_section_url="https://school.ru/nastavnik")
        result = RULES["site_section"](TODAY)
        assert result.state == "done" and result.evidence == {"url": "https://school.ru/nastavnik"}


def test_the_mentor_bank_rule(world):
    with schema_context(world.school_a.schema_name):
        assert _state("mentor_bank") == "not_done"
        person = Person.objects.create(
            last_name="Иванов", first_name="Иван", category="teacher", position="учитель"
        )
        entry = BankEntry.objects.create(person=person, bank="mentor")
        assert _state("mentor_bank") == "partial"
        # Approved by the curator (on record) and with valid consents: tests/test_checklist_rules.py has the rest.
        BankEntry.objects.filter(pk=entry.pk).update(status="approved", approved_at=timezone.now())
        for kind in Consent.Kind:
            Consent.objects.create(person=person, kind=kind, valid_from=TODAY - timedelta(days=1))
        assert _state("mentor_bank") == "done"


def test_the_pairs_order_and_programmes_rules(world):
    with schema_context(world.school_a.schema_name):
        assert _state("pairs_order") == "not_done" and _state("programmes") == "not_done"
        order = LocalAct.objects.create(
            kind="order_pairs", title="Приказ", status="in_force", number="5", date=TODAY
        )
        first, second = _pair(order), _pair()
        assert _state("pairs_order") == "partial"
        Pair.objects.filter(pk=second.pk).update(order=order)
        assert _state("pairs_order") == "done"
        Programme.objects.create(
            pair=first, title="П", starts_on=TODAY, ends_on=TODAY + timedelta(days=120), status="running"
        )
        assert _state("programmes") == "partial"
        Programme.objects.create(
            pair=second, title="П", starts_on=TODAY, ends_on=TODAY + timedelta(days=120), status="approved"
        )
        assert _state("programmes") == "done"
        assert RULES["programmes"](TODAY).evidence == {"pairs": 2, "with_programme": 2}
        assert RULES["pairs_count"](TODAY).evidence == {"pairs": 2, "by_order": 2}
        assert _state("pairs_count") == "done"


def test_a_change_in_a_school_refreshes_only_its_own_snapshot(
    host_client, world, django_capture_on_commit_callbacks
):
    with schema_context(world.school_b.schema_name):
        snapshot_refresh(school=world.school_b)
    before_b = SchoolSnapshot.objects.get(school=world.school_b).computed_at
    before_c = SchoolSnapshot.objects.get(school=world.school_c).computed_at  # written by provisioning
    with django_capture_on_commit_callbacks(execute=True):
        host_client(world.school_a, world.curator_a).post(
            "/settings/", {"site_section_url": "https://a.ru/n"}
        )
    snapshot_a = SchoolSnapshot.objects.get(school=world.school_a)
    assert snapshot_a.items["site_section"] == {**snapshot_a.items["site_section"], "state": "done",
                                                "evidence": {"url": "https://a.ru/n"}}  # fmt: skip
    assert snapshot_a.municipality_id == world.m1.pk
    assert SchoolSnapshot.objects.get(school=world.school_b).computed_at == before_b
    assert SchoolSnapshot.objects.get(school=world.school_c).computed_at == before_c


def test_a_burst_of_changes_queues_one_refresh(host_client, world, django_capture_on_commit_callbacks):
    client = host_client(world.school_a, world.curator_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for n in range(5):
            client.post("/settings/", {"site_section_url": f"https://a.ru/{n}"})
    from unittest import mock

    with mock.patch("regional.tasks.snapshot_refresh_task.apply_async") as queued:
        for callback in callbacks:
            with schema_context(world.school_a.schema_name):
                callback()
    assert queued.call_count == 1


def test_the_rebuild_command_writes_every_school(world, capsys):
    call_command("rebuild_snapshots")
    assert "Снимков пересчитано: 3" in capsys.readouterr().out
    assert SchoolSnapshot.objects.count() == 3


def _all_snapshots(world):
    for school in School.objects.filter(pk__in=[world.school_a.pk, world.school_b.pk, world.school_c.pk]):
        with schema_context(school.schema_name):
            snapshot_refresh(school=school)


def test_an_inspector_sees_only_their_municipality_by_page_and_xlsx(host_client, world):
    _all_snapshots(world)
    inspector = host_client(None, world.inspector_m1)
    page = inspector.get("/compliance/").content.decode()
    assert "Школа А" in page and "Школа Б" in page and "Школа В" not in page
    assert inspector.get(f"/schools/{world.school_c.pk}/checklist/").status_code == 404
    sheet = load_workbook(io.BytesIO(inspector.get("/compliance.xlsx").content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(names) == ["Школа А", "Школа Б"]
    api = inspector.get("/api/v1/compliance/").json()
    assert sorted(r["school_name"] for r in api["results"]) == ["Школа А", "Школа Б"]
    assert inspector.get("/api/v1/compliance/", {"municipality": world.m2.pk}).json()["results"] == []
    assert host_client(None, world.curator_a).get("/api/v1/compliance/").status_code == 403
    admin_page = host_client(None, world.regional_admin).get("/compliance/").content.decode()
    assert "Школа В" in admin_page
    assert host_client(None, world.curator_a).get("/compliance/").status_code == 403


def test_filters_and_archived_schools(host_client, world):
    with schema_context(world.school_a.schema_name):
        SchoolProfile.objects.create(pk=1, site_section_url="https://a.ru/n")
    _all_snapshots(world)
    admin = host_client(None, world.regional_admin)
    page = admin.get("/compliance/", {"item": "site_section", "state": "done"}).content.decode()
    assert "Школа А" in page and "Школа Б" not in page
    host_client(None, world.regional_admin).post(f"/schools/{world.school_a.pk}/archive/")
    assert "Школа А" not in admin.get("/compliance/").content.decode()


def test_an_inspection_round_from_remark_to_recheck(host_client, world, django_capture_on_commit_callbacks):
    _all_snapshots(world)
    inspector = host_client(None, world.inspector_m1)
    assert (
        inspector.post(
            "/rounds/", {"title": "Чужой", "municipality": world.m2.pk, "due_date": TODAY.isoformat()}
        ).status_code
        == 400
    )
    response = inspector.post(
        "/rounds/", {"title": "I полугодие", "municipality": world.m1.pk, "due_date": TODAY.isoformat()}
    )
    assert response.status_code == 302
    round_url = response.url
    review = f"{round_url}schools/{world.school_a.pk}/"
    assert (
        inspector.post(review, {"item": "site_section", "verdict": "remark", "comment": ""}).status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        inspector.post(
            review, {"item": "site_section", "verdict": "remark", "comment": "Нет раздела на сайте"}
        )
    assert mail.outbox[-1].to == ["curator@a.test"] and "Нет раздела на сайте" in mail.outbox[-1].body
    curator = host_client(world.school_a, world.curator_a)
    assert "Нет раздела на сайте" in curator.get("/checklist/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        curator.post("/settings/", {"site_section_url": "https://a.ru/nastavnik"})
    assert "https://a.ru/nastavnik" in inspector.get(review).content.decode()  # the re-check sees the fix
    inspector.post(review, {"item": "site_section", "verdict": "confirmed", "comment": ""})
    assert "подтверждено" in inspector.get(f"/schools/{world.school_a.pk}/checklist/").content.decode()
    assert (
        host_client(None, world.inspector_m1).get(f"{round_url}schools/{world.school_c.pk}/").status_code
        == 404
    )
    note = Document(io.BytesIO(inspector.get(f"{round_url}note.docx").content))
    text = "\n".join(p.text for p in note.paragraphs)
    assert "АНАЛИТИЧЕСКАЯ СПРАВКА" in text and "I полугодие" in text and "Тверь" in text


def test_xlsx_cells_never_become_formulas():
    content = xlsx_table(
        title="t", header=["Школа"], rows=[['=HYPERLINK("x")'], ["+1"], ["-2"], ["@cmd"], ["a\x01b"]]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ['=HYPERLINK("x")', "+1", "-2", "@cmd", "ab"]
    assert {c.data_type for c in cells} == {"s"}


def test_a_new_checklist_version_adds_items_and_refreshes_every_school(
    host_client, world, django_capture_on_commit_callbacks
):
    _all_snapshots(world)
    with schema_context(world.school_a.schema_name):
        LocalAct.objects.create(
            kind="order_introduction", title="Приказ", status="in_force", number="1", date=TODAY
        )
    assert (
        host_client(None, world.inspector_m1)
        .post("/compliance/publish/", {"rules": ["order_introduction"]})
        .status_code
        == 403
    )
    admin = host_client(None, world.regional_admin)
    assert (
        admin.post("/compliance/publish/", {"rules": ["policy_act"]}, follow=True).status_code == 200
    )  # already there
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/compliance/publish/", {"rules": ["order_introduction"]})
    from regional.models import ChecklistTemplate

    assert ChecklistTemplate.objects.get(is_current=True).version == 2
    snapshots = {s.school_id: s for s in SchoolSnapshot.objects.all()}
    assert snapshots[world.school_a.pk].items["order_introduction"]["state"] == "done"
    assert snapshots[world.school_b.pk].items["order_introduction"]["state"] == "not_done"
    assert all(s.template_version == 2 for s in snapshots.values())


def test_rounds_keep_the_compliance_at_their_start_for_the_trend(host_client, world):
    _all_snapshots(world)
    inspector = host_client(None, world.inspector_m1)
    inspector.post(
        "/rounds/", {"title": "Первый", "municipality": world.m1.pk, "due_date": TODAY.isoformat()}
    )
    with schema_context(world.school_a.schema_name):
        SchoolProfile.objects.create(pk=1, site_section_url="https://a.ru/n")
        snapshot_refresh(school=School.objects.get(pk=world.school_a.pk))
    inspector.post(
        "/rounds/", {"title": "Второй", "municipality": world.m1.pk, "due_date": TODAY.isoformat()}
    )
    from regional.models import InspectionRound

    first, second = InspectionRound.objects.order_by("pk")
    assert first.baseline_percent is not None and second.baseline_percent is not None
    assert second.baseline_percent > first.baseline_percent
    assert f"{second.baseline_percent}%" in inspector.get("/rounds/").content.decode()
