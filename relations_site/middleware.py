from csp.middleware import CSPMiddleware
from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "Query parameters cannot contain NUL bytes."


class RejectNulBytesMiddleware:
    """A NUL byte in a query parameter is a 400 before any view sees it.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a
    query (an admin filter, an autocomplete) would be a database error, i.e. a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": MESSAGE}, status=400)
                return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


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
