"""Dates at a precision (day, month or year): what the sources give. Shared by events and
quotes: normalizing, the period a date stands for, display, and the database's own copy of
the period's end (a stored generated column)."""

import datetime

from django.db import models
from django.db.models import Q


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def period_start(value, precision):
    """First day of the period a date stands for at a precision (2022-02-15, month → 2022-02-01)."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def period_end(value, precision):
    """Last day of the period a date stands for at a precision (2022-02-01, month → 2022-02-28)."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        next_month = value.replace(day=28) + datetime.timedelta(days=4)
        return next_month - datetime.timedelta(days=next_month.day)
    return value


def format_date(value, precision):
    """A date as its precision allows: "4 February 2022", "January 2022", "2001"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return f"{value:%B} {value.year}"
    return f"{value.day} {value:%B} {value.year}"


def format_period(start, end, precision):
    """A period by precision: "2–6 February 2022", "December 2021 – January 2022", "1952–1991"."""
    if end is None or end == start:
        return format_date(start, precision)
    if precision == DatePrecision.YEAR:
        return f"{start.year}–{end.year}"
    if precision == DatePrecision.DAY and (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B} {end.year}"
    return f"{format_date(start, precision)} – {format_date(end, precision)}"


def normalized_date_condition(date_field, precision_field):
    """Q: a month-precision date is the 1st of its month, a year-precision date 1 January."""
    return (
        Q(**{f"{date_field}__isnull": True})
        | Q(**{precision_field: DatePrecision.DAY})
        | Q(**{precision_field: DatePrecision.MONTH, f"{date_field}__day": 1})
        | Q(**{precision_field: DatePrecision.YEAR, f"{date_field}__month": 1, f"{date_field}__day": 1})
    )


class PeriodEnd(models.Func):
    """Database expression for ``period_end()``: the last day covered by a date at a precision.

    Used as a stored generated column so that every write path (admin, API, fixtures,
    bulk inserts) keeps it right, and date filters can compare plain indexed columns.
    """

    output_field = models.DateField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        prec_sql, prec_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            sql = (
                f"(CASE {prec_sql} "
                f"WHEN 'year' THEN date({date_sql}, 'start of year', '+1 year', '-1 day') "
                f"WHEN 'month' THEN date({date_sql}, 'start of month', '+1 month', '-1 day') "
                f"ELSE {date_sql} END)"
            )
        else:
            sql = (
                f"(CASE {prec_sql} "
                f"WHEN 'year' THEN make_date(EXTRACT(YEAR FROM {date_sql})::integer, 12, 31) "
                f"WHEN 'month' THEN (date_trunc('month', {date_sql}::timestamp) "
                f"+ interval '1 month - 1 day')::date "
                f"ELSE {date_sql} END)"
            )
        # Placeholders appear as: precision, then the date three times.
        return sql, (*prec_params, *date_params, *date_params, *date_params)
