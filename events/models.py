import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from actors.models import Actor
from core import formats
from core.arrays import ListField
from core.dates import DatePrecision, PeriodEnd, format_date, format_period, normalized_date_condition, period_start
from core.publishing import (
    Publishable,
    PublishableQuerySet,
    Status,
    publication_permissions,
    status_constraint,
)
from core.search import SearchDocument, SearchDocumentField


class QuadClass(models.TextChoices):
    VERBAL_COOPERATION = "verbal_cooperation", "Verbal cooperation"
    MATERIAL_COOPERATION = "material_cooperation", "Material cooperation"
    VERBAL_CONFLICT = "verbal_conflict", "Verbal conflict"
    MATERIAL_CONFLICT = "material_conflict", "Material conflict"


class EventTypeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class EventType(models.Model):
    """A CAMEO event type. Codes are hierarchical by prefix: "042" is a child of "04"."""

    code = models.CharField(max_length=4, help_text="CAMEO code: two digits for a root, more for finer codes.")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=100)
    quad_class = models.CharField(max_length=20, choices=QuadClass.choices)
    score = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        help_text="Default cooperation–conflict score (Goldstein scale), −10 most conflictual to +10.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The root code a finer code belongs to.",
    )
    description = models.TextField(blank=True)

    objects = EventTypeManager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="event_type_code_unique"),
            models.UniqueConstraint(fields=["slug"], name="event_type_slug_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=formats.CAMEO_CODE),
                name="event_type_code_format",
                violation_error_message="A CAMEO code is two to four digits, such as 04 or 042.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=-10) & Q(score__lte=10),
                name="event_type_score_range",
                violation_error_message="The score runs from −10 to +10.",
            ),
            models.CheckConstraint(
                condition=Q(quad_class__in=QuadClass.values),
                name="event_type_quad_class_valid",
                violation_error_message="Unknown quad class.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (self.code,)

    def clean(self):
        if self.parent_id and not self.code.startswith(self.parent.code):
            raise ValidationError(
                {"code": f"A child of {self.parent.code} has a code starting with {self.parent.code}."}
            )


class SourceKind(models.TextChoices):
    NEWS = "news", "News article"
    STATEMENT = "statement", "Official statement"
    REPORT = "report", "Report"
    TRANSCRIPT = "transcript", "Transcript"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Other"


class Source(Publishable):
    # Changes to these while the entry is public are listed as corrections on its page (core/history.py).
    corrected_fields = ("title", "url", "publisher", "author", "published_on", "language", "kind", "archive_url")

    title = models.CharField(max_length=500, help_text="The headline or title as published.")
    url = models.URLField(
        "URL",
        max_length=1000,
        blank=True,
        validators=[RegexValidator(formats.URI, formats.URI_MESSAGE)],
        help_text="Where the source is published; unique when given.",
    )
    publisher = models.CharField(max_length=200, blank=True, help_text="The outlet or body that published it.")
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, default="en", help_text="BCP 47 language tag: “en”, “pt”, “zh”.")
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.NEWS)
    archive_url = models.URLField(
        "archive URL",
        max_length=1000,
        blank=True,
        validators=[RegexValidator(formats.URI, formats.URI_MESSAGE)],
        help_text="A copy in a web archive, in case the original moves.",
    )
    search_document = models.GeneratedField(
        expression=SearchDocument(("title", "A"), ("publisher", "B"), ("author", "B")),
        output_field=SearchDocumentField(),
        db_persist=True,
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = [F("published_on").desc(nulls_last=True), "-id"]
        permissions = publication_permissions("source", "sources")
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message="A source with this URL already exists.",
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__regex=formats.URI),
                name="source_url_is_uri",
                violation_error_message=formats.URI_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(archive_url="") | Q(archive_url__regex=formats.URI),
                name="source_archive_url_is_uri",
                violation_error_message=formats.URI_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="source_title_not_empty",
                violation_error_message="A source needs a title.",
            ),
            models.CheckConstraint(
                condition=Q(language__regex=formats.LANGUAGE_TAG),
                name="source_language_tag",
                violation_error_message="Language must be a BCP 47 tag such as en, pt or zh-Hant.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values),
                name="source_kind_valid",
                violation_error_message="Unknown source kind.",
            ),
            status_constraint("source"),
        ]
        indexes = [
            # Source list, newest first: source_published_on_idx, created in migration 0006.
        ]

    def __str__(self):
        return f"{self.title} ({self.publisher})" if self.publisher else self.title

    def get_absolute_url(self):
        return reverse("events:source-detail", kwargs={"pk": self.pk})


class EventQuerySet(PublishableQuerySet):
    def published(self):
        # An event is public only while it cites at least one published source: withdrawing
        # its last source takes it off the site too, whatever path did the withdrawing.
        return (
            super()
            .published()
            .filter(Exists(Citation.objects.filter(event=OuterRef("pk"), source__status=Status.PUBLISHED)))
        )


class Event(Publishable):
    # Changes to these while the entry is public are listed as corrections on its page (core/history.py).
    corrected_fields = (
        "title",
        "summary",
        "event_type",
        "start_date",
        "end_date",
        "date_precision",
        "location",
        "country",
    )

    title = models.CharField(max_length=300, help_text="Who did what to whom, in a line: “Putin visits Beijing”.")
    slug = models.SlugField(max_length=300, help_text="The event's address; unique. Filled from the title.")
    summary = models.TextField(blank=True, help_text="What happened, as the sources report it, neutrally.")
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    start_date = models.DateField(
        help_text="For month or year precision, any day in the month or year; it is stored as the first day."
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Only for events spanning a period (or a window such as “this week”); same precision as the start.",
    )
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How precisely the sources date the event. “2001” is precision year.",
    )
    # The last day the event may cover, derived by the database from end (or start)
    # date and precision, so date filters compare two indexed columns (overlap).
    period_end = models.GeneratedField(
        expression=PeriodEnd(models.functions.Coalesce("end_date", "start_date"), "date_precision"),
        output_field=models.DateField(),
        db_persist=True,
    )
    location = models.CharField(max_length=200, blank=True, help_text="Place name as precise as the sources allow.")
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code of where it happened; blank at sea or unknown."
    )
    # Full-text search over title and summary (GIN-indexed on PostgreSQL, see migrations).
    search_document = models.GeneratedField(
        expression=SearchDocument(("title", "A"), ("summary", "B")),
        output_field=SearchDocumentField(),
        db_persist=True,
    )
    actors = models.ManyToManyField(Actor, through="Participation", related_name="events")
    sources = models.ManyToManyField(Source, through="Citation", related_name="events")

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        permissions = publication_permissions("event", "events")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="event_slug_unique"),
            models.CheckConstraint(
                # Keeps period_end computable on both databases (SQLite has no year 10000).
                condition=Q(start_date__lt=datetime.date(9999, 1, 1))
                & (Q(end_date__isnull=True) | Q(end_date__lt=datetime.date(9999, 1, 1))),
                name="event_dates_before_9999",
                violation_error_message="Dates must be before the year 9999.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="event_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=normalized_date_condition("start_date", "date_precision")
                & normalized_date_condition("end_date", "date_precision"),
                name="event_dates_match_precision",
                violation_error_message="With month precision dates fall on the 1st; with year precision on 1 January.",
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="event_date_precision_valid",
                violation_error_message="Unknown date precision.",
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=formats.COUNTRY_CODE),
                name="event_country_iso_alpha2",
                violation_error_message="Country must be an ISO 3166-1 alpha-2 code in capitals, such as UA, or blank.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="event_title_not_empty",
                violation_error_message="An event needs a title.",
            ),
            status_constraint("event"),
        ]
        indexes = [
            # Public event list, newest first, and date-range filters (overlap on start/period_end).
            models.Index(fields=["-start_date", "-id"], name="event_start_date_idx"),
            # Events in a country, newest first.
            models.Index(fields=["country", "-start_date"], name="event_country_date_idx"),
            # Events of a type, newest first.
            models.Index(fields=["event_type", "-start_date"], name="event_type_date_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def date_display(self):
        return format_period(self.start_date, self.end_date, self.date_precision)

    @property
    def is_published(self):
        """Mirrors EventQuerySet.published(): published and citing a published source. Reads the
        citations when they were loaded with the event (pages load them), else asks once."""
        if self.status != Status.PUBLISHED:
            return False
        if "citations" in getattr(self, "_prefetched_objects_cache", {}):
            return any(citation.source.status == Status.PUBLISHED for citation in self.citations.all())
        return self.citations.filter(source__status=Status.PUBLISHED).exists()

    def publication_problems(self):
        if not self.citations.filter(source__status=Status.PUBLISHED).exists():
            return ["it cites no published source"]
        return []

    def publishes_with(self):
        return [*Source.objects.filter(citations__event=self), *Actor.objects.filter(participations__event=self)]

    def clean(self):
        # Store month/year-precision dates as the first day of their period, as the
        # help text promises, so the database constraint holds and filters agree.
        if self.start_date:
            self.start_date = period_start(self.start_date, self.date_precision)
        if self.end_date:
            self.end_date = period_start(self.end_date, self.date_precision)


class PublicEvent(models.Model):
    """The public read model: one row per publicly visible event (published, citing a published
    source), with what public lists, filters, facets, counts and exports read, kept by database
    triggers in the transaction of every write (events/read_model.py). Never written by Django.

    The primary key is the event's id, and the columns keep the event's names (``start_date``,
    ``country``, ``search_document``…), so that one FilterSet, ordering and cursor serve both."""

    id = models.BigIntegerField(primary_key=True, help_text="The event's id.")
    slug = models.SlugField(max_length=300, db_index=False)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    event_type = models.ForeignKey(
        EventType, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    type_code = models.CharField(max_length=4)
    type_root = models.CharField(max_length=2, help_text="The CAMEO root code (04 for 042).")
    type_name = models.CharField(max_length=100)
    quad_class = models.CharField(max_length=20, choices=QuadClass.choices)
    score = models.DecimalField(max_digits=3, decimal_places=1)
    start_date = models.DateField()
    end_date = models.DateField(null=True)
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    period_end = models.DateField()
    year = models.IntegerField(help_text="The start date's year.")
    location = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    actor_ids = ListField("bigint", help_text="Every linked actor's id, whatever its status, in the event's order.")
    roles = ListField("text", help_text="Their roles, in the same order.")
    source_ids = ListField("bigint", help_text="Published sources cited, in the event's order.")
    sources = models.JSONField(default=list, help_text="[{source, title, url, publisher, locator, note}].")
    source_list = models.TextField(default="", help_text="Their ids, by ; (the CSV export's form).")
    quote_count = models.IntegerField(default=0, help_text="Published quotes about the event.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Copied from the event, not computed again: a refresh of a popular actor's events does
    # not parse 60,000 summaries.
    search_document = SearchDocumentField(null=True)

    class Meta:
        db_table = "events_publicevent"
        ordering = ["-start_date", "-id"]
        # The indexes are PostgreSQL's (GIN among them) and created in migration 0011, each
        # justified in bench/README.md by the plans of the mixed workload.
        default_permissions = ()

    def __str__(self):
        return self.title

    # The event's own address and period, from the same columns.
    get_absolute_url = Event.get_absolute_url
    date_display = Event.date_display

    @property
    def participants(self):
        """[{id, actor, name, kind, role}] of the published participants, in the event's order.
        Not stored: read from the actors (``events.selectors.with_participants``, which a list
        calls once for its page); a row read alone looks its own up."""
        if not hasattr(self, "_participants"):
            from events.selectors import with_participants

            with_participants([self])
        return self._participants

    @participants.setter
    def participants(self, value):
        self._participants = value


class ParticipationRole(models.TextChoices):
    INITIATOR = "initiator", "Initiator"
    TARGET = "target", "Target"
    PARTICIPANT = "participant", "Participant"
    HOST = "host", "Host"
    OBSERVER = "observer", "Observer"

    @classmethod
    def lowercase_labels(cls):
        """{role: its label in lower case}: how lists print a participant's role."""
        return {value: str(label).lower() for value, label in cls.choices}


class Participation(models.Model):
    public_parents = ("event",)  # core/cache.py: a write is public while the event is published
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(
        max_length=20,
        choices=ParticipationRole.choices,
        default=ParticipationRole.PARTICIPANT,
        help_text="Initiator acts, target is acted upon (CAMEO source → target); host receives.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"],
                name="participation_unique",
                violation_error_message="This actor already has this role in this event.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=ParticipationRole.values),
                name="participation_role_valid",
                violation_error_message="Unknown role.",
            ),
        ]
        indexes = [
            # An actor's timeline and counterparts: participations by actor, joined to events.
            models.Index(fields=["actor", "event"], name="participation_actor_event_idx"),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()})"

    def as_referrer(self):
        return f"it takes part in event “{self.event}”"


class Citation(models.Model):
    public_parents = ("event",)  # core/cache.py: a write is public while the event is published
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: “paragraph 3”, “p. 12”, a timestamp."
    )
    note = models.TextField(blank=True, help_text="What the source says about the event, if it needs saying.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "source"],
                name="citation_unique",
                violation_error_message="This source is already cited for this event.",
            ),
        ]
        indexes = [
            # A source page lists the events that cite it.
            models.Index(fields=["source", "event"], name="citation_source_event_idx"),
        ]

    def __str__(self):
        return f"{self.source} → {self.event}"

    def as_referrer(self):
        return f"event “{self.event}” cites it"


class QuoteQuerySet(PublishableQuerySet):
    def published(self):
        # A quote is public only with its speaker and source public too.
        return super().published().filter(speaker__status=Status.PUBLISHED, source__status=Status.PUBLISHED)


class Quote(Publishable):
    # Changes to these while the entry is public are listed as corrections on its page (core/history.py).
    corrected_fields = (
        "text",
        "speaker",
        "speaker_title",
        "said_on",
        "said_on_precision",
        "source",
        "event",
        "is_paraphrase",
        "original_text",
    )

    text = models.TextField(
        help_text="The words as printed, without quotation marks. For reported speech, the report's wording."
    )
    speaker = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="quotes")
    speaker_title = models.CharField(
        max_length=200, blank=True, help_text="The speaker's title as printed at the time: “Chinese Foreign Minister”."
    )
    said_on = models.DateField(null=True, blank=True, help_text="When it was said; blank if the source does not say.")
    said_on_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quotes")
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text="The event the words were said at or are about, if any.",
    )
    language = models.CharField(max_length=20, default="en", help_text="BCP 47 tag of the text as recorded here.")
    original_text = models.TextField(blank=True, help_text="The words in the language they were said in, if different.")
    is_paraphrase = models.BooleanField(
        "reported speech",
        default=False,
        help_text="Tick when the source reports what was said rather than quoting the words.",
    )
    # Derived by the database, like Event.period_end: the last day said_on may stand for.
    said_until = models.GeneratedField(
        expression=PeriodEnd("said_on", "said_on_precision"),
        output_field=models.DateField(),
        db_persist=True,
    )
    search_document = models.GeneratedField(
        expression=SearchDocument(("text", "A"), ("original_text", "B")),
        output_field=SearchDocumentField(),
        db_persist=True,
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = [F("said_on").desc(nulls_last=True), "-id"]
        permissions = publication_permissions("quote", "quotes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="quote_text_not_empty",
                violation_error_message="A quote needs its text.",
            ),
            models.CheckConstraint(
                condition=Q(said_on__isnull=True) | Q(said_on__lt=datetime.date(9999, 1, 1)),
                name="quote_said_on_before_9999",
                violation_error_message="Dates must be before the year 9999.",
            ),
            models.CheckConstraint(
                condition=normalized_date_condition("said_on", "said_on_precision"),
                name="quote_said_on_matches_precision",
                violation_error_message="With month precision the date falls on the 1st; with year precision on 1 January.",
            ),
            models.CheckConstraint(
                condition=Q(said_on_precision__in=DatePrecision.values),
                name="quote_said_on_precision_valid",
                violation_error_message="Unknown date precision.",
            ),
            models.CheckConstraint(
                condition=Q(language__regex=formats.LANGUAGE_TAG),
                name="quote_language_tag",
                violation_error_message="Language must be a BCP 47 tag such as en, pt or zh-Hant.",
            ),
            status_constraint("quote"),
        ]
        indexes = [
            # Quote list and quotes by speaker, newest first: quote_said_on_idx and
            # quote_speaker_said_on_idx, created in migration 0006 (NULLS LAST on PostgreSQL).
        ]

    def __str__(self):
        return f"{self.speaker}: “{self.text[:60]}{'…' if len(self.text) > 60 else ''}”"

    def get_absolute_url(self):
        return reverse("events:quote-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self):
        # Mirrors QuoteQuerySet.published(); views load speaker and source with the quote.
        return (
            self.status == Status.PUBLISHED
            and self.speaker.status == Status.PUBLISHED
            and self.source.status == Status.PUBLISHED
        )

    def publication_problems(self):
        problems = []
        if self.speaker.status != Status.PUBLISHED:
            problems.append(f"its speaker “{self.speaker}” is not published")
        if self.source.status != Status.PUBLISHED:
            problems.append(f"its source “{self.source}” is not published")
        return problems

    def publishes_with(self):
        return [self.speaker, self.source]

    def as_referrer(self):
        return f"quote “{self.text[:60]}{'…' if len(self.text) > 60 else ''}” refers to it"

    @property
    def visible_event(self):
        """The event the quote names, or None while the reader cannot see it (to the public: a
        draft, withdrawn, or citing no published source). The selectors load ``event_is_visible``
        for the reader (events.selectors: ``attach_event_visibility`` for a page,
        ``with_event_visibility`` for a query); a quote loaded alone asks once, as the public."""
        if not self.event_id:
            return None
        if not hasattr(self, "event_is_visible"):
            self.event_is_visible = Event.objects.published().filter(pk=self.event_id).exists()
        return self.event if self.event_is_visible else None

    @property
    def said_on_display(self):
        return format_date(self.said_on, self.said_on_precision)

    def clean(self):
        if self.said_on:
            self.said_on = period_start(self.said_on, self.said_on_precision)


class PublicChangeKind(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PublicChange(models.Model):
    """One change to the public record: an entry appeared, changed or left the public site.
    Written by database triggers only (events/public_changes.py), in the transaction of the
    write that caused it; read by the changes feed (/api/changes/)."""

    resource = models.CharField(max_length=10, help_text="event, actor, quote or source")
    entry_id = models.BigIntegerField(help_text="The entry's primary key (kept after the entry is deleted).")
    identifier = models.CharField(
        max_length=300, help_text="The public identifier at that time: slug of events and actors, id of the others."
    )
    change = models.CharField(max_length=10, choices=PublicChangeKind.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(change__in=PublicChangeKind.values), name="publicchange_change_valid"),
            models.CheckConstraint(
                condition=Q(resource__in=["event", "actor", "quote", "source"]), name="publicchange_resource_valid"
            ),
        ]
        indexes = [
            # The changes feed: rows after a time, in order.
            models.Index(fields=["at", "id"], name="publicchange_at_idx"),
            # The triggers' question: an entry's latest row.
            models.Index(fields=["resource", "entry_id", "id"], name="publicchange_entry_idx"),
        ]

    def __str__(self):
        return f"{self.resource} {self.identifier} {self.change} at {self.at:%Y-%m-%d %H:%M:%S}"
