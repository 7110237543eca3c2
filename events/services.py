"""Merging actors: a write with rules that rewrites events' rows (participations, quotes)
as well as actors', so it lives on the events side of the import direction.

The workflow every entry shares (publish, withdraw, concurrent edits, deletion) is
``core.workflow``; duplicate detection, a read, is ``actors.selectors.possible_duplicates``.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Status
from core.workflow import TransitionError, can_publish, history_note, record_write, require
from events.models import Participation, Quote


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
