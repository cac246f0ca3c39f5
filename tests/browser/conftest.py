"""End-to-end journeys in the system Chromium (issue 14), through pytest-django's live server.

Every person walks in a browser context of their own (own cookies, so a login on one host is not a login
on another). Each step checks the page as a user meets it on a 1366×768 laptop: no sideways scrolling,
no 4xx/5xx response (page, script, style, image or fetch), no console error, and leaves a screenshot in
``$NASTAVNIK_VAR_DIR/screenshots/<test>/``.

The browser is the Debian package ``chromium`` that ``make install`` puts in place
(tests/browser/install_chromium.sh), never one downloaded by Playwright. Without it the journeys skip
locally with the reason, and fail under CI (``CI=true``): a green CI must mean they ran.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tenants.models import School
from tenants.schema_names import school_host
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# The machine's network is closed: without these Chromium waits on its background services at start.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1366, "height": 768}
# README pictures: `NASTAVNIK_README_SCREENSHOTS=1 pytest tests/browser` copies the named steps here.
README_SHOTS = Path(__file__).parent / "screenshots"


def _chromium_or_reason() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = (
        f"{CHROMIUM} не найден: браузерные тесты идут в системном Chromium (make install ставит пакет "
        f"chromium, если есть права root). / {CHROMIUM} is missing: run `make install` as root or "
        "`apt-get install chromium`."
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    _chromium_or_reason()
    # Playwright's sync API keeps an event loop in this thread, and Django then refuses ORM calls from it.
    # The browser tests run last (tests/conftest.py), so relaxing the check here touches no other test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


class Visitor:
    """One person's browser: goes to pages by host, fills forms, and checks every page it sees."""

    def __init__(self, context: BrowserContext, server: str, shots: Path, who: str) -> None:
        self.context = context
        self.page: Page = context.new_page()
        self.port = server.rsplit(":", 1)[1]
        self.shots = shots
        self.who = who
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"JS error: {error} ({self.page.url})"))
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({self.page.url})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def url(self, path: str = "/", school: School | None = None) -> str:
        host = school_host(school.slug) if school else settings.BASE_DOMAIN
        return f"http://{host}:{self.port}{path}"

    def go(self, path: str = "/", school: School | None = None) -> Page:
        self.page.goto(self.url(path, school))
        return self.page

    def login(self, email: str, school: School | None = None, password: str = PASSWORD) -> None:
        self.go("/accounts/login/", school)
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.page.get_by_role("button", name="Войти").click()
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def click(self, name: str, role: str = "button") -> None:
        self.page.get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]

    def choose(self, select: str, text: str) -> None:
        """Select the option whose label contains ``text`` (in a multiple select: that one alone)."""
        value = self.page.locator(f"{select} option", has_text=text).first.get_attribute("value")
        assert value is not None, f"no option «{text}» in {select}"
        self.page.select_option(select, value)

    def see(self, text: str | re.Pattern[str]) -> None:
        expect(self.page.locator("main")).to_contain_text(text)

    def step(self, name: str) -> None:
        """The page as it is now: no sideways scrolling at 1366 px, no failed response, no console error."""
        self.page.wait_for_load_state("load")
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            self.problems.append(f"scrolls sideways: {widths[0]} px wide at {widths[1]} px ({self.page.url})")
        number = len(list(self.shots.glob("*.png"))) + 1
        path = self.shots / f"{number:02d}-{self.who}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        if os.environ.get("NASTAVNIK_README_SCREENSHOTS") and name.startswith("readme-"):
            README_SHOTS.mkdir(exist_ok=True)
            self.page.screenshot(path=README_SHOTS / f"{name.removeprefix('readme-')}.png")
        assert not self.problems, f"{self.who}, step «{name}»:\n" + "\n".join(self.problems)


@pytest.fixture
def visit(browser: Browser, live_server: Any, world: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """visit(who) -> a Visitor with a browser context of their own, at 1366×768, Russian locale."""
    shots = settings.VAR_DIR / "screenshots" / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    visitors: list[Visitor] = []

    def make(who: str) -> Visitor:
        context = browser.new_context(viewport=VIEWPORT, locale="ru-RU")  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        visitors.append(Visitor(context, live_server.url, shots, who))
        return visitors[-1]

    yield make
    for visitor in visitors:
        # Where each person stood at the end: the picture to look at when a step failed.
        visitor.page.screenshot(path=shots / f"last-{visitor.who}.png", full_page=True)
        visitor.context.close()
