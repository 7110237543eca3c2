"""A list column on both databases: an array on PostgreSQL (GIN-indexable, with the planner's
per-element statistics), a JSON list in text on SQLite.

``ListField("bigint")`` / ``ListField("text")``; the ``overlap`` lookup (any element in common:
``actor_ids__overlap=[1, 2]``) is ``&&`` on PostgreSQL, where a GIN index answers it, and
``json_each`` on SQLite. Django's own ArrayField is PostgreSQL only, and the zero-setup default
is SQLite.
"""

import json

from django.db import models

BASE_TYPES = {"bigint": int, "text": str}


class ListField(models.Field):
    description = "A list of integers or strings"

    def __init__(self, base_type="bigint", **kwargs):
        assert base_type in BASE_TYPES
        self.base_type = base_type
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["base_type"] = self.base_type
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return f"{self.base_type}[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(value) if isinstance(value, str) else list(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        value = [BASE_TYPES[self.base_type](item) for item in value]
        return value if connection.vendor == "postgresql" else json.dumps(value)


@ListField.register_lookup
class Overlap(models.Lookup):
    """Rows whose list has at least one of the given values."""

    lookup_name = "overlap"

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [self.lhs.output_field.get_db_prep_value(list(value), connection)])

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} && {rhs}::{self.lhs.output_field.base_type}[]", [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value IN (SELECT value FROM json_each({rhs})))",
            [*lhs_params, *rhs_params],
        )


class AmongIds(models.Func):
    """A condition: the integer column ``column`` is one of ``ids``, sent as one parameter (an
    array on PostgreSQL, a JSON list on SQLite). ``pk__in=ids`` sends a parameter per id, and
    for the hundred actors of a page that was most of the lookup's time (1.5 ms of 2)."""

    output_field = models.BooleanField()

    def __init__(self, column, ids):
        self.ids = [int(pk) for pk in ids]
        super().__init__(models.F(column))

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column} = ANY(%s::bigint[])", [*params, self.ids]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]
