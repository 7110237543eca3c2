import datetime

import factory

from actors.models import Actor, ActorAlias, ActorKind, Affiliation
from core.publishing import Status
from events.models import Citation, Event, EventType, Participation, Quote, Source


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = ActorKind.PERSON
    status = Status.PUBLISHED


class StateFactory(ActorFactory):
    kind = ActorKind.STATE


class ActorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorAlias

    actor = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    language = "en"


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(ActorFactory)
    organization = factory.SubFactory(StateFactory)
    title = "Foreign Minister"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    url = factory.Sequence(lambda n: f"https://news.example/{n}")
    publisher = "Example News"
    published_on = datetime.date(2022, 2, 2)
    status = Status.PUBLISHED


def event_type(code="04"):
    """The seeded CAMEO type with this code (the data migration creates them)."""
    return EventType.objects.get(code=code)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    event_type = factory.LazyFunction(event_type)
    start_date = datetime.date(2022, 2, 4)
    status = Status.PUBLISHED

    @factory.post_generation
    def cited(event, create, extracted, **kwargs):
        """Events cite a published source unless built with ``cited=False``: published()
        shows only events that do."""
        if create and extracted is not False:
            CitationFactory(event=event)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    event = factory.SubFactory(EventFactory)
    actor = factory.SubFactory(ActorFactory)
    role = "participant"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    event = factory.SubFactory(EventFactory, cited=False)
    source = factory.SubFactory(SourceFactory)


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    text = factory.Sequence(lambda n: f"Words number {n}")
    speaker = factory.SubFactory(ActorFactory)
    source = factory.SubFactory(SourceFactory)
    said_on = datetime.date(2022, 1, 27)
    status = Status.PUBLISHED
