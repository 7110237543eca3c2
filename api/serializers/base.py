"""Serializer building blocks shared by the resources: sparse fields, links, the model's own
validation, references by id and nested rows replaced in a write."""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.utils import html


class SparseFieldsMixin:
    """``?fields=slug,title`` returns only those fields, as ACLED's API does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None or not self.context.get("sparse", True):
            return
        raw = request.query_params.get("fields")
        if not raw:
            return
        wanted = [name.strip() for name in raw.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in self.fields]
        if unknown:
            raise ValidationError(
                {"fields": [f"Unknown field(s): {', '.join(unknown[:10])}. Available: {', '.join(self.fields)}."]}
            )
        for name in set(self.fields) - set(wanted):
            self.fields.pop(name)


def absolute(serializer, path):
    """An absolute URL for ``path``; the base is worked out once per response, not per row."""
    root = serializer.root
    base = root.context.get("base_url")
    if base is None:
        request = root.context.get("request")
        base = request.build_absolute_uri("/").rstrip("/") if request else ""
        root.context["base_url"] = base
    return f"{base}{path}"


class LinksMixin(serializers.Serializer):
    """``api_url`` (from Meta.api_path, formatted with the object) and ``html_url`` (its page)."""

    api_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def get_api_url(self, obj) -> str:
        return absolute(self, self.Meta.api_path.format(obj=obj))

    def get_html_url(self, obj) -> str:
        return absolute(self, obj.get_absolute_url())


class ModelValidationMixin:
    """Runs the model's own validation (constraints, clean) so that an API write is refused with
    the same messages as the admin's, as a 400 with field errors, never an IntegrityError."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        # A copy: the stored entry stays as it is until the write is allowed and saved (the
        # permission check and its messages read it).
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=[name for name in self.Meta.validation_exclude])
        except DjangoValidationError as error:
            raise ValidationError(serializer_errors(error)) from None
        # clean() may normalize (month-precision dates to the 1st): keep what it stored.
        for name in attrs:
            if name in concrete:
                attrs[name] = getattr(instance, name)
        return attrs


class ReaderQuerysetMixin:
    """A reference to an entry the writer may read (``selector(user)``, the app's selector): an
    unpublished entry they may not see does not exist for them, as on its address, rather than
    a way to test whether it does."""

    def __init__(self, *, selector=None, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        if self.selector is None:
            return super().get_queryset()
        request = self.context.get("request")
        return self.selector(request.user if request else None)


class IdRelatedField(ReaderQuerysetMixin, serializers.PrimaryKeyRelatedField):
    """A reference by id: a JSON integer, or the digits of one (from a form). 1.5, true or "１"
    is refused; the database lookup would have read each of them as the entry with id 1."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 18:
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class SlugRelatedField(ReaderQuerysetMixin, serializers.SlugRelatedField):
    """A reference by slug to an entry the writer may read (``selector``)."""


class RowListSerializer(serializers.ListSerializer):
    """A nested list (an event's participants) in a form body comes as ``participants[0]actor=…``.
    DRF reads only that form and drops a plain ``participants=…`` silently, so the write went
    through without what the client sent; here its values are the items, each refused as not
    an object: a 400 that names the field."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return dictionary.getlist(self.field_name)
        return super().get_value(dictionary)


class CompleteRowsMixin:
    """For the rows of a nested list (an event's participants): a list in a write replaces the
    old rows, so each row needs its required fields even in a PATCH, where DRF skips them (and
    the row reached the service without them: a KeyError, a 500)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        missing = {
            name: ["This field is required."]
            for name, field in self.fields.items()
            if field.required and field.source not in attrs
        }
        if missing:
            raise ValidationError(missing)
        return attrs


def replace_rows(rows, wanted, *, model, parent, key):
    """Make ``rows`` (an entry's link rows: an event's participants) hold ``wanted`` (dicts of
    field values), as a nested list in a write asks. Rows that stay are kept (a changed field
    saved in place), new ones are added before old ones go: a public event whose sources are
    sent again unchanged, or swapped, never looks unsourced for a moment (its public change log
    would say it left the site). Each write is recorded in the history."""
    existing = {key(row): row for row in rows}
    new, kept = [], set()
    for values in wanted:
        row = model(**parent, **values)
        identity = key(row)
        current = existing.get(identity)
        if current is None:
            new.append(row)
            continue
        kept.add(identity)
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        if changed:
            for name in changed:
                setattr(current, name, values[name])
            current.save(update_fields=changed)
    for row in new:
        row.save()  # save(), not bulk_create: an alias computes its match key there, and history records it
    gone = [row.pk for identity, row in existing.items() if identity not in kept]
    if gone:
        model.objects.filter(pk__in=gone).delete()


def serializer_errors(error):
    """A Django ValidationError as DRF field errors, form-wide ones under non_field_errors."""
    detail = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail
