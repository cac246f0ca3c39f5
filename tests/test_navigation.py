"""Each role's menu offers only what the role may open (issue 14): the inspector saw Отчётность,
Справочники and Шаблоны документов, each answering «Нет доступа».

The menu is rendered for every role on its host and every link in it is opened: none may be refused.
"""

import contextvars
import re

import pytest

from tenants.models import Role
from tenants.services import membership_grant

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="navbar.*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"]*)"')


def _menu_links(client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    nav = NAV.search(response.content.decode())
    assert nav is not None
    return [h for h in HREF.findall(nav.group(0)) if not h.startswith("/accounts/")]


def _assert_all_open(client, links: list[str]) -> None:
    refused = {}
    for link in links:
        status = client.get(link).status_code
        if status >= 400:
            refused[link] = status
    assert not refused, f"menu links this role may not open: {refused}"


@pytest.mark.parametrize("persona", ["regional_admin", "inspector_m1"])
def test_region_menu_has_no_link_the_role_cannot_open(world, host_client, persona):
    client = host_client(None, getattr(world, persona))
    links = _menu_links(client)
    _assert_all_open(client, links)
    if persona == "inspector_m1":
        assert "/reports/" not in links and "/catalogues/" not in links
        assert "/document-templates/" not in links
        assert "/compliance/" in links and "/rounds/" in links
    else:
        assert {"/reports/", "/catalogues/", "/document-templates/"} <= set(links)


@pytest.mark.parametrize("persona", ["curator_a", "mentor_a", "mentee_a", "school_admin"])
def test_school_menu_has_no_link_the_role_cannot_open(world, host_client, persona):
    user = getattr(world, persona, None)
    if user is None:  # a school admin of school A, made for this test (rolled back after it)
        from tenants.models import User

        user = User.objects.create_user("admin@a.test", "Correct-Horse-42", last_name="Адм", first_name="А")
        membership_grant(user=user, role=Role.SCHOOL_ADMIN, school=world.school_a)
    client = host_client(world.school_a, user)
    links = _menu_links(client)
    _assert_all_open(client, links)
    staff = persona in ("curator_a", "school_admin")
    assert ("/people/" in links) is staff
    assert ("/settings/" in links) is staff
    assert ("/my/" in links) is not staff


def test_user_menu_is_in_the_navbar_for_every_page(world, host_client):
    client = host_client(world.school_a, world.curator_a)
    nav = NAV.search(client.get("/pairs/").content.decode())
    assert nav is not None and "Выйти" in nav.group(0) and "user-menu" in nav.group(0)


# --- links carry the server's own address; Russian 404 pages in every mode (issue 14, item 5) ---------


@pytest.fixture
def _forget_request_origin():
    """The test client answers in this thread: forget the port of these requests after the test."""
    from tenants.urls_util import _request_origin

    yield
    _request_origin.set(None)


@pytest.mark.usefixtures("_forget_request_origin")
def test_links_carry_the_port_the_browser_used(world, host_client, mailoutbox):
    from django.test import Client, TestCase

    region = Client(HTTP_HOST="localhost:8810")
    region.force_login(world.regional_admin)
    page = region.get(f"/schools/{world.school_a.pk}/").content.decode()
    assert "http://school-a.localhost:8810/" in page and ":8000" not in page
    school = Client(HTTP_HOST="school-a.localhost:8810")
    school.force_login(world.curator_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = school.post("/users/", {"email": "new-mentor@a.test", "role": "mentor"})
    assert response.status_code == 302
    assert "http://school-a.localhost:8810/invite/" in mailoutbox[-1].body


def test_outside_a_request_links_use_the_configured_address(settings):
    from tenants.urls_util import site_url

    # A fresh context, as in a Celery worker or a management command: no request has been answered.
    settings.SITE_SCHEME, settings.SITE_PORT = "https", ""
    assert contextvars.Context().run(site_url, "school-a.localhost", "/x/") == "https://school-a.localhost/x/"
    settings.SITE_PORT = "8443"
    assert contextvars.Context().run(site_url, None, "/") == "https://localhost:8443/"


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_hosts_and_used_invitations_get_the_russian_404(world, host_client, settings, debug):
    from django.test import Client

    settings.DEBUG = debug
    unknown = Client(HTTP_HOST="no-such-school.localhost").get("/")
    assert unknown.status_code == 404
    text = unknown.content.decode()
    assert "Страница не найдена" in text and "Page not found" not in text and "URLconf" not in text
    used = host_client(world.school_a).get("/invite/not-a-real-token/")
    assert used.status_code == 404 and "Страница не найдена" in used.content.decode()
    missing = host_client(world.school_a, world.curator_a).get("/no/such/page/")
    assert missing.status_code == 404 and "Страница не найдена" in missing.content.decode()
