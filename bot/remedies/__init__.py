"""Remedies people can trust: annotation patches planned only from an entry's declared remedy, with
a server-side dry-run, verification, an audit record and undo; and quota-increase ticket drafts.

Steps a button can drive: `prepare_fix` (read + plan, nothing written) -> `apply_fix` (authorize,
record, dry-run, apply, verify, record); `prepare_undo` -> `apply_undo`; `draft_ticket`.

Names load on first use, so planning and offers never import the kubernetes client at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "PatchOutcome": "apply",
    "apply_plan": "apply",
    "PatchPlan": "patches",
    "plan_patch": "patches",
    "plan_undo": "patches",
    "Actor": "policy",
    "Channel": "policy",
    "check_may_fix": "policy",
    "cli_actor": "policy",
    "FixResult": "results",
    "Suggestion": "values",
    "suggest_values": "values",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bot.remedies' has no attribute {name!r}")
    return getattr(import_module(f"bot.remedies.{_EXPORTS[name]}"), name)
