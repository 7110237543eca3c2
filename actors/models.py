import datetime
import re
import unicodedata

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core import formats
from core.publishing import (
    Publishable,
    PublishableQuerySet,
    publication_permissions,
    status_constraint,
)
from core.search import SearchDocument, SearchDocumentField


def match_key(name):
    """A name folded for duplicate detection: case, accents, punctuation and word order ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.findall(r"\w+", letters)
    return " ".join(sorted(words))[:200]


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    STATE = "state", "State"
    ORGANIZATION = "organization", "Organization"
    GROUP = "group", "Group"


class Actor(Publishable):
    # Changes to these while the entry is public are listed as corrections on its page (core/history.py).
    corrected_fields = ("name", "kind", "country", "description", "wikidata_id")

    name = models.CharField(
        max_length=200,
        help_text="The name most readers know, in English: “Xi Jinping”, “Russia”, "
        "“Shanghai Cooperation Organisation”. Other names go in aliases.",
    )
    slug = models.SlugField(
        max_length=200,
        help_text="The actor's address on the site and in the API; unique. Filled from the name.",
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code in capitals (“RU”). A state's own code; "
        "a person's or organization's home country. Blank when none applies.",
    )
    description = models.TextField(blank=True, help_text="One or two neutral sentences.")
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        help_text="The Wikidata item, such as “Q7747”. Leave blank rather than guess.",
    )
    # Name with case, accents, punctuation and word order folded away ("Jinping Xi" = "xi jinping"):
    # duplicate detection compares these. Kept in step by save() (see match_key()).
    match_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="Set when this actor was merged into another; its address redirects there.",
    )
    # Names are searched here and in ActorAlias.search_document.
    search_document = models.GeneratedField(
        expression=SearchDocument(("name", "A"), ("description", "C")),
        output_field=SearchDocumentField(),
        db_persist=True,
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        permissions = publication_permissions("actor", "actors")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="actor_slug_unique"),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="actor_wikidata_id_unique",
                violation_error_message="Another actor already has this Wikidata ID.",
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=formats.WIKIDATA_ID),
                name="actor_wikidata_id_format",
                violation_error_message="A Wikidata ID is a Q followed by digits, such as Q7747.",
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=formats.COUNTRY_CODE),
                name="actor_country_iso_alpha2",
                violation_error_message="Country must be an ISO 3166-1 alpha-2 code in capitals, such as RU, or blank.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ActorKind.values),
                name="actor_kind_valid",
                violation_error_message="Kind must be one of: " + ", ".join(ActorKind.values) + ".",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="actor_name_not_empty",
                violation_error_message="An actor needs a name.",
            ),
            status_constraint("actor"),
        ]
        indexes = [
            # Public actor list filtered by kind and country, in name order.
            models.Index(fields=["kind", "country", "name"], name="actor_kind_country_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("actors:detail", kwargs={"slug": self.slug})

    def refused_transition(self):
        if self.merged_into_id:
            return f"“{self}” was merged into another actor; work on that one."
        return None

    def as_referrer(self):
        # The only actor that refers to another is one merged into it (merged_into, PROTECT).
        return f"actor “{self}” was merged into it"

    def save(self, *args, **kwargs):
        self.match_key = match_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "match_key"}
        super().save(*args, **kwargs)


class ActorAlias(models.Model):
    public_parents = ("actor",)  # core/cache.py: a write is public while the actor is published
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(
        max_length=200,
        help_text="Another name for the actor: a short form (“Xi”), a metonym the sources use "
        "(“Moscow”), an abbreviation (“SCO”), or the name in another script (“习近平”).",
    )
    language = models.CharField(
        max_length=20,
        blank=True,
        help_text="BCP 47 language tag of the alias (“en”, “zh”, “ru”); blank if none applies.",
    )
    search_document = models.GeneratedField(
        expression=SearchDocument(("name", "A")),
        output_field=SearchDocumentField(),
        db_persist=True,
    )
    match_key = models.CharField(max_length=200, editable=False, db_index=True, default="")

    history = HistoricalRecords(excluded_fields=["search_document"])

    class Meta:
        ordering = ["actor_id", "name", "id"]
        verbose_name_plural = "actor aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "name", "language"],
                name="actor_alias_unique",
                violation_error_message="This actor already has this alias in this language.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="actor_alias_name_not_empty",
                violation_error_message="An alias needs a name.",
            ),
            models.CheckConstraint(
                condition=Q(language="") | Q(language__regex=formats.LANGUAGE_TAG),
                name="actor_alias_language_tag",
                violation_error_message="Language must be a BCP 47 tag such as en, zh or zh-Hant, or blank.",
            ),
        ]
        indexes = [
            # Search and duplicate detection look actors up by alias.
            models.Index(fields=["name"], name="actor_alias_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})" if self.language else self.name

    def save(self, *args, **kwargs):
        self.match_key = match_key(self.name)
        super().save(*args, **kwargs)


class Affiliation(models.Model):
    public_parents = ("person", "organization")  # core/cache.py: public while either is published
    person = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="affiliations",
        limit_choices_to={"kind": ActorKind.PERSON},
        error_messages={"invalid": "Only a person can hold an affiliation."},
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind__in": [ActorKind.STATE, ActorKind.ORGANIZATION, ActorKind.GROUP]},
        error_messages={"invalid": "An affiliation is with a state, organization or group, not a person."},
        help_text="The state, organization or group the person holds the role at.",
    )
    title = models.CharField(max_length=200, help_text="The role as sources give it: “Foreign Minister”, “professor”.")
    start_date = models.DateField(null=True, blank=True, help_text="Leave blank if unknown.")
    end_date = models.DateField(null=True, blank=True, help_text="Leave blank while the role is held or if unknown.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["person_id", "-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="affiliation_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(person=F("organization")),
                name="affiliation_not_self",
                violation_error_message="A person cannot be affiliated with themselves.",
            ),
            models.UniqueConstraint(
                # An unknown start date counts as one value, so the same role cannot be
                # recorded twice just because its start is blank (NULLs never collide).
                "person",
                "organization",
                "title",
                Coalesce("start_date", Value(datetime.date(1, 1, 1))),
                name="affiliation_unique",
                violation_error_message="This affiliation is already recorded.",
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.organization}"

    def as_referrer(self):
        return f"“{self.person}” is affiliated with it"
