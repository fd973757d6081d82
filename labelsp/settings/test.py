"""Settings for the test suite: a real PostgreSQL (DATABASE_URL, set by `make test`), fast hashing."""

from .base import *
from .base import DATABASES, TEMPLATES, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not env(
    "LABELSP_ALLOW_NON_POSTGRES", False, cast=bool
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("The tests run on PostgreSQL: use `make test`, or set DATABASE_URL.")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REGISTRY_VERSION_CHECK_SECONDS = (
    0  # a change is seen by the next request (tests/registry/test_cache.py: the delay)
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


class _InvalidTemplateVariable(str):
    """Makes a template that reads an undefined variable fail the test instead of rendering ''."""

    def __mod__(self, other):
        raise NameError(f"Undefined template variable: {other}")

    def __bool__(self):
        return False


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _InvalidTemplateVariable("%s")
