"""Publication status shared by the publishable models (Actor, Event, Source, Quote), and the
one rule for who may read what.

Each model's ``published()`` says what the public sees of it (an event also needs a published
source). ``readable`` applies the rule per reader: drafts, entries in review and withdrawn
entries only for an editor with the model's view permission. The domain apps' selectors
(``events.selectors``, ``actors.selectors``) build every page's, API response's, feed's,
sitemap's and export's queryset from these two.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"

    # The state sets: which statuses an Editor still works on, which the public never sees,
    # and which each transition may start from.
    @classmethod
    def pending(cls):
        """Not yet public: what an Editor creates, changes and sends to review."""
        return frozenset({cls.DRAFT, cls.REVIEW})

    @classmethod
    def allowed_from(cls, target):
        """The statuses a transition to ``target`` may start from (restore: withdrawn → published)."""
        return {
            cls.REVIEW: frozenset({cls.DRAFT, cls.WITHDRAWN}),
            cls.PUBLISHED: frozenset({cls.DRAFT, cls.REVIEW, cls.WITHDRAWN}),
            cls.WITHDRAWN: frozenset({cls.PUBLISHED}),
        }[target]


def is_editor(user):
    """An editor's account: active and staff. Only these sign in to the admin, hold an API token
    or are authenticated by the API at all; an account that loses staff status loses all three
    at once, whatever session or token it still carries."""
    return bool(user is not None and user.is_active and user.is_staff)


def may_see_unpublished(user, model):
    """Who may read drafts, entries in review and withdrawn entries of ``model``: an editor with
    the model's view permission. The one rule for pages (previews), the API and its exports."""
    opts = model._meta
    return is_editor(user) and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


class StatusFilterError(ValueError):
    """An unknown ``status`` asked for (a 400 with this message)."""


ALL_STATUSES = "all"


def readable(queryset, *, user, status=None):
    """The entries of ``queryset`` that ``user`` reads.

    ``status=None``: whatever the reader may see (a detail address: an editor opens drafts).
    ``status="published"``: what the public sees (every list). Any other status, or ``"all"``:
    an editor's filter; refused with PermissionDenied for anyone else."""
    if status is None:
        return queryset if may_see_unpublished(user, queryset.model) else queryset.published()
    if status == Status.PUBLISHED:
        return queryset.published()
    if status != ALL_STATUSES and status not in Status.values:
        raise StatusFilterError(f"Use one of {', '.join(Status.values)}, {ALL_STATUSES}.")
    if not may_see_unpublished(user, queryset.model):
        raise PermissionDenied("Only editors may filter by status.")
    return queryset if status == ALL_STATUSES else queryset.filter(status=status)


def shows_unpublished(user, model, *, status=None):
    """Whether ``readable(…, status=status)`` lets ``user`` see unpublished entries of ``model``:
    an editor's preview or filter. Links from what they see then lead to unpublished entries
    too (``shows_links_to``); everyone else's lead to published ones only."""
    return status != Status.PUBLISHED and may_see_unpublished(user, model)


def shows_links_to(user, model, *, previewing):
    """Whether links to unpublished entries of ``model`` are shown: in an editor's preview
    (``previewing``), to one who may open them."""
    return previewing and may_see_unpublished(user, model)


def link_filter(user, model, path, *, previewing):
    """Filter keywords keeping rows whose ``path`` leads to an entry of ``model`` the reader
    sees: any, in an editor's preview (``shows_links_to``); else a published one. For models
    public by their status alone (actors, sources): a join on it, not an IN over
    ``published()`` (which hashed 250,000 sources per request)."""
    if shows_links_to(user, model, previewing=previewing):
        return {}
    return {f"{path}__status": Status.PUBLISHED}


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Publishable(models.Model):
    """Abstract base: publication status and who created / last changed the entry."""

    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only published entries are visible to the public. "
        "Use the list's actions to send to review, publish or withdraw.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Optimistic locking: every write checks the version it started from and bumps it, so
    # when two editors save the same entry the second is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1, editable=False)

    # Who changed what and when, for every subclass (django-simple-history).
    history = HistoricalRecords(inherit=True, excluded_fields=["search_document"])

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    # The fields whose changes while public are corrections (core/history.py); each model names its own.
    corrected_fields = ()

    def refused_transition(self):
        """Why no status change is allowed on this entry at all, or None (an actor merged into
        another says so)."""
        return None

    def publication_problems(self):
        """What stops this entry from being published, as sentences for an editor (none here;
        models whose public rule needs other entries published say which)."""
        return []

    def publishes_with(self):
        """The entries "publish with related entries" publishes along with this one."""
        return []


def publication_permissions(model_name, verbose_name_plural):
    """The Publisher's extra permission on a core model: publish, withdraw and restore."""
    return [(f"publish_{model_name}", f"Can publish, withdraw and restore {verbose_name_plural}")]


def status_constraint(model_label):
    """The named CHECK that keeps ``status`` within ``Status`` (choices alone are not enforced)."""
    return models.CheckConstraint(
        condition=models.Q(status__in=Status.values),
        name=f"{model_label}_status_valid",
        violation_error_message="Status must be one of: " + ", ".join(Status.values) + ".",
    )
