"""Combine an entry's check outcomes into one finding, following the entry's `confirm_when`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.domain import CheckOutcome, Finding, Outcome, Verdict, WorkloadRef


def combine_outcomes(
    outcomes: Sequence[Outcome], confirm_when: Literal["all", "any"], *, settled: bool = False
) -> Verdict:
    """`all`: confirmed when every check holds, ruled out when one fails.
    `any`: confirmed when one holds, ruled out when every one fails. Otherwise unknown.
    `settled`: a decisive check holds, so under `all` the checks still unknown no longer block."""
    if not outcomes:
        return Verdict.UNKNOWN
    if confirm_when == "all":
        if Outcome.FAILS in outcomes:
            return Verdict.RULED_OUT
        if settled:
            return Verdict.CONFIRMED
        return Verdict.CONFIRMED if all(o is Outcome.HOLDS for o in outcomes) else Verdict.UNKNOWN
    if Outcome.HOLDS in outcomes:
        return Verdict.CONFIRMED
    return Verdict.RULED_OUT if all(o is Outcome.FAILS for o in outcomes) else Verdict.UNKNOWN


def combine(
    *, entry_id: str, workload: WorkloadRef, outcomes: Sequence[CheckOutcome], confirm_when: Literal["all", "any"]
) -> Finding:
    settled = any(o.decisive and o.outcome is Outcome.HOLDS for o in outcomes)
    verdict = combine_outcomes([o.outcome for o in outcomes], confirm_when, settled=settled)
    evidence = tuple(line for outcome in outcomes for line in outcome.evidence)
    return Finding(entry_id=entry_id, workload=workload, verdict=verdict, evidence=evidence, checks=tuple(outcomes))
