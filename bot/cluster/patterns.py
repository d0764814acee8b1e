"""Entry patterns run on text from live pods (logs, events, status messages), bounded in time.

A pattern RE2 accepts runs in linear time. One RE2 cannot run (a look-around, a back-reference) runs
in the `regex` module with a timeout, under one budget per check, so a pattern such as `(a|a)+$`
cannot stall a diagnosis: past the budget the check stops searching and says so. Each line a
pattern sees is cut to `MAX_LINE` characters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

import re2
import regex

MAX_LINE = 4096
#: Time the slow (non-RE2) patterns of one check may take in all.
BUDGET_SECONDS = 0.5

#: Patterns that ran out of a budget once: skipped from then on, so a scan of a thousand workloads does
#: not spend the budget a thousand times over.
_TOO_SLOW: set[str] = set()

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern falls back quietly; RE2 would print to stderr


@dataclass
class Budget:
    seconds: float = BUDGET_SECONDS
    started: float = field(default_factory=time.monotonic)
    exhausted: bool = False

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)


@dataclass(frozen=True, slots=True)
class BoundedPattern:
    source: str
    linear: object | None  # a compiled RE2 pattern
    slow: object | None  # a compiled `regex` pattern, run with a timeout

    def search(self, text: str, budget: Budget) -> bool:
        text = text[:MAX_LINE]
        if self.linear is not None:
            return self.linear.search(text) is not None  # type: ignore[attr-defined]
        left = budget.remaining()
        if budget.exhausted or left <= 0 or self.source in _TOO_SLOW:
            budget.exhausted = True
            return False
        try:
            return self.slow.search(text, timeout=left) is not None  # type: ignore[union-attr]
        except TimeoutError:
            budget.exhausted = True
            _TOO_SLOW.add(self.source)
            return False


@lru_cache(maxsize=512)
def bounded(source: str) -> BoundedPattern:
    """The pattern compiled once: RE2 when it accepts it, else `regex` (Python syntax)."""
    try:
        return BoundedPattern(source, re2.compile(source, _RE2_OPTIONS), None)
    except re2.error:
        return BoundedPattern(source, None, regex.compile(source, regex.VERSION0))


def any_match(patterns: list[BoundedPattern], text: str, budget: Budget) -> bool:
    return any(p.search(text, budget) for p in patterns)


def gave_up(budget: Budget, patterns: list[BoundedPattern]) -> list[str]:
    """Evidence when the budget ran out: which patterns were too slow to finish."""
    if not budget.exhausted:
        return []
    slow = ", ".join(repr(p.source) for p in patterns if p.linear is None)
    return [f"stopped searching after {budget.seconds:g}s: pattern {slow} is too slow on this text"]
