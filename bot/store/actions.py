"""Actions: annotation patches and their undos, with before/after, who, dry-run result and outcome.

A `request_key` (e.g. the Slack action id of the button press) is unique in the table: a double-click,
or the same click delivered to two replicas, returns the first action with `created=False`, and the
caller must not patch again. Record the action as `pending` before patching, then `update_action`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.errors import InputError, NotFoundError
from bot.store.convert import action_record
from bot.store.engine import Store
from bot.store.ids import ACTION, idempotency_key, new_id
from bot.store.models import Action
from bot.store.records import ActionKind, ActionRecord, ActionStatus, EventKind
from bot.store.sql import insert_ignore
from bot.store.timeline import append_event, mark_mitigated, require_incident
from bot.store.types import utcnow


def record_action(
    store: Store,
    *,
    incident_id: str | None,
    entry_id: str,
    cluster: str | None,
    namespace: str | None,
    workload_kind: str,
    workload_name: str,
    actor: str,
    kind: ActionKind | str,
    before: dict[str, Any],
    after: dict[str, Any],
    status: ActionStatus | str,
    dry_run: dict[str, Any] | None = None,
    message: str | None = None,
    undo_of: str | None = None,
    request_key: str | None = None,
) -> ActionRecord:
    """Record a patch or undo; with a seen `request_key`, return the first action (created=False)."""
    action_kind, action_status = _kind(kind), _status(status)
    if action_kind is ActionKind.UNDO and undo_of is None:
        raise InputError("an undo must name the action it undoes (undo_of)")
    key = idempotency_key(request_key) if request_key is not None else None

    def work(session: Session) -> ActionRecord:
        now = utcnow()
        if incident_id is not None:
            require_incident(session, incident_id)
        if undo_of is not None and session.get(Action, undo_of) is None:
            raise NotFoundError(f"no action {undo_of!r} to undo")
        values = {
            "id": new_id(ACTION),
            "incident_id": incident_id,
            "entry_id": entry_id,
            "cluster": cluster,
            "namespace": namespace,
            "workload_kind": workload_kind,
            "workload_name": workload_name,
            "actor": actor,
            "kind": action_kind.value,
            "before": before,
            "after": after,
            "status": action_status.value,
            "dry_run": dry_run,
            "message": message,
            "undo_of": undo_of,
            "request_key": key,
            "created_at": now,
            "updated_at": now,
        }
        if key is None:
            session.execute(insert(Action).values(**values))
        else:
            inserted = session.execute(
                insert_ignore(session, Action, conflict=("request_key",)).values(**values).returning(Action.id)
            ).scalar()
            if inserted is None:  # seen before: hand back the first action, write nothing
                first = session.scalars(select(Action).where(Action.request_key == key)).one()
                return action_record(first, created=False)
        row = session.get(Action, values["id"])
        assert row is not None
        _after_outcome(session, row, now=now)
        _log(session, row, now=now)
        return action_record(row)

    return store.run(work, what="record the action")


def update_action(
    store: Store,
    *,
    action_id: str,
    status: ActionStatus | str,
    after: dict[str, Any] | None = None,
    dry_run: dict[str, Any] | None = None,
    message: str | None = None,
) -> ActionRecord:
    """Record the outcome of a pending action (applied, failed, ...)."""
    new_status = _status(status)

    def work(session: Session) -> ActionRecord:
        now = utcnow()
        row = _require(session, action_id)
        previous = row.status
        row.status, row.updated_at = new_status.value, now
        if after is not None:
            row.after = after
        if dry_run is not None:
            row.dry_run = dry_run
        if message is not None:
            row.message = message
        session.flush()
        if previous != new_status.value:
            _after_outcome(session, row, now=now)
            _log(session, row, now=now)
        return action_record(row)

    return store.run(work, what="update the action")


def mark_undone(store: Store, *, action_id: str, undone_by: str, at: datetime | None = None) -> bool:
    """Mark `action_id` as undone by the undo action `undone_by`; False if it was already undone."""
    return store.run(
        lambda session: _mark_undone(session, action_id=action_id, undone_by=undone_by, at=at or utcnow()),
        what="mark the action undone",
    )


def get_action(store: Store, *, action_id: str) -> ActionRecord:
    return store.run(lambda session: action_record(_require(session, action_id)), what="read the action")


def list_actions(
    store: Store,
    *,
    incident_id: str | None = None,
    cluster: str | None = None,
    status: ActionStatus | str | None = None,
    limit: int = 50,
) -> list[ActionRecord]:
    """Newest first."""
    query = select(Action).order_by(Action.created_at.desc(), Action.id).limit(max(1, min(limit, 1000)))
    if incident_id is not None:
        query = query.where(Action.incident_id == incident_id)
    if cluster is not None:
        query = query.where(Action.cluster == cluster)
    if status is not None:
        query = query.where(Action.status == _status(status).value)
    return store.run(lambda session: [action_record(row) for row in session.scalars(query)], what="list actions")


def _mark_undone(session: Session, *, action_id: str, undone_by: str, at: datetime) -> bool:
    _require(session, action_id)
    # Conditional: of two concurrent undos of one action, only one marks it.
    result = session.execute(
        update(Action)
        .where(Action.id == action_id, Action.undone_by.is_(None))
        .values(undone_by=undone_by, undone_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _after_outcome(session: Session, row: Action, *, now: datetime) -> None:
    if row.status != ActionStatus.APPLIED.value:
        return
    if row.kind == ActionKind.PATCH.value and row.incident_id is not None:
        mark_mitigated(session, incident_id=row.incident_id, actor=row.actor, at=now, reason=f"fix {row.id} applied")
    if row.kind == ActionKind.UNDO.value and row.undo_of is not None:
        _mark_undone(session, action_id=row.undo_of, undone_by=row.id, at=now)


def _log(session: Session, row: Action, *, now: datetime) -> None:
    if row.incident_id is None:
        return
    target = f"{row.workload_kind.lower()}/{row.workload_name}"
    verb = "undo of " + str(row.undo_of) if row.kind == ActionKind.UNDO.value else f"fix {row.entry_id}"
    append_event(
        session,
        incident_id=row.incident_id,
        kind=EventKind.ACTION,
        actor=row.actor,
        at=now,
        message=f"{verb} on {target}: {row.status}",
        data={"action_id": row.id, "kind": row.kind, "status": row.status},
    )


def _require(session: Session, action_id: str) -> Action:
    row = session.get(Action, action_id)
    if row is None:
        raise NotFoundError(f"no action {action_id!r}")
    return row


def _kind(kind: ActionKind | str) -> ActionKind:
    try:
        return ActionKind(kind)
    except ValueError:
        raise InputError(f"unknown action kind {kind!r} (patch or undo)") from None


def _status(status: ActionStatus | str) -> ActionStatus:
    try:
        return ActionStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in ActionStatus)
        raise InputError(f"unknown action status {status!r} (one of {allowed})") from None
