"""API building blocks shared by the resources: visibility, sparse fields, exports, negotiation.

Settings that apply to every endpoint (pagination, throttles, filter backend) are in
REST_FRAMEWORK in settings.py.
"""

import copy
import csv
import datetime
import itertools

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models, transaction
from django.db.models import Subquery, Value
from django.http import StreamingHttpResponse
from rest_framework import renderers, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly
from rest_framework.settings import api_settings

from api.negotiation import EXPORT_RENDERERS, ContentNegotiation
from core.publishing import Status, may_see_unpublished

EXPORT_CHUNK = 2000
EXPORT_BLOCK = 500  # rows per write to the client

# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula (a title
# "=HYPERLINK(...)" would send the reader's data elsewhere). Such a cell gets a leading
# apostrophe, which spreadsheets show as text (OWASP's advice; README, the API).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralized(value):
    """A CSV cell that a spreadsheet will not run as a formula (FORMULA_STARTS)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


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


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id: a JSON integer, or the digits of one (from a form). 1.5, true or "１"
    is refused; the database lookup would have read each of them as the entry with id 1."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 18:
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


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


class PublishedViewSet(viewsets.ModelViewSet):
    """Anonymous clients and readers get published entries only. Editors with the model's view
    permission may ask for others with ``?status=draft`` (or review, withdrawn, published, all)
    and may open any entry by its address; writes need the model's add/change/delete permission."""

    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]
    content_negotiation_class = ContentNegotiation
    export_columns = ()

    def get_renderers(self):
        renderers_ = super().get_renderers()
        if self.action == "list":
            renderers_ += [renderer() for renderer in EXPORT_RENDERERS]
        return renderers_

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when an export was asked for: a client reading CSV still gets
        # a message it can parse.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", None) in ("csv", "ndjson"):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def base_queryset(self):
        """The model's rows with what the serializer needs, before visibility."""
        return self.queryset.model.objects.all()

    @property
    def include_drafts(self):
        if not hasattr(self, "_include_drafts"):
            requested = self.request.query_params.get("status")
            model = self.queryset.model
            if requested:
                if requested not in (*Status.values, "all"):
                    raise ValidationError({"status": [f"Use one of {', '.join(Status.values)}, all."]})
                if requested == Status.PUBLISHED:
                    requested = None  # what everyone sees anyway
                elif not may_see_unpublished(self.request.user, model):
                    raise PermissionDenied("Only editors may filter by status.")
            self._include_drafts = bool(requested) or (
                self.action != "list" and may_see_unpublished(self.request.user, model)
            )
        return self._include_drafts

    def get_queryset(self):
        queryset = self.base_queryset()
        requested = self.request.query_params.get("status")
        if not self.include_drafts:
            return queryset.published()
        if requested and requested != "all":
            return queryset.filter(status=requested) if requested != Status.PUBLISHED else queryset.published()
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["include_drafts"] = self.include_drafts if self.request else False
        return context

    def list(self, request, *args, **kwargs):
        renderer_format = getattr(request.accepted_renderer, "format", None)
        if renderer_format in ("csv", "ndjson"):
            # ?fields= is checked for every format, as the schema says, though CSV keeps its own
            # columns: a bad one is a 400, not a file that ignored it.
            self.get_serializer()
            queryset = self.filter_queryset(self.get_queryset())
            return self.export(queryset, renderer_format)
        return super().list(request, *args, **kwargs)

    # Exports -----------------------------------------------------------------------------

    def export_metadata(self):
        return {
            "source": f"Relations, {self.request.build_absolute_uri('/')}",
            "license": settings.DATA_LICENSE,
            "query": self.request.build_absolute_uri(),
            "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }

    def export(self, queryset, renderer_format):
        """The whole filtered result, streamed: memory stays flat however many rows.

        CSV on PostgreSQL is written by the database itself (``copied_csv``); on SQLite rows
        come as tuples (``values_list``) through csv.writer. No model instance per row either
        way. NDJSON goes through the serializer, over a server-side cursor."""
        meta = self.export_metadata()
        if renderer_format == "csv":
            writer = csv.writer(Echo(), lineterminator="\r\n")

            def line(row):
                # Lines end in LF, as PostgreSQL's COPY ends them, so both databases give one
                # format; the writer's CRLF only makes it quote a lone CR, as COPY does.
                return writer.writerow([neutralized(value) for value in row])[:-2] + "\n"

            columns = self.export_columns
            header = [name for name, _ in columns]
            annotations = {f"export_{name}": col for name, col in columns if not isinstance(col, str)}
            fields = [col if isinstance(col, str) else f"export_{name}" for name, col in columns]
            values = queryset.annotate(**annotations).values_list(*fields)
            if connection.vendor == "postgresql":
                body = streamed([line(header)], copied_csv(values), str)
            else:
                body = streamed([line(header)], values.iterator(chunk_size=EXPORT_CHUNK), line)
            content_type = "text/csv; charset=utf-8"
        else:
            rows = queryset.iterator(chunk_size=EXPORT_CHUNK)
            serializer = self.get_serializer_class()(context={**self.get_serializer_context(), "sparse": True})
            json_renderer = renderers.JSONRenderer()
            body = streamed(
                [json_renderer.render({"_meta": meta}).decode() + "\n"],
                rows,
                lambda obj: json_renderer.render(serializer.to_representation(obj)).decode() + "\n",
            )
            content_type = "application/x-ndjson; charset=utf-8"
        response = StreamingHttpResponse(body, content_type=content_type)
        name = self.queryset.model._meta.verbose_name_plural.replace(" ", "-")
        response["Content-Disposition"] = f'attachment; filename="relations-{name}.{renderer_format}"'
        response["Link"] = f'<{settings.DATA_LICENSE_URL}>; rel="license"'
        response["X-License"] = meta["license"]
        response["X-Source"] = meta["source"]
        return response


def copied_csv(values):
    """The rows of ``values`` (a values_list queryset) as CSV lines written by PostgreSQL:
    ``COPY (query) TO STDOUT``. Python only passes the lines on: through csv.writer, with a
    Python object per value, a 100,000-row export spent as long in Python as in the database.

    COPY writes an empty string as "" to tell it from NULL; csv.writer (SQLite) writes both
    as an empty field, and so does this, by NULLIF. A cell that would start a formula gets its
    apostrophe in the query, as ``neutralized`` gives it on SQLite. One COPY is one statement: the export's
    statement limit (DB_EXPORT_STATEMENT_TIMEOUT_MS, 60 s, like gunicorn's worker timeout in
    ``make serve``) bounds the whole download, not a chunk of it.
    """
    sql, params = values.query.sql_with_params()
    names = [f"c{n}" for n in range(len(values.query.values_select) + len(values.query.annotation_select))]
    starts = ", ".join(f"chr({ord(start)})" for start in FORMULA_STARTS)
    outer = ", ".join(
        f"CASE WHEN left({name}::text, 1) IN ({starts}) THEN chr(39) || {name}::text ELSE NULLIF({name}::text, '') END"
        for name in names
    )
    copy = f"COPY (SELECT {outer} FROM ({sql}) AS export ({', '.join(names)})) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor:
        # Through Django's cursor, so that its execute wrappers run first (the request's
        # statement timeout, DatabaseMiddleware); the COPY itself goes to the driver.
        cursor.execute("SET LOCAL DateStyle = 'ISO, MDY'")  # dates as 2022-02-04
        # No JIT: compiling the plan's expressions took 0.1 s in each parallel worker and won
        # nothing back on a query of hashes and a sort (about 8% of a 100,000-row export).
        cursor.execute("SET LOCAL jit = off")
        with connection.wrap_database_errors, cursor.cursor.copy(copy, params) as lines:
            for line in lines:
                yield bytes(line).decode()


def streamed(head, rows, render):
    """An export's body: ``head`` (lines), then ``render(row)`` for each row.

    On PostgreSQL the rows are read inside a transaction, under the export's statement limit
    (DB_EXPORT_STATEMENT_TIMEOUT_MS: sorting a large result before the first row takes
    seconds). NDJSON reads a server-side cursor: outside a transaction Django declares it WITH
    HOLD, and PostgreSQL then runs the whole query to completion when the DECLARE commits,
    beyond the reach of statement_timeout; inside one, each FETCH of EXPORT_CHUNK rows is a
    statement of its own. CSV is one COPY statement (``copied_csv``).

    The first chunk is read here, in the view, so that a query stopped by the timeout, or a
    database that is down, is an error response rather than a download cut off after its
    header. The transaction ends (a rollback: nothing was written) when the body is closed,
    which WSGI servers do even when the client goes away.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        rows = _in_transaction(rows)
    rows = iter(rows)
    first = list(itertools.islice(rows, 1))
    return _body(head, first, rows, render)


def _in_transaction(rows):
    with transaction.atomic():
        with connection.cursor() as cursor:
            if settings.DB_STATEMENT_TIMEOUT_MS:
                # For this transaction only (SET LOCAL): the export's own, longer limit.
                cursor.execute(f"SET LOCAL statement_timeout = {int(settings.DB_EXPORT_STATEMENT_TIMEOUT_MS)}")
        yield from rows


def _body(head, first, rows, render):
    try:
        yield from head
        yield from _batched((render(row) for row in itertools.chain(first, rows)), EXPORT_BLOCK)
    finally:
        if hasattr(rows, "close"):
            rows.close()


def _batched(lines, size):
    """Lines joined in blocks: one write to the client per block, not per row."""
    block = []
    for line in lines:
        block.append(line)
        if len(block) == size:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def exception_handler(exc, context):
    """DRF's handler, plus the model layer's ValidationError as a 400 with its messages."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(serializer_errors(exc))
    return drf_exception_handler(exc, context)


class GroupConcat(models.Aggregate):
    """Values joined with ";" (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite), for exports."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor == "postgresql":
            return super().as_sql(
                compiler,
                connection,
                function="STRING_AGG",
                template="%(function)s(%(expressions)s, ';')",
                **extra_context,
            )
        return super().as_sql(compiler, connection, template="%(function)s(%(expressions)s, ';')", **extra_context)


def joined(queryset, expression):
    """A correlated subquery: ``expression`` of the rows of ``queryset`` (already filtered to the
    outer row) joined with ";"."""
    return Subquery(
        queryset.order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(joined=GroupConcat(expression))
        .values("joined"),
        output_field=models.TextField(),
    )
