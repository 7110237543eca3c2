"""Exports of a filtered list: CSV and NDJSON, streamed with flat memory, whatever the size.

``?format=csv`` / ``ndjson`` (or the Accept header) on a list. The columns of CSV are each
viewset's ``export_columns``; NDJSON rows are the serializer's.
"""

import csv
import datetime
import itertools

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Subquery, Value
from django.http import StreamingHttpResponse

from api.negotiation import JSONRenderer


class ExportMixin:
    """``export(queryset, format)`` for a list viewset; ``export_columns``: (header, field or expression)."""

    export_columns = ()

    def get_export_columns(self):
        return self.export_columns

    def export_representation(self):
        """The function that turns one row into the dict an NDJSON line holds: the serializer's."""
        serializer = self.get_serializer_class()(context={**self.get_serializer_context(), "sparse": True})
        return serializer.to_representation

    def export_rows(self, queryset):
        """The NDJSON export's rows, one chunk in memory at a time."""
        return queryset.iterator(chunk_size=EXPORT_CHUNK)

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

            columns = self.get_export_columns()
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
            rows = self.export_rows(queryset)
            represent = self.export_representation()
            json_renderer = JSONRenderer()
            body = streamed(
                [json_renderer.render({"_meta": meta}).decode() + "\n"],
                rows,
                lambda obj: json_renderer.render(represent(obj)).decode() + "\n",
            )
            content_type = "application/x-ndjson; charset=utf-8"
        response = StreamingHttpResponse(body, content_type=content_type)
        name = self.queryset.model._meta.verbose_name_plural.replace(" ", "-")
        response["Content-Disposition"] = f'attachment; filename="relations-{name}.{renderer_format}"'
        response["Link"] = f'<{settings.DATA_LICENSE_URL}>; rel="license"'
        response["X-License"] = meta["license"]
        response["X-Source"] = meta["source"]
        return response


EXPORT_CHUNK = 2000


def chunks_of(queryset):
    """The rows of ``queryset`` in lists of EXPORT_CHUNK, one list in memory at a time, over one
    server-side cursor (the first list is read before the rest is asked for)."""
    rows = queryset.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(itertools.islice(rows, EXPORT_CHUNK)):
        yield chunk


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
        # No JIT: compiling the plan's expressions costs 0.1 s in each parallel worker and wins
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
