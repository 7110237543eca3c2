"""Site-wide pages that span the apps: the home page and search across all four resources."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.generic import TemplateView

from actors import selectors as actor_selectors
from actors.filters import ActorFilter
from core import search
from core.search import MAX_QUERY_LENGTH
from events import selectors as event_selectors
from events.filters import PublicEventFilter, QuoteFilter, SourceFilter
from public.views.base import capped_count, display_count, form_error_messages


class HomeView(TemplateView):
    template_name = "home.html"
    latest = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_events"] = event_selectors.with_participants(
            event_selectors.public_event_page_rows().order_by("-start_date", "-id")[: self.latest]
        )
        context["counts"] = [
            (label, url, display_count(capped_count(public())))
            for label, url, public in (
                ("events", "/events/", event_selectors.public_event_rows),
                ("actors", "/actors/", actor_selectors.public_actors),
                ("quotes", "/quotes/", event_selectors.public_quotes),
                ("sources", "/sources/", event_selectors.public_sources),
            )
        ]
        return context


class SearchView(TemplateView):
    """``/search/?q=``: the first matches of each resource, each linking to its full filtered list."""

    template_name = "search.html"
    per_section = 5
    sections = (
        (
            "Events",
            "/events/",
            PublicEventFilter,
            event_selectors.public_event_rows,
            "summary",
        ),
        ("Actors", "/actors/", ActorFilter, actor_selectors.public_actors, None),
        ("Quotes", "/quotes/", QuoteFilter, lambda: event_selectors.public_quotes().select_related("speaker"), "text"),
        ("Sources", "/sources/", SourceFilter, event_selectors.public_sources, None),
    )

    def get(self, request, *args, **kwargs):
        text = request.GET.get("q", "")
        results, errors = [], []
        for title, url, filterset_class, queryset, snippet_field in self.sections:
            filterset = filterset_class({"q": text}, queryset=queryset())
            if not filterset.is_valid():
                errors = form_error_messages(filterset.form)
                results = []
                break
            if not text.strip():
                continue
            queryset = filterset.qs
            items = search.ranked_slice(queryset, 0, self.per_section)
            if snippet_field:
                search.highlight(queryset.model, items, text, snippet_field)
            results.append(
                {
                    "title": title,
                    "items": items,
                    "count": display_count(capped_count(queryset)),
                    "more_url": f"{url}?{request.GET.urlencode()}",
                }
            )
        context = self.get_context_data(q=text, results=results, errors=errors, max_length=MAX_QUERY_LENGTH)
        return self.render_to_response(context, status=400 if errors else 200)


def healthz(request):
    """For the proxy and the process supervisor: 200 while the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
