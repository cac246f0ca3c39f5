"""Development: `make run`. Region at http://localhost:8000, schools at http://<slug>.localhost:8000."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = True
SITE_PORT = env("SITE_PORT", "8000")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
