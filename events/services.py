"""Publication workflow: every path that changes an entry's status goes through here.

The admin's bulk actions call these functions (and the API will); the rules that decide
whether something may be published live in ``publication_problems`` and nowhere else.
"""

from django.db import transaction

from actors.models import Actor
from relations_site.publishing import Status

from .models import Event, Quote, Source


class TransitionError(Exception):
    """A status change was refused; the message says why, for an editor."""


class PublicationError(TransitionError):
    """A transition was refused; ``problems`` says exactly what is missing."""

    def __init__(self, obj, problems):
        self.obj = obj
        self.problems = problems
        super().__init__(f"“{obj}” cannot be published: " + "; ".join(problems) + ".")


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


# Which statuses each transition may start from.
ALLOWED_FROM = {
    Status.REVIEW: {Status.DRAFT, Status.WITHDRAWN},
    Status.PUBLISHED: {Status.DRAFT, Status.REVIEW, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.PUBLISHED},
}


def _set_status(*, obj, status, user):
    if obj.status not in ALLOWED_FROM[status]:
        raise TransitionError(
            f"“{obj}” is {obj.get_status_display().lower()}; it cannot be "
            f"{'sent to review' if status == Status.REVIEW else status}."
        )
    obj.status = status
    obj.updated_by = user
    obj.save(update_fields=["status", "updated_by", "updated_at"])


@transaction.atomic
def send_to_review(*, obj, user):
    """Mark a draft (or withdrawn entry) as ready for a publisher. Saves ``obj``."""
    _set_status(obj=obj, status=Status.REVIEW, user=user)


@transaction.atomic
def publish(*, obj, user):
    """Publish ``obj`` if the publication rules allow it, else raise ``PublicationError``. Saves ``obj``."""
    if obj.status == Status.PUBLISHED:
        raise TransitionError(f"“{obj}” is already published.")
    problems = publication_problems(obj)
    if problems:
        raise PublicationError(obj, problems)
    _set_status(obj=obj, status=Status.PUBLISHED, user=user)


@transaction.atomic
def withdraw(*, obj, user):
    """Take a published entry off the public site; it is kept and can be published again. Saves ``obj``."""
    _set_status(obj=obj, status=Status.WITHDRAWN, user=user)
