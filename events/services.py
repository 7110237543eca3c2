"""Editorial writes with rules: the workflow, concurrent edits, deletion and merging.

Every path that changes an entry's status or saves an editor's change goes through here:
the admin (forms, inlines, bulk actions) and the API call these functions, so the rules,
the permissions and the history are the same whichever way an editor works.

Workflow: draft → review → published → withdrawn (→ published again: restore).
- Editors create and edit drafts and send them to review.
- Publishers (the model's ``publish_<model>`` permission) also publish, withdraw, restore,
  and edit what is published or withdrawn.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, ProtectedError, Q, RestrictedError
from django.utils import timezone

from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Status
from events.models import Citation, Event, Participation, Quote, Source


class TransitionError(Exception):
    """A status change or write was refused; the message says why, for an editor."""


class PublicationError(TransitionError):
    """Publishing was refused; ``problems`` says exactly what is missing."""

    def __init__(self, obj, problems):
        self.obj = obj
        self.problems = problems
        super().__init__(f"“{obj}” cannot be published: " + "; ".join(problems) + ".")


class ConcurrentEditError(TransitionError):
    """Someone saved the entry after this editor opened it: their change would be lost."""

    def __init__(self, obj, current_version):
        self.obj = obj
        self.current_version = current_version
        super().__init__(
            f"“{obj}” was changed by someone else since you opened it (it is now at version "
            f"{current_version}). Your changes were not saved: open its history to see the other "
            "change, then make yours again on the current version."
        )


# History notes ---------------------------------------------------------------------------

# django-simple-history's history_change_reason column (a test checks every history table).
NOTE_MAX_LENGTH = 100


def history_note(text):
    """A note for the history that fits its column: generated notes name titles and names of
    any length ("Published with “…”."), so a long one is shortened with an ellipsis rather
    than refused by the database. Every note the services write goes through here."""
    text = " ".join(str(text).split())
    return text if len(text) <= NOTE_MAX_LENGTH else text[: NOTE_MAX_LENGTH - 1] + "…"


# Permissions ---------------------------------------------------------------------------


def permission(obj, action):
    opts = obj._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can_publish(user, obj):
    return user.has_perm(permission(obj, "publish"))


def can_edit(user, obj):
    """Editors change drafts and entries in review; what the public sees is the Publisher's."""
    if not user.has_perm(permission(obj, "change")):
        return False
    return obj.status in (Status.DRAFT, Status.REVIEW) or can_publish(user, obj)


def require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


# Publication rules ---------------------------------------------------------------------


def publication_problems(obj):
    """What stops ``obj`` from being published, as sentences for an editor (empty when nothing does)."""
    problems = []
    if isinstance(obj, Event):
        if not obj.citations.filter(source__status=Status.PUBLISHED).exists():
            problems.append("it cites no published source")
    elif isinstance(obj, Quote):
        if obj.speaker.status != Status.PUBLISHED:
            problems.append(f"its speaker “{obj.speaker}” is not published")
        if obj.source.status != Status.PUBLISHED:
            problems.append(f"its source “{obj.source}” is not published")
    elif not isinstance(obj, (Actor, Source)):
        raise TypeError(f"{type(obj).__name__} has no publication status")
    return problems


def unpublished_related(obj):
    """The draft or in-review entries that publishing ``obj`` with its related entries would publish."""
    if isinstance(obj, Event):
        sources = Source.objects.filter(citations__event=obj)
        actors = Actor.objects.filter(participations__event=obj)
        pending = [*sources, *actors]
    elif isinstance(obj, Quote):
        pending = [obj.speaker, obj.source]
    else:
        pending = []
    return [entry for entry in pending if entry.status in (Status.DRAFT, Status.REVIEW)]


# Which statuses each transition may start from.
ALLOWED_FROM = {
    Status.REVIEW: {Status.DRAFT, Status.WITHDRAWN},
    Status.PUBLISHED: {Status.DRAFT, Status.REVIEW, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.PUBLISHED},
}
VERBS = {Status.REVIEW: "sent to review", Status.PUBLISHED: "published", Status.WITHDRAWN: "withdrawn"}


def _set_status(*, obj, status, user, reason=""):
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if getattr(locked, "merged_into_id", None):
        raise TransitionError(f"“{obj}” was merged into another actor; work on that one.")
    if locked.status == Status.WITHDRAWN:
        require(can_publish(user, obj), f"Only a Publisher may bring back the withdrawn “{obj}”.")
    if locked.status not in ALLOWED_FROM[status]:
        raise TransitionError(f"“{obj}” is {locked.get_status_display().lower()}; it cannot be {VERBS[status]}.")
    obj.status = status
    obj.updated_by = user
    obj.version = locked.version + 1
    obj._history_user = user
    obj._change_reason = history_note(reason or f"{VERBS[status].capitalize()}.")
    obj.save(update_fields=["status", "updated_by", "updated_at", "version"])


@transaction.atomic
def send_to_review(*, obj, user, reason=""):
    """Mark a draft (or withdrawn entry) as ready for a publisher. Saves ``obj``, records history."""
    require(user.has_perm(permission(obj, "change")), "You may not change this entry.")
    _set_status(obj=obj, status=Status.REVIEW, user=user, reason=reason)


@transaction.atomic
def publish(*, obj, user, include_related=False, reason=""):
    """Publish ``obj`` if the rules allow it, else raise ``PublicationError``.

    With ``include_related`` the draft sources and actors of an event (the speaker and source
    of a quote) are published in the same step, each with its own history entry.
    Saves ``obj`` (and those entries); needs the publish permission on each.
    """
    require(can_publish(user, obj), f"Only a Publisher may publish “{obj}”.")
    if obj.status == Status.PUBLISHED:
        raise TransitionError(f"“{obj}” is already published.")
    if include_related:
        for entry in unpublished_related(obj):
            require(can_publish(user, entry), f"Only a Publisher may publish “{entry}”.")
            _set_status(obj=entry, status=Status.PUBLISHED, user=user, reason=f"Published with “{obj}”.")
        if isinstance(obj, Quote):
            obj.speaker.refresh_from_db()
            obj.source.refresh_from_db()
    problems = publication_problems(obj)
    if problems:
        raise PublicationError(obj, problems)
    _set_status(obj=obj, status=Status.PUBLISHED, user=user, reason=reason)


@transaction.atomic
def withdraw(*, obj, user, reason=""):
    """Take a published entry off the public site; it is kept and can be restored. Saves ``obj``."""
    require(can_publish(user, obj), f"Only a Publisher may withdraw “{obj}”.")
    _set_status(obj=obj, status=Status.WITHDRAWN, user=user, reason=reason)


# Editing -------------------------------------------------------------------------------


def check_version(obj, expected_version):
    """Refuse a write that started from an older version of ``obj``; locks the row until the
    transaction ends, so two concurrent saves cannot both pass. Returns the next version."""
    current = type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("version", flat=True).first()
    if current is None:
        raise TransitionError(f"“{obj}” no longer exists.")
    if expected_version is None or int(expected_version) != current:
        raise ConcurrentEditError(obj, current)
    return current + 1


def record_write(*, obj, user, created, reason=""):
    """Stamp who made a write and why, before ``obj`` is saved (history reads both)."""
    if created:
        obj.created_by = user
    obj.updated_by = user
    obj._history_user = user
    if reason:
        obj._change_reason = history_note(reason)


def check_deletable(*, obj, user):
    """Raise unless ``user`` may delete ``obj``. Only drafts are deleted: anything that was ever
    public is withdrawn instead, so nothing published (nor a citation or quote hanging on it)
    disappears. Entries that still refer to a draft are found when it is deleted (``delete_entry``)."""
    require(user.has_perm(permission(obj, "delete")), "You may not delete this entry.")
    if obj.status != Status.DRAFT:
        raise TransitionError(f"Only drafts can be deleted; this entry is {obj.status}. Withdraw it instead.")


def describe_referrer(row):
    """One entry that refers to another, as an editor would name it."""
    if isinstance(row, Citation):
        return f"event “{row.event}” cites it"
    if isinstance(row, Participation):
        return f"it takes part in event “{row.event}”"
    if isinstance(row, Quote):
        return f"quote “{row.text[:60]}{'…' if len(row.text) > 60 else ''}” refers to it"
    if isinstance(row, Affiliation):
        return f"“{row.person}” is affiliated with it"
    if isinstance(row, Actor):
        return f"actor “{row}” was merged into it"
    return f"{row._meta.verbose_name} “{row}” refers to it"


@transaction.atomic
def delete_entry(*, obj, user):
    """Hard delete of a draft (``check_deletable`` says when not). Refused, naming them, while
    other entries refer to it (a draft source cited by an event, a draft event with quotes).
    Records the deletion in the history with ``user``."""
    check_deletable(obj=obj, user=user)
    obj._history_user = user
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as error:
        # Five named (each may load the event or person it names: five queries, not thousands).
        rows = sorted(error.protected_objects, key=lambda row: (row._meta.label, row.pk))
        named = "; ".join(describe_referrer(row) for row in rows[:5])
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        raise TransitionError(
            f"“{obj}” cannot be deleted while other entries refer to it: {named}{more}. Remove those references first."
        ) from None


# Duplicates and merging ------------------------------------------------------------------


def possible_duplicates(name, *, exclude=None):
    """Actors whose name or an alias matches ``name`` ignoring case, accents and word order."""
    from actors.models import match_key

    key = match_key(name)
    if not key:
        return Actor.objects.none()
    matches = Actor.objects.filter(match_key=key) | Actor.objects.filter(aliases__match_key=key)
    if exclude is not None and exclude.pk:
        matches = matches.exclude(pk=exclude.pk)
    return matches.distinct().order_by("name")


def _relink(rows, *, field, to, key, taken, user, reason, now, versioned=False):
    """Point ``rows`` (a queryset of one model) at ``to`` through ``field``.

    The rows are locked before they are read (SELECT … FOR UPDATE), so what the history
    records is what the table holds, and an edit saved meanwhile is either finished first (and
    kept) or waits and then finds a newer version (412, as two edits conflict). They change in
    one UPDATE of that column alone (and the version, bumped, where the model has one): nothing
    else of a row is written back. A row that would then repeat one already there (``key`` in
    ``taken``, or ``key`` None) is deleted instead. Each change is in the history."""
    model = rows.model
    locked = list(rows.select_for_update().order_by("pk"))
    moved, dropped = [], []
    for row in locked:
        identity = key(row)
        if identity is None or identity in taken:
            dropped.append(row)
        else:
            taken.add(identity)
            moved.append(row)
    for row in dropped:
        row._history_user, row._change_reason = user, reason
        row.delete()
    if not moved:
        return
    changes = {field: to}
    if versioned:
        changes.update(version=F("version") + 1, updated_by=user, updated_at=now)
    model.objects.filter(pk__in=[row.pk for row in moved]).update(**changes)
    for row in moved:
        setattr(row, field, to)
        if versioned:
            row.version, row.updated_by, row.updated_at = row.version + 1, user, now
    model.history.bulk_history_create(
        moved, update=True, default_user=user, default_change_reason=reason, default_date=now
    )


@transaction.atomic
def merge_actors(*, survivor, duplicate, user):
    """Fold ``duplicate`` into ``survivor``: participations, quotes, affiliations (both ways)
    and aliases move over (a row the survivor already has is dropped), the duplicate's name
    becomes an alias, and the duplicate is withdrawn with ``merged_into`` set (its address
    redirects). Each change is in the history; each moved quote and both actors get a new
    version, so an editor's edit started before the merge is refused (412), never merged stale.
    Needs the publish permission on actors."""
    require(can_publish(user, survivor), "Only a Publisher may merge actors.")
    if survivor.pk == duplicate.pk:
        raise TransitionError("An actor cannot be merged into itself.")
    # Lock both and work on their current rows, so a concurrent edit is neither lost nor merged stale.
    locked = {
        a.pk: a for a in Actor.objects.select_for_update().order_by("pk").filter(pk__in=[survivor.pk, duplicate.pk])
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if duplicate.merged_into_id:
        raise TransitionError(f"“{duplicate}” was already merged into another actor.")
    if survivor.merged_into_id:
        raise TransitionError(f"“{survivor}” was itself merged into another actor; merge into that one.")
    if duplicate.status == Status.PUBLISHED and survivor.status != Status.PUBLISHED:
        raise TransitionError(
            f"“{survivor}” is not published: publish it first, or the published “{duplicate}”'s "
            "quotes and events would hang on an unpublished actor."
        )
    note = history_note(f"Merged “{duplicate}” into “{survivor}”.")
    common = {"to": survivor, "user": user, "reason": note, "now": timezone.now()}

    _relink(
        Participation.objects.filter(actor=duplicate),
        field="actor",
        key=lambda p: (p.event_id, p.role),
        taken=set(Participation.objects.filter(actor=survivor).values_list("event_id", "role")),
        **common,
    )
    _relink(
        Quote.objects.filter(speaker=duplicate),
        field="speaker",
        key=lambda q: q.pk,
        taken=set(),
        versioned=True,
        **common,
    )

    # An affiliation is unique by (person, organization, title, start); one between the
    # duplicate and the survivor would become the survivor's with itself: such rows are dropped.
    def affiliation_key(affiliation, moved_side):
        person = survivor.pk if moved_side == "person" else affiliation.person_id
        organization = survivor.pk if moved_side == "organization" else affiliation.organization_id
        return None if person == organization else (person, organization, affiliation.title, affiliation.start_date)

    affiliations = set(
        Affiliation.objects.filter(Q(person=survivor) | Q(organization=survivor)).values_list(
            "person_id", "organization_id", "title", "start_date"
        )
    )
    for side in ("person", "organization"):
        _relink(
            Affiliation.objects.filter(**{side: duplicate}),
            field=side,
            key=lambda affiliation, side=side: affiliation_key(affiliation, side),
            taken=affiliations,
            **common,
        )
    aliases = set(survivor.aliases.values_list("name", "language"))
    _relink(
        ActorAlias.objects.filter(actor=duplicate),
        field="actor",
        key=lambda a: (a.name, a.language),
        taken=aliases,
        **common,
    )
    if (duplicate.name, "") not in aliases and duplicate.name != survivor.name:
        alias = ActorAlias(actor=survivor, name=duplicate.name, language="")
        alias._history_user, alias._change_reason = user, note
        alias.save()
    if not survivor.wikidata_id and duplicate.wikidata_id:
        wikidata_id, duplicate.wikidata_id = duplicate.wikidata_id, ""
        duplicate.save(update_fields=["wikidata_id"])
        survivor.wikidata_id = wikidata_id

    record_write(obj=survivor, user=user, created=False, reason=note)
    survivor.version = survivor.version + 1
    survivor.save()
    duplicate.merged_into = survivor
    if duplicate.status == Status.PUBLISHED:
        duplicate.status = Status.WITHDRAWN
    record_write(obj=duplicate, user=user, created=False, reason=note)
    duplicate.version = duplicate.version + 1
    duplicate.save()
    return survivor
