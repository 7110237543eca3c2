"""Reads of events, quotes and sources: what each reader may see, with the prefetches that go
with it. Every page, API response, feed, sitemap and export starts here.

One rule (``core.publishing.readable``): lists show what the public sees; an editor with the
model's view permission also opens drafts, entries in review and withdrawn entries by their
address, and filters by status in the API. Links from an entry follow the same rule
(``previewing``): published related entries for everyone, unpublished ones too in an editor's
preview, where that editor may open them.
"""

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Subquery, TextField
from django.db.models.functions import Coalesce

from actors.models import Actor
from core.arrays import AmongIds
from core.publishing import link_filter, readable, shows_links_to
from events.models import Citation, Event, Participation, ParticipationRole, PublicEvent, Quote, Source

# Entries ---------------------------------------------------------------------------------


def public_events():
    """Events the public sees (published, citing a published source)."""
    return Event.objects.published()


def public_event_rows():
    """The public read model: one row per public event (the events of ``public_events()``) with
    what public lists, filters, facets, counts, feeds and exports read, kept by the database
    (events/read_model.py). No per-row visibility check, no joins. The search document is
    matched and ranked in the database, never shown: not fetched (its text was a third of a
    row's bytes)."""
    return PublicEvent.objects.defer("search_document")


# What a page's row of an event shows (jinja2/includes/event_rows.html, an actor's timeline) and
# the lists' order keys. The rest is the API's, the feeds' and the exports': the sources' JSON
# alone, parsed per row, was a tenth of an uncached events page's Python.
PAGE_ROW_FIELDS = (
    "id", "slug", "title", "summary", "type_code", "type_name", "location",
    "start_date", "end_date", "date_precision", "actor_ids", "roles",
)  # fmt: skip


def public_event_page_rows():
    """``public_event_rows()`` with only what a page's row shows (PAGE_ROW_FIELDS)."""
    return PublicEvent.objects.only(*PAGE_ROW_FIELDS)


# Who of an event's participants the public sees, and under which name, is read from the actors
# with the page: the read model keeps every linked actor's id and role (``actor_ids``,
# ``roles``), so that an actor's rename or withdrawal rewrites none of its events' rows
# (events/read_model.py). The rule is ``Actor.objects.published()``.


def public_event_row(slug):
    """The read model's row of the public event at ``slug``, with ``version`` (the event's, for
    its ETag) and its ``participants``, or None: an event's public address in two queries, where
    the event with its links through the serializer took three and most of the request's time
    (bench/README.md). The row has no index by slug (nothing lists by it): the event's has."""
    events = Event.objects.filter(slug=slug)
    rows = public_event_rows().filter(pk__in=events.values("pk"))
    rows = list(rows.annotate(version=Subquery(events.values("version")[:1])).order_by()[:1])
    return with_participants(rows)[0] if rows else None


def with_participants(rows):
    """Sets ``participants`` on each read-model row: [{id, actor, name, kind, role}] of its
    published participants, in the event's order. One query (none for no participants)."""
    rows = list(rows)
    ids = {actor for row in rows for actor in row.actor_ids}
    shown = {}
    if ids:
        actors = (
            Actor.objects.published().filter(AmongIds("pk", ids)).order_by().values_list("pk", "slug", "name", "kind")
        )
        shown = {pk: {"id": pk, "actor": slug, "name": name, "kind": kind} for pk, slug, name, kind in actors}
    for row in rows:
        row.participants = [
            {**shown[actor], "role": role}
            for actor, role in zip(row.actor_ids, row.roles, strict=True)
            if actor in shown
        ]
    return rows


class ParticipantList(Func):
    """The CSV export's participants column of a read-model row: "slug:role" of its published
    participants, in the event's order, joined by ";" (what ``with_participants`` shows)."""

    output_field = TextField()
    POSTGRESQL = """COALESCE((SELECT string_agg(a.slug || ':' || u.role, ';' ORDER BY u.n)
        FROM unnest({ids}, {roles}) WITH ORDINALITY AS u(actor_id, role, n)
        JOIN actors_actor a ON a.id = u.actor_id WHERE a.status = 'published'), '')"""
    SQLITE = """COALESCE((SELECT group_concat(slug || ':' || role, ';') FROM (
        SELECT a.slug, json_extract({roles}, '$[' || i.key || ']') AS role FROM json_each({ids}) i
        JOIN actors_actor a ON a.id = i.value WHERE a.status = 'published' ORDER BY i.key)), '')"""

    def __init__(self):
        super().__init__(F("actor_ids"), F("roles"))

    def as_sql(self, compiler, connection, **extra_context):
        (ids, ids_params), (roles, roles_params) = (compiler.compile(e) for e in self.get_source_expressions())
        if connection.vendor == "postgresql":
            return self.POSTGRESQL.format(ids=ids, roles=roles), [*ids_params, *roles_params]
        return self.SQLITE.format(ids=ids, roles=roles), [*roles_params, *ids_params]


def events_for(user, *, status=None):
    """Events ``user`` reads (``readable``: ``status=None`` for an address, "published" for lists)."""
    return readable(Event.objects.all(), user=user, status=status)


def public_quotes():
    """Quotes the public sees (published, with a published speaker and source)."""
    return Quote.objects.published()


def quotes_for(user, *, status=None):
    return readable(Quote.objects.all(), user=user, status=status)


def public_sources():
    return Source.objects.published()


def sources_for(user, *, status=None):
    return readable(Source.objects.all(), user=user, status=status)


# Links from an entry -----------------------------------------------------------------------


def _participations(user, *, previewing):
    """Participations whose actor the reader sees: a published one, or in an editor's preview
    every actor they may open."""
    return Participation.objects.filter(**link_filter(user, Actor, "actor", previewing=previewing))


def _citations(user, *, previewing):
    """Citations whose source the reader sees, by the same rule."""
    return Citation.objects.filter(**link_filter(user, Source, "source", previewing=previewing))


def participants(*, user=None, previewing=False, to_attr=None):
    """Prefetch of events' participations the reader sees, with their actor."""
    queryset = _participations(user, previewing=previewing).select_related("actor")
    return Prefetch("participations", queryset=queryset, to_attr=to_attr)


def citations(*, user=None, previewing=False):
    """Prefetch of events' citations the reader sees, with their source."""
    return Prefetch("citations", queryset=_citations(user, previewing=previewing).select_related("source"))


def participations_of(event, *, user=None, previewing=False):
    """The participations of ``event`` the reader sees (a write replaces only these)."""
    return _participations(user, previewing=previewing).filter(event=event)


def citations_of(event, *, user=None, previewing=False):
    """The citations of ``event`` the reader sees (a write replaces only these)."""
    return _citations(user, previewing=previewing).filter(event=event)


def _linked_quotes(user, *, previewing):
    """Quotes the reader sees linked from an entry: public ones; in an editor's preview every
    quote, but only with a speaker and a source that editor may open too."""
    if not shows_links_to(user, Quote, previewing=previewing):
        return Quote.objects.published()
    return Quote.objects.filter(
        **link_filter(user, Actor, "speaker", previewing=previewing),
        **link_filter(user, Source, "source", previewing=previewing),
    )


def _linked_events(user, *, previewing):
    if shows_links_to(user, Event, previewing=previewing):
        return Event.objects.all()
    return Event.objects.published()


def _visible_event_ids(user, *, previewing):
    """What to ask "which of these events does the reader see?" (by id): an editor's preview,
    every event; the public, the read model's rows, the public events kept by the database,
    which answer by primary key without checking each event's citations and sources."""
    if shows_links_to(user, Event, previewing=previewing):
        return Event.objects.all()
    return PublicEvent.objects.all()


def event_quotes(*, user=None, previewing=False):
    """Prefetch of events' quotes with their speaker (public quotes, or an editor's preview's)."""
    return Prefetch("quotes", queryset=_linked_quotes(user, previewing=previewing).select_related("speaker"))


def quote_counts(queryset, *, user=None, previewing=False):
    """``quote_count`` on each event: the public's is stored in the read model (PublicEvent,
    0 for an event the public does not see); an editor's preview counts the quotes it links
    (``event_quotes``)."""
    if not shows_links_to(user, Quote, previewing=previewing):
        stored = PublicEvent.objects.filter(pk=OuterRef("pk")).values("quote_count")
        return queryset.annotate(quote_count=Coalesce(Subquery(stored, output_field=IntegerField()), 0))
    linked = _linked_quotes(user, previewing=previewing)
    quotes = linked.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk"))
    return queryset.annotate(quote_count=Coalesce(Subquery(quotes.values("n"), output_field=IntegerField()), 0))


def events_of_actor(actor, *, user=None, previewing=False):
    """The events ``actor`` takes part in that the reader sees: for the public, rows of the read
    model (by its index of actor ids); in an editor's preview, events and their links."""
    if not shows_links_to(user, Event, previewing=previewing):
        return public_event_rows().filter(actor_ids__overlap=[actor.pk])
    # By ids, not a join: an actor linked twice to one event (initiator and target) listed it twice.
    linked = Participation.objects.filter(actor=actor).values("event_id")
    return _linked_events(user, previewing=previewing).filter(pk__in=linked)


# What a line of an actor's timeline shows (jinja2/includes/timeline.html).
TIMELINE_FIELDS = ("slug", "title", "type_name", "start_date", "end_date", "date_precision", "actor_ids", "roles")


def timeline(actor, *, user=None, previewing=False, limit=50):
    """The latest ``limit`` events of ``actor`` the reader sees (``events_of_actor``), newest
    first, each with ``role_labels`` (the actor's roles in it) and ``type_name``."""
    events = events_of_actor(actor, user=user, previewing=previewing).order_by("-start_date", "-id")
    labels = ParticipationRole.lowercase_labels()
    if events.model is PublicEvent:
        rows = list(events.only(*TIMELINE_FIELDS)[:limit])
        for row in rows:
            row.role_labels = [
                labels.get(role, role)
                for linked, role in zip(row.actor_ids, row.roles, strict=True)
                if linked == actor.pk
            ]
        return rows
    rows = list(
        events.select_related("event_type").prefetch_related(
            Prefetch("participations", queryset=Participation.objects.filter(actor=actor), to_attr="actor_roles")
        )[:limit]
    )
    for row in rows:
        row.role_labels = [labels.get(p.role, p.role) for p in row.actor_roles]
        row.type_name = row.event_type.name
    return rows


def quotes_by(actor, *, user=None, previewing=False):
    return _linked_quotes(user, previewing=previewing).filter(speaker=actor)


def events_citing(source, *, user=None, previewing=False):
    return _linked_events(user, previewing=previewing).filter(citations__source=source)


def quotes_from(source, *, user=None, previewing=False):
    return _linked_quotes(user, previewing=previewing).filter(source=source)


def counterparts(event_ids, *, exclude, user=None, previewing=False, limit=10):
    """The actors sharing most of the events ``event_ids`` with ``exclude``, with counts. Callers
    pass an actor's latest events (its timeline's query, ``timeline``): a popular actor has tens
    of thousands of events, and counting them all takes seconds at a million events
    (bench/README.md)."""
    return (
        _participations(user, previewing=previewing)
        .filter(event__in=list(event_ids))
        .exclude(actor=exclude)
        .values("actor__slug", "actor__name")
        .annotate(shared=Count("event", distinct=True))
        .order_by("-shared", "actor__name")[:limit]
    )


# A quote's event ---------------------------------------------------------------------------


def with_event_visibility(quotes, *, user=None, previewing=False):
    """Each quote with ``event_is_visible``: whether the reader sees the event it names (the
    public: ``Event.objects.published()``, published and citing a published source). Read
    through ``Quote.visible_event``. For whole-table reads (exports): PostgreSQL answers it with
    one hash of the public events, which a page of 25 quotes does not repay
    (``attach_event_visibility``)."""
    events = _visible_event_ids(user, previewing=previewing)
    return quotes.annotate(event_is_visible=Exists(events.filter(pk=OuterRef("event_id"))))


def attach_event_visibility(quotes, *, user=None, previewing=False):
    """``event_is_visible`` on each quote of a page already fetched, in one query over their
    events (see ``with_event_visibility`` for whole tables). Returns the list."""
    quotes = list(quotes)
    ids = {quote.event_id for quote in quotes if quote.event_id}
    events = _visible_event_ids(user, previewing=previewing)
    visible = set(events.filter(pk__in=ids).order_by().values_list("pk", flat=True)) if ids else set()
    for quote in quotes:
        quote.event_is_visible = quote.event_id in visible
    return quotes
