"""Medians and 90th percentiles computed by the database, grouped.

PostgreSQL has the ordered-set aggregate ``percentile_cont``; ``PercentileCont`` exposes it to the
ORM. SQLite (the embedded demo) has no such aggregate, so ``ranked_percentiles`` computes the same
value with window functions: it numbers each group's rows in order and interpolates between the two
rows either side of the position ``1 + p·(n − 1)``, which is percentile_cont's definition. Both run
on PostgreSQL in the tests and must agree.
"""

from fractions import Fraction

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Window
from django.db.models.functions import RowNumber


class PercentileCont(Aggregate):
    """``percentile_cont(p) WITHIN GROUP (ORDER BY expression)``: the continuous percentile (PostgreSQL)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=repr(fraction), **extra)


class DaysBetween(Func):
    """``end − start`` in days, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arg_joiner = " - "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores SQLite datetimes as UTC text, which julianday() reads.
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(")


def grouped_percentiles(queryset, group: str, value: str, fractions) -> dict:
    """``{group value: (count, percentile for each fraction)}`` for ``queryset`` (annotated with both
    names), in one query."""
    if connection.vendor == "postgresql":
        aggregates = {f"p{i}": PercentileCont(value, fraction) for i, fraction in enumerate(fractions)}
        rows = queryset.order_by().values(group).annotate(n=Count("pk"), **aggregates)
        return {row[group]: (row["n"], *(row[f"p{i}"] for i in range(len(fractions)))) for row in rows}
    return ranked_percentiles(queryset, group, value, fractions)


def ranked_percentiles(queryset, group: str, value: str, fractions) -> dict:
    """The same figures as ``PercentileCont`` from window functions, for databases without it."""
    ranked = (
        queryset.order_by()
        .annotate(
            position_in_group=Window(RowNumber(), partition_by=[F(group)], order_by=[F(value).asc(), F("pk").asc()]),
            rows_in_group=Window(Count("pk"), partition_by=[F(group)]),
        )
        .values(group, value, "position_in_group", "rows_in_group")
    )
    inner, params = ranked.query.sql_with_params()
    columns = []
    for fraction in fractions:
        p = Fraction(fraction).limit_denominator(1000)
        # Position 1 + p(n−1) lies between row k = 1 + ⌊a/b⌋ and row k + 1, with a = p.num·(n−1), b = p.den;
        # integer division is floor division for these non-negative integers on both databases.
        scaled = f"({p.numerator} * (rows_in_group - 1))"
        lower = f"(1 + {scaled} / {p.denominator})"
        weight = f"({scaled} * 1.0 / {p.denominator} - {scaled} / {p.denominator})"
        columns.append(
            f"SUM(CASE WHEN position_in_group = {lower} THEN {value} * (1 - {weight}) "
            f"WHEN position_in_group = {lower} + 1 THEN {value} * {weight} ELSE 0 END)"
        )
    sql = f"SELECT {group}, MAX(rows_in_group), {', '.join(columns)} FROM ({inner}) ranked GROUP BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (row[1], *(float(v) for v in row[2:])) for row in cursor.fetchall()}
