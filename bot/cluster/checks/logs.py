"""log_signature: do recent logs, termination messages or events show one of the entry's error lines?

Finding a line is evidence; not finding one proves nothing (logs are short tails), so that is unknown.
"""

from __future__ import annotations

from bot.cluster.checks.common import quote, termination_messages
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.patterns import Budget, any_match, bounded, gave_up
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import LogSignatureCheck

KIND = "log_signature"
MAX_QUOTES = 3


@evaluator(KIND)
def log_signature(spec: LogSignatureCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    patterns = [bounded(p) for p in spec.patterns]
    budget = Budget()
    hits: list[str] = []
    searched: list[str] = []
    unavailable: list[str] = []
    if isinstance(snapshot.logs, Unreadable):
        unavailable.append(f"logs not read: {snapshot.logs.why}")
    else:
        for log in snapshot.logs:
            if log.text is None:
                unavailable.append(f"log of {log.label} unavailable: {log.unavailable}")
                continue
            lines = log.text.splitlines()
            searched.append(f"{len(lines)} lines of {log.label}" if lines else f"the empty log of {log.label}")
            matching = [line for line in lines if any_match(patterns, line, budget)]
            if matching:
                count = f" ({len(matching)} matching lines)" if len(matching) > 1 else ""
                hits.append(f"log of {log.label}{count}: {quote(matching[-1])}")
    for where, text in termination_messages(snapshot):
        if any_match(patterns, text, budget):
            hits.append(f"container {where} ended with {quote(text)}")
    if not isinstance(snapshot.events, Unreadable):
        for event in snapshot.events:
            if any_match(patterns, event.message, budget):
                hits.append(f"event {event.reason} on {event.about.name}: {quote(event.message)}")
    if hits:
        more = [f"and {len(hits) - MAX_QUOTES} more"] if len(hits) > MAX_QUOTES else []
        return CheckOutcome(KIND, Outcome.HOLDS, (*hits[:MAX_QUOTES], *more))
    unavailable = gave_up(budget, patterns) + unavailable
    if searched:
        summary = "; ".join(searched[:MAX_QUOTES]) + (
            f" and {len(searched) - MAX_QUOTES} more" if len(searched) > 3 else ""
        )
        return CheckOutcome(
            KIND,
            Outcome.UNKNOWN,
            (f"no matching line in {summary} (a short log tail; absence proves nothing)", *unavailable[:2]),
        )
    return CheckOutcome(KIND, Outcome.UNKNOWN, tuple(unavailable[:MAX_QUOTES]) or ("no logs to search",))
