"""Issue 15: the bell, the list, marking read, preferences, e-mail (immediate and digest), the calendar feed
and the API — each on its own host only."""

import json
import re
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.notifications.models import Notification
from core.notifications.services import notify
from core.notifications.tasks import notifications_digest_task, notifications_send_task
from core.programmes.models import ProgrammeTask
from regional.models import InspectionRound
from tenants.models import Membership, Role
from tenants.notifications.calendar_tokens import calendar_token_issue
from tenants.notifications.engine import notifications_prune
from tenants.notifications.kinds import SCHOOL, kinds_for
from tenants.notifications.models import NotificationPreference, RegionNotification
from tenants.notifications.region import region_notify
from tenants.notifications.tasks import region_notifications_digest_task
from tenants.services import membership_grant
from tests.conftest import PASSWORD
from tests.objects import school_objects

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _notify(school, user, n, *, kind="consent_expiring", prefix="e"):
    with schema_context(school.schema_name):
        for i in range(n):
            notify(
                kind=kind,
                key=f"{prefix}:{i}",
                recipient_ids=[user.pk],
                title=f"Событие {prefix}{i}",
                link="/roadmap/",
            )


OPEN_LINE = re.compile(r"^(?:• )?Открыть: (\S+)$", re.MULTILINE)


def _links(letter: EmailMessage) -> list[str]:
    """The «Открыть:» links of a letter, in order (one per notification it carries)."""
    return OPEN_LINE.findall(str(letter.body))


def _own(school, user, key):
    with schema_context(school.schema_name):
        return Notification.objects.get(recipient_id=user.pk, key=key)


def test_the_bell_counts_unread_with_one_query_however_many(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    counts = []
    for total in (1, 30):
        _notify(world.school_a, world.curator_a, total, prefix=f"b{total}")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/notifications/preferences/").content.decode()
        counts.append(len(queries))
        unread = 1 if total == 1 else 31
        assert f"data-unread>{unread}</span>" in page
    assert counts[0] == counts[1], counts
    assert 'aria-label="Уведомления: 31 непрочитанное"' in client.get("/").content.decode()


def test_the_list_filters_pages_and_marks_only_ones_own_read(world, host_client):
    _notify(world.school_a, world.curator_a, 25)
    _notify(world.school_a, world.curator_a, 1, kind="roadmap_overdue", prefix="r")
    _notify(world.school_a, world.mentor_a, 1, prefix="m")
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/notifications/").content.decode()
    assert "Всего: 26 уведомлений" in page and "Событие m0" not in page and "1 из 2" in page
    assert "Событие r0" in client.get("/notifications/?kind=roadmap_overdue").content.decode()
    assert "Событие e0" not in client.get("/notifications/?kind=roadmap_overdue").content.decode()
    with schema_context(world.school_a.schema_name):
        own = Notification.objects.get(key="r:0").pk
        others = Notification.objects.get(key="m:0").pk
    response = client.post("/notifications/read/", {"id": [own, others], "kind": "roadmap_overdue"})
    assert response.status_code == 302 and response.url == "/notifications/?kind=roadmap_overdue"
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=own).read_at is not None
        assert Notification.objects.get(pk=others).read_at is None  # the mentor's stays unread
    assert "Событие r0" not in client.get("/notifications/?unread=1").content.decode()
    for wrong in (["abc"], ["²"], [], ["9" * 30]):
        bad = client.post("/notifications/read/", {"id": wrong})
        assert bad.status_code == 400 and "Не выбрано" in bad.content.decode(), wrong
    client.post("/notifications/read/", {"all": "1"})
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.filter(recipient_id=world.curator_a.pk, read_at__isnull=True).count() == 0
        assert Notification.objects.get(pk=others).read_at is None


def test_a_school_host_shows_only_its_schools_and_the_region_host_only_the_regions(world, host_client):
    membership_grant(user=world.curator_a, role=Role.MENTOR, school=world.school_b)
    membership_grant(user=world.curator_a, role=Role.INSPECTOR, municipality=world.m1)
    _notify(world.school_a, world.curator_a, 1, prefix="a")
    _notify(world.school_b, world.curator_a, 2, prefix="b")
    region_notify(
        kind="round_due",
        key="round_due:1",
        recipient_ids=[world.curator_a.pk],
        title="Срок раунда ЭТОГО",
        link="/",
    )
    on_a = host_client(world.school_a, world.curator_a).get("/notifications/").content.decode()
    on_b = host_client(world.school_b, world.curator_a).get("/notifications/").content.decode()
    on_region = host_client(None, world.curator_a).get("/notifications/").content.decode()
    assert "Событие a0" in on_a and "Событие b0" not in on_a and "Срок раунда ЭТОГО" not in on_a
    assert "Событие b1" in on_b and "Событие a0" not in on_b
    assert "Срок раунда ЭТОГО" in on_region and "Событие" not in on_region
    assert "data-unread>1<" in on_a and "data-unread>2<" in on_b
    # Marking all read on school B's host leaves school A's and the region's unread.
    host_client(world.school_b, world.curator_a).post("/notifications/read/", {"all": "1"})
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert RegionNotification.objects.filter(read_at__isnull=True).count() == 1
    # curator_b (school B only) is refused on school A's host, page and API alike.
    assert host_client(world.school_a, world.curator_b).get("/notifications/").status_code == 403
    assert host_client(world.school_a, world.curator_b).get("/api/v1/notifications/").status_code == 403


def test_immediate_kinds_mail_at_once_digest_kinds_once_a_day_and_none_never(
    world, host_client, django_capture_on_commit_callbacks
):
    curator = world.curator_a
    NotificationPreference.objects.create(user=curator, kind="roadmap_overdue", channel="none")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world.school_a, curator, 2)  # consent_expiring: the digest by default
        _notify(world.school_a, curator, 1, kind="roadmap_overdue", prefix="quiet")  # chose «none»
        _notify(world.school_a, curator, 1, kind="task_overdue", prefix="now")  # immediate by default
    (now,) = mail.outbox
    assert now.to == ["curator@a.test"] and "Событие now0" in now.body
    # The link opens that notification (marking it read on the way to /roadmap/), not the page itself.
    now_row = _own(world.school_a, curator, "now:0")
    assert _links(now) == [f"http://school-a.localhost/notifications/{now_row.pk}/open/"]
    assert "http://school-a.localhost/roadmap/" not in now.body
    assert "http://school-a.localhost/notifications/preferences/" in now.body
    with schema_context(world.school_a.schema_name):
        assert notifications_digest_task() == 1
        assert notifications_digest_task() == 0  # the second run sends nothing
    digest = mail.outbox[1]
    assert (
        "Сводка уведомлений" in digest.subject and "Событие e0" in digest.body and "Событие e1" in digest.body
    )
    assert "Событие quiet0" not in digest.body and "Событие now0" not in digest.body
    # Each item of the digest links to its own notification's open view.
    e0, e1 = _own(world.school_a, curator, "e:0"), _own(world.school_a, curator, "e:1")
    assert _links(digest) == [f"http://school-a.localhost/notifications/{row.pk}/open/" for row in (e0, e1)]
    assert "http://school-a.localhost/notifications/preferences/" in digest.body
    assert len(mail.outbox) == 2
    # Nothing of school A goes out in school B's digest.
    with schema_context(world.school_b.schema_name):
        assert notifications_digest_task() == 0


def test_preferences_are_saved_per_kind_and_bad_input_changes_nothing(world, host_client):
    client = host_client(world.school_a, world.mentor_a)
    page = client.get("/notifications/preferences/").content.decode()
    assert "Программа утверждена" in page and "Выгрузка готова" not in page  # region kinds on the region host
    form = {"task_due": "immediate", "survey_waiting": "none"}
    full = {k.code: k.default for k in kinds_for(SCHOOL)} | form
    assert client.post("/notifications/preferences/", full).status_code == 302
    chosen = dict(NotificationPreference.objects.filter(user=world.mentor_a).values_list("kind", "channel"))
    assert chosen["task_due"] == "immediate" and chosen["survey_waiting"] == "none"
    bad = client.post("/notifications/preferences/", full | {"task_due": "telegram"})
    assert bad.status_code == 400 and "выберите" in bad.content.decode()
    assert NotificationPreference.objects.get(user=world.mentor_a, kind="task_due").channel == "immediate"


def test_the_calendar_feed_is_the_persons_own_deadlines_behind_a_resettable_secret(world, host_client):
    objs = school_objects(
        world.school_a, curator=world.curator_a, mentor=world.mentor_a, mentee=world.mentee_a
    )
    with schema_context(world.school_a.schema_name):
        ProgrammeTask.objects.filter(pk=objs.task).update(
            due_date=TODAY + timedelta(days=9), task="Своё задание"
        )
        ProgrammeTask.objects.filter(pk=objs.other_task).update(
            due_date=TODAY + timedelta(days=9), task="Чужое"
        )
    mentor = host_client(world.school_a, world.mentor_a)
    page = mentor.post("/notifications/preferences/", {"calendar_reset": "1"}).content.decode()
    url = page.split('readonly value="')[1].split('"')[0]
    assert url.startswith("http://school-a.localhost/calendar/") and url.endswith(".ics")
    path = url.removeprefix("http://school-a.localhost")
    feed = host_client(world.school_a).get(path)  # no session: a calendar app
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode().replace("\r\n ", "")  # RFC 5545 folds long lines
    assert "BEGIN:VCALENDAR" in body and "Своё задание" in body and "Чужое" not in body
    assert f"DTSTART;VALUE=DATE:{TODAY + timedelta(days=9):%Y%m%d}" in body
    assert host_client(world.school_b).get(path).status_code == 404  # not a member of school B
    assert host_client(world.school_a).get(path[:-6] + "x.ics").status_code == 404
    assert host_client(world.school_a).get("/calendar/abc.ics").status_code == 404
    for forged in ("9" * 30 + "-abc", "١٢-abc"):  # past a bigint, non-ASCII digits: a 404, not a DB error
        assert host_client(world.school_a).get(f"/calendar/{forged}.ics").status_code == 404
    mentor.post("/notifications/preferences/", {"calendar_reset": "1"})
    assert host_client(world.school_a).get(path).status_code == 404  # the old URL is dead


def test_the_api_lists_marks_read_and_sets_preferences_on_its_own_host(world, host_client):
    _notify(world.school_a, world.curator_a, 3)
    _notify(world.school_b, world.curator_b, 1, prefix="b")
    api = host_client(world.school_a, world.curator_a)
    listed = api.get("/api/v1/notifications/?unread=1").json()
    assert listed["count"] == 3 and {r["link"] for r in listed["results"]} == {"/roadmap/"}
    first = listed["results"][0]["id"]
    with schema_context(world.school_b.schema_name):
        foreign = Notification.objects.get().pk
    marked = api.post(
        "/api/v1/notifications/read/", {"ids": [first, foreign]}, content_type="application/json"
    )
    assert marked.json() == {"marked": 1}
    with schema_context(world.school_b.schema_name):
        assert Notification.objects.get().read_at is None
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 2
    for body in ({}, {"ids": "x"}, {"ids": [0]}, [1, 2], {"all": "maybe"}):
        response = api.post("/api/v1/notifications/read/", json.dumps(body), content_type="application/json")
        assert response.status_code == 400, body
    assert api.get("/api/v1/notifications/?kind=nope").status_code == 400
    assert api.post("/api/v1/notifications/read/", {"all": True}, content_type="application/json").json() == {
        "marked": 2
    }
    prefs = api.put(
        "/api/v1/notifications/preferences/", {"remark": "digest"}, content_type="application/json"
    ).json()
    assert {"kind": "remark", "channel": "digest"}.items() <= next(
        p for p in prefs if p["kind"] == "remark"
    ).items()
    bad_bodies: list[object] = [{"remark": "fax"}, {"nope": "digest"}, [], "x", {}]
    for bad in bad_bodies:
        response = api.put(
            "/api/v1/notifications/preferences/", json.dumps(bad), content_type="application/json"
        )
        assert response.status_code == 400, bad
    assert NotificationPreference.objects.get(user=world.curator_a, kind="remark").channel == "digest"
    region = host_client(None, world.inspector_m1).get("/api/v1/notifications/preferences/").json()
    assert "export_ready" in {p["kind"] for p in region} and "task_due" not in {p["kind"] for p in region}


class FlakyMailBackend(locmem.EmailBackend):
    """The mail server drops the first connection, then works."""

    failures = 0

    def send_messages(self, messages):
        if FlakyMailBackend.failures:
            FlakyMailBackend.failures -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_mail_server_away_is_retried_and_nothing_goes_twice(world, settings):
    settings.EMAIL_BACKEND = "tests.test_notifications_ui.FlakyMailBackend"
    _notify(world.school_a, world.curator_a, 1, kind="task_overdue")  # its send job is not run yet
    _notify(world.school_a, world.mentor_a, 1, kind="task_overdue")  # the same event, another person
    FlakyMailBackend.failures = 1
    with schema_context(world.school_a.schema_name):
        # The first attempt meets the dropped connection; the job is retried (at once when eager) and sends.
        notifications_send_task.apply(args=["e:0"], throw=False)
        assert FlakyMailBackend.failures == 0 and len(mail.outbox) == 2
        assert notifications_send_task.apply(args=["e:0"]).get() == 0  # a redelivered job: nothing twice
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["curator@a.test", "mentor@a.test"]


def test_one_event_is_one_row_per_person_even_past_the_service(world):
    with schema_context(world.school_a.schema_name):
        notify(kind="remark", key="k", recipient_ids=[world.curator_a.pk], title="Раз", link="/")
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(kind="remark", key="k", recipient_id=world.curator_a.pk, title="Два")
        assert (
            notify(kind="remark", key="k", recipient_ids=[world.curator_a.pk, None], title="Два", link="/")
            == []
        )
        assert Notification.objects.count() == 1


def test_read_notifications_are_pruned_after_half_a_year_unread_ones_stay(world):
    with schema_context(world.school_a.schema_name):
        _notify(world.school_a, world.curator_a, 3)
        old = timezone.now() - timedelta(days=200)
        Notification.objects.filter(key__in=["e:0", "e:1"]).update(created_at=old)
        Notification.objects.filter(key__in=["e:0", "e:2"]).update(read_at=timezone.now())
        assert notifications_prune(Notification) == 1
        assert set(Notification.objects.values_list("key", flat=True)) == {"e:1", "e:2"}


def test_the_region_feed_has_the_rounds_the_person_may_see(world, host_client):
    near = TODAY + timedelta(days=20)
    for municipality, title in ((world.m1, "Тверской раунд"), (world.m2, "Ржевский раунд")):
        InspectionRound.objects.create(
            title=title, municipality=municipality, due_date=near, template_version=1
        )
    inspector = host_client(None, world.inspector_m1)
    page = inspector.post("/notifications/preferences/", {"calendar_reset": "1"}).content.decode()
    url = page.split('readonly value="')[1].split('"')[0]
    assert url.startswith("http://localhost/calendar/")
    body = host_client(None).get(url.removeprefix("http://localhost")).content.decode().replace("\r\n ", "")
    assert "Тверской раунд" in body and "Ржевский раунд" not in body
    token = calendar_token_issue(user=world.curator_a)  # not regional staff: no region feed
    assert host_client(None).get(f"/calendar/{token}.ics").status_code == 404


def test_someone_who_left_the_school_is_mailed_no_more_of_it(world):
    _notify(world.school_a, world.curator_a, 1)
    _notify(world.school_a, world.mentor_a, 1, prefix="m")
    Membership.objects.filter(user=world.mentor_a, school=world.school_a).delete()
    with schema_context(world.school_a.schema_name):
        assert notifications_digest_task() == 1
    assert [m.to for m in mail.outbox] == [["curator@a.test"]]


def test_opening_a_notification_marks_that_one_read_and_goes_to_its_page(world, host_client):
    _notify(world.school_a, world.curator_a, 2)
    _notify(world.school_a, world.mentor_a, 1, prefix="m")
    first, second = _own(world.school_a, world.curator_a, "e:0"), _own(world.school_a, world.curator_a, "e:1")
    mentors = _own(world.school_a, world.mentor_a, "m:0")
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/notifications/").content.decode()
    listed = page.split('class="list-group list-group-flush"')[1]
    assert f'href="/notifications/{first.pk}/open/"' in listed and 'href="/roadmap/"' not in listed
    assert "data-unread>2<" in page
    opened = client.get(f"/notifications/{first.pk}/open/")
    assert opened.status_code == 302 and opened.url == "/roadmap/"
    with schema_context(world.school_a.schema_name):
        read_at = Notification.objects.get(pk=first.pk).read_at
        assert read_at is not None and Notification.objects.get(pk=second.pk).read_at is None
    assert "data-unread>1<" in client.get("/notifications/").content.decode()  # the bell drops
    assert client.get(f"/notifications/{first.pk}/open/").url == "/roadmap/"  # opening again: the same
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=first.pk).read_at == read_at
    # Another person's notification, an id that does not exist, one past a bigint: 404, nothing marked.
    for pk in (mentors.pk, 10**12, int("9" * 30)):
        assert client.get(f"/notifications/{pk}/open/").status_code == 404, pk
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=mentors.pk).read_at is None
    assert client.post(f"/notifications/{second.pk}/open/").status_code == 405


def test_a_notification_opens_only_on_its_own_schools_host(world, host_client):
    """curator_a is also a mentor in school B: B's notification id means nothing on A's host (ids are per
    schema), and curator_b, who is not in school A, is refused on A's host before any lookup."""
    membership_grant(user=world.curator_a, role=Role.MENTOR, school=world.school_b)
    _notify(world.school_a, world.curator_a, 1, prefix="a")
    _notify(world.school_b, world.curator_a, 2, prefix="b")
    _notify(world.school_b, world.curator_b, 1, prefix="cb")
    on_a = _own(world.school_a, world.curator_a, "a:0")
    on_b = next(
        n for key in ("b:0", "b:1") if (n := _own(world.school_b, world.curator_a, key)).pk != on_a.pk
    )
    of_curator_b = _own(world.school_b, world.curator_b, "cb:0")
    a_client = host_client(world.school_a, world.curator_a)
    assert a_client.get(f"/notifications/{on_b.pk}/open/").status_code == 404
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=on_a.pk).read_at is None  # nothing of A marked instead
    with schema_context(world.school_b.schema_name):
        assert Notification.objects.get(pk=on_b.pk).read_at is None
    assert (
        host_client(world.school_a, world.curator_b).get(f"/notifications/{on_a.pk}/open/").status_code == 403
    )
    b_client = host_client(world.school_b, world.curator_a)
    assert b_client.get(f"/notifications/{of_curator_b.pk}/open/").status_code == 404
    assert b_client.get(f"/notifications/{on_b.pk}/open/").url == "/roadmap/"
    with schema_context(world.school_b.schema_name):
        assert Notification.objects.get(pk=on_b.pk).read_at is not None
        assert Notification.objects.get(pk=of_curator_b.pk).read_at is None


def test_a_region_notification_opens_on_the_region_host_only(world, host_client):
    region_notify(kind="round_due", key="round_due:open", recipient_ids=[world.inspector_m1.pk],
                  title="Срок раунда", link="/rounds/")  # fmt: skip
    row = RegionNotification.objects.get(key="round_due:open")
    region = host_client(None, world.inspector_m1)
    assert f'href="/notifications/{row.pk}/open/"' in region.get("/notifications/").content.decode()
    assert host_client(None, world.regional_admin).get(f"/notifications/{row.pk}/open/").status_code == 404
    opened = region.get(f"/notifications/{row.pk}/open/")
    assert opened.status_code == 302 and opened.url == "/rounds/"
    assert RegionNotification.objects.get(pk=row.pk).read_at is not None
    assert "data-unread" not in region.get("/notifications/").content.decode()


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)",
     "evil.example", ""],
)  # fmt: skip
def test_a_notification_never_redirects_off_the_site(world, host_client, link):
    with schema_context(world.school_a.schema_name):
        notify(
            kind="remark", key="remark:x", recipient_ids=[world.curator_a.pk], title="Замечание", link=link
        )
        row = Notification.objects.get(key="remark:x")
    response = host_client(world.school_a, world.curator_a).get(f"/notifications/{row.pk}/open/")
    assert response.status_code == 400 and "Location" not in response
    assert "нет ссылки на страницу сайта" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=row.pk).read_at is None  # refused: nothing marked


def _path(url: str, host: str) -> str:
    """The path of a letter's link, once its scheme and host are the site's own (what the test client asks)."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", host), url
    return parts.path


def test_a_link_in_a_letter_marks_it_read_for_its_recipient_even_through_the_login(
    world, host_client, django_capture_on_commit_callbacks
):
    curator, host = world.curator_a, world.host(world.school_a)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(world.school_a, curator, 1, kind="task_overdue", prefix="now")  # immediate
        _notify(world.school_a, curator, 1)  # the digest
    with schema_context(world.school_a.schema_name):
        assert notifications_digest_task() == 1
    now, digest = mail.outbox
    (now_url,), (digest_url,) = _links(now), _links(digest)
    now_row, digest_row = _own(world.school_a, curator, "now:0"), _own(world.school_a, curator, "e:0")
    now_path, digest_path = _path(now_url, host), _path(digest_url, host)
    assert now_path == f"/notifications/{now_row.pk}/open/"
    assert digest_path == f"/notifications/{digest_row.pk}/open/"
    # Followed by someone else: the mentor of the same school gets a 404; curator_b, not of school A, a 403.
    for path in (now_path, digest_path):
        assert host_client(world.school_a, world.mentor_a).get(path).status_code == 404
        assert host_client(world.school_a, world.curator_b).get(path).status_code == 403
    # Followed logged out: the login page, which brings the person back to the link, then to the page.
    browser = host_client(world.school_a)
    to_login = browser.get(now_path)
    assert to_login.status_code == 302 and to_login.url == f"/accounts/login/?next={now_path}"
    assert f'value="{now_path}"' in browser.get(to_login.url).content.decode()  # the form keeps «next»
    with schema_context(world.school_a.schema_name):
        assert not Notification.objects.filter(recipient_id=curator.pk, read_at__isnull=False).exists()
    logged_in = browser.post(to_login.url, {"login": "curator@a.test", "password": PASSWORD})
    assert logged_in.status_code == 302 and logged_in.url == now_path
    opened = browser.get(now_path)
    assert opened.status_code == 302 and opened.url == "/roadmap/"
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=now_row.pk).read_at is not None
        assert Notification.objects.get(pk=digest_row.pk).read_at is None
    assert "data-unread>1<" in browser.get("/notifications/").content.decode()
    # The digest's link, followed by the recipient already logged in: read, the bell empty.
    assert browser.get(digest_path).url == "/roadmap/"
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.get(pk=digest_row.pk).read_at is not None
    assert "data-unread" not in browser.get("/notifications/").content.decode()


def test_a_region_letters_link_opens_the_region_notification_on_the_region_host(
    world, host_client, django_capture_on_commit_callbacks
):
    inspector, host = world.inspector_m1, world.host(None)
    with django_capture_on_commit_callbacks(execute=True):
        region_notify(kind="round_due", key="round_due:mail", recipient_ids=[inspector.pk],
                      title="Срок раунда", link="/rounds/")  # immediate  # fmt: skip
        region_notify(kind="round_started", key="round_started:mail", recipient_ids=[inspector.pk],
                      title="Раунд начат", link="/rounds/")  # the digest  # fmt: skip
    assert region_notifications_digest_task() == 1
    now, digest = mail.outbox
    assert now.to == digest.to == ["imc@m1.test"]
    rows = [RegionNotification.objects.get(key=key) for key in ("round_due:mail", "round_started:mail")]
    paths = [_path(url, host) for url in (*_links(now), *_links(digest))]
    assert paths == [f"/notifications/{row.pk}/open/" for row in rows]
    assert "http://localhost/rounds/" not in f"{now.body}{digest.body}"
    for path in paths:
        assert host_client(None, world.regional_admin).get(path).status_code == 404  # not theirs
    assert RegionNotification.objects.filter(read_at__isnull=False).count() == 0
    region = host_client(None, inspector)
    for path in paths:
        assert region.get(path).url == "/rounds/"
    assert RegionNotification.objects.filter(read_at__isnull=True).count() == 0


def test_a_schools_letters_carry_only_that_schools_links(
    world, host_client, django_capture_on_commit_callbacks
):
    """curator_a works in school A and (as a mentor) in school B: each school's letters link to its own host
    and its own rows; a link followed marks that school's row only."""
    curator = world.curator_a
    membership_grant(user=curator, role=Role.MENTOR, school=world.school_b)
    with django_capture_on_commit_callbacks(execute=True):
        for school, prefix in ((world.school_a, "a"), (world.school_b, "b")):
            _notify(school, curator, 1, kind="task_overdue", prefix=f"{prefix}-now")
            _notify(school, curator, 2, prefix=prefix)
    for school in (world.school_a, world.school_b):
        with schema_context(school.schema_name):
            assert notifications_digest_task() == 1
    assert len(mail.outbox) == 4 and {m.to[0] for m in mail.outbox} == {"curator@a.test"}
    by_school = {
        "a": [m for m in mail.outbox if "Школа А" in m.body],
        "b": [m for m in mail.outbox if "Школа Б" in m.body],
    }
    for prefix, school, other in (
        ("a", world.school_a, world.school_b),
        ("b", world.school_b, world.school_a),
    ):
        letters = by_school[prefix]
        assert len(letters) == 2
        body = "".join(str(m.body) for m in letters)
        assert world.host(other) not in body
        with schema_context(school.schema_name):
            own = Notification.objects.filter(recipient_id=curator.pk).order_by("pk")
            expected = [f"/notifications/{n.pk}/open/" for n in own]
        assert sorted(_path(url, world.host(school)) for m in letters for url in _links(m)) == sorted(
            expected
        )
    # B's letter followed: B's row read, nothing of A's.
    b_path = _path(_links(by_school["b"][0])[0], world.host(world.school_b))
    assert host_client(world.school_b, curator).get(b_path).url == "/roadmap/"
    with schema_context(world.school_b.schema_name):
        assert Notification.objects.filter(read_at__isnull=False).count() == 1
    with schema_context(world.school_a.schema_name):
        assert Notification.objects.filter(read_at__isnull=False).count() == 0
