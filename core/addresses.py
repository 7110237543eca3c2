"""Addresses of many entries of one kind, reversed once.

A list of thirty events with their participants called ``reverse()`` once per link, which was
a good part of a page's or a JSON list's Python (bench/README.md). ``address_of`` reverses the
pattern once, with a mark for the value, and fills each entry's value in.
"""

from django.urls import reverse

# Digits only, so that it fits a slug's converter and an id's alike; no address holds it.
MARK = "918273645546372819"


def address_of(view_name, kwarg, prefix=""):
    """A function from a value to ``prefix + reverse(view_name, kwargs={kwarg: value})``.
    For values that need no escaping in a path (slugs, ids)."""
    before, after = (prefix + reverse(view_name, kwargs={kwarg: MARK})).split(MARK)
    return lambda value: f"{before}{value}{after}"
