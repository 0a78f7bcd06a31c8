"""Hot-path reads written once as SQL instead of compiled by the ORM at every request.

Building a query costs the ORM about three times what PostgreSQL takes to run a lookup
by key (measured: 0.6 ms against 0.2 ms per `filter(pk=...).first()`), and a sale makes
a dozen of them. The statements here are fixed texts, so with server-side binding they
are also prepared once per connection. Use them only where a request path repeats them;
everywhere else the ORM reads better.
"""

from __future__ import annotations

import functools
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@functools.cache
def _columns(model: type[models.Model]) -> tuple[str, list[str]]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return ", ".join(f'"{model._meta.db_table}"."{f.column}"' for f in model._meta.concrete_fields), fields


def first(model: type[M], where: str, params: list | tuple, order_by: str = "") -> M | None:
    """The first `model` row matching `where` (SQL over its own table), as an instance."""
    columns, names = _columns(model)
    order = f" ORDER BY {order_by}" if order_by else ""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}" WHERE {where}{order} LIMIT 1', params)
        row = cursor.fetchone()
    return model.from_db(connection.alias, names, row) if row is not None else None


def columns(model: type[models.Model]) -> str:
    """The model's columns, for a SELECT of one's own whose first columns `instance` reads."""
    return _columns(model)[0]


def instance(model: type[M], row) -> M:
    """The instance from the first columns of `row`, selected as `columns(model)` gave them."""
    names = _columns(model)[1]
    return model.from_db(connection.alias, names, row[:len(names)])


def by_pk(model: type[M], pk) -> M | None:
    if not isinstance(pk, int) or not -(2**63) <= pk < 2**63:
        return None
    return first(model, "id = %s", [pk])


def fetch(sql: str, params: list | tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
