"""Who may open what: every URL pattern of both URLconfs × every role × own and foreign objects.

The old check (test_every_view_refuses_anonymous_users) passed because AccessMiddleware redirects every
anonymous request before a view runs, and it skipped every route with a parameter. Here:

* every route of config.urls_public (region host) and config.urls_tenants (school A's host) must have an
  entry in ACCESS — a route added without one fails ``test_every_route_has_an_entry``;
* parameters are filled with real ids of the test world (tests/objects.py): the ``own`` variant is an
  object the role may reach (mentor_a's own pair, a school of inspector_m1's municipality), the
  ``foreign`` variant one it may not (a pair without them, a school of another municipality);
* every role is tried — regional admin, inspector, curator, mentor, mentee, a curator of another school,
  an outsider with no role, anonymous — and each answer must be the table's: allowed (the view ran:
  200, 302 elsewhere, 400 …) or refused (403/404, or the login redirect / 401 for anonymous). A view
  that forgets its own role check lets a school's mentor into a curator's page and fails here, even
  though the middleware let the mentor onto the host.

Unsafe methods are sent with an empty body (the view must refuse before it validates anything); all of
it runs inside the test's transaction and is rolled back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from core.notifications.models import Notification
from regional.models import ChecklistTemplate, InspectionRound, ReportRun, ReportTemplate
from tenants.catalogues import ProgrammeTemplate, SurveyTemplate
from tenants.models import OnboardingBatch, Role
from tenants.notifications.models import RegionNotification
from tenants.services import invitation_create
from tests.objects import SchoolObjects, school_objects

pytestmark = pytest.mark.django_db

ROLES = ["regional_admin", "inspector_m1", "curator_a", "mentor_a", "mentee_a", "curator_b", "outsider", None]
REGION: set[str | None] = {"regional_admin", "inspector_m1"}
ADMIN: set[str | None] = {"regional_admin"}
SCHOOL: set[str | None] = {"curator_a", "mentor_a", "mentee_a"}
STAFF: set[str | None] = {"curator_a"}
EVERYONE: set[str | None] = set(ROLES)
LOGGED_IN: set[str | None] = set(ROLES) - {None}


@dataclass
class Rule:
    """Who is let in: ``own`` with the role's own object (or no object), ``foreign`` with another's."""

    own: set[str | None]
    foreign: set[str | None] | None = None  # None: the route names no object of a role's scope
    method: str = "get"
    params: Callable[["Ids"], tuple[dict[str, Any], dict[str, Any] | None]] | None = None
    open: bool = False  # guarded by someone else (allauth, the admin, a token): only «no 5xx» is checked
    notes: str = ""


@dataclass
class Ids:
    school: SchoolObjects | None = None
    region: dict[str, Any] = field(default_factory=dict)


def _pk(attr: str, foreign_attr: str | None = None) -> Callable[[Ids], tuple[dict, dict | None]]:
    def fill(ids: Ids) -> tuple[dict, dict | None]:
        source: Any = ids.school if ids.school is not None else ids.region
        get = (lambda a: getattr(source, a)) if ids.school is not None else source.__getitem__
        return {"pk": get(attr)}, ({"pk": get(foreign_attr)} if foreign_attr else None)

    return fill


def _fixed(**kwargs: Any) -> Callable[[Ids], tuple[dict, None]]:
    return lambda ids: (kwargs, None)


def _plan(*, section: bool, task: bool = False) -> Callable[[Ids], tuple[dict, dict]]:
    """A programme's section (and its first task): the own pair's, or the other pair's."""

    def fill(ids: Ids) -> tuple[dict, dict]:
        s: Any = ids.school
        own, foreign = (
            {"pk": s.programme, "sid": s.section},
            {"pk": s.other_programme, "sid": s.other_section},
        )
        if task:
            own["tid"], foreign["tid"] = s.task, s.other_task
        return own, foreign

    return fill


def _task_row(ids: Ids) -> tuple[dict, dict]:
    """A task's row on its programme's page: the own pair's, or the other pair's."""
    s: Any = ids.school
    return {"pk": s.programme, "tid": s.task}, {"pk": s.other_programme, "tid": s.other_task}


def _round_school(ids: Ids) -> tuple[dict, dict]:
    own = {"pk": ids.region["round"], "school_pk": ids.region["school"]}
    return own, {"pk": ids.region["foreign_round"], "school_pk": ids.region["foreign_school"]}


def _report_template(ids: Ids) -> tuple[dict, None]:
    return {"pk": ids.region["report"], "template_pk": ids.region["report_template"]}, None


def _survey(ids: Ids) -> tuple[dict, dict]:
    assert ids.school is not None
    code = ids.region["survey_code"]
    return {"pk": ids.school.pair, "code": code, "phase": "entry"}, {
        "pk": ids.school.other_pair,
        "code": code,
        "phase": "entry",
    }


def _notification(ids: Ids) -> tuple[dict, None]:
    return {"pk": ids.region["notification"]}, None


SCHOOL_IN_SCOPE = Rule(own=REGION, foreign=ADMIN, params=_pk("school", "foreign_school"))
PAIR: set[str | None] = {"curator_a", "mentor_a", "mentee_a"}
PAIR_MENTOR: set[str | None] = {"curator_a", "mentor_a"}

REGION_ACCESS: dict[str, Rule] = {
    "healthz": Rule(own=EVERYONE, open=True),
    "readyz": Rule(own=EVERYONE, open=True),
    "home": Rule(own=REGION),
    "region-school-new": Rule(own=ADMIN),
    "region-batch-upload": Rule(own=ADMIN),
    "region-batch-template": Rule(own=ADMIN),
    "region-batch-detail": Rule(own=ADMIN, params=_pk("batch")),
    "region-batch-progress": Rule(own=ADMIN, params=_pk("batch")),
    "region-school-detail": SCHOOL_IN_SCOPE,
    "region-school-status": SCHOOL_IN_SCOPE,
    "region-school-retry": Rule(
        own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")
    ),
    "region-school-archive": Rule(
        own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")
    ),
    "region-school-unarchive": Rule(
        own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")
    ),
    "region-school-delete": Rule(own=ADMIN, foreign=ADMIN, params=_pk("school", "foreign_school")),
    "region-school-invite": Rule(
        own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")
    ),
    "region-invitation-resend": Rule(own=ADMIN, method="post", params=_pk("invitation")),
    "region-document-templates": Rule(own=ADMIN),
    "region-document-template": Rule(own=ADMIN, params=_fixed(kind="consent")),
    "region-compliance": Rule(own=REGION),
    "region-checklist-publish": Rule(own=ADMIN, method="post"),
    "region-compliance-xlsx": Rule(own=REGION),
    "region-school-checklist": SCHOOL_IN_SCOPE,
    "region-rounds": Rule(own=REGION),
    "region-round": Rule(own=REGION, foreign=ADMIN, params=_pk("round", "foreign_round")),
    "region-round-note": Rule(own=REGION, foreign=ADMIN, params=_pk("round", "foreign_round")),
    "region-round-school": Rule(own=REGION, foreign=ADMIN, params=_round_school),
    "region-reports": Rule(own=ADMIN),
    "region-report": Rule(own=ADMIN, params=_pk("report")),
    "region-report-retry": Rule(own=ADMIN, method="post", params=_pk("report")),
    "region-report-template-upload": Rule(own=ADMIN, method="post"),
    "region-report-template": Rule(own=ADMIN, params=_report_template),
    "region-report-download": Rule(
        own=ADMIN, params=lambda ids: ({"pk": ids.region["report"], "fmt": "csv"}, None)
    ),
    "region-catalogues": Rule(own=ADMIN),
    "region-programme-templates": Rule(own=ADMIN),
    "region-programme-template": Rule(own=ADMIN, params=_pk("programme_template")),
    "region-municipalities": Rule(own=REGION),
    "region-municipality-detail": Rule(own=ADMIN, params=_pk("municipality")),
    "invitation_accept": Rule(own=EVERYONE, open=True, params=_fixed(token="not-a-token")),
    "api-me": Rule(own=LOGGED_IN),
    "api-schema": Rule(own=EVERYONE, open=True),
    "api-docs": Rule(own=EVERYONE, open=True),
    "notifications": Rule(own=REGION),
    "notifications-read": Rule(own=REGION, method="post", notes="empty body: 400 after the role check"),
    # A notification is its recipient's alone (the regional admin's here): anyone else gets a 404.
    "notification-open": Rule(own=ADMIN, params=_notification),
    "notification-preferences": Rule(own=REGION),
    "calendar-feed": Rule(own=EVERYONE, open=True, params=_fixed(token="1-not-a-secret")),
    "api-notifications": Rule(own=REGION),
    "api-notifications-read": Rule(own=REGION, method="post"),
    "api-notification-preferences": Rule(own=REGION),
    "api-municipalities": Rule(own=REGION),
    "api-municipality": Rule(own=ADMIN, params=_pk("municipality")),
    "api-schools": Rule(own=REGION),
    "api-school-detail": SCHOOL_IN_SCOPE,
    "api-school-archive": Rule(
        own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")
    ),
    "api-school-unarchive": Rule(
        own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")
    ),
    "api-school-retry": Rule(own=ADMIN, foreign=ADMIN, method="post", params=_pk("school", "foreign_school")),
    "api-batches": Rule(own=ADMIN, method="post"),
    "api-batch": Rule(own=ADMIN, params=_pk("batch")),
    "api-batch-confirm": Rule(own=ADMIN, method="post", params=_pk("batch")),
    "api-reports": Rule(own=ADMIN, method="post"),
    "api-report": Rule(own=ADMIN, params=_pk("report")),
    "api-compliance": Rule(own=REGION),
    "api-invitations": Rule(own=ADMIN, method="post"),
    "api-invitation-resend": Rule(own=ADMIN, method="post", params=_pk("invitation")),
}

SCHOOL_ACCESS: dict[str, Rule] = {
    "home": Rule(own=SCHOOL),
    "school-users": Rule(own=STAFF),
    "school-invitation-resend": Rule(own=STAFF, method="post", params=_pk("invitation")),
    "school-people": Rule(own=STAFF),
    "school-person-new": Rule(own=STAFF),
    "school-people-import": Rule(own=STAFF),
    "school-people-template": Rule(own=STAFF),
    "school-person": Rule(own=STAFF, params=_pk("person")),
    "school-person-edit": Rule(own=STAFF, params=_pk("person")),
    "school-person-link": Rule(own=STAFF, method="post", params=_pk("person")),
    "school-person-bank": Rule(own=STAFF, method="post", params=_pk("person")),
    "school-person-export": Rule(own=STAFF, params=_pk("person")),
    "school-person-erase": Rule(own=STAFF, params=_pk("person")),
    "school-consent-new": Rule(own=STAFF, method="post", params=_pk("person")),
    "school-bank": Rule(own=STAFF, params=_fixed(bank="mentor")),
    "school-bank-status": Rule(own=STAFF, method="post", params=_pk("bank_entry")),
    "school-bank-entry-edit": Rule(own=STAFF, params=_pk("bank_entry")),
    "school-bank-entry-row": Rule(own=STAFF, params=_pk("bank_entry")),
    "school-consent-withdraw": Rule(own=STAFF, method="post", params=_pk("consent")),
    "school-consent-document": Rule(own=STAFF, params=_pk("consent")),
    "school-consent-scan": Rule(own=STAFF, params=_pk("consent"), notes="no scan: 404 for staff too"),
    "school-acts": Rule(own=STAFF),
    "school-curator-order": Rule(own=STAFF, method="post"),
    "school-policy-order": Rule(own=STAFF, method="post"),
    "school-introduction-order": Rule(own=STAFF, method="post"),
    "school-early-end-order": Rule(own=STAFF, method="post"),
    "school-incentives-order": Rule(own=STAFF, method="post"),
    "school-act": Rule(own=STAFF, params=_pk("act")),
    "school-act-file": Rule(own=STAFF, params=_pk("act_file")),
    "school-erasure-document": Rule(own=STAFF, params=_pk("erasure")),
    "school-roadmap": Rule(own=STAFF),
    "school-incentives": Rule(own=STAFF),
    "school-annual-report": Rule(own=STAFF),
    "school-incentive-new": Rule(own=STAFF),
    "school-incentive": Rule(own=STAFF, params=_pk("incentive")),
    "school-incentive-delete": Rule(own=STAFF, params=_pk("incentive")),
    "school-training-new": Rule(own=STAFF),
    "school-training": Rule(own=STAFF, params=_pk("training")),
    "school-training-delete": Rule(own=STAFF, params=_pk("training")),
    "school-roadmap-template": Rule(own=STAFF, method="post"),
    "school-roadmap-item": Rule(own=STAFF, method="post", params=_pk("roadmap_item")),
    "school-roadmap-item-edit": Rule(own=STAFF, params=_pk("roadmap_item")),
    "school-roadmap-item-row": Rule(own=STAFF, params=_pk("roadmap_item")),
    "school-settings": Rule(own=STAFF),
    "school-pairs": Rule(own=STAFF),
    "school-pair-new": Rule(own=STAFF),
    "school-pairs-order": Rule(own=STAFF, method="post"),
    "school-pair": Rule(own=PAIR, foreign=STAFF, params=_pk("pair", "other_pair")),
    "school-meeting-new": Rule(
        own=PAIR_MENTOR, foreign=STAFF, method="post", params=_pk("pair", "other_pair")
    ),
    "school-pair-end": Rule(own=STAFF, foreign=STAFF, method="post", params=_pk("pair", "other_pair")),
    "school-pair-resume": Rule(own=STAFF, foreign=STAFF, method="post", params=_pk("pair", "other_pair")),
    "school-programme-new": Rule(own=STAFF, foreign=STAFF, method="post", params=_pk("pair", "other_pair")),
    "school-programme": Rule(own=PAIR, foreign=STAFF, params=_pk("programme", "other_programme")),
    "school-programme-move": Rule(
        own=PAIR,
        foreign=STAFF,
        method="post",
        params=_pk("programme", "other_programme"),
        notes="who may make which move is the service's MOVES table (tested in test_pairs)",
    ),
    "school-programme-update": Rule(
        own=STAFF, foreign=STAFF, method="post", params=_pk("programme", "other_programme")
    ),
    "school-programme-docx": Rule(own=PAIR, foreign=STAFF, params=_pk("programme", "other_programme")),
    "school-task": Rule(own=PAIR_MENTOR, foreign=STAFF, method="post", params=_pk("task", "other_task")),
    "school-programme-task-edit": Rule(own=PAIR_MENTOR, foreign=STAFF, params=_task_row),
    "school-programme-task-row": Rule(own=PAIR, foreign=STAFF, params=_task_row),
    "school-programme-plan": Rule(
        own=PAIR_MENTOR, foreign=STAFF, method="post", params=_pk("programme", "other_programme")
    ),
    "school-programme-comment": Rule(
        own=PAIR, foreign=STAFF, method="post", params=_pk("programme", "other_programme")
    ),
    "school-my": Rule(own=SCHOOL),
    "school-pair-surveys": Rule(own=PAIR, foreign=STAFF, params=_pk("pair", "other_pair")),
    "school-survey": Rule(own=PAIR, foreign=STAFF, params=_survey),
    "school-monitoring": Rule(own=STAFF),
    "school-checklist": Rule(own=STAFF),
    "school-indicators": Rule(own=STAFF),
    "invitation_accept": Rule(own=EVERYONE, open=True, params=_fixed(token="not-a-token")),
    "api-me": Rule(own=LOGGED_IN),
    "api-schema": Rule(own=EVERYONE, open=True),
    "api-docs": Rule(own=EVERYONE, open=True),
    "notifications": Rule(own=SCHOOL),
    "notifications-read": Rule(own=SCHOOL, method="post", notes="empty body: 400 after the role check"),
    # A notification is its recipient's alone (curator_a's here): anyone else gets a 404 (or the host's 403).
    "notification-open": Rule(own=STAFF, params=_notification),
    "notification-preferences": Rule(own=SCHOOL),
    # The feed has no session: its secret URL is the key (a wrong one is a 404 for everyone).
    "calendar-feed": Rule(own=EVERYONE, open=True, params=_fixed(token="1-not-a-secret")),
    "api-notifications": Rule(own=SCHOOL),
    "api-notifications-read": Rule(own=SCHOOL, method="post"),
    "api-notification-preferences": Rule(own=SCHOOL),
    "api-school": Rule(own=SCHOOL),
    "api-members": Rule(own=STAFF),
    "api-school-invitations": Rule(own=STAFF, method="post"),
    "api-people": Rule(own=STAFF),
    "api-bank-entries": Rule(own=STAFF),
    "api-bank-entry-status": Rule(own=STAFF, method="post", params=_pk("bank_entry")),
    "api-bank-requests": Rule(own=STAFF),
    "api-person": Rule(own=STAFF, params=_pk("person")),
    "api-consent-check": Rule(own=STAFF, params=_pk("person")),
    "api-consents": Rule(own=STAFF, method="post"),
    "api-consent-withdraw": Rule(own=STAFF, method="post", params=_pk("consent")),
    "api-acts": Rule(own=STAFF),
    "api-act": Rule(own=STAFF, params=_pk("act")),
    "api-act-repeal": Rule(own=STAFF, method="post", params=_pk("act")),
    "api-roadmap": Rule(own=STAFF),
    "api-incentives": Rule(own=STAFF),
    "api-incentive": Rule(own=STAFF, params=_pk("incentive")),
    "api-trainings": Rule(own=STAFF),
    "api-training": Rule(own=STAFF, params=_pk("training")),
    "api-pairs": Rule(own=SCHOOL),
    "api-pair": Rule(own=PAIR, foreign=STAFF, params=_pk("pair", "other_pair")),
    "api-pair-end": Rule(own=STAFF, foreign=STAFF, method="post", params=_pk("pair", "other_pair")),
    "api-meetings": Rule(own=PAIR, foreign=STAFF, params=_pk("pair", "other_pair")),
    "api-programme": Rule(own=PAIR, foreign=STAFF, params=_pk("programme", "other_programme")),
    "api-programme-move": Rule(
        own=PAIR, foreign=STAFF, method="post", params=_pk("programme", "other_programme")
    ),
    "api-task": Rule(own=PAIR_MENTOR, foreign=STAFF, method="patch", params=_pk("task", "other_task")),
    "api-programme-sections": Rule(own=PAIR, foreign=STAFF, params=_pk("programme", "other_programme")),
    "api-programme-section": Rule(own=PAIR_MENTOR, foreign=STAFF, method="patch", params=_plan(section=True)),
    "api-programme-section-tasks": Rule(own=PAIR, foreign=STAFF, params=_plan(section=True)),
    "api-programme-section-task": Rule(
        own=PAIR_MENTOR, foreign=STAFF, method="patch", params=_plan(section=True, task=True)
    ),
    "api-programme-versions": Rule(own=PAIR, foreign=STAFF, params=_pk("programme", "other_programme")),
    "api-programme-comments": Rule(own=PAIR, foreign=STAFF, params=_pk("programme", "other_programme")),
}

# Whole route families guarded by their own framework, checked for «no 5xx» and the framework's guard.
FRAMEWORK_PREFIXES = {
    "accounts/": "allauth: login, logout, password reset and e-mail pages guard themselves",
    "admin/": "Django admin: every route is wrapped in admin_view (is_staff), nobody in the world is staff",
}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, URLPattern]]:
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes += _walk(pattern, route, ns)
        else:
            routes.append((route, f"{namespace}{pattern.name}" if pattern.name else "", pattern))
    return routes


def _framework(route: str) -> bool:
    return route.startswith(tuple(FRAMEWORK_PREFIXES))


def _routes(urlconf: str) -> list[tuple[str, str, URLPattern]]:
    return [r for r in _walk(get_resolver(urlconf)) if not _framework(r[0])]


ACCESS = {"config.urls_public": REGION_ACCESS, "config.urls_tenants": SCHOOL_ACCESS}


@pytest.mark.parametrize("urlconf", list(ACCESS))
def test_every_route_has_an_entry(urlconf):
    """A new URL without a row in the table fails here: decide who may open it, then it is checked."""
    routes = _routes(urlconf)
    unnamed = [route for route, name, _ in routes if not name]
    assert not unnamed, f"give these routes a name: {unnamed}"
    names = {name for _, name, _ in routes}
    missing = sorted(names - set(ACCESS[urlconf]))
    stale = sorted(set(ACCESS[urlconf]) - names)
    assert not missing, f"routes without an access rule in tests/test_access_matrix.py: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"
    for _route, name, pattern in routes:
        needs_params = bool(pattern.pattern.regex.groupindex)
        assert needs_params == (ACCESS[urlconf][name].params is not None), f"{name}: fill its parameters"


def _region_ids(world: Any) -> Ids:
    template = ChecklistTemplate.objects.filter(is_current=True).first()
    version = template.version if template else 1

    def round_for(municipality: Any, school: Any) -> int:
        r = InspectionRound.objects.create(
            title="Проверка", municipality=municipality, due_date=timezone.localdate() + timedelta(days=30),
            template_version=version, created_by=world.regional_admin,
        )  # fmt: skip
        r.schools.add(school)
        return r.pk

    report = ReportRun.objects.create(on=timezone.localdate(), status=ReportRun.Status.DONE)
    report_template = ReportTemplate(title="Шаблон")
    report_template.file.save("x.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    batch = OnboardingBatch.objects.create(
        file_name="list.csv", file_sha256="0" * 64, created_by=world.regional_admin
    )
    invitation = invitation_create(email="new@region.test", role=Role.INSPECTOR, municipality=world.m1,
                                   invited_by=world.regional_admin)  # fmt: skip
    return Ids(
        region={
            "school": world.school_a.pk,
            "foreign_school": world.school_c.pk,
            "round": round_for(world.m1, world.school_a),
            "foreign_round": round_for(world.m2, world.school_c),
            "report": report.pk,
            "report_template": report_template.pk,
            "batch": batch.pk,
            "invitation": invitation.pk,
            "municipality": world.m1.pk,
            "programme_template": ProgrammeTemplate.objects.order_by("pk").values_list("pk", flat=True)[0],
            "notification": RegionNotification.objects.create(
                recipient_id=world.regional_admin.pk, kind="round_due", key="k", title="Срок", link="/"
            ).pk,
        }
    )


def _verdict(response: Any, anonymous: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    location = response.get("Location", "")
    if status in (401, 403, 404) or (
        status == 302 and ("/accounts/login/" in location or "/admin/login/" in location)
    ):
        return "refused"
    if status == 405:
        return "wrong method"
    return "allowed"


def _check(
    host_client: Any, world: Any, school: Any, rule: Rule, name: str, ids: Ids, urlconf: str
) -> list[str]:
    own, foreign = rule.params(ids) if rule.params else ({}, None)
    variants = [("own", own, rule.own)]
    if rule.foreign is not None:
        variants.append(("foreign", foreign or own, rule.foreign))
    problems = []
    for variant, kwargs, allowed in variants:
        path = reverse(name, urlconf=urlconf, kwargs=kwargs)
        for role in ROLES:
            client = host_client(school, getattr(world, role) if role else None)
            body = "{}" if "/api/" in path else ""
            kind = "application/json" if "/api/" in path else "application/x-www-form-urlencoded"
            call = getattr(client, rule.method)
            response = call(path) if rule.method == "get" else call(path, body, content_type=kind)
            got = _verdict(response, role is None)
            if rule.open:
                expected_ok = not got.startswith("error")
                if not expected_ok:
                    problems.append(f"{rule.method.upper()} {path} as {role}: {got}")
                continue
            expected = "allowed" if role in allowed else "refused"
            if got != expected:
                problems.append(
                    f"{rule.method.upper()} {path} ({variant}) as {role}: {got} ({response.status_code}), expected {expected}"
                )
    return problems


@pytest.mark.parametrize("name", list(REGION_ACCESS))
def test_region_route_admits_exactly_its_roles(host_client, world, name):
    ids = _region_ids(world)
    problems = _check(host_client, world, None, REGION_ACCESS[name], name, ids, "config.urls_public")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(SCHOOL_ACCESS))
def test_school_route_admits_exactly_its_roles(host_client, world, name):
    survey = SurveyTemplate.objects.filter(is_active=True).order_by("pk").first()
    with schema_context(world.school_a.schema_name):
        notification = Notification.objects.create(
            recipient_id=world.curator_a.pk, kind="remark", key="k", title="Замечание", link="/"
        )
    ids = Ids(region={"survey_code": survey.code if survey else "none", "notification": notification.pk})
    ids.school = school_objects(
        world.school_a, curator=world.curator_a, mentor=world.mentor_a, mentee=world.mentee_a
    )
    problems = _check(
        host_client, world, world.school_a, SCHOOL_ACCESS[name], name, ids, "config.urls_tenants"
    )
    assert not problems, "\n".join(problems)


def _fill_regex(pattern: URLPattern) -> dict[str, str]:
    return dict.fromkeys(pattern.pattern.regex.groupindex, "1")


@pytest.mark.parametrize("urlconf", list(ACCESS))
def test_framework_routes_never_fail_and_keep_non_staff_out_of_the_admin(host_client, world, urlconf):
    school = None if urlconf == "config.urls_public" else world.school_a
    for role in ("regional_admin", "curator_a", None):
        client = host_client(school, getattr(world, role) if role else None)
        for route, name, pattern in _walk(get_resolver(urlconf)):
            if not _framework(route) or not name:
                continue
            try:
                path = reverse(name, urlconf=urlconf, kwargs=_fill_regex(pattern))
            except Exception:  # a pattern whose groups «1» cannot satisfy (e.g. a uidb36-key pair)
                path = "/" + route.replace("^", "").replace("$", "")
            response = client.get(path)
            assert response.status_code < 500, f"{path} as {role}: {response.status_code}"
            if route.startswith("admin/") and name != "admin:login":
                assert response.status_code != 200, f"{path} as {role}: the admin served a non-staff user"


def test_the_table_refuses_somebody_on_every_guarded_route():
    """A rule that lets everyone in would make its row prove nothing."""
    for table in ACCESS.values():
        for name, rule in table.items():
            if not rule.open:
                assert None not in rule.own, f"{name}: anonymous may not be in a guarded route's rule"
