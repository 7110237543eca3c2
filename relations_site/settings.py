"""Settings for Relations, read from the environment.

One module for every environment: development, tests and production differ only
by environment variables (DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

import jinja2

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


def env_int(name, default, unit="a whole number"):
    """A non-negative whole number from the environment, refused at start with a clear message
    (``unit`` says what it counts) rather than a ValueError from int()."""
    value = env_str(name, str(default))
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name} must be {unit}, not {value!r}")
    return int(value)


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
    "axes",
    "corsheaders",
    "core",  # building blocks; the backup and restore commands; cache invalidation
    "actors",
    "events",
    "public",  # the public pages, feeds and sitemaps; the template tags
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the public cache, so that cached responses get the policy too.
    "relations_site.middleware.ContentSecurityPolicyMiddleware",
    "relations_site.middleware.PermissionsPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "relations_site.middleware.RejectNulBytesMiddleware",
    "core.cache.PublicCacheMiddleware",
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
    # Last, as django-axes requires: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
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
    # The hot rows of the public lists (public/templatetags/relations.py, event_rows). Strict:
    # a name a template misspells is an error, not an empty string.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"undefined": jinja2.StrictUndefined},
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
        # The planner's costs for a database served from memory (bench/README.md, "Read
        # model: the tail"): a page read from the cache costs about what the next one does
        # (random_page_cost 1.1, PostgreSQL's advice for SSDs), and reading an index entry is
        # dearer than the default says next to a row (cpu_index_tuple_cost 0.02); with the
        # defaults PostgreSQL AND-s the bitmap of half the table (a first year, a common word)
        # to a selective one. And room for a search's bitmap: with the default 4 MB of work_mem
        # the bitmap of a common word and a first year goes lossy, and PostgreSQL checks the
        # words of every row on its pages again (66,000 rows, half of such a page's 190 ms).
        # ``?options=`` in DATABASE_URL replaces them (a pooler that refuses startup options:
        # set them on the role instead, ALTER ROLE … SET).
        config["OPTIONS"].setdefault("options", "-c random_page_cost=1.1 -c cpu_index_tuple_cost=0.02 -c work_mem=16MB")
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}

# Availability (relations_site/middleware.py, DatabaseMiddleware). On PostgreSQL, public reads
# (GET/HEAD outside the admin) run each statement under this limit; a request that exceeds it
# gets a 400 asking to narrow it. Writes, the admin and management commands are not limited.
# 0 turns the limit off.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 5000, "whole milliseconds")
# A streamed export gets a longer limit: for a CSV export's single COPY (the whole download),
# for each chunk of an NDJSON export. 100,000 events sorted take seconds, and a download is
# expected to take a while. Still bounded, so a pathological export does not hold a worker.
DB_EXPORT_STATEMENT_TIMEOUT_MS = env_int("DB_EXPORT_STATEMENT_TIMEOUT_MS", 60000, "whole milliseconds")

# Public responses are cached (core/cache.py): Redis when CACHE_URL names it,
# else this process's memory.
CACHE_URL = env_str("CACHE_URL", "")
PUBLIC_CACHE = env_bool("PUBLIC_CACHE", True)
# The addresses of public reads that are cached (and "/", the home page).
PUBLIC_CACHE_PREFIXES = ("/api/", "/events/", "/actors/", "/quotes/", "/sources/", "/search/", "/feeds/", "/sitemap")
CACHES = {
    "default": (
        {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith("redis")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    )
}

AUTHENTICATION_BACKENDS = [
    # Refuses logins for a username+address that failed too often (admin and API token).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
        "api.authentication.ExpiringTokenAuthentication",
        "api.authentication.EditorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ModelPermissionsOrAnonReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "api.negotiation.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "api.negotiation.JSONParser",
        "api.negotiation.FormParser",
        "api.negotiation.MultiPartParser",
    ],
    # API_THROTTLE=0 turns throttling off (the benchmark measures serving, not refusing).
    "DEFAULT_THROTTLE_CLASSES": (
        ["api.throttling.AnonRateThrottle", "api.throttling.EditorRateThrottle"]
        if env_bool("API_THROTTLE", True)
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "120/minute"),
        "user": env_str("API_USER_RATE", "1200/minute"),
        # Password attempts for an API token, per client address, on top of django-axes.
        "token": env_str("API_TOKEN_RATE", "10/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.base.exception_handler",
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
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "core.dates.DatePrecision"},
    # Swagger UI from the project's own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_error_responses",
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


# Security ---------------------------------------------------------------------------------
# Production defaults are strict; each can be relaxed by the environment for a local
# deployment over plain HTTP (the benchmark and load test set SECURE_SSL_REDIRECT=0).
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters; generate one with make secret-key.")

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (nginx, a load balancer).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health checks from the proxy come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, "whole seconds")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Editors stay signed in for a working day, not for weeks.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, "whole seconds")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: every script, style, image and font comes from this site (the
# project ships its assets; nothing loads from a CDN), no inline script, no framing.
# JSON-LD blocks are data, not script, and are not affected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login rate limiting (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused (429) for AXES_COOLOFF_MINUTES. Keyed on
# the pair so that a stranger cannot lock an editor out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, "whole minutes"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "public.views.errors.login_locked_out"
# The proxies of our own in front of gunicorn (nginx, a load balancer), each appending to
# X-Forwarded-For: the client's address is read from there (api.throttling).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "api.throttling.client_address"

# API tokens expire; an editor rotates theirs with POST /api/auth/token/rotate/.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90, "whole days")

# CORS: none unless configured. CORS_ALLOWED_ORIGINS lists the origins (scheme://host) whose
# pages may call the API from a browser; only /api/ is ever shared.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Link", "X-License", "X-Source"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-match", "x-change-reason"]
