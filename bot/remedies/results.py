"""What a fix or an undo did, channel-neutral: the CLI prints it, the Slack adapter renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain import WorkloadRef
from bot.errors import EksDoctorError
from bot.remedies.apply import ALREADY_APPLIED, APPLIED, DRY_RUN, FAILED, REFUSED, PatchOutcome
from bot.remedies.patches import PatchPlan, Values

EXIT_OK = 0
EXIT_REFUSED = 2
EXIT_FAILED = 3  # the cluster or the store did not do what was asked


@dataclass(frozen=True, slots=True)
class FixResult:
    action_id: str | None
    status: str  # applied, already_applied, dry_run, refused, failed
    kind: str  # patch or undo
    entry_id: str
    workload: WorkloadRef
    cluster: str | None
    before: Values
    after: Values
    message: str
    diff: tuple[str, ...] = ()
    kubectl: str | None = None
    #: What restores the previous state by hand, in case the audit record is lost.
    undo_kubectl: str | None = None
    consequence: str | None = None
    warnings: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)
    returned: Values | None = None
    dry_run: dict[str, Any] | None = None
    undo_of: str | None = None
    #: False when the store could not record the action (the message says what happened in the cluster).
    recorded: bool = True
    #: True when this request was handled before (same request key): nothing was done this time.
    repeated: bool = False
    error: EksDoctorError | None = field(default=None, compare=False)

    @property
    def exit_code(self) -> int:
        if not self.recorded:
            return EXIT_FAILED
        if self.status == REFUSED:
            return self.error.exit_code if self.error is not None else EXIT_REFUSED
        if self.status == FAILED:
            return self.error.exit_code if self.error is not None else EXIT_FAILED
        return EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        """The `fix`/`undo --json` contract ({action_id, status, before, after}) plus the details."""
        return {
            "action_id": self.action_id,
            "status": self.status,
            "before": dict(self.before),
            "after": dict(self.after),
            "kind": self.kind,
            "entry": self.entry_id or None,
            "workload": self.workload.as_dict(),
            "cluster": self.cluster,
            "message": self.message,
            "diff": list(self.diff),
            "kubectl": self.kubectl,
            "undo_kubectl": self.undo_kubectl,
            "consequence": self.consequence,
            "warnings": list(self.warnings),
            "reasons": dict(self.reasons),
            "returned": self.returned,
            "dry_run": self.dry_run,
            "undo_of": self.undo_of,
            "recorded": self.recorded,
            "repeated": self.repeated,
        }


def from_outcome(
    outcome: PatchOutcome, *, kind: str, cluster: str | None, action_id: str | None, undo_of: str | None = None
) -> FixResult:
    plan = outcome.plan
    return FixResult(
        action_id=action_id,
        status=outcome.status,
        kind=kind,
        entry_id=plan.entry_id,
        workload=plan.workload,
        cluster=cluster,
        before=dict(plan.before),
        after=dict(plan.after),
        message=outcome.message,
        diff=tuple(plan.diff_lines),
        kubectl=plan.kubectl_command(),
        undo_kubectl=plan.undo_kubectl_command if outcome.touched else None,
        consequence=plan.consequence if outcome.status in (APPLIED, DRY_RUN) else None,
        warnings=plan.warnings,
        reasons=dict(plan.reasons),
        returned=outcome.returned,
        dry_run=outcome.dry_run,
        undo_of=undo_of,
        error=outcome.error,
    )


def from_plan(
    plan: PatchPlan,
    *,
    status: str,
    kind: str,
    cluster: str | None,
    message: str,
    action_id: str | None = None,
    error: EksDoctorError | None = None,
    undo_of: str | None = None,
) -> FixResult:
    """A result decided before anything was sent (refused by policy, already applied, repeated)."""
    return FixResult(
        action_id=action_id,
        status=status,
        kind=kind,
        entry_id=plan.entry_id,
        workload=plan.workload,
        cluster=cluster,
        before=dict(plan.before),
        after=dict(plan.after),
        message=message,
        diff=tuple(plan.diff_lines),
        kubectl=plan.kubectl_command(),
        consequence=plan.consequence if status == ALREADY_APPLIED else None,
        warnings=plan.warnings,
        reasons=dict(plan.reasons),
        undo_of=undo_of,
        error=error,
    )
