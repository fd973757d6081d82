"""Settings shared by every environment.

This is the only module that reads the environment: `dev.py`, `test.py` and `prod.py` adjust it.
Every setting listed in `.env.example` is read here through `env()`, which also accepts a
`NAME_FILE` variable pointing at a file that holds the value (Docker / Kubernetes secrets).
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_UNSET = object()


def env(name, default=_UNSET, *, cast=str):
    """Read `name` from the environment, or from the file named by `name_FILE`."""
    import os

    value = os.environ.get(name) or None  # an empty variable (a blank line of an env file) counts as unset
    file_path = os.environ.get(f"{name}_FILE")
    if value is None and file_path:
        value = Path(file_path).read_text(encoding="utf-8").strip()
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    if cast is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if cast is list:
        return [item.strip() for item in value.split(",") if item.strip()]
    return cast(value)


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-dev-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz")
DEBUG = env("DJANGO_DEBUG", False, cast=bool)
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], cast=list)
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS", [], cast=list)
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "csp",
    "guardian",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "labelsp.proconnect",
    "labelsp.accounts",
    "labelsp.deadlines",
    "candidates",
    "audits",
    "surveys",
    "decisions",
    "registry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "labelsp.accounts.middleware.ActiveMembershipMiddleware",
    "labelsp.accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "labelsp.urls"
WSGI_APPLICATION = "labelsp.wsgi.application"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "labelsp.context_processors.site",
                "labelsp.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env("DB_CONN_MAX_AGE", 0, cast=int),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: login by e-mail, verified e-mail, rate limits through the cache.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Services Publics +] "
ACCOUNT_ADAPTER = "labelsp.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Services Publics +"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# ProConnect (the State's OpenID Connect for public agents), on when its client id is set.
PROCONNECT_CLIENT_ID = env("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_SERVER_URL = env("PROCONNECT_SERVER_URL", "https://auth.proconnect.gouv.fr/api/v2")
SOCIALACCOUNT_PROVIDERS = {}
if PROCONNECT_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["proconnect"] = {
        "APPS": [
            {
                "provider_id": "proconnect",
                "name": "ProConnect",
                "client_id": PROCONNECT_CLIENT_ID,
                "secret": PROCONNECT_CLIENT_SECRET,
                "settings": {"server_url": PROCONNECT_SERVER_URL},
            }
        ]
    }

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# How long the public registry keeps a rendered page, export or API answer (its key changes with every change of
# the registry anyway); 0 turns the cache off (the uncached figures of `make bench`).
REGISTRY_CACHE_SECONDS = env("REGISTRY_CACHE_SECONDS", 24 * 60 * 60, cast=int)
# How often each process reads the registry's shared version (registry/cache.py): a change made elsewhere reaches
# every worker within this delay.
REGISTRY_VERSION_CHECK_SECONDS = env("REGISTRY_VERSION_CHECK_SECONDS", 2.0, cast=float)

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded business documents live outside any public URL ("private" storage); views serve them after a
# permission check.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads: checked by content (libmagic), at most this size each.
UPLOAD_MAX_BYTES = env("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, cast=int)
# Certification bodies' signing keys for attestations: <siret>.key.pem + <siret>.cert.pem (decisions/signing.py).
SIGNING_KEYS_DIR = Path(env("LABELSP_SIGNING_KEYS_DIR", str(PRIVATE_MEDIA_ROOT / "signing-keys")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env("EMAIL_PORT", 25, cast=int)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", False, cast=bool)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))  # with the filebased backend
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", "Services Publics + <ne-pas-repondre@label-servicespublicsplus.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: no inline script anywhere; the DSFR's module script carries the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env("CELERY_TASK_ALWAYS_EAGER", False, cast=bool)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The one beat schedule of the project: every dated obligation is a row swept by a periodic task.
CELERY_BEAT_SCHEDULE = {
    # Deadline rows swept every few minutes (never ETAs months ahead): withdrawals reaching their effective date.
    "sweep-withdrawals": {"task": "decisions.tasks.sweep_withdrawals", "schedule": 300.0},
    # Every deadline of the label cycle: reminders, notices on the day, escalations (labelsp/deadlines).
    "sweep-deadlines": {"task": "labelsp.deadlines.tasks.sweep_deadlines", "schedule": 300.0},
}


# django-dsfr marks the content of its components as safe by default: never with user data.
DSFR_CONTENT_IS_SAFE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Celery logs every task, WeasyPrint every rendering step at INFO: keep their warnings and errors only.
    "loggers": {name: {"level": "WARNING"} for name in ("celery", "weasyprint", "fontTools")},
}
