"""Claiming the sweep's due rows a batch at a time: one locking SELECT and one UPDATE, however
many rows the batch holds."""

from django.db.models import QuerySet


def claim(due: QuerySet, *, order_by: tuple[str, ...], size: int, **values) -> list[int]:
    """Take up to `size` rows of `due`, in order, set `values` on them and return their ids;
    none when nothing is left to take. Runs inside the caller's transaction, which holds the
    claim until it commits: a failure or a killed worker rolls the claim back with the rest.

    On PostgreSQL the SELECT locks the rows it returns and skips rows another sweep holds, so
    two sweeps take different rows and neither waits; a row the other one changed and
    committed is re-checked against `due` and left out. SQLite has no row locks: the project's
    IMMEDIATE transactions hold the database's write lock from the first statement, so nothing
    else writes between the SELECT and the UPDATE."""
    locked = due.select_for_update(skip_locked=True, of=("self",))
    ids = list(locked.order_by(*order_by).values_list("pk", flat=True)[:size])
    if ids and values:
        due.model.objects.filter(pk__in=ids).update(**values)
    return ids
