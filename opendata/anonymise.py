"""Privacy by construction for the published cases.

A row set is published only when every combination of district, dong, category and day it
shows appears at least ``MIN_CELL`` times. The refresh loads every candidate row with its
precision undecided, then decides in three passes, each over the rows still undecided:

1. district, dong, category, day: groups of at least MIN_CELL stay as they are;
2. district, category, day: the rest lose their dong (and their position);
3. district, category, week: the rest lose their day too (dates become the week);

and what is still rarer is withheld (deleted). Each pass is one UPDATE over a GROUP BY, so
it runs in the database however many rows there are (SQLite and PostgreSQL alike).
"""

from django.db import connection

from opendata.models import OpenCase

MIN_CELL = 5

P = OpenCase.Precision
PASSES = (
    (P.DONG_DAY, ("district", "dong", "category", "filed_date")),
    (P.DISTRICT_DAY, ("district", "category", "filed_date")),
    (P.DISTRICT_WEEK, ("district", "category", "filed_week")),
)


def _q(name):
    return connection.ops.quote_name(name)


def coarsen() -> dict:
    """Decide the precision of every undecided OpenCase row, coarsen the rows' columns to it
    and delete the rows no precision protects. Call inside the refresh's transaction.
    Returns {precision: rows} and "withheld"."""
    table = _q(OpenCase._meta.db_table)
    column = _q("precision")
    counts = {}
    with connection.cursor() as cursor:
        for precision, fields in PASSES:
            columns = ", ".join(_q(f) for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {column} = '' AND ({columns}) IN ("  # noqa: S608 - our names
                f"SELECT {columns} FROM {table} WHERE {column} = '' GROUP BY {columns} HAVING COUNT(*) >= %s)",
                [precision.value, MIN_CELL],
            )
            counts[precision.value] = cursor.rowcount
        # The published columns follow the precision: no dong or position below dong level,
        # no day (of filing, answer or closing) below day level.
        cursor.execute(
            f"UPDATE {table} SET {_q('dong')} = '', {_q('lat')} = NULL, {_q('lon')} = NULL "  # noqa: S608
            f"WHERE {column} IN (%s, %s)",
            [P.DISTRICT_DAY.value, P.DISTRICT_WEEK.value],
        )
        cursor.execute(
            f"UPDATE {table} SET {_q('filed_date')} = NULL, {_q('answered_date')} = NULL, "  # noqa: S608
            f"{_q('closed_date')} = NULL WHERE {column} = %s",
            [P.DISTRICT_WEEK.value],
        )
        cursor.execute(f"DELETE FROM {table} WHERE {column} = ''")  # noqa: S608
        counts["withheld"] = cursor.rowcount
    return counts
