"""A security group judged by what the Tencent Cloud API says is bound to it (every CVM, ENI, load
balancer and database, not just this cluster's pods), for the security_group_quota check."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cloud.errors import CREDENTIAL_VARIABLES
from bot.cloud.facts import CloudGap, GapKind, SecurityGroupBindings, split_groups
from bot.cluster.checks.context import CheckContext, percent
from bot.domain import Outcome

HINT = (
    f"with read-only Tencent Cloud credentials ({CREDENTIAL_VARIABLES}) EKS Doctor counts every instance "
    "bound to the group, by type"
)


@dataclass(frozen=True, slots=True)
class GroupJudgement:
    outcome: Outcome
    said: str


def cloud_bindings(group: str, context: CheckContext) -> list[SecurityGroupBindings | CloudGap] | None:
    """What the cloud says of each group an annotation value names; None without cloud facts."""
    if context.cloud is None or not context.cloud.security_groups:
        return None
    found = [context.cloud.security_groups.get(gid) for gid in split_groups(group)]
    return None if any(f is None for f in found) else found  # type: ignore[return-value]


def judge_bindings(
    bindings: list[SecurityGroupBindings], *, limit: int, ours: int | None, context: CheckContext
) -> GroupJudgement:
    """Holds when a group is at its limit; otherwise fails (the cloud count is complete)."""
    outcome = Outcome.FAILS
    lines = []
    for group in bindings:
        line = f"{percent(group.total, limit, 'instances')} bound to security group {group.label}: {group.types_text()}"
        if ours is not None:
            line += f"; {ours} of them are pods of this cluster"
        if group.total >= limit:
            outcome = Outcome.HOLDS
            line += ": new pods cannot bind to it"
        elif group.total >= limit * context.quota_warn_ratio:
            line += ": close to the limit"
        lines.append(line)
    return GroupJudgement(outcome, "; ".join(lines))


def gap_note(found: list[SecurityGroupBindings | CloudGap] | None, context: CheckContext) -> str | None:
    """Why the cloud count is missing, or how to get it (when a cloud reader was given at all)."""
    if context.cloud is None:
        return None
    gaps = [f for f in found or [] if isinstance(f, CloudGap)]
    if context.cloud.not_configured is not None or any(g.kind is GapKind.NOT_CONFIGURED for g in gaps):
        why = context.cloud.not_configured.why if context.cloud.not_configured else gaps[0].why
        return f"{HINT} ({why})"
    if gaps:
        return "; ".join(f"not counted in the cloud: {g}" for g in gaps)
    return None
