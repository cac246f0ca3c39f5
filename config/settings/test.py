"""Tests: real PostgreSQL (embedded unless DATABASE_URL is set), eager Celery, fast hashing."""

from config.settings.base import *  # noqa: F403

DEBUG = False
# Without DATABASE_URL, tests get their own embedded cluster with fsync and friends off (fast, disposable);
# the development cluster of `make run` stays durable (config/embedded_postgres.py).
EMBEDDED_POSTGRES_THROWAWAY = True
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
BASE_DOMAIN = "localhost"
ALLOWED_HOSTS = ["localhost", ".localhost"]
SITE_PORT = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "nastavnik-test",
        "KEY_FUNCTION": "config.cache_keys.make_key",
        "REVERSE_KEY_FUNCTION": "config.cache_keys.reverse_key",
    }
}
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
