"""Carrying out a plan against the cluster: server-side dry-run, apply, verify by reading back.

Every patch carries the resourceVersion the plan was made from, so a concurrent change answers 409
instead of being overwritten; the plan is then re-based on a fresh read (a bounded number of times)
and often turns out to be already applied. Each step's answer is kept in the outcome, and nothing
here raises for a cluster answer: the caller must be able to record whatever happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.cluster.kinds import annotations, pod_template
from bot.cluster.kubeapi import KubeApi
from bot.errors import ClusterPermissionError, ClusterUnreachableError, EksDoctorError, RefusedError
from bot.remedies.kube_writes import Conflict, Rejected, patch_object
from bot.remedies.patches import PatchPlan, Values
from bot.remedies.target import access, object_path, reread

MAX_ATTEMPTS = 3

APPLIED = "applied"
ALREADY_APPLIED = "already_applied"
DRY_RUN = "dry_run"
REFUSED = "refused"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PatchOutcome:
    status: str  # applied, already_applied, dry_run, refused, failed
    plan: PatchPlan  # as finally sent (re-based after conflicts)
    message: str
    #: The server-side dry-run: {"ok": bool, "message": str, "values": {...}} (None if not reached).
    dry_run: dict[str, Any] | None = None
    #: What reading back after the apply showed for the plan's keys.
    returned: Values | None = None
    attempts: int = 1
    conflicts: int = 0
    #: The expected error behind a refusal or failure (the CLI's exit code comes from it).
    error: EksDoctorError | None = field(default=None, compare=False)
    #: The cluster accepted the write, or may have (no answer): the object may differ from before.
    touched: bool = False


def _values(obj: dict[str, Any], keys: list[str]) -> Values:
    template = annotations(pod_template(obj))
    return {key: template.get(key) for key in keys}


def _what(plan: PatchPlan) -> str:
    return f"{plan.workload.kind.lower()}/{plan.workload.name} in namespace {plan.workload.namespace}"


@dataclass(slots=True)
class _Progress:
    """How far an apply got: every outcome carries the plan as last sent, the dry-run's answer and the counts."""

    plan: PatchPlan
    attempt: int = 1
    conflicts: int = 0
    dry: dict[str, Any] | None = None

    def outcome(
        self,
        status: str,
        message: str,
        *,
        returned: Values | None = None,
        error: EksDoctorError | None = None,
        touched: bool = False,
    ) -> PatchOutcome:
        return PatchOutcome(
            status, self.plan, message, self.dry, returned, self.attempt, self.conflicts, error=error, touched=touched
        )


def apply_plan(*, api: KubeApi, plan: PatchPlan, dry_run_only: bool) -> PatchOutcome:
    """Dry-run, then (unless `dry_run_only`) apply and verify; retries conflicts with a fresh read."""
    path, what = object_path(plan.workload), _what(plan)
    patch_access = access(plan.workload.kind, "patch", plan.workload.namespace)
    run = _Progress(plan)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        run.attempt = attempt
        try:
            if run.attempt > 1 or run.plan.resource_version is None:
                state = reread(api, plan.workload)
                run.plan = run.plan.rebased(state.annotations, resource_version=state.resource_version)
            if run.plan.already_applied:
                return run.outcome(ALREADY_APPLIED, _already(run.plan, run.conflicts))
            changed = run.plan.expectation_failures()
            if changed:
                message = "the annotations changed since: " + "; ".join(changed)
                return run.outcome(REFUSED, message, error=RefusedError(message))
            body = run.plan.merge_patch(resource_version=run.plan.resource_version)
            try:
                preview = patch_object(api, path=path, body=body, access=patch_access, what=what, dry_run=True)
            except Rejected as exc:
                message = f"the server rejected the dry-run ({exc.status}): {exc.message}; nothing was applied"
                run.dry = {"ok": False, "status": exc.status, "message": exc.message}
                return run.outcome(FAILED, message, error=RefusedError(message))
            would = _values(preview, run.plan.keys)
            run.dry = {"ok": would == run.plan.after, "message": "", "values": would}
            if would != run.plan.after:
                message = f"the server's dry-run would store {would}, not {run.plan.after}; nothing was applied"
                run.dry["message"] = message
                return run.outcome(FAILED, message, error=RefusedError(message))
            if dry_run_only:
                return run.outcome(DRY_RUN, "the server accepted the change in a dry-run; nothing was applied")
            try:
                patch_object(api, path=path, body=body, access=patch_access, what=what, dry_run=False)
            except Rejected as exc:
                message = f"the server rejected the patch ({exc.status}): {exc.message}; nothing was applied"
                return run.outcome(FAILED, message, error=RefusedError(message))
            except ClusterUnreachableError as exc:
                return _unconfirmed(api, run, exc)
            return _verify(api, run)
        except Conflict:
            run.conflicts += 1
            continue
        except ClusterPermissionError as exc:
            return run.outcome(REFUSED, exc.message, error=exc)
        except EksDoctorError as exc:  # unreachable, or the workload was deleted meanwhile
            return run.outcome(FAILED, f"{exc}; nothing was applied", error=exc)
    message = f"{_what(plan)} kept changing ({run.conflicts} conflicting writes in a row); nothing was applied"
    return run.outcome(FAILED, message, error=ClusterUnreachableError(message))


def _already(plan: PatchPlan, conflicts: int) -> str:
    values = ", ".join(f"{k}={v!r}" if v is not None else f"{k} absent" for k, v in plan.before.items())
    raced = " (someone did it at the same time)" if conflicts else ""
    done = "already restored" if plan.exact else "already applied"  # exact comparison: an undo
    return f"{done}{raced}: {values}; nothing was sent"


def _verify(api: KubeApi, run: _Progress) -> PatchOutcome:
    try:
        state = reread(api, run.plan.workload)
    except EksDoctorError as exc:
        message = f"the patch was accepted, but reading it back failed ({exc}); check the workload"
        return run.outcome(FAILED, message, error=exc, touched=True)
    returned = {key: state.annotations.get(key) for key in run.plan.keys}
    if returned == run.plan.after:
        return run.outcome(APPLIED, "applied and verified by reading back", returned=returned, touched=True)
    message = f"read back {returned} after the patch, not {run.plan.after}; the server (or a webhook) changed it"
    return run.outcome(FAILED, message, returned=returned, error=ClusterUnreachableError(message), touched=True)


def _unconfirmed(api: KubeApi, run: _Progress, exc: EksDoctorError) -> PatchOutcome:
    """No answer to the apply: it may have landed. Read back to tell; if that fails too, say so plainly."""
    workload = run.plan.workload
    check = f"`kubectl get {workload.kind.lower()} {workload.name} -n {workload.namespace} -o yaml`"
    try:
        state = reread(api, workload)
    except EksDoctorError:
        message = f"{exc}; it is unknown whether the change was applied. Check with {check}"
        return run.outcome(FAILED, message, error=exc, touched=True)
    returned = {key: state.annotations.get(key) for key in run.plan.keys}
    if returned == run.plan.after:
        message = "applied (the answer was lost, reading back shows the change)"
        return run.outcome(APPLIED, message, returned=returned, touched=True)
    # The request may still be in the server's hands: the old values now do not prove it was dropped.
    message = f"{exc}; reading back still shows {returned}, but the patch may yet be applied: check again with {check}"
    return run.outcome(FAILED, message, returned=returned, error=exc, touched=True)
