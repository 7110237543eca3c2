from django.core.paginator import EmptyPage, Paginator
from django.utils.functional import cached_property
from django.views.generic import DetailView, TemplateView

from core import search
from core.history import corrections
from core.publishing import shows_unpublished
from public.facets import capped_grouped_counts

COUNT_CAP = 10_000


def display_count(count):
    """Counts are capped at COUNT_CAP rows; beyond it we say "10,000+" rather than count a table."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def capped_count(queryset):
    # COUNT(*) over at most COUNT_CAP + 1 rows: cost bounded whatever the table size.
    return queryset.order_by()[: COUNT_CAP + 1].count()


class CappedPaginator(Paginator):
    """Pages over at most COUNT_CAP + 1 rows, counted cheaply; narrower filters reach the rest."""

    @cached_property
    def count(self):
        return capped_count(self.object_list)

    @property
    def count_display(self):
        return display_count(self.count)

    def page(self, number):
        # Paginator.page with its slice taken by ranked_slice, which pages relevance order.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(search.ranked_slice(self.object_list, bottom, top), number, self)


class PageError(ValueError):
    pass


def parse_page_number(value):
    if value in (None, ""):
        return 1
    if not (value.isascii() and value.isdigit()) or len(value) > 9 or int(value) < 1:
        raise PageError(f"“{value[:30]}” is not a page number: use a whole number from 1.")
    return int(value)


def form_error_messages(form):
    """Each error as "Label: message" (form-wide errors without a label)."""
    messages = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name) if field else None
        messages.extend(f"{label}: {error}" if label else error for error in errors)
    return messages


class FilteredListView(TemplateView):
    """A public list: published entries, filtered by the resource's FilterSet, paginated.

    Invalid parameters render the page with the form's errors and status 400.
    """

    filterset_class = None
    paginate_by = 30
    search_snippet_field = None

    def get_queryset(self):
        """What the public sees of the resource, from its app's selector (``public_events()``, …)."""
        raise NotImplementedError

    # Facets: name -> column (a field, an expression, or a (value, label) pair), counted with
    # the list (public.facets.capped_grouped_counts); get_facets turns the counts into Facets.
    facet_columns = {}

    def get_facets(self, counts):
        return []

    def prepare_page(self, items):
        """The page's rows, once fetched: a list may add what it shows per row in one query."""
        return items

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
        errors = []
        page_obj = None
        facets = []
        facets_note = ""
        if filterset.is_valid():
            queryset = filterset.qs
            paginator = CappedPaginator(queryset, self.paginate_by)
            counts = None
            if self.facet_columns:
                # The count and the facets from one read of at most COUNT_CAP + 1 rows.
                paginator.count, counts = capped_grouped_counts(queryset, COUNT_CAP, **self.facet_columns)
            try:
                page_obj = paginator.page(parse_page_number(request.GET.get("page")))
            except PageError as error:
                errors.append(str(error))
            except EmptyPage:
                if paginator.count == 0 and request.GET.get("page") in (None, "", "1"):
                    page_obj = paginator.page(1)
                else:
                    errors.append(f"There is no page {request.GET['page'][:12]}; the last is {paginator.num_pages}.")
            if page_obj is not None:
                if filterset.is_search and self.search_snippet_field:
                    search.highlight(
                        queryset.model,
                        page_obj.object_list,
                        filterset.form.cleaned_data["q"],
                        self.search_snippet_field,
                    )
                page_obj.object_list = self.prepare_page(list(page_obj.object_list))
                # Facets count the whole filtered result: bounded like the counts, they are
                # offered once the filters narrow it to COUNT_CAP rows (a few ms), not over a
                # million (seconds). The page says so.
                if counts is not None:
                    facets = self.get_facets(counts)
                elif self.facet_columns:
                    facets_note = f"Counts by type, country and year appear once the filters narrow the list to {COUNT_CAP:,} or fewer."
        else:
            errors.extend(form_error_messages(filterset.form))
        context = self.get_context_data(
            filterset=filterset,
            form=filterset.form,
            page_obj=page_obj,
            object_list=page_obj.object_list if page_obj else [],
            facets=facets,
            facets_note=facets_note,
            errors=errors,
        )
        return self.render_to_response(context, status=400 if errors else 200)


class PublishedDetailView(DetailView):
    """A detail page, by the one rule for who reads what (``core.publishing.readable``, the API's
    too): the public sees published entries; an editor with the model's view permission also
    opens drafts, entries in review and withdrawn ones, as a preview with a banner, and sees
    their links to unpublished entries they may open (``previewing``). To anyone else an
    unpublished entry's address answers 404. Pages carry schema.org JSON-LD (``jsonld``, a
    function of public.jsonld) and a link to the same resource in the API.

    Subclasses build ``get_queryset`` from their app's selector (``events_for(user)``, …).
    """

    jsonld = None
    api_path = None  # e.g. "/api/events/{obj.slug}/"

    @cached_property
    def previewing(self):
        return shows_unpublished(self.request.user, self.model)

    @property
    def links(self):
        """The reader and the mode the selectors' links follow."""
        return {"user": self.request.user, "previewing": self.previewing}

    def get_queryset(self):
        raise NotImplementedError("a detail page reads through its app's selector")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_published
        context["previewing"] = self.previewing
        context["corrections"] = corrections(self.object)
        if self.jsonld:
            context["jsonld"] = self.jsonld(self.object, self.request)
        if self.api_path:
            context["api_url"] = self.api_path.format(obj=self.object)
        return context
