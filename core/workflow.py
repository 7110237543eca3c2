"""The editorial workflow of every publishable entry: status changes, concurrent edits,
deletion, and the permissions and history notes that go with them.

Every path that changes an entry's status or saves an editor's change goes through here:
the admin (forms, inlines, bulk actions) and the API call these functions, so the rules,
the permissions and the history are the same whichever way an editor works. What a model
adds to the rules (what must be published first, what is published with it) it says itself:
``Publishable.publication_problems`` and ``publishes_with``.

Workflow: draft → review → published → withdrawn (→ published again: restore).
- Editors create and edit drafts and send them to review.
- Publishers (the model's ``publish_<model>`` permission) also publish, withdraw, restore,
  and edit what is published or withdrawn.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from core.publishing import Status


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
    return obj.status in Status.pending() or can_publish(user, obj)


def require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


# Publication rules ---------------------------------------------------------------------


def unpublished_related(obj):
    """The draft or in-review entries that publishing ``obj`` with its related entries would
    publish (each model names its own: ``Publishable.publishes_with``)."""
    return [entry for entry in obj.publishes_with() if entry.status in Status.pending()]


VERBS = {Status.REVIEW: "sent to review", Status.PUBLISHED: "published", Status.WITHDRAWN: "withdrawn"}


def _set_status(*, obj, status, user, reason=""):
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    refusal = locked.refused_transition()
    if refusal:
        raise TransitionError(refusal)
    if locked.status == Status.WITHDRAWN:
        require(can_publish(user, obj), f"Only a Publisher may bring back the withdrawn “{obj}”.")
    if locked.status not in Status.allowed_from(status):
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
        # The rules below read the related entries as stored now, not as loaded with ``obj``
        # (another editor may have withdrawn one meanwhile).
        for entry in obj.publishes_with():
            entry.refresh_from_db(fields=["status"])
    problems = obj.publication_problems()
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
    """One entry that refers to another, as an editor would name it (``as_referrer`` on the
    models that say it better than the generic sentence)."""
    if hasattr(row, "as_referrer"):
        return row.as_referrer()
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
