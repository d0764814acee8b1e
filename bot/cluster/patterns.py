"""Entry patterns run on text from live pods (logs, events, status messages), bounded in time.

The patterns themselves are compiled by knowledge.bounded: RE2 (linear time) when it accepts them,
else the `regex` module under one time budget per check, so a pattern such as `(?<!z)(a|a)+$`
cannot stall a diagnosis: past the budget the check stops searching and says so. What is particular
to cluster text: each line a pattern sees is cut to `MAX_LINE` characters, and a pattern that ran out
of a budget once is skipped from then on, so a scan of a thousand workloads pays for it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge import bounded as _bounded
from knowledge.bounded import BoundedPattern, Subject, bounded, subject

__all__ = ["BUDGET_SECONDS", "MAX_LINE", "BoundedPattern", "Budget", "any_match", "bounded", "gave_up"]

MAX_LINE = 4096
#: Time the slow (non-RE2) patterns of one check may take in all.
BUDGET_SECONDS = 0.5

#: Patterns that ran out of a budget once.
_TOO_SLOW: set[str] = set()


@dataclass
class Budget(_bounded.Budget):
    """The time budget of one check."""

    seconds: float = BUDGET_SECONDS


def _search(pattern: BoundedPattern, text: Subject, budget: Budget) -> bool:
    if not pattern.linear and pattern.source in _TOO_SLOW:
        budget.exhausted = True
        return False
    was_exhausted = budget.exhausted
    found = pattern.search(text, budget) is not None
    if budget.exhausted and not was_exhausted and not pattern.linear:
        _TOO_SLOW.add(pattern.source)
    return found


def any_match(patterns: list[BoundedPattern], text: str, budget: Budget) -> bool:
    line = subject(text[:MAX_LINE])  # cut and encoded once for all the patterns
    return any(_search(p, line, budget) for p in patterns)


def gave_up(budget: Budget, patterns: list[BoundedPattern]) -> list[str]:
    """Evidence when the budget ran out: which patterns were too slow to finish."""
    if not budget.exhausted:
        return []
    slow = ", ".join(repr(p.source) for p in patterns if not p.linear)
    return [f"stopped searching after {budget.seconds:g}s: pattern {slow} is too slow on this text"]
