"""One visibility rule for every surface and every role, asserted on what the responses show.

The rule, for pages and API alike:

1. Lists (page lists, home, search, API lists without ``?status``, CSV and NDJSON exports,
   feeds, sitemaps) hold published entries only, and link only to published entries, for
   every role.
2. ``?status=draft|review|withdrawn|all`` on an API list (and its exports) needs the model's
   view permission (Editor, Publisher) and lists exactly those statuses; anyone else gets 403.
   ``?status=published`` is what everyone sees anyway.
3. A detail address (page or API) of a published entry answers everyone; of a draft, an entry
   in review or a withdrawn one, only a role with the model's view permission (200), anyone
   else 404.
4. On a detail address, a role with the view permission also sees the links to the
   unpublished entries it may open; anyone else sees links to published entries only. The
   page and the API detail of one entry link the same entries for the same role.

The tests go through URLs only: each computes the set of entries a response shows (links and
slugs or ids, read from HTML, JSON, CSV, NDJSON, Atom and sitemap XML) and compares it with the
set the rule gives, for anonymous readers, staff without permissions, Editors and Publishers.
Every entry carries a marker name (``Marker-draft-event``); a marker of an unpublished entry in
a body where no link to it is expected is a leak too.
"""

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.test import APIClient

from actors.models import Actor, Affiliation
from events.models import Citation, Event, Participation, Quote, Source
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = ["draft", "review", "published", "withdrawn"]
ROLES = ["anonymous", "staff_without_permissions", "editor", "publisher"]
# The groups made by migration events/0005_editorial_roles; both hold the view permission of
# all four models.
GROUPS = {"editor": "Editor", "publisher": "Publisher"}
MAY_SEE_UNPUBLISHED = set(GROUPS)
KINDS = ["events", "actors", "quotes", "sources"]
MODELS = {"events": Event, "actors": Actor, "quotes": Quote, "sources": Source}


# The world --------------------------------------------------------------------------------


@dataclass
class World:
    """Every entry by its marker name, with its address key and status, and the links between
    them as the database holds them (read back after building, not restated by hand)."""

    kind: dict = field(default_factory=dict)  # name -> "events" | "actors" | "quotes" | "sources"
    key: dict = field(default_factory=dict)  # name -> slug (events, actors) or id (quotes, sources)
    status: dict = field(default_factory=dict)
    by_ref: dict = field(default_factory=dict)  # "events/<slug>" -> name
    participants: dict = field(default_factory=lambda: defaultdict(set))  # event -> actors
    cites: dict = field(default_factory=lambda: defaultdict(set))  # event -> sources
    quotes_of: dict = field(default_factory=lambda: defaultdict(set))  # event -> quotes
    events_of: dict = field(default_factory=lambda: defaultdict(set))  # actor -> events
    orgs: dict = field(default_factory=lambda: defaultdict(set))  # person -> organizations
    members: dict = field(default_factory=lambda: defaultdict(set))  # organization -> persons
    quotes_by: dict = field(default_factory=lambda: defaultdict(set))  # actor -> quotes
    citing: dict = field(default_factory=lambda: defaultdict(set))  # source -> events
    quotes_from: dict = field(default_factory=lambda: defaultdict(set))  # source -> quotes
    speaker: dict = field(default_factory=dict)  # quote -> actor
    source_of: dict = field(default_factory=dict)  # quote -> source
    event_of: dict = field(default_factory=dict)  # quote -> event (absent when none)

    def add(self, kind, obj, name):
        key = str(obj.slug if kind in ("events", "actors") else obj.pk)
        self.kind[name], self.key[name], self.status[name] = kind, key, obj.status
        self.by_ref[f"{kind}/{key}"] = name

    def names(self, kind=None):
        return {name for name, k in self.kind.items() if kind in (None, k)}

    def public(self, names):
        return {name for name in names if self.status[name] == "published"}

    def unpublished(self):
        return self.names() - self.public(self.names())

    def path(self, name):
        return f"/{self.kind[name]}/{self.key[name]}/"

    def api_path(self, name):
        return f"/api/{self.kind[name]}/{self.key[name]}/"


NAME_FIELDS = {Event: "title", Source: "title", Actor: "name", Quote: "text"}


def name_of(obj):
    return getattr(obj, NAME_FIELDS[type(obj)])


def build_world():
    """For each status an actor (an organization), a source, an event and a quote, each
    linked to published hubs (so that its own status alone decides whether it is public):

    - Marker-hub-event (published) has one participant, one cited source and one quote of
      each status, and Marker-hub-actor as a participant;
    - Marker-hub-actor (published) is affiliated with the four organizations, takes part in
      the four events and speaks the four quotes;
    - Marker-hub-source (published) is cited by the four events and is the source of the
      four quotes;
    - Marker-hub-quote (published) is about Marker-draft-event;
    - Marker-extra-quote (a draft) has a draft speaker, a source in review and a withdrawn event.
    """
    hub_source = SourceFactory(title="Marker-hub-source")
    hub_actor = ActorFactory(name="Marker-hub-actor", slug="mk-hub-actor")
    actors = {s: StateFactory(name=f"Marker-{s}-actor", slug=f"mk-{s}-actor", status=s) for s in STATUSES}
    sources = {s: SourceFactory(title=f"Marker-{s}-source", status=s) for s in STATUSES}
    events = {s: EventFactory(title=f"Marker-{s}-event", slug=f"mk-{s}-event", status=s, cited=False) for s in STATUSES}
    hub_event = EventFactory(title="Marker-hub-event", slug="mk-hub-event", cited=False)
    ParticipationFactory(event=hub_event, actor=hub_actor)
    for s in STATUSES:
        CitationFactory(event=events[s], source=hub_source)
        ParticipationFactory(event=events[s], actor=hub_actor)
        CitationFactory(event=hub_event, source=sources[s])
        ParticipationFactory(event=hub_event, actor=actors[s])
        AffiliationFactory(person=hub_actor, organization=actors[s])
    for s in STATUSES:
        QuoteFactory(text=f"Marker-{s}-quote", speaker=hub_actor, source=hub_source, event=hub_event, status=s)
    QuoteFactory(text="Marker-hub-quote", speaker=hub_actor, source=hub_source, event=events["draft"])
    QuoteFactory(
        text="Marker-extra-quote",
        speaker=actors["draft"],
        source=sources["review"],
        event=events["withdrawn"],
        status="draft",
    )

    w = World()
    for kind, model in MODELS.items():
        for obj in model.objects.all():
            w.add(kind, obj, name_of(obj))
    for p in Participation.objects.select_related("event", "actor"):
        w.participants[p.event.title].add(p.actor.name)
        w.events_of[p.actor.name].add(p.event.title)
    for c in Citation.objects.select_related("event", "source"):
        w.cites[c.event.title].add(c.source.title)
        w.citing[c.source.title].add(c.event.title)
    for a in Affiliation.objects.select_related("person", "organization"):
        w.orgs[a.person.name].add(a.organization.name)
        w.members[a.organization.name].add(a.person.name)
    for q in Quote.objects.select_related("speaker", "source", "event"):
        w.speaker[q.text], w.source_of[q.text] = q.speaker.name, q.source.title
        w.quotes_by[q.speaker.name].add(q.text)
        w.quotes_from[q.source.title].add(q.text)
        if q.event:
            w.event_of[q.text] = q.event.title
            w.quotes_of[q.event.title].add(q.text)
    # The premise of the expectations: an entry is public exactly when its status is published
    # (no published event without a published source, no published quote by a draft speaker).
    for kind, model in MODELS.items():
        assert {name_of(o) for o in model.objects.published()} == w.public(w.names(kind)), kind
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction that is rolled back after
    its last test; each test runs in a savepoint within it (pytest-django's ``db``)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture
def client_as(role, world):
    """One client for pages and API, signed in by session (the API authenticates editors'
    sessions), as ``role``. The world exists first, so no user is among its entries."""
    client = APIClient()
    if role != "anonymous":
        # Active staff, without a password (its hashing is most of a test's time).
        user = get_user_model().objects.create_user(username=role, password=None, is_staff=True)
        if role in GROUPS:
            user.groups.add(Group.objects.get(name=GROUPS[role]))
        client.force_login(user)
    return client


# Reading responses ----------------------------------------------------------------------

# A site address of an entry, relative or absolute; not /api/…, /admin/…, /feeds/events/.
ENTRY_ADDRESS = re.compile(
    r"(?<![\w.-])(?:https?://testserver)?/(events|actors|quotes|sources)/([\w-]+)/(?=[\"'\s<?#]|$)"
)


def body(response):
    """The whole body; a streamed export is read to its end (on PostgreSQL it holds a
    transaction open until then)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def label(w, kind, key):
    return w.by_ref.get(f"{kind}/{key}", f"unknown {kind}/{key}")


def addressed(w, text):
    """The entries whose site address appears in ``text`` (HTML, Atom, sitemap XML)."""
    return {label(w, kind, key) for kind, key in ENTRY_ADDRESS.findall(text)}


def json_links(w, kind, item):
    """The entry and the entries a JSON (or NDJSON) representation names."""
    key = item["slug"] if kind in ("events", "actors") else item["id"]
    found = {label(w, kind, key)}
    if kind == "events":
        found |= {label(w, "actors", p["actor"]) for p in item["participants"]}
        found |= {label(w, "sources", s["source"]) for s in item["sources"]}
    elif kind == "actors":
        found |= {label(w, "actors", a["organization"]) for a in item["affiliations"]}
    elif kind == "quotes":
        found |= {label(w, "actors", item["speaker"]), label(w, "sources", item["source"])}
        if item["event"] is not None:
            found.add(label(w, "events", item["event"]))
    return found


def csv_links(w, kind, row):
    """The entry and the entries a CSV export row names."""
    if kind == "events":
        found = {label(w, "events", row["slug"])}
        found |= {label(w, "actors", p.split(":")[0]) for p in row["participants"].split(";") if p}
        found |= {label(w, "sources", s) for s in row["sources"].split(";") if s}
        return found
    if kind == "actors":
        return {label(w, "actors", row["slug"])}
    if kind == "quotes":
        found = {label(w, "quotes", row["id"]), label(w, "actors", row["speaker"]), label(w, "sources", row["source"])}
        return found | ({label(w, "events", row["event"])} if row["event"] else set())
    return {label(w, "sources", row["id"])}


def rows_of(text, fmt):
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    lines = [json.loads(line) for line in text.splitlines() if line]
    assert "_meta" in lines[0]
    return lines[1:]


def leaked(w, text, allowed):
    """Marker names of unpublished entries in ``text`` that are not among ``allowed``."""
    return sorted(name for name in w.unpublished() - set(allowed) if name in text)


# The rule -------------------------------------------------------------------------------


def may_open(w, role, name):
    return w.status[name] == "published" or role in MAY_SEE_UNPUBLISHED


def visible(w, role, names):
    return {name for name in names if may_open(w, role, name)}


def row_links(w, name, surface):
    """What a row of a list names besides its entry, before visibility: page lists show an
    event's participants and a quote's speaker, source and event; API rows (JSON, NDJSON, CSV)
    also an event's sources and (JSON, NDJSON) an actor's organizations."""
    kind = w.kind[name]
    if kind == "events":
        return w.participants[name] | (w.cites[name] if surface != "page" else set())
    if kind == "quotes":
        return {w.speaker[name], w.source_of[name]} | ({w.event_of[name]} if name in w.event_of else set())
    if kind == "actors" and surface == "json":
        return w.orgs[name]
    return set()


def public_list(w, kind, surface=None):
    """Rule 1: a list's published entries and the published entries their rows name."""
    entries = w.public(w.names(kind))
    if surface is None:
        return entries
    return entries | {link for name in entries for link in w.public(row_links(w, name, surface))}


def page_detail_links(w, role, name):
    """Rule 4 on a detail page: what its sections link to, each as the viewer may open it."""
    kind = w.kind[name]
    if kind == "events":
        quotes = visible(w, role, w.quotes_of[name])
        speakers = visible(w, role, {w.speaker[q] for q in quotes})
        return visible(w, role, w.participants[name] | w.cites[name]) | quotes | speakers
    if kind == "actors":
        return visible(w, role, w.orgs[name] | w.members[name] | w.events_of[name] | w.quotes_by[name])
    if kind == "sources":
        return visible(w, role, w.citing[name] | w.quotes_from[name])
    return visible(w, role, api_universe(w, name))


def api_universe(w, name):
    """Every entry the API representation of ``name`` may name, whoever asks."""
    kind = w.kind[name]
    if kind == "events":
        return w.participants[name] | w.cites[name]
    if kind == "actors":
        return set(w.orgs[name])
    if kind == "quotes":
        return {w.speaker[name], w.source_of[name]} | ({w.event_of[name]} if name in w.event_of else set())
    return set()


def api_detail_links(w, role, name):
    return visible(w, role, api_universe(w, name))


# Pages: lists, home, search -------------------------------------------------------------


def test_page_lists_show_published_entries_and_their_published_links_for_every_role(client_as, role, world):
    w = world
    urls = {
        "/events/": public_list(w, "events", "page"),
        "/actors/": public_list(w, "actors", "page"),
        "/quotes/": public_list(w, "quotes", "page"),
        "/sources/": public_list(w, "sources", "page"),
        # The home page lists the latest events, with their participants.
        "/": public_list(w, "events", "page"),
        # Search lists the matching entries of each resource (every name holds "Marker").
        "/search/?q=Marker": w.public(w.names()),
    }
    observed, expected, texts = {}, {}, {}
    for url, entries in urls.items():
        response = client_as.get(url)
        text = texts[url] = body(response)
        observed[url] = (response.status_code, sorted(addressed(w, text)), leaked(w, text, []))
        expected[url] = (200, sorted(entries), [])
    counts = re.findall(r"<strong>([\d,+]+)</strong> (events|actors|quotes|sources)</a>", texts["/"])
    observed["/ counts"] = sorted(counts)
    expected["/ counts"] = sorted((str(len(w.public(w.names(kind)))), kind) for kind in KINDS)
    assert observed == expected


# API: lists and exports -----------------------------------------------------------------


def test_api_lists_and_exports_show_published_entries_and_their_published_links_for_every_role(client_as, role, world):
    w = world
    observed, expected = {}, {}
    for kind in KINDS:
        for query in ("", "?status=published"):
            url = f"/api/{kind}/{query}"
            response = client_as.get(url)
            text = body(response)
            found = set().union(*(json_links(w, kind, item) for item in response.json()["results"]))
            observed[url] = (response.status_code, sorted(found), leaked(w, text, []))
            expected[url] = (200, sorted(public_list(w, kind, "json")), [])
        for fmt, surface, links in (("csv", "csv", csv_links), ("ndjson", "json", json_links)):
            url = f"/api/{kind}/?format={fmt}"
            response = client_as.get(url)
            text = body(response)
            found = set().union(*(links(w, kind, row) for row in rows_of(text, fmt)))
            observed[url] = (response.status_code, sorted(found), leaked(w, text, []))
            expected[url] = (200, sorted(public_list(w, kind, surface)), [])
    assert observed == expected


def test_api_status_filter_lists_exactly_those_statuses_for_roles_with_view_permission_only(client_as, role, world):
    w = world
    observed, expected = {}, {}
    for kind in KINDS:
        key = "slug" if kind in ("events", "actors") else "id"
        for status in [*STATUSES, "all"]:
            wanted = {name for name in w.names(kind) if status in ("all", w.status[name])}
            # Exports share the lists' query: asked for with one status and with all.
            for fmt in ("json", "csv", "ndjson") if status in ("draft", "all") else ("json",):
                url = f"/api/{kind}/?status={status}" + ("" if fmt == "json" else f"&format={fmt}")
                response = client_as.get(url)
                text = body(response)
                if response.status_code != 200:
                    observed[url] = (response.status_code, None)
                elif fmt == "json":
                    observed[url] = (200, sorted(label(w, kind, item[key]) for item in response.json()["results"]))
                else:
                    observed[url] = (200, sorted(label(w, kind, row[key]) for row in rows_of(text, fmt)))
                if status == "published" or role in MAY_SEE_UNPUBLISHED:
                    expected[url] = (200, sorted(wanted))
                else:
                    expected[url] = (403, None)
    assert observed == expected


# Feeds and sitemaps ---------------------------------------------------------------------


def test_feeds_and_sitemaps_show_published_entries_for_every_role(client_as, role, world):
    w = world
    urls = {
        "/feeds/events/": public_list(w, "events"),
        "/feeds/quotes/": public_list(w, "quotes"),
        "/sitemap.xml": set(),  # the index: sections only
        **{f"/sitemap-{kind}.xml": public_list(w, kind) for kind in KINDS},
    }
    observed, expected, texts = {}, {}, {}
    for url, entries in urls.items():
        response = client_as.get(url)
        text = texts[url] = body(response)
        observed[url] = (response.status_code, sorted(addressed(w, text)), leaked(w, text, []))
        expected[url] = (200, sorted(entries), [])
    index = texts["/sitemap.xml"]
    observed["/sitemap.xml sections"] = sorted(re.findall(r"<loc>https?://testserver(/sitemap-\w+\.xml)</loc>", index))
    expected["/sitemap.xml sections"] = sorted(f"/sitemap-{kind}.xml" for kind in KINDS)
    assert observed == expected


# Detail addresses -----------------------------------------------------------------------


def test_detail_addresses_answer_by_status_and_view_permission(client_as, role, world):
    """Rule 3, for every entry of the world, page and API alike."""
    w = world
    observed, expected = {}, {}
    for name in sorted(w.names()):
        answer = 200 if may_open(w, role, name) else 404
        for url in (w.path(name), w.api_path(name)):
            observed[f"{url} {name}"] = client_as.get(url).status_code
            expected[f"{url} {name}"] = answer
    assert observed == expected


# The entries whose detail links are checked: the hubs and every event, source and quote. The
# four organizations are left out: their pages also list counterparts (the actors sharing their
# events), which the rule above does not cover. (The hub actor's counterparts are among its
# organizations, whatever rule lists them.)
LINKED = ["Marker-hub-event", "Marker-hub-actor", "Marker-hub-source", "Marker-hub-quote", "Marker-extra-quote"] + [
    f"Marker-{s}-{kind}" for s in STATUSES for kind in ("event", "source", "quote")
]


def test_detail_links_follow_the_viewers_permission_and_agree_between_page_and_api(client_as, role, world):
    """Rule 4 on every detail address the role may open: the page's links, the API's links,
    and the page's links among those the API could name equal to the API's."""
    w = world
    observed, expected = {}, {}
    for name in LINKED:
        if not may_open(w, role, name):
            continue  # a 404, by the test above
        page = client_as.get(w.path(name))
        page_text = body(page)
        page_links = addressed(w, page_text) - {name}
        api = client_as.get(w.api_path(name))
        api_links = json_links(w, w.kind[name], api.json()) - {name}
        expected_page = page_detail_links(w, role, name)
        expected_api = api_detail_links(w, role, name)
        page_key, api_key = f"page {w.path(name)} {name}", f"api {w.api_path(name)} {name}"
        # A name is a leak where the viewer may not open the entry: an editor's preview may name
        # a draft beyond its links (a quote's draft speaker on its source's page).
        openable = visible(w, role, w.unpublished())
        observed[page_key] = (page.status_code, sorted(page_links), leaked(w, page_text, expected_page | openable))
        expected[page_key] = (200, sorted(expected_page), [])
        observed[api_key] = (api.status_code, sorted(api_links), leaked(w, body(api), expected_api | openable))
        expected[api_key] = (200, sorted(expected_api), [])
        # The same entry, the same viewer: of the entries the API could name, the page links
        # those the API names.
        observed[f"page = api {name}"] = sorted(page_links & api_universe(w, name))
        expected[f"page = api {name}"] = sorted(api_links)
    assert observed == expected
