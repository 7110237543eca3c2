import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from public.facets import url_with

register = template.Library()

# As Django's json_script: these characters cannot close the <script> element or start markup.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data):
    """``<script type="application/ld+json">`` with the data escaped for use inside HTML."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


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
