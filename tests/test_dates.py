"""One date parser (core/dates.py) for the school's and the region's ``?on=``, and its Russian 400 page
also with DEBUG on (config/error_pages.py)."""

from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from config.error_pages import ProductErrorPagesMiddleware
from core.dates import DateRefused, read_date
from tests.objects import school_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def objs(world):
    return school_objects(
        world.school_a, curator=world.curator_a, mentor=world.mentor_a, mentee=world.mentee_a
    )


TOMORROW = timezone.localdate() + timedelta(days=1)

# (what the user sent, what the message must say). Each message quotes what was received, names the
# format the user sees (ДД.ММ.ГГГГ), and never the internal parameter «(on)» or the ISO form.
BAD = [
    ("31.02.2026", "Даты «31.02.2026» нет в календаре: проверьте день и месяц."),
    ("2026-02-31", "Даты «2026-02-31» нет в календаре: проверьте день и месяц."),
    ("2026-13-01", "Даты «2026-13-01» нет в календаре"),
    ("31.12.1899", "Дата «31.12.1899» вне допустимых лет: укажите дату между 01.01.1900 и 31.12.2100."),
    ("1899-12-31", "Дата «1899-12-31» вне допустимых лет"),
    ("0001-01-01", "Дата «0001-01-01» вне допустимых лет"),
    ("9999-12-31", "Дата «9999-12-31» вне допустимых лет"),
    ("вчера", "Дата «вчера» не распознана: введите её в виде ДД.ММ.ГГГГ, например"),
    ("01.11.26", "Дата «01.11.26» не распознана: введите её в виде ДД.ММ.ГГГГ"),
    ("9" * 200, f"Дата «{'9' * 40}…» не распознана"),  # quoted, truncated
]


def _message_checks(text: str, expected: str) -> None:
    assert expected in text, text[:1500]
    assert "(on)" not in text and "ГГГГ-ММ-ДД" not in text


@pytest.mark.parametrize("raw,expected", BAD)
def test_a_bad_date_on_a_school_page_names_what_was_sent_in_russian(host_client, world, raw, expected):
    response = host_client(world.school_a, world.curator_a).get("/indicators/", {"on": raw})
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()
    _message_checks(response.content.decode(), expected)


@pytest.mark.parametrize("raw,expected", BAD)
def test_a_bad_date_on_a_region_page_gets_the_same_message(host_client, world, raw, expected):
    response = host_client(None, world.regional_admin).get("/compliance/", {"on": raw})
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()
    _message_checks(response.content.decode(), expected)


def test_the_region_still_refuses_a_future_date_and_the_school_takes_it(host_client, world):
    typed = f"{TOMORROW:%d.%m.%Y}"
    region = host_client(None, world.regional_admin).get("/compliance/", {"on": typed})
    assert region.status_code == 400
    _message_checks(region.content.decode(), f"Дата «{typed}» ещё не наступила")
    school = host_client(world.school_a, world.curator_a).get("/indicators/", {"on": typed})
    assert school.status_code == 200 and f"Показатели на {typed}" in school.content.decode()


@pytest.mark.parametrize("raw", ["01.11.2026", "1.11.2026", "2026-11-01", " 01.11.2026 "])
def test_both_formats_are_accepted_on_a_school_page(host_client, world, raw):
    client = host_client(world.school_a, world.curator_a)
    page = client.get("/indicators/", {"on": raw})
    assert page.status_code == 200 and "Показатели на 01.11.2026" in page.content.decode()
    assert client.get("/pairs/", {"on": raw}).status_code == 200


@pytest.mark.parametrize("raw", ["01.10.2026", "1.10.2026", "2026-10-01"])
def test_both_formats_are_accepted_on_a_region_page(host_client, world, raw):
    page = host_client(None, world.regional_admin).get("/compliance/", {"on": raw})
    assert page.status_code == 200 and "по состоянию на 01.10.2026" in page.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/pairs/", "/api/v1/people/{person}/consent-check/", "region:/api/v1/compliance/"]
)
def test_the_api_answers_400_with_the_message_under_on(host_client, world, objs, path):
    client = (
        host_client(None, world.regional_admin)
        if path.startswith("region:")
        else host_client(world.school_a, world.curator_a)
    )
    response = client.get(path.removeprefix("region:").format(**vars(objs)), {"on": "31.02.2026"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["on"] == [
        "Даты «31.02.2026» нет в календаре: проверьте день и месяц."
    ]
    ok = client.get(path.removeprefix("region:").format(**vars(objs)), {"on": "01.10.2026"})
    assert ok.status_code == 200


def test_a_control_character_is_never_quoted_back_raw():
    with pytest.raises(DateRefused) as refused:
        read_date("01.10.2026\x00")
    assert "\x00" not in str(refused.value) and "«01.10.2026\N{REPLACEMENT CHARACTER}»" in str(refused.value)


BAD_URLS = [
    (None, "/compliance/?on=31.02.2026", "Даты «31.02.2026» нет в календаре"),
    (None, "/compliance/?on=2026-02-31", "Даты «2026-02-31» нет в календаре"),
    (None, "/compliance/?on=1899-12-31", "Дата «1899-12-31» вне допустимых лет"),
    (None, f"/compliance/?on={TOMORROW:%d.%m.%Y}", "ещё не наступила"),
    ("school", "/indicators/?on=2026-02-31", "Даты «2026-02-31» нет в календаре"),
]


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("host,url,expected", BAD_URLS)
def test_a_bad_date_is_the_products_russian_400_also_with_debug_on(
    host_client, world, host, url, expected, debug
):
    client = host_client(world.school_a, world.curator_a) if host else host_client(None, world.regional_admin)
    with override_settings(DEBUG=debug):
        response = client.get(url)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Неверный запрос" in text and expected in text
    assert "Traceback" not in text and "Request Method" not in text and "BadRequest" not in text


def test_with_debug_on_other_errors_keep_djangos_debugging():
    """Only a BadRequest (its message is written for the user) is swapped; a real error still reaches
    Django's technical 500 page, and a SuspiciousOperation its technical 400."""
    from django.core.exceptions import SuspiciousOperation

    middleware = ProductErrorPagesMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/compliance/")
    with override_settings(DEBUG=True):
        assert middleware.process_exception(request, RuntimeError("boom")) is None
        assert middleware.process_exception(request, SuspiciousOperation("forged")) is None
