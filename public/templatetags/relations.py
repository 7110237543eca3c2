import json

from django import template
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from core.addresses import address_of
from events.models import ParticipationRole
from public.facets import url_with

register = template.Library()

# As Django's json_script: these characters cannot close the <script> element or start markup.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data):
    """``<script type="application/ld+json">`` with the data escaped for use inside HTML."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def event_rows(events):
    """The ``<li>`` rows of a list of events (read-model rows, with their participants: see
    events.selectors.with_participants), rendered by Jinja2 (jinja2/includes/event_rows.html),
    which escapes what it prints. The hot part of the events list: through the Django template
    language it took 7 ms of the page's 15, and a reverse() per event and per participant, or
    a role's translated label looked up per participant, half of what was left. So the
    addresses are reversed once per list (core.addresses) and the labels read once."""
    return _jinja(
        "includes/event_rows.html",
        events=events,
        event_address=address_of("events:detail", "slug"),
        actor_address=address_of("actors:detail", "slug"),
        roles=ParticipationRole.lowercase_labels(),
    )


@register.simple_tag
def timeline(events):
    """The ``<li>`` lines of an actor's timeline (events.selectors.timeline), rendered by Jinja2
    (jinja2/includes/timeline.html) as ``event_rows``: through the Django template language,
    with a reverse() each, the actor page's lists took half its time."""
    return _jinja(
        "includes/timeline.html",
        events=events,
        event_address=address_of("events:detail", "slug"),
        status_mark=status_mark,
    )


@register.simple_tag
def quote_items(quotes):
    """The ``<li>`` lines of a list of quotes (an actor's), rendered by Jinja2
    (jinja2/includes/quote_items.html): the text cut at 25 words, as ``truncatewords``."""
    return _jinja(
        "includes/quote_items.html",
        quotes=quotes,
        quote_address=address_of("events:quote-detail", "pk"),
        truncate_words=lambda text: Truncator(text).words(25, truncate=" …"),
        status_mark=status_mark,
    )


def _jinja(template_name, **context):
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))


@register.simple_tag
def facets(facets, facets_note=""):
    """The facets' ``<aside>`` of a public list (jinja2/includes/facets.html)."""
    return _jinja("includes/facets.html", facets=facets, facets_note=facets_note)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current list's address at another page, filters kept."""
    return url_with(context["request"], page=str(number))


@register.simple_tag
def status_mark(entry):
    """ " (draft)" after a link to an entry the public does not see: only an editor's preview
    links to one (events.selectors), and it should not pass for public there."""
    status = getattr(entry, "status", None)
    if status in (None, "published"):
        return ""
    return format_html(' <span class="meta">({})</span>', entry.get_status_display().lower())
