from django.http import HttpResponseBadRequest, JsonResponse

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
