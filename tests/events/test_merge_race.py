"""A merge of actors racing an editor's edit of a row it moves, on PostgreSQL (real concurrent
transactions): the edit is either kept or refused with 412, never silently overwritten."""

import threading
import time

import pytest
from django.db import connection, transaction

from core import workflow
from events import services
from events.models import Quote
from tests.api.conftest import member_of, token_client
from tests.factories import ActorFactory, QuoteFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time"),
    pytest.mark.django_db(transaction=True),
]


def in_thread(target):
    """Run ``target`` in a thread of its own (its own database connection), keeping what it
    returns or raises."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.fixture
def merge_case(event_types, editorial_roles):
    publisher = member_of("Publisher", "pablo")
    survivor, duplicate = ActorFactory(slug="wang-yi"), ActorFactory(slug="yi-wang")
    quotes = [QuoteFactory(speaker=duplicate, text=f"Old words {n}") for n in range(300)]
    return publisher, survivor, duplicate, quotes[150]


def test_a_merge_that_waits_for_an_edit_keeps_it(merge_case):
    publisher, survivor, duplicate, quote = merge_case
    edited, release = threading.Event(), threading.Event()

    def edit():
        # The editor's save: the version check locks the row, the change is written, and the
        # transaction stays open until the merge has started (and must wait).
        with transaction.atomic():
            stored = Quote.objects.get(pk=quote.pk)
            version = workflow.check_version(stored, 1)
            stored.text, stored.version = "Edited words", version
            stored.save()
            edited.set()
            release.wait(10)

    editing, edit_outcome = in_thread(edit)
    assert edited.wait(10)
    merging, merge_outcome = in_thread(
        lambda: services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
    )
    time.sleep(0.5)
    assert merging.is_alive(), "the merge waits for the edit's lock"
    release.set()
    editing.join(10)
    merging.join(30)
    assert "error" not in edit_outcome and "error" not in merge_outcome, (edit_outcome, merge_outcome)
    quote.refresh_from_db()
    assert (quote.text, quote.speaker_id, quote.version) == ("Edited words", survivor.pk, 3)
    assert Quote.objects.filter(speaker=survivor).count() == 300
    assert [(r.version, r.text, r.speaker_id) for r in quote.history.order_by("history_id")] == [
        (1, "Old words 150", duplicate.pk),
        (2, "Edited words", duplicate.pk),
        (3, "Edited words", survivor.pk),
    ]


def test_an_edit_that_waits_for_a_merge_is_refused_with_412(merge_case):
    publisher, survivor, duplicate, quote = merge_case
    api = token_client(member_of("Publisher", "petra"))  # the quotes are published
    merged, release = threading.Event(), threading.Event()

    def merge():
        with transaction.atomic():
            services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
            merged.set()
            release.wait(10)

    merging, merge_outcome = in_thread(merge)
    assert merged.wait(30)
    editing, edit_outcome = in_thread(
        lambda: api.patch(f"/api/quotes/{quote.pk}/", {"text": "Edited words"}, HTTP_IF_MATCH='"1"')
    )
    time.sleep(0.5)
    assert editing.is_alive(), ("the edit waits for the merge's lock", edit_outcome)
    release.set()
    merging.join(10)
    editing.join(10)
    assert "error" not in merge_outcome and "error" not in edit_outcome, (merge_outcome, edit_outcome)
    response = edit_outcome["value"]
    assert response.status_code == 412
    assert "was changed by someone else since you opened it (it is now at version 2)" in response.json()["detail"]
    quote.refresh_from_db()
    assert (quote.text, quote.speaker_id, quote.version) == ("Old words 150", survivor.pk, 2)


def test_an_edit_saved_while_a_merge_holds_its_actors_neither_waits_nor_deadlocks(merge_case):
    # The merge holds both actors before it reaches the quotes. An edit of a quote's text
    # locks the quote (the version check) and saves it; its triggers must not then wait for
    # the speaker the merge holds (the merge would next wait for the quote: a deadlock).
    from actors.models import Actor

    publisher, survivor, duplicate, quote = merge_case
    holding, release = threading.Event(), threading.Event()

    def merge():
        with transaction.atomic():
            list(Actor.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk"))
            holding.set()
            release.wait(10)
            services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)

    def edit():
        with transaction.atomic():
            stored = Quote.objects.get(pk=quote.pk)
            stored.text, stored.version = "Edited words", workflow.check_version(stored, 1)
            stored.save()

    merging, merge_outcome = in_thread(merge)
    assert holding.wait(10)
    editing, edit_outcome = in_thread(edit)
    editing.join(5)
    finished_while_held = not editing.is_alive()
    release.set()
    merging.join(30)
    editing.join(10)
    assert finished_while_held, "the edit waited for the merge's actors"
    assert "error" not in edit_outcome and "error" not in merge_outcome, (edit_outcome, merge_outcome)
    quote.refresh_from_db()
    assert (quote.text, quote.speaker_id, quote.version) == ("Edited words", survivor.pk, 3)
