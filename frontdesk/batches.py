"""The sweep's batches: due rows claimed with one locking SELECT and one UPDATE, and the rows
they cause written with one INSERT … SELECT, however many rows a batch holds."""

from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql import UpdateQuery


def claim(due: QuerySet, *, order_by: tuple[str, ...], size: int, **values) -> list[int]:
    """Take up to `size` rows of `due`, in order, set `values` on them and return their ids;
    none when nothing is left to take. Runs inside the caller's transaction, which holds the
    claim until it commits: a failure or a killed worker rolls the claim back with the rest.

    On PostgreSQL the SELECT locks the rows it returns and skips rows another sweep holds, so
    two sweeps take different rows and neither waits; a row the other one changed and
    committed is re-checked against `due` and left out. SQLite has no row locks: the project's
    IMMEDIATE transactions hold the database's write lock from the first statement, so nothing
    else writes between the SELECT and the UPDATE."""
    ids = _locked(due, order_by, size)
    if ids and values:
        due.model.objects.filter(pk__in=ids).update(**values)
    return ids


def claim_rows(
    due: QuerySet, *, order_by: tuple[str, ...], size: int, fields: tuple[str, ...], **values
) -> list[tuple]:
    """claim(), returning `fields` (the model's own columns) of every row taken, in order: on
    PostgreSQL by the UPDATE itself (RETURNING), elsewhere by a SELECT after it."""
    ids = _locked(due, order_by, size)
    if not ids:
        return []
    model = due.model
    if connection.vendor != "postgresql":
        model.objects.filter(pk__in=ids).update(**values)
        return list(model.objects.filter(pk__in=ids).order_by(*order_by).values_list(*fields))
    # One array parameter for the batch's ids, not thousands of them.
    update = UpdateQuery(model)
    update.add_update_values(values)
    update.add_filter("pk__in", RawSQL("SELECT unnest(%s)", (ids,)))
    sql, params = update.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_field(model, name).column) for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {columns}", params)
        rows = cursor.fetchall()
    position = [fields.index(name) for name in order_by]
    return sorted(rows, key=lambda row: [row[i] for i in position])


def taken(model: type[models.Model], ids: list[int]) -> QuerySet:
    """The rows of a batch by their ids, as a queryset to write from (insert_from); on
    PostgreSQL the ids go as one array parameter."""
    if connection.vendor == "postgresql":
        return model.objects.filter(pk__in=RawSQL("SELECT unnest(%s)", (ids,)))
    return model.objects.filter(pk__in=ids)


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _locked(due: QuerySet, order_by: tuple[str, ...], size: int) -> list[int]:
    locked = due.select_for_update(skip_locked=True, of=("self",))
    return list(locked.order_by(*order_by).values_list("pk", flat=True)[:size])


def insert_from(model: type[models.Model], rows: QuerySet, **columns) -> int:
    """INSERT INTO `model`'s table SELECT from `rows`: `columns` maps each field written to an
    expression over `rows` (F, Value, Case). The database makes the rows, none is built in
    Python, so a batch of thousands costs one statement. Returns how many were written."""
    aliases = {f"insert_{name}": expression for name, expression in columns.items()}
    select = rows.annotate(**aliases).values_list(*aliases).order_by()
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return cursor.rowcount
