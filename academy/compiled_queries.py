"""Reads the ORM writes once and the hot pages run many times: the SQL is compiled on first use.

Building a queryset and compiling it to SQL costs 0.3–0.8 ms of Python per query on the web server,
several times what PostgreSQL takes to answer an indexed lookup; a learner page makes four or five
such reads, always the same shape with different values. A ``CompiledQuery`` asks the ORM for the
SQL once per database (so table and column names keep one home: the models), then runs that SQL
with the request's values, and turns rows back into what the queryset would have returned (the
fields' converters applied; model instances through ``Model.from_db``).

Parameters are declared with their type (``int`` or ``str``). To find where each one lands in the
compiled SQL's parameters, the queryset is built once with a sentinel value per parameter; building
the queryset must therefore use each parameter only in plain comparisons (``field=value``), never in
``__in`` lists, arithmetic or expressions that would transform it: compiling refuses a query where a
sentinel is missing.

On PostgreSQL each statement is also prepared on the server, once per connection (``PREPARE``), and
run with ``EXECUTE``: the planner's work for a join (about 0.3 ms here) is done once, not on every
page. Prepared statements live as long as the database session; a pooler that shares sessions
between clients in transaction mode (PgBouncer's ``pool_mode = transaction``) does not keep them:
set ``DATABASE_PREPARED_STATEMENTS=0`` behind one.
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

_SENTINEL_INT_BASE = -7_318_000_000_000
_SENTINEL_STR = "\x1fcompiled-query-parameter-{}\x1f"


_statement_numbers = itertools.count(1)
# Per open PostgreSQL connection (the driver's object, so a reconnection starts afresh): the names of
# the statements already prepared on it.
_prepared_on: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%[s%]")


def _numbered_placeholders(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2…`` (``%%`` is a literal ``%``)."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


class PreparedStatement:
    """One SQL statement (Django's ``%s`` placeholders), prepared on each PostgreSQL connection once.

    Elsewhere (SQLite, or ``DATABASE_PREPARED_STATEMENTS=0``) it is sent as it is. ``run`` executes it
    on a Django cursor, so it counts, logs and fails like any other query.
    """

    def __init__(self, sql: str, *, parameters: int, using: str = DEFAULT_DB_ALIAS):
        self.sql, self.alias = sql, using
        self.name = ""
        if connections[using].vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
            self.name = f"academy_prepared_{next(_statement_numbers)}"
            arguments = f" ({', '.join(['%s'] * parameters)})" if parameters else ""
            self.execute_sql = f"EXECUTE {self.name}{arguments}"

    def _prepare(self, driver_connection) -> None:
        prepared = _prepared_on.setdefault(driver_connection, set())
        if self.name not in prepared:
            # On the driver's own cursor: preparing is not one of the page's queries (query counts,
            # logs), and it happens once per connection whichever request comes first.
            with driver_connection.cursor() as cursor:
                cursor.execute(f"PREPARE {self.name} AS {_numbered_placeholders(self.sql)}")
            prepared.add(self.name)

    def run(self, cursor, params: list, *, preceded_by: str = "") -> None:
        """Execute on ``cursor`` (a cursor of this statement's database); read the results from it.

        ``preceded_by`` (PostgreSQL only): SQL without parameters sent in the same message, just before the
        statement: one round trip, and the server runs both as one implicit transaction.
        """
        sql = self.sql
        if self.name:
            connection = connections[self.alias]
            connection.ensure_connection()
            self._prepare(connection.connection)
            sql = self.execute_sql
        if preceded_by:
            if connections[self.alias].vendor != "postgresql":
                raise ValueError("only PostgreSQL takes several statements in one message")
            sql = f"{preceded_by.replace('%', '%%')}; {sql}"
        cursor.execute(sql, params)


class _Compiled:
    """One query's SQL for one database, where each parameter goes, and how to read its rows."""

    def __init__(self, queryset: QuerySet, sentinels: dict[str, object]):
        query = queryset.query
        self.alias = queryset.db
        self.compiler = query.get_compiler(self.alias)
        sql, params = self.compiler.as_sql()
        by_value = {value: name for name, value in sentinels.items()}
        self.slots: list[tuple[bool, object]] = [
            (True, by_value[value]) if _hashable(value) and value in by_value else (False, value) for value in params
        ]
        missing = set(sentinels) - {name for is_param, name in self.slots if is_param}
        if missing:
            raise ValueError(f"parameters not found in the compiled SQL (transformed or unused): {sorted(missing)}")
        self.statement = PreparedStatement(sql, parameters=len(self.slots), using=self.alias)
        self.col_count = self.compiler.col_count
        self.trim = self.compiler.has_extra_select
        # What results_iter() would work out on every call: the selected columns' converters.
        self.converters = self.compiler.get_converters([column[0] for column in self.compiler.select[: self.col_count]])
        self.model = None
        if queryset._iterable_class is ModelIterable:
            if query.select_related or query.deferred_loading[0] or query.annotations:
                raise ValueError("a compiled query of model instances takes no select_related, defer or annotate")
            self.model = queryset.model
            self.field_names = [field.attname for field in queryset.model._meta.concrete_fields]

    def run(self, values: dict[str, Any]) -> list:
        params = [values[name] if is_param else name for is_param, name in self.slots]
        with connections[self.alias].cursor() as cursor:
            self.statement.run(cursor, params)
            rows = cursor.fetchall()
        if self.trim:
            rows = [row[: self.col_count] for row in rows]
        if self.converters:
            rows = [tuple(row) for row in self.compiler.apply_converters(rows, self.converters)]
        if self.model is not None:
            return [self.model.from_db(self.alias, self.field_names, row) for row in rows]
        return rows


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class CompiledQuery:
    """``CompiledQuery(lambda user_id: Model.objects.filter(user_id=user_id).values_list(...), user_id=int)``.

    ``rows(user_id=3)`` returns what iterating the queryset would: tuples for ``values_list``, model
    instances for a plain queryset (no ``select_related``). ``first(...)`` returns the first or None.
    """

    def __init__(self, build: Callable[..., QuerySet], **parameters: type):
        for name, kind in parameters.items():
            if kind not in (int, str):
                raise TypeError(f"parameter {name!r}: only int and str parameters can be compiled")
        self._build = build
        self._parameters = parameters
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using)
                if compiled is None:
                    sentinels = {
                        name: _SENTINEL_INT_BASE - index if kind is int else _SENTINEL_STR.format(index)
                        for index, (name, kind) in enumerate(self._parameters.items())
                    }
                    compiled = _Compiled(self._build(**sentinels).using(using), sentinels)
                    self._compiled[using] = compiled
        return compiled

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        if values.keys() != self._parameters.keys():
            raise TypeError(f"expected the parameters {sorted(self._parameters)}, got {sorted(values)}")
        for name, kind in self._parameters.items():
            if not isinstance(values[name], kind) or isinstance(values[name], bool):
                raise TypeError(f"parameter {name!r} must be {kind.__name__}, not {type(values[name]).__name__}")
        return self._for(using).run(values)

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any):
        rows = self.rows(using=using, **values)
        return rows[0] if rows else None
