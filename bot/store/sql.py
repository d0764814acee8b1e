"""The few statements whose SQL differs by dialect: atomic insert-if-absent and upsert.

Both SQLite and PostgreSQL spell them INSERT ... ON CONFLICT, but SQLAlchemy builds them from each
dialect's own `insert`, so the choice is made here, once, from the session's bind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, model: type) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no ON CONFLICT support for {name}")


def insert_ignore(session: Session, model: type, *, conflict: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING: one round trip, atomic under concurrency.

    A concurrent inserter of the same key waits for the first transaction and then inserts nothing,
    so `.returning(...)` tells the first claimer apart from everyone else.
    """
    return _insert(session, model).on_conflict_do_nothing(index_elements=list(conflict))


def upsert(
    session: Session, model: type, *, conflict: Sequence[str], update: Sequence[str], changed: str | None = None
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
