"""The few statements whose SQL differs by dialect (insert-if-absent, upsert), and multi-row inserts.

Both SQLite and PostgreSQL spell them INSERT ... ON CONFLICT, but SQLAlchemy builds them from each
dialect's own `insert`, so the choice is made here, once, from the session's bind. `model` is an ORM
entity or a Table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

#: Where statements run: a Session, or its Connection on hot paths (skipping the ORM's execute layer).
Executor = Session | Connection


def dialect_name(executor: Executor) -> str:
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    return bind.dialect.name


def _insert(session: Executor, model: Any) -> Any:
    name = dialect_name(session)
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no ON CONFLICT support for {name}")


def insert_ignore(session: Executor, model: Any, *, conflict: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING: one round trip, atomic under concurrency.

    A concurrent inserter of the same key waits for the first transaction and then inserts nothing,
    so `.returning(...)` tells the first claimer apart from everyone else.
    """
    return _insert(session, model).on_conflict_do_nothing(index_elements=list(conflict))


def upsert(
    session: Executor, model: Any, *, conflict: Sequence[str], update: Sequence[str], changed: str | None = None
) -> Any:
    """INSERT ... ON CONFLICT (conflict) DO UPDATE SET each of `update` to the proposed value.

    With `changed`, the update only happens when that column's value differs, so RETURNING yields a
    row exactly when something was inserted or changed.
    """
    statement = _insert(session, model)
    where = None
    if changed is not None:
        where = getattr(model, changed) != statement.excluded[changed]
    return statement.on_conflict_do_update(
        index_elements=list(conflict), set_={name: statement.excluded[name] for name in update}, where=where
    )


def insert_rows(
    session: Executor, table: Table, rows: Sequence[Mapping[str, Any]], *, conflict: Sequence[str] = ()
) -> None:
    """Insert `rows` in one multi-row INSERT: one round trip, and a statement compiled once.

    RETURNING makes SQLAlchemy batch the rows into a single cached "insertmanyvalues" statement on
    both dialects; without it psycopg pipelines one INSERT per row, at several times the CPU cost.
    """
    if not rows:
        return
    statement = insert_ignore(session, table, conflict=conflict) if conflict else table.insert()
    session.execute(statement.returning(*table.primary_key.columns), list(rows))
