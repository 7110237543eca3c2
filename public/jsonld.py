"""schema.org JSON-LD for detail pages: Event, Quotation, Person/Organization, CreativeWork.

Built from objects the views already loaded (their prefetched relations, by the reader's rule: events.selectors);
nothing here runs a query of its own.
"""

from actors.models import ActorKind
from core.dates import DatePrecision

CONTEXT = "https://schema.org"


def iso_date(value, precision):
    """ISO 8601 at the date's precision: "2001", "2022-01", "2022-02-04"."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _clean(data):
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def actor_ref(actor, request):
    return _clean(
        {
            "@type": "Person" if actor.kind == ActorKind.PERSON else "Organization",
            "name": actor.name,
            "url": request.build_absolute_uri(actor.get_absolute_url()),
            "sameAs": f"https://www.wikidata.org/wiki/{actor.wikidata_id}" if actor.wikidata_id else None,
        }
    )


def source_ref(source, request):
    return _clean(
        {
            "@type": "NewsArticle" if source.kind == "news" else "CreativeWork",
            "name": source.title,
            "url": source.url or request.build_absolute_uri(source.get_absolute_url()),
            "datePublished": source.published_on.isoformat() if source.published_on else None,
            "publisher": {"@type": "Organization", "name": source.publisher} if source.publisher else None,
            "author": source.author or None,
            "inLanguage": source.language,
            "archivedAt": source.archive_url or None,
        }
    )


def actor(obj, request):
    data = actor_ref(obj, request)
    data["@context"] = CONTEXT
    data["alternateName"] = [alias.name for alias in obj.aliases.all()]
    data["description"] = obj.description
    if obj.kind == ActorKind.PERSON:
        data["affiliation"] = [actor_ref(a.organization, request) for a in obj.affiliations.all()]
        data["nationality"] = {"@type": "Country", "identifier": obj.country} if obj.country else None
    return _clean(data)


def event(obj, request):
    participations = obj.participations.all()
    return _clean(
        {
            "@context": CONTEXT,
            "@type": "Event",
            "name": obj.title,
            "description": obj.summary,
            "url": request.build_absolute_uri(obj.get_absolute_url()),
            "startDate": iso_date(obj.start_date, obj.date_precision),
            "endDate": iso_date(obj.end_date, obj.date_precision),
            "location": _clean(
                {
                    "@type": "Place",
                    "name": obj.location,
                    "address": {"@type": "PostalAddress", "addressCountry": obj.country} if obj.country else None,
                }
            )
            if obj.location or obj.country
            else None,
            "organizer": [actor_ref(p.actor, request) for p in participations if p.role in ("initiator", "host")],
            "attendee": [actor_ref(p.actor, request) for p in participations if p.role not in ("initiator", "host")],
            "citation": [source_ref(c.source, request) for c in obj.citations.all()],
            "keywords": f"CAMEO {obj.event_type.code} {obj.event_type.name}",
        }
    )


def quote(obj, request):
    speaker = actor_ref(obj.speaker, request)
    return _clean(
        {
            "@context": CONTEXT,
            "@type": "Quotation",
            "text": obj.text,
            "url": request.build_absolute_uri(obj.get_absolute_url()),
            "spokenByCharacter": speaker,
            "creator": speaker,
            "dateCreated": iso_date(obj.said_on, obj.said_on_precision),
            "inLanguage": obj.language,
            "isBasedOn": source_ref(obj.source, request),
            "about": {
                "@type": "Event",
                "name": obj.visible_event.title,
                "url": request.build_absolute_uri(obj.visible_event.get_absolute_url()),
            }
            if obj.visible_event
            else None,
        }
    )


def source(obj, request):
    data = source_ref(obj, request)
    data["@context"] = CONTEXT
    return data
