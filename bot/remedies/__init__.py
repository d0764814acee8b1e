"""Remedies people can trust: annotation patches planned only from an entry's declared remedy, with
a server-side dry-run, verification, an audit record and undo; and quota-increase ticket drafts.

Steps a button can drive: `prepare_fix` (read + plan, nothing written) -> `apply_fix` (authorize,
record, dry-run, apply, verify, record); `prepare_undo` -> `apply_undo`; `draft_ticket`.
"""

from bot.remedies.apply import PatchOutcome, apply_plan
from bot.remedies.patches import PatchPlan, plan_patch, plan_undo
from bot.remedies.policy import Actor, Channel, check_may_fix, cli_actor
from bot.remedies.results import FixResult
from bot.remedies.values import Suggestion, suggest_values

__all__ = [
    "Actor",
    "Channel",
    "FixResult",
    "PatchOutcome",
    "PatchPlan",
    "Suggestion",
    "apply_plan",
    "check_may_fix",
    "cli_actor",
    "plan_patch",
    "plan_undo",
    "suggest_values",
]
