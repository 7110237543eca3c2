"""Every admin inline refuses what the services refuse (issue 12): an Editor changes or deletes no
published row through the page of the entry it belongs to.

The inlines are enumerated from the admin site, so a new one that these tests do not know makes
them fail: decide what it may do, then add it here.
"""

import pytest
from django.contrib import admin

from actors.admin import ActorAliasInline, AffiliationInline
from core.publishing import Publishable, Status
from events.admin import CitationInline, ParticipationInline, QuoteInline
from tests.editorial import (
    admin_client,
    admin_form_data,
    admin_url,
    affiliation_row,
    alias_row,
    citation_row,
    inline_errors,
    inline_index,
    make_user,
    participation_row,
    quote_row,
    row_values,
)

pytestmark = [pytest.mark.django_db, pytest.mark.generated]


INLINES = {
    QuoteInline: quote_row,
    ParticipationInline: participation_row,
    CitationInline: citation_row,
    ActorAliasInline: alias_row,
    AffiliationInline: affiliation_row,
}


def registered_inlines():
    """Each inline of the admin site, with the model of the page it is on."""
    return {inline: model for model, model_admin in admin.site._registry.items() for inline in model_admin.inlines}


def test_every_admin_inline_is_covered():
    assert {i.__name__ for i in registered_inlines()} == {i.__name__ for i in INLINES}


@pytest.mark.parametrize("change", ["change", "delete"])
@pytest.mark.parametrize("inline", list(INLINES), ids=lambda i: i.__name__)
def test_editor_cannot_change_or_delete_a_published_row_through_an_inline(inline, change):
    parent, row, field, value = INLINES[inline]()
    assert (type(parent), type(row)) == (registered_inlines()[inline], inline.model)
    editor = make_user("editor")
    prefix = inline_index(parent, row)
    edit = {f"{prefix}-{field}": value} if change == "change" else {f"{prefix}-DELETE": "on"}
    before = row_values(row)
    published = row if issubclass(inline.model, Publishable) else parent
    assert published.status == Status.PUBLISHED

    response = admin_client(editor).post(admin_url(parent, "change"), admin_form_data(parent, **edit))

    if issubclass(inline.model, Publishable) and change == "delete":
        # The page is the Editor's to save; the row is not a draft: a form error, as for any delete.
        message = "Only drafts can be deleted; this entry is published. Withdraw it instead."
        expected = (200, [message], before)
    else:
        expected = (403, None, before)
    assert (response.status_code, inline_errors(response, prefix.rsplit("-", 1)[0]), row_values(row)) == expected
