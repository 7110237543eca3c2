"""The seed article, curated: loads on this database, complete and consistent."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Status
from events.models import Citation, Event, Participation, Quote, Source

ARTICLE = (Path(settings.BASE_DIR) / "fixtures/sources/2022-02-02-putin-xi-olympics.txt").read_text()
D = datetime.date


def normalize(text):
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip()


@pytest.fixture
def seed(db):
    call_command("loaddata", "putin_xi_olympics", verbosity=0)


def test_fixture_counts(seed):
    assert (Actor.objects.count(), Event.objects.count(), Quote.objects.count(), Source.objects.count()) == (
        24,
        26,
        12,
        1,
    )
    assert (ActorAlias.objects.count(), Affiliation.objects.count()) == (39, 10)
    assert (Participation.objects.count(), Citation.objects.count()) == (70, 26)


def test_fixture_everything_is_published(seed):
    for model in (Actor, Event, Quote, Source):
        assert set(model.objects.values_list("status", flat=True)) == {Status.PUBLISHED}, model
    assert Quote.objects.published().count() == 12


def test_fixture_every_published_event_cites_a_published_source(seed):
    unsourced = Event.objects.published().exclude(citations__source__status=Status.PUBLISHED)
    assert list(unsourced) == []


def test_fixture_every_published_quote_has_published_speaker_and_source(seed):
    assert Quote.objects.published().count() == Quote.objects.filter(status=Status.PUBLISHED).count()


def test_fixture_every_event_has_participants_and_every_actor_is_used(seed):
    assert list(Event.objects.filter(participations__isnull=True)) == []
    unused = (
        Actor.objects.filter(participations__isnull=True, quotes__isnull=True)
        .exclude(members__isnull=False)
        .exclude(affiliations__isnull=False)
    )
    assert list(unused) == []


def test_fixture_entries_pass_validation(seed):
    for model in (Actor, ActorAlias, Affiliation, Event, Participation, Citation, Quote, Source):
        for obj in model.objects.all():
            obj.full_clean()


def test_fixture_every_actor_is_named_in_the_article_by_name_or_alias(seed):
    article = normalize(ARTICLE)
    for actor in Actor.objects.prefetch_related("aliases"):
        names = [actor.name, *(alias.name for alias in actor.aliases.all())]
        assert any(normalize(name) in article for name in names), actor


def test_fixture_direct_quotes_are_verbatim(seed):
    article = normalize(ARTICLE)
    direct = Quote.objects.filter(is_paraphrase=False)
    assert direct.count() == 6
    for quote in direct:
        assert normalize(quote.text).rstrip(".") in article, quote


def test_fixture_reported_speech_is_marked(seed):
    reported = Quote.objects.filter(is_paraphrase=True).select_related("speaker")
    assert sorted(q.speaker.slug for q in reported) == [
        "artyom-lukin",
        "joe-biden",
        "the-west",
        "wang-yi",
        "wang-yi",
        "xi-jinping",
    ]


def test_fixture_relative_dates_are_resolved_against_the_article_date(seed):
    source = Source.objects.get()
    assert source.published_on == D(2022, 2, 2)
    this_week = Event.objects.get(slug="putin-received-by-xi-at-beijing-winter-olympics-2022")
    last_week = Event.objects.get(slug="china-russia-iran-naval-exercises-gulf-of-oman-2022")
    assert (this_week.start_date, this_week.end_date, this_week.date_precision) == (D(2022, 2, 2), D(2022, 2, 6), "day")
    assert (last_week.start_date, last_week.period_end, last_week.date_precision) == (
        D(2022, 1, 24),
        D(2022, 1, 30),
        "day",
    )
    treaty = Event.objects.get(slug="china-and-russia-sign-treaty-2001")
    assert (treaty.date_display, treaty.period_end) == ("2001", D(2001, 12, 31))


def test_fixture_wang_yi_statements_are_attributed_and_linked_to_the_event(seed):
    event = Event.objects.get(slug="wang-yi-tells-blinken-russias-concerns-must-be-respected")
    quotes = event.quotes.order_by("id")
    assert [(q.speaker.slug, q.is_paraphrase, q.said_on_display) for q in quotes] == [
        ("wang-yi", True, "January 2022"),
        ("wang-yi", True, "January 2022"),
        ("wang-yi", False, "January 2022"),
    ]
    roles = sorted(event.participations.values_list("actor__slug", "role"))
    assert roles == [
        ("antony-blinken", "target"),
        ("china", "initiator"),
        ("united-states", "target"),
        ("wang-yi", "initiator"),
    ]


def test_fixture_loads_twice_without_duplicates(seed):
    call_command("loaddata", "putin_xi_olympics", verbosity=0)
    assert (Actor.objects.count(), Event.objects.count(), Quote.objects.count()) == (24, 26, 12)
