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

from actors.models import Actor, ActorAlias, Affiliation
from relations_site.publishing import Status

from .models import Event, Participation, Quote, Source


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
    obj._change_reason = reason or f"{VERBS[status].capitalize()}."
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
        obj._change_reason = reason


@transaction.atomic
def delete_entry(*, obj, user):
    """Hard delete, for drafts only: anything that was ever public is withdrawn instead, so
    nothing published (nor a citation or quote hanging on it) disappears. History keeps a record."""
    require(user.has_perm(permission(obj, "delete")), "You may not delete this entry.")
    if obj.status != Status.DRAFT:
        raise TransitionError(f"Only drafts can be deleted; this entry is {obj.status}. Withdraw it instead.")
    obj._history_user = user
    obj.delete()


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


@transaction.atomic
def merge_actors(*, survivor, duplicate, user):
    """Fold ``duplicate`` into ``survivor``: participations, quotes, affiliations (both ways)
    and aliases move over, the duplicate's name becomes an alias, and the duplicate is
    withdrawn with ``merged_into`` set (its address redirects). Each change is in the history.
    Needs the publish permission on actors."""
    require(can_publish(user, survivor), "Only a Publisher may merge actors.")
    if survivor.pk == duplicate.pk:
        raise TransitionError("An actor cannot be merged into itself.")
    # Lock both and work on their current rows, so a concurrent edit is neither lost nor merged stale.
    locked = {a.pk: a for a in Actor.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
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
    reason = f"Merged “{duplicate}” into “{survivor}”."

    for participation in Participation.objects.filter(actor=duplicate):
        clash = Participation.objects.filter(event=participation.event_id, actor=survivor, role=participation.role)
        participation._history_user, participation._change_reason = user, reason
        if clash.exists():
            participation.delete()
        else:
            participation.actor = survivor
            participation.save()
    for quote in Quote.objects.filter(speaker=duplicate):
        quote.speaker = survivor
        record_write(obj=quote, user=user, created=False, reason=reason)
        quote.version += 1
        quote.save()
    for field in ("person", "organization"):
        for affiliation in Affiliation.objects.filter(**{field: duplicate}):
            setattr(affiliation, field, survivor)
            affiliation._history_user, affiliation._change_reason = user, reason
            affiliation.save()
    existing = {(a.name, a.language) for a in survivor.aliases.all()}
    for alias in ActorAlias.objects.filter(actor=duplicate):
        alias._history_user, alias._change_reason = user, reason
        if (alias.name, alias.language) in existing:
            alias.delete()
        else:
            alias.actor = survivor
            alias.save()
            existing.add((alias.name, alias.language))
    if (duplicate.name, "") not in existing and duplicate.name != survivor.name:
        alias = ActorAlias(actor=survivor, name=duplicate.name, language="")
        alias._history_user, alias._change_reason = user, reason
        alias.save()
    if not survivor.wikidata_id and duplicate.wikidata_id:
        wikidata_id, duplicate.wikidata_id = duplicate.wikidata_id, ""
        duplicate.save(update_fields=["wikidata_id"])
        survivor.wikidata_id = wikidata_id

    record_write(obj=survivor, user=user, created=False, reason=reason)
    survivor.version = survivor.version + 1
    survivor.save()
    duplicate.merged_into = survivor
    if duplicate.status == Status.PUBLISHED:
        duplicate.status = Status.WITHDRAWN
    record_write(obj=duplicate, user=user, created=False, reason=reason)
    duplicate.version = duplicate.version + 1
    duplicate.save()
    return survivor
