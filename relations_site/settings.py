"""Settings for Relations, read from the environment.

One module for every environment: development, tests and production differ only
by environment variables (DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name, default=()):
    value = os.environ.get(name)
    if value in (None, ""):
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. For local development set DEBUG=1 (make run does)."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "relations_site",  # template tags
    "actors",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "relations_site.middleware.RejectNulBytesMiddleware",
    "relations_site.cache.PublicCacheMiddleware",
    # Statement timeout for public reads; the database down or too slow is a 503 or 400 page.
    "relations_site.middleware.DatabaseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Lets django-simple-history record the signed-in user on every write.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "relations_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "relations_site.wsgi.application"


def database_from_url(url):
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite tuned for a web server: WAL lets readers run beside one writer,
        # the busy timeout waits for a lock instead of failing at once, and
        # IMMEDIATE transactions take the write lock up front so two writers
        # queue instead of deadlocking on a lock upgrade.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
            ),
        }
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Availability: a database host that does not answer fails the request in seconds (a
        # 503, relations_site/middleware.py) instead of holding a worker for the operating
        # system's TCP timeout. ``?connect_timeout=`` in DATABASE_URL overrides it.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}

# Availability (relations_site/middleware.py, DatabaseMiddleware). On PostgreSQL, public reads
# (GET/HEAD outside the admin) run each statement under this limit; a request that exceeds it
# gets a 400 asking to narrow it. Writes, the admin and management commands are not limited.
# 0 turns the limit off.
DB_STATEMENT_TIMEOUT_MS = env_str("DB_STATEMENT_TIMEOUT_MS", "5000")
if not (DB_STATEMENT_TIMEOUT_MS.isascii() and DB_STATEMENT_TIMEOUT_MS.isdigit()):
    raise ImproperlyConfigured(f"DB_STATEMENT_TIMEOUT_MS must be whole milliseconds, not {DB_STATEMENT_TIMEOUT_MS!r}")
DB_STATEMENT_TIMEOUT_MS = int(DB_STATEMENT_TIMEOUT_MS)

# Public responses are cached (relations_site/cache.py): Redis when CACHE_URL names it,
# else this process's memory.
CACHE_URL = env_str("CACHE_URL", "")
PUBLIC_CACHE = env_bool("PUBLIC_CACHE", True)
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith("redis")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed, served by whitenoise; no manifest, so tests and a fresh
        # checkout render pages without running collectstatic first.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "relations_site.pagination.KeysetPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "relations_site.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "relations_site.negotiation.JSONParser",
        "relations_site.negotiation.FormParser",
        "relations_site.negotiation.MultiPartParser",
    ],
    # API_THROTTLE=0 turns throttling off (the benchmark measures serving, not refusing).
    "DEFAULT_THROTTLE_CLASSES": (
        ["rest_framework.throttling.AnonRateThrottle", "relations_site.throttling.EditorRateThrottle"]
        if env_bool("API_THROTTLE", True)
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "120/minute"),
        "user": env_str("API_USER_RATE", "1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "relations_site.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Relations API",
    "DESCRIPTION": (
        "The published record of international relations: events, actors, quotes and sources, "
        "with the same filters as the public pages. Lists page by cursor (follow `next`); "
        "`?format=csv` or `?format=ndjson` streams the whole filtered result."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "events.models.DatePrecision"},
    # Swagger UI from the project's own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "relations_site.schema.document_error_responses",
    ],
}

# The license and attribution every export carries.
DATA_LICENSE = env_str("DATA_LICENSE", "CC BY 4.0")
DATA_LICENSE_URL = env_str("DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
