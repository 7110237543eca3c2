"""Helpers for the editorial tests (the workflow, the admin, the API's writes, test_permission_matrix,
tests/write_paths/): users in each role, entries in each status, the admin's POST data as a browser
sends it, and what is stored."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.models import Actor
from core.publishing import Status
from events.models import Event, Quote, Source
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

ROLES = ["anonymous", "nonstaff_editor", "staff_no_group", "editor", "publisher", "superuser"]
GROUPS = {"nonstaff_editor": "Editor", "editor": "Editor", "publisher": "Publisher"}

# The field each write changes, and what a test writes into it.
EDITED = {Event: "title", Quote: "text", Actor: "description", Source: "title"}
BUILDERS = {
    Event: lambda status, value: EventFactory(status=status, title=value),
    # On a draft event: its page (with the quote inline) is open to Editors.
    Quote: lambda status, value: QuoteFactory(status=status, text=value, event=EventFactory(status=Status.DRAFT)),
    Actor: lambda status, value: ActorFactory(status=status, description=value),
    Source: lambda status, value: SourceFactory(status=status, title=value),
}


def make_user(role):
    """A user in ``role`` (None for anonymous). No password: the clients sign in without one."""
    if role == "anonymous":
        return None
    users = get_user_model().objects
    if role == "superuser":
        return users.create_superuser(username=role, email="", password=None)
    # The non-staff Editor is one who lost staff status but kept the group (and a token).
    user = users.create_user(username=role, password=None, is_staff=role != "nonstaff_editor")
    if role in GROUPS:
        user.groups.add(Group.objects.get(name=GROUPS[role]))
    return users.get(pk=user.pk)  # fresh permission cache


def member_of(group, username, *, is_staff=True):
    """A staff account (editors are staff) in ``group``, with a password."""
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", is_staff=is_staff)
    user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)


def token_client(user):
    """An API client authenticated by a token created for the user, who stays at ``client.user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


def make_entry(model, status, value="Current value"):
    """An entry in ``status`` that the publication rules allow to publish (an event citing a
    published source; a quote by a published speaker from a published source)."""
    return BUILDERS[model](status, value)


def admin_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user):
    """Authenticated by a token created for the user, as editors' tools are."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def event_form(event, **changes):
    """The event change form's POST data as the browser would send it, with no inline rows."""
    data = {
        "title": event.title,
        "slug": event.slug,
        "event_type": event.event_type_id,
        "summary": event.summary,
        "start_date": event.start_date.isoformat(),
        "end_date": "",
        "date_precision": event.date_precision,
        "location": event.location,
        "country": event.country,
        "expected_version": event.version,
        "change_reason": "",
    }
    for prefix in ("participations", "citations", "quotes"):
        rows = list(getattr(event, prefix).all())
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for n, row in enumerate(rows):
            data[f"{prefix}-{n}-id"] = row.pk
            data[f"{prefix}-{n}-event"] = event.pk
            if prefix == "participations":
                data[f"{prefix}-{n}-actor"], data[f"{prefix}-{n}-role"] = row.actor_id, row.role
            elif prefix == "citations":
                data[f"{prefix}-{n}-source"], data[f"{prefix}-{n}-locator"] = row.source_id, row.locator
            else:
                data.update(
                    {
                        f"{prefix}-{n}-text": row.text,
                        f"{prefix}-{n}-speaker": row.speaker_id,
                        f"{prefix}-{n}-source": row.source_id,
                        f"{prefix}-{n}-said_on_precision": row.said_on_precision,
                    }
                )
    data.update(changes)
    return data


def admin_url(obj, view, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args or [obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def login_url(url):
    return f"/admin/login/?next={url}"


def api_url(obj):
    key = obj.slug if isinstance(obj, (Event, Actor)) else obj.pk
    return f"/api/{obj._meta.model_name}s/{key}/"


def if_match(obj):
    return f'"{obj.version}"'


def _add_form(data, form):
    for field in form:
        value = field.value()
        if value is True:
            data[field.html_name] = "on"
        elif value is not False:
            data[field.html_name] = "" if value is None else value


def admin_form_data(obj, **changes):
    """The POST data of ``obj``'s admin change form as a browser sends it: every field, every
    inline row (with its expected_version), no extra rows; then ``changes``. Built from the
    ModelAdmin's own form and formsets, so a new field or inline needs no change here."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_active=True, is_staff=True, is_superuser=True)
    data = {}
    _add_form(data, model_admin.get_form(request, obj, change=True)(instance=obj))
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset_class.get_default_prefix()
        formset = formset_class(instance=obj, prefix=prefix, queryset=inline.get_queryset(request))
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for form in formset.initial_forms:
            _add_form(data, form)
    data.update(changes)
    return data


def inline_index(parent, row):
    """The prefix of ``row``'s form among the inline rows of ``parent``'s change form."""
    model_admin = admin.site._registry[type(parent)]
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_active=True, is_staff=True, is_superuser=True)
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, parent):
        if inline.model is type(row):
            prefix = formset_class.get_default_prefix()
            rows = list(formset_class(instance=parent, prefix=prefix, queryset=inline.get_queryset(request)).queryset)
            return f"{prefix}-{rows.index(row)}"
    raise LookupError(f"{type(parent).__name__} has no inline of {type(row).__name__}")


def stored(obj, field=None):
    """The row as the database has it now (None when deleted): status, version, the edited field."""
    field = field or EDITED.get(type(obj))
    names = [name for name in ("status", "version", field) if name and hasattr(obj, name)]
    return type(obj).objects.filter(pk=obj.pk).values(*names).first()


def history(obj):
    """How many history records the entry has, and the type and user of the newest."""
    records = type(obj).history.filter(id=obj.pk).order_by("-history_id")
    newest = records.first()
    return (records.count(), newest.history_type, newest.history_user_id) if newest else (0, None, None)


def messages_shown(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def inline_errors(response, prefix):
    """Every error on the inline formset ``prefix`` of a re-rendered change form (None when the
    response is no change form)."""
    context = response.context
    if context is None or "inline_admin_formsets" not in context:
        return None
    for inline_formset in context["inline_admin_formsets"]:
        formset = inline_formset.formset
        if formset.prefix == prefix:
            errors = list(formset.non_form_errors())
            for form in formset.forms:
                errors += [str(error) for errors_ in form.errors.values() for error in errors_]
            return errors
    return None


def row_values(obj):
    """Every stored column of the row (None once deleted)."""
    return type(obj).objects.filter(pk=obj.pk).values().first()


# For each inline: the parent entry, the row and a change to one of the row's fields. A row with a
# status of its own is published on a draft parent (whose page an Editor may open and save); a
# row without one follows its parent, which is published.
def quote_row():
    quote = QuoteFactory(event=EventFactory(status=Status.DRAFT))
    return quote.event, quote, "text", "Changed words"


def participation_row():
    participation = ParticipationFactory(event=EventFactory())
    return participation.event, participation, "role", "host"


def citation_row():
    citation = CitationFactory(event=EventFactory(cited=False))
    return citation.event, citation, "locator", "p. 99"


def alias_row():
    alias = ActorAliasFactory(actor=ActorFactory())
    return alias.actor, alias, "name", "Changed alias"


def affiliation_row():
    affiliation = AffiliationFactory(person=ActorFactory())
    return affiliation.person, affiliation, "title", "Changed title"
