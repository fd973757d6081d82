"""The embedded default for `make demo`: SQLite, Celery tasks run in-process, e-mails on the console."""

from .base import *
from .base import env

DEBUG = env("DJANGO_DEBUG", True, cast=bool)
CELERY_TASK_ALWAYS_EAGER = env("CELERY_TASK_ALWAYS_EAGER", True, cast=bool)
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
