"""Error answers for the whole site (handler400 … in relations_site/urls.py) and the sign-in
lockout page: JSON under /api/ like the rest of the API, elsewhere the site's own page
(templates/4xx.html, 500.html). Neither says anything about internals."""

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request_message(exception):
    """What a 400 says: our own BadRequest's message (the feeds' filter errors); for a request
    Django refused to parse, what was wrong. Other suspicious requests (a forged Host header)
    get no echo of what was sent, as in Django's own handler."""
    if isinstance(exception, TooManyFieldsSent):
        return f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} in one request."
    if isinstance(exception, RequestDataTooBig):
        return "The request body is too large."
    if isinstance(exception, BadRequest) and str(exception):
        return str(exception)
    return "The request could not be understood."


def bad_request(request, exception):
    """400s with a message (Django's default page has none): JSON under /api/, else a page."""
    message = bad_request_message(exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"errors": [message]}, status=400)


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. It has been logged; try again in a moment."}, status=500)
    return defaults.server_error(request)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): JSON for the API's
    token endpoint, the site's page for the admin's form."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = f"Too many failed attempts for this username from your address. Try again in {minutes} minutes."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": str(minutes * 60)})
    response = render(request, "errors/lockout.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
