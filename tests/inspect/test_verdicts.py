"""Combining check outcomes into a verdict, per the entry's `confirm_when`."""

from __future__ import annotations

import pytest

from bot.cluster.verdicts import combine, combine_outcomes
from bot.domain import CheckOutcome, Outcome, Verdict, WorkloadRef

H, F, U = Outcome.HOLDS, Outcome.FAILS, Outcome.UNKNOWN


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [([H, H], Verdict.CONFIRMED), ([H, F], Verdict.RULED_OUT), ([U, F], Verdict.RULED_OUT),
     ([H, U], Verdict.UNKNOWN), ([U], Verdict.UNKNOWN), ([], Verdict.UNKNOWN)],
)  # fmt: skip
def test_all(outcomes, expected):
    assert combine_outcomes(outcomes, "all") is expected


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [([F, H], Verdict.CONFIRMED), ([U, H], Verdict.CONFIRMED), ([F, F], Verdict.RULED_OUT),
     ([F, U], Verdict.UNKNOWN), ([U, U], Verdict.UNKNOWN)],
)  # fmt: skip
def test_any(outcomes, expected):
    assert combine_outcomes(outcomes, "any") is expected


def test_finding_keeps_evidence_in_check_order():
    ref = WorkloadRef("Deployment", "shop", "checkout")
    outcomes = [CheckOutcome("istio_sidecar", H, ("first",)), CheckOutcome("annotation_duration_below", H, ("second",))]
    finding = combine(entry_id="istio-dns-timeout-ipvs-udp", workload=ref, outcomes=outcomes, confirm_when="all")
    assert finding.verdict is Verdict.CONFIRMED
    assert finding.evidence == ("first", "second")
    payload = finding.as_dict()
    assert payload["workload"] == {"kind": "Deployment", "namespace": "shop", "name": "checkout"}
    assert payload["verdict"] == "confirmed"
