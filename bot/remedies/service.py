"""The fix and undo use cases, in steps a button can drive: prepare (read + plan, nothing written),
then apply (authorize, record, dry-run, apply, verify, record the outcome).

Every write is recorded as `pending` before it is sent, so a request key (a Slack action id) that
arrives twice patches once, and a crash mid-way leaves a trace. If the store fails before the patch,
nothing is sent; if it fails after, the result still says exactly what changed in the cluster and how
to restore it by hand, and marks itself as not recorded.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import process

from bot.cluster.kubeapi import KubeApi
from bot.config import DoctorConfig
from bot.domain import WorkloadRef
from bot.errors import InputError, NotFoundError, RefusedError, StoreUnavailableError
from bot.remedies.apply import APPLIED, FAILED, REFUSED, PatchOutcome, apply_plan
from bot.remedies.patches import PATCHABLE, PatchPlan, plan_patch, plan_undo
from bot.remedies.policy import Actor, check_may_fix
from bot.remedies.results import FixResult, from_outcome, from_plan
from bot.remedies.target import read_workload, reread
from bot.remedies.values import normalise, resolve_key
from bot.store import get_action, record_action, update_action
from knowledge.schema import Entry

PENDING = "pending"
#: Where the before-values of the write actually sent are kept when they differ from the pending
#: record's (a conflict re-read found new values) and the store cannot update `before` itself.
APPLIED_BEFORE = "applied_before"


def find_entry(kb: Any, entry_id: str) -> Entry:
    entry = kb.get(entry_id)
    if entry is None:
        found = process.extract(entry_id, kb.ids(), limit=3, score_cutoff=60)
        raise NotFoundError(f"no knowledge entry {entry_id!r}", suggestions=[name for name, *_ in found])
    return entry


def check_request(entry: Entry, overrides: Mapping[str, str]) -> None:
    """Refuse an entry without a patch or a bad --set before the cluster is even read."""
    if entry.remedy.patch is None:
        what = "a quota ticket (eks-doctor quota draft)" if entry.remedy.ticket else "a checklist"
        raise InputError(f"entry {entry.id} has no annotation patch; its remedy is {what}")
    for key, value in overrides.items():
        normalise(resolve_key(entry, key), value)


def prepare_fix(
    *,
    kb: Any,
    api: KubeApi,
    workload: WorkloadRef,
    entry_id: str,
    overrides: Mapping[str, str] | None = None,
    symptom_text: str | None = None,
    allowed: Any = None,
) -> PatchPlan:
    """Read the workload and plan the entry's patch: the preview. Nothing is written. `allowed`: the
    annotation allow-list (knowledge.platform.AllowList; default the platform's)."""
    entry = find_entry(kb, entry_id)
    check_request(entry, overrides or {})
    state = read_workload(api, workload)
    return plan_patch(
        entry=entry,
        workload=state.ref,
        current_annotations=state.annotations,
        overrides=overrides,
        replicas=state.replicas,
        symptom_text=symptom_text,
        used_ports=state.used_ports,
        update_strategy=state.update_strategy,
        owner=state.owner,
        resource_version=state.resource_version,
        kube_context=_context(api),
        allowed=allowed,
    )


def apply_fix(
    *,
    store: Any,
    api: KubeApi,
    config: DoctorConfig,
    plan: PatchPlan,
    actor: Actor,
    cluster: str | None,
    dry_run_only: bool = False,
    request_key: str | None = None,
    incident_id: str | None = None,
    expect_before: Mapping[str, str | None] | None = None,
) -> FixResult:
    """Apply (or only dry-run) a prepared plan. `expect_before`: the values a preview showed; if the
    workload no longer has them, refuse rather than apply over someone else's change."""
    if expect_before is not None:
        plan = replace(plan, expect={key: expect_before.get(key) for key in plan.keys})
    record = _Recorder(store, plan=plan, actor=actor, cluster=cluster, kind="patch", incident_id=incident_id)
    return _run(
        record, api=api, config=config, plan=plan, actor=actor, dry_run_only=dry_run_only, request_key=request_key
    )


@dataclass(frozen=True, slots=True)
class UndoPreview:
    action: Any  # bot.store.ActionRecord
    plan: PatchPlan
    note: str | None = None  # e.g. "already undone by act-..."


def prepare_undo(*, store: Any, kb: Any, api: KubeApi, action_id: str) -> UndoPreview:
    """Read the action and the workload, and plan the restore of the values before the fix."""
    action = get_action(store, action_id=action_id)
    if action.kind != "patch":
        raise RefusedError(f"{action_id} is an undo of {action.undo_of}; to change it back, run the fix again")
    # Pending and failed actions may have changed the workload (an unrecorded outcome, an unconfirmed
    # write); the plan's expectation check restores them only if the fix's values are still in place.
    if action.status not in (APPLIED, PENDING, FAILED):
        raise RefusedError(
            f"{action_id} was {action.status.replace('_', ' ')}: it changed nothing, so there is nothing to undo"
        )
    if action.workload_kind not in PATCHABLE:
        raise RefusedError(f"{action_id} targets a {action.workload_kind}, which EKS Doctor does not patch")
    ref = WorkloadRef(kind=action.workload_kind, namespace=action.namespace, name=action.workload_name)
    state = reread(api, ref)
    plan = plan_undo(
        entry=kb.get(action.entry_id),
        workload=ref,
        recorded_before=recorded_before(action),
        recorded_after=action.after,
        current_annotations=state.annotations,
        replicas=state.replicas,
        update_strategy=state.update_strategy,
        resource_version=state.resource_version,
        kube_context=_context(api),
    )
    note = f"already undone by {action.undone_by}" if action.undone_by else None
    return UndoPreview(action=action, plan=plan, note=note)


def apply_undo(
    *,
    store: Any,
    api: KubeApi,
    config: DoctorConfig,
    preview: UndoPreview,
    actor: Actor,
    dry_run_only: bool = False,
    request_key: str | None = None,
) -> FixResult:
    """Restore the values before the fix, unless someone changed the annotations since (refused)."""
    action = preview.action
    record = _Recorder(
        store,
        plan=preview.plan,
        actor=actor,
        cluster=action.cluster,
        kind="undo",
        incident_id=action.incident_id,
        undo_of=action.id,
    )
    return _run(
        record,
        api=api,
        config=config,
        plan=preview.plan,
        actor=actor,
        dry_run_only=dry_run_only,
        request_key=request_key,
    )


def recorded_before(action: Any) -> dict[str, str | None]:
    """The values before the write that was actually sent (see APPLIED_BEFORE)."""
    kept = (action.dry_run or {}).get(APPLIED_BEFORE)
    return dict(kept) if isinstance(kept, dict) else dict(action.before)


# -- the shared flow ---------------------------------------------------------------------------------


def _run(
    record: _Recorder,
    *,
    api: KubeApi,
    config: DoctorConfig,
    plan: PatchPlan,
    actor: Actor,
    dry_run_only: bool,
    request_key: str | None,
) -> FixResult:
    try:
        check_may_fix(config=config, actor=actor, cluster=record.cluster, namespace=plan.workload.namespace)
    except RefusedError as exc:
        return record.refused(exc, request_key=request_key)
    if dry_run_only:
        outcome = apply_plan(api=api, plan=plan, dry_run_only=True)
        return record.once(outcome, request_key=request_key)
    try:
        pending = record.pending(request_key=request_key)
    except StoreUnavailableError as exc:
        raise StoreUnavailableError(
            f"{exc.message}; nothing was changed in the cluster (every fix is recorded before it is applied)",
            hint=exc.hint,
        ) from None
    if not pending.created:
        return record.repeated(pending)
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    if record.undo_of and outcome.status == REFUSED:
        outcome = replace(outcome, message=f"refusing to undo {record.undo_of}: {outcome.message}; nothing was changed")
    return record.finish(pending.id, outcome)


class _Recorder:
    """Writes the action rows of one fix or undo, and turns store failures into honest messages."""

    def __init__(
        self,
        store: Any,
        *,
        plan: PatchPlan,
        actor: Actor,
        cluster: str | None,
        kind: str,
        incident_id: str | None,
        undo_of: str | None = None,
    ) -> None:
        self.store, self.plan, self.actor, self.cluster = store, plan, actor, cluster
        self.kind, self.incident_id, self.undo_of = kind, incident_id, undo_of

    def _fields(self, plan: PatchPlan) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "entry_id": plan.entry_id or "(unknown)",
            "cluster": self.cluster,
            "namespace": plan.workload.namespace,
            "workload_kind": plan.workload.kind,
            "workload_name": plan.workload.name,
            "actor": self.actor.label,
            "kind": self.kind,
            "before": dict(plan.before),
            "after": dict(plan.after),
            "undo_of": self.undo_of,
        }

    def pending(self, *, request_key: str | None) -> Any:
        return record_action(self.store, **self._fields(self.plan), status=PENDING, request_key=request_key)

    def refused(self, exc: RefusedError, *, request_key: str | None) -> FixResult:
        """Refusals are recorded too (who tried what), but a store failure must not hide the refusal."""
        result = from_plan(
            self.plan,
            status=REFUSED,
            kind=self.kind,
            cluster=self.cluster,
            message=str(exc),
            error=exc,
            undo_of=self.undo_of,
        )
        try:
            action = record_action(
                self.store, **self._fields(self.plan), status=REFUSED, message=str(exc), request_key=request_key
            )
        except StoreUnavailableError:
            return result
        return replace(result, action_id=action.id)

    def once(self, outcome: PatchOutcome, *, request_key: str | None) -> FixResult:
        """A dry-run: one record after the fact (nothing was changed, so nothing needs a claim first)."""
        result = from_outcome(outcome, kind=self.kind, cluster=self.cluster, action_id=None, undo_of=self.undo_of)
        try:
            action = record_action(
                self.store,
                **self._fields(outcome.plan),
                status=outcome.status,
                dry_run=outcome.dry_run,
                message=outcome.message,
                request_key=request_key,
            )
        except StoreUnavailableError as exc:
            return replace(result, recorded=False, message=f"{result.message}; not recorded: {exc}")
        if not action.created:
            return self.repeated(action)
        return replace(result, action_id=action.id)

    def finish(self, action_id: str, outcome: PatchOutcome) -> FixResult:
        result = from_outcome(outcome, kind=self.kind, cluster=self.cluster, action_id=action_id, undo_of=self.undo_of)
        extra: dict[str, Any] = {}
        dry_run = dict(outcome.dry_run or {})
        if outcome.plan.before != self.plan.before:  # a conflict re-read found other values than the preview
            if "before" in inspect.signature(update_action).parameters:
                extra["before"] = dict(outcome.plan.before)
            else:
                dry_run[APPLIED_BEFORE] = dict(outcome.plan.before)
        try:
            update_action(
                self.store,
                action_id=action_id,
                status=outcome.status,
                after=dict(outcome.plan.after),
                dry_run=dry_run or None,
                message=outcome.message,
                **extra,
            )
        except StoreUnavailableError as exc:
            return replace(result, recorded=False, message=_unrecorded(result, outcome, exc))
        return result

    def repeated(self, action: Any) -> FixResult:
        """The same request key again: report the first action, do nothing."""
        status = action.status
        if status == PENDING:
            message = f"this request is already being handled as {action.id}; nothing was done twice"
            status = REFUSED
        else:
            message = f"this request was already handled as {action.id} ({status}); nothing was done twice"
        return FixResult(
            action_id=action.id,
            status=status,
            kind=action.kind,
            entry_id=action.entry_id,
            workload=WorkloadRef(kind=action.workload_kind, namespace=action.namespace, name=action.workload_name),
            cluster=action.cluster,
            before=dict(action.before),
            after=dict(action.after),
            message=message,
            undo_of=action.undo_of,
            repeated=True,
        )


def _unrecorded(result: FixResult, outcome: PatchOutcome, exc: StoreUnavailableError) -> str:
    """The cluster changed but the audit record did not: say exactly what changed and how to restore it."""
    if not outcome.touched:
        return f"{result.message}; the outcome could not be recorded ({exc.message})"
    changes = ", ".join(f"{k}: {_show(result.before.get(k))} -> {_show(v)}" for k, v in result.after.items())
    state = "was changed" if outcome.status == APPLIED else "may have been changed"
    return (
        f"{result.workload} {state} ({changes}), but the action could not be recorded: {exc.message}. "
        f"To restore the previous values by hand: {outcome.plan.undo_kubectl_command}"
    )


def _show(value: str | None) -> str:
    return "(absent)" if value is None else repr(value)


def _context(api: KubeApi) -> str | None:
    name = getattr(api, "context_name", None)
    return None if name in (None, "in-cluster", "current") else name
