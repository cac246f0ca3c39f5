"""Production: everything from the environment; refuses to start without the secrets it needs."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env, env_bool

DEBUG = False
SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
# No silent fallbacks to the development stand-ins: the embedded PostgreSQL lives inside the project folder
# and the filesystem broker under var/ — neither is where production data or jobs belong.
if not env("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set in production: the embedded PostgreSQL is for development and tests only."
    )
if not env("CELERY_BROKER_URL"):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be set in production (Redis or RabbitMQ): "
        "the filesystem broker is for development only."
    )
SITE_SCHEME = "https"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind nginx (deploy/nginx), which writes the client's address into X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1") or 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# No CSRF_TRUSTED_ORIGINS: Django then accepts a form only from the request's own host (https). A wildcard
# over the base domain let any school's pages post into another school's host.
CSRF_TRUSTED_ORIGINS: list[str] = []
X_FRAME_OPTIONS = "DENY"
# A connection that visited many schemas holds a lot of catalog cache: bound its lifetime.
DATABASES["default"]["CONN_MAX_AGE"] = int(env("CONN_MAX_AGE", "300") or 300)  # noqa: F405
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}
