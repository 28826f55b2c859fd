"""Queries that every API request runs, compiled once per process.

Building an ORM query (joins, column lists, converters) costs more Python than the
database takes to answer it. For a query whose shape never changes and that runs on every
request (the token lookup), the SQL and the plan to decode its row are made once per
database connection and reused; only the looked-up value changes. On PostgreSQL the
database keeps its plan too (a prepared statement). It still runs through a cursor of the
connection, so query counting and logging see it as usual."""

import weakref

from django.db import connections
from django.db.models.query import get_related_populators

_SENTINEL = "\x00prepared-query-value\x00"


def _cursor(connection):
    """A prepared statement on PostgreSQL (see civicportal/db/postgresql), else a cursor."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


class PreparedQuery:
    """``build(value)`` returns a queryset of one model filtered on ``value`` (one row at
    most, e.g. by a unique key); ``get(value)`` returns that row as a model instance, with
    its ``select_related`` objects cached as the ORM would, or None."""

    def __init__(self, build):
        self._build = build
        self._plans = weakref.WeakKeyDictionary()

    def _plan(self, connection, alias):
        plan = self._plans.get(connection)
        if plan is None:
            queryset = self._build(_SENTINEL)
            compiler = queryset.query.get_compiler(using=alias, connection=connection)
            sql, params = compiler.as_sql()
            params = list(params)
            if params.count(_SENTINEL) != 1:
                raise ValueError("A prepared query takes its value as exactly one parameter.")
            klass_info, select = compiler.klass_info, compiler.select
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            plan = {
                "sql": sql,
                "params": params,
                "index": params.index(_SENTINEL),
                "compiler": compiler,
                "converters": compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
                "model": klass_info["model"],
                "init_list": [f[0].target.attname for f in select[start:end]],
                "slice": slice(start, end),
                "populators": get_related_populators(klass_info, select, alias),
            }
            self._plans[connection] = plan
        return plan

    def get(self, value, using="default"):
        connection = connections[using]
        plan = self._plan(connection, using)
        params = list(plan["params"])
        params[plan["index"]] = value
        with _cursor(connection) as cursor:
            cursor.execute(plan["sql"], params)
            row = cursor.fetchone()
        if row is None:
            return None
        if plan["converters"]:
            row = next(iter(plan["compiler"].apply_converters([row], plan["converters"])))
        obj = plan["model"].from_db(using, plan["init_list"], row[plan["slice"]])
        for populator in plan["populators"]:
            populator.populate(row, obj)
        return obj
