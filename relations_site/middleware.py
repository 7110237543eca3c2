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
