"""Platform hardening: login throttling, failures users see, durable data, hosts and origins."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import PASSWORD

LIMITED = "Слишком много неудачных попыток"


def _login(client, email: str, password: str, **headers: str):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def _settings_value(module: str, expression: str, **env: str) -> str:
    """Evaluate ``expression`` in a fresh interpreter under the given settings module and environment."""
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    run_env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=run_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- 4. login throttling ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_logins_count_per_account_across_school_hosts(host_client, world):
    on_a = host_client(world.school_a)
    for i in range(5):
        assert LIMITED not in _login(on_a, world.curator_a.email, f"wrong-{i}").content.decode()
    # A fresh host is no fresh set of guesses: the right password on school B's host is still refused.
    on_b = host_client(world.school_b)
    response = _login(on_b, world.curator_a.email.upper(), PASSWORD)
    assert LIMITED in response.content.decode()
    assert "_auth_user_id" not in on_b.session
    # Nor is the region's host.
    assert LIMITED in _login(host_client(), world.curator_a.email, PASSWORD).content.decode()


@pytest.mark.django_db
def test_an_attacker_on_a_shared_address_locks_out_only_the_account_attacked(host_client, world):
    # Behind nginx every request comes from 127.0.0.1 (as the test client's do).
    attacker = host_client(world.school_a)
    for i in range(15):
        _login(attacker, world.curator_a.email, f"wrong-{i}")
    for user, school in ((world.mentor_a, world.school_a), (world.curator_b, world.school_b)):
        client = host_client(school)
        response = _login(client, user.email, PASSWORD)
        assert response.status_code == 302, response.content.decode()[:300]
        assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_the_client_address_comes_from_the_proxy_header_only_when_a_proxy_is_configured(
    host_client, world, proxies
):
    rates = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=proxies, ACCOUNT_RATE_LIMITS=rates):
        client = host_client(world.school_a)
        for i in range(3):
            response = _login(client, f"x{i}@x.test", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5")
            assert response.status_code == 200
        assert _login(client, "y@x.test", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
        # Another client behind the proxy is counted apart; without a proxy the header is ignored (anyone
        # can send one) and the request counts against the peer address.
        other = _login(client, "z@x.test", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert other.status_code == (200 if proxies else 429)
        if other.status_code == 429:
            assert "Слишком много запросов" in other.content.decode()


def test_production_trusts_one_proxy_and_nginx_overwrites_the_header():
    env = {
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5/none",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    assert _settings_value("config.settings.production", "settings.ALLAUTH_TRUSTED_PROXY_COUNT", **env) == "1"
    assert _settings_value("config.settings.local", "settings.ALLAUTH_TRUSTED_PROXY_COUNT") == "0"
    nginx = (settings.BASE_DIR / "deploy/nginx/nastavnik.conf").read_text()
    # The client's own X-Forwarded-For is replaced, not appended to.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for" not in nginx
