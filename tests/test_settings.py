"""Deployment settings, Sentry scrubbing, static assets."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from config.sentry import scrub_event


def test_production_settings_pass_the_deploy_check_without_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60 + "production-like-secret-0123456789",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5/none",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "BASE_DOMAIN": "nastavnik.example.ru",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "DATABASE_URL": "postgres://u@h/d"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sentry_events_keep_the_user_id_only_and_drop_bodies_cookies_and_locals():
    event = {
        "user": {"id": 7, "email": "curator@a.test", "ip_address": "10.0.0.1", "username": "x"},
        "request": {
            "data": {"last_name": "Корнеева"},
            "cookies": {"sessionid": "s"},
            "query_string": "q=Корнеева",
            "headers": {"Host": "school-a.localhost", "Cookie": "sessionid=s", "Authorization": "Token t"},
        },
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"person": "Корнеева"}}]}}]
        },
    }
    scrubbed = scrub_event(event)
    assert scrubbed["user"] == {"id": 7}
    assert "data" not in scrubbed["request"] and "cookies" not in scrubbed["request"]
    assert "query_string" not in scrubbed["request"]
    assert scrubbed["request"]["headers"] == {"Host": "school-a.localhost"}
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert "Корнеева" not in repr(scrubbed)


@pytest.mark.django_db
def test_pages_use_the_projects_own_bootstrap(host_client, world):
    page = host_client(world.school_a).get("/accounts/login/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "cdn" not in page.lower()
    assert (settings.BASE_DIR / "core/static/vendor/bootstrap/bootstrap.min.css").stat().st_size > 100_000


def test_the_ui_is_russian_with_russian_dates():
    assert settings.LANGUAGE_CODE == "ru"
    assert settings.DATE_FORMAT == "d.m.Y"
