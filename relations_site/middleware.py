import logging

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

QUERY_MESSAGE = "Query parameters cannot contain NUL bytes."
HEADER_MESSAGE = "Headers and cookies cannot contain NUL bytes."


class RejectNulBytesMiddleware:
    """A NUL byte in a query parameter, a header or a cookie is a 400 before any view sees it.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a query
    (an admin filter, an autocomplete, an API token, a session key, a change reason) would be
    a database error, i.e. a 500. (Servers such as gunicorn refuse NUL in headers already; the
    check costs nothing and does not depend on the server.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return self.refuse(request, QUERY_MESSAGE)
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                return self.refuse(request, HEADER_MESSAGE)
        # Decoded: a quoted cookie may spell NUL as the plain-ASCII escape \000.
        for key, value in request.COOKIES.items():
            if "\x00" in key or "\x00" in value:
                return self.refuse(request, HEADER_MESSAGE)
        return self.get_response(request)

    @staticmethod
    def refuse(request, message):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class PermissionsPolicyMiddleware:
    """Browser features the site never uses are switched off for it and anything it embeds."""

    POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) everywhere, with one exception:
    the API's HTML pages (DRF's browsable API, Swagger UI) set inline style attributes from
    their own bundled code, so there, and only there, inline styles are allowed. Scripts stay
    'self' only on every page."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path.startswith("/api/") and response.get("Content-Type", "").startswith("text/html"):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts


# Database availability ---------------------------------------------------------------------

logger = logging.getLogger("relations.database")

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The database is unavailable for a moment. Try again in a few seconds."


def too_slow_message():
    seconds = settings.DB_STATEMENT_TIMEOUT_MS / 1000
    return (
        f"This request needed more than {seconds:g} seconds of database time and was stopped. "
        "Narrow it: add filters (a date range, a type, a country, an actor) or search for rarer words."
    )


def statement_timeout_for(request):
    """The statement timeout (ms) this request runs under, or None for the database's default.

    Reads (GET, HEAD, OPTIONS) outside the admin are the public's, whoever sends them: deciding
    by the request line alone leaves no header or cookie that lifts the limit. Writes and the
    admin are the editors': a save cut off halfway is worse than a slow one, so they run, like
    management commands, under the database's default (none unless the role sets one).
    """
    if request.method in ("GET", "HEAD", "OPTIONS") and not request.path.startswith("/admin/"):
        return settings.DB_STATEMENT_TIMEOUT_MS or None
    return None


class StatementTimeout:
    """A Django execute wrapper: sets the session's statement_timeout before the first query.

    Straight to the driver, as Django's own health check does: a session setting, not a query
    of the record, so it stays out of the query counts the tests pin. With persistent
    connections the setting outlives the request, so every request that queries sets its own.
    """

    def __init__(self, milliseconds):
        self.statement = f"SET statement_timeout = {int(milliseconds)}" if milliseconds else "RESET statement_timeout"
        self.done = False

    def __call__(self, execute, sql, params, many, context):
        if not self.done:
            self.done = True
            database = context["connection"]
            with database.wrap_database_errors:
                database.connection.execute(self.statement)
        return execute(sql, params, many, context)


def is_query_canceled(exc):
    return getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED


class DatabaseMiddleware:
    """Bounded, clear answers when the database cannot give one.

    - On PostgreSQL each request's statement timeout (statement_timeout_for) is set just before
      its first query: a pathological search is stopped after DB_STATEMENT_TIMEOUT_MS and
      answered with a 400 saying to narrow it, like a bad parameter (and like Datasette's time
      limit), instead of holding a worker. Not a 503: the same request would fail again.
    - The database down (refused, restarting, a connection lost mid-request) is a 503 with
      Retry-After: JSON under /api/, else templates/503.html rendered without touching the
      database. Django discards a broken persistent connection (CONN_HEALTH_CHECKS, and
      ``errors_occurred`` at the end of the request), so the next request reconnects.

    It sits after the public cache: a cached page costs no query and is served while the
    database is down. Requests that query nothing (the OpenAPI schema) never connect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.vendor != "postgresql" or not settings.DB_STATEMENT_TIMEOUT_MS:
            return self.get_response(request)
        with connection.execute_wrapper(StatementTimeout(statement_timeout_for(request))):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return self.error_response(request, exception)
        return None

    @staticmethod
    def error_response(request, exc):
        if is_query_canceled(exc):
            logger.warning("Statement timeout on %s %s", request.method, request.get_full_path()[:500])
            status, message, template = 400, too_slow_message(), "query_timeout.html"
        else:
            logger.warning("Database unavailable on %s %s: %s", request.method, request.path, exc)
            status, message, template = 503, UNAVAILABLE, "503.html"
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=status)
        else:
            # No request in the context: no context processor runs, so nothing reaches the
            # database (the session, the user) while rendering.
            response = HttpResponse(render_to_string(template, {"message": message}), status=status)
        if status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
