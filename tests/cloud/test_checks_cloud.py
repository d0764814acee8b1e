"""The egress check and the verdict rule with cloud facts built by hand: the cases the fake scenarios
do not reach (a next hop EKS Doctor does not judge, a subnet without a route table)."""

from __future__ import annotations

from bot.cloud.facts import CloudFacts, EgressFacts, EgressRoute, NatGatewayState, Route
from bot.cluster.checks import CheckContext
from bot.cluster.checks.egress import egress_without_eip
from bot.cluster.verdicts import combine_outcomes
from bot.domain import Outcome, Verdict
from knowledge.schema import EgressWithoutEipCheck
from tests.inspect.conftest import make_snapshot
from tests.kube_emulator import builders as b

SPEC = EgressWithoutEipCheck(kind="egress_without_eip", annotation_prefix="eks.tke.cloud.tencent.com/eip-")
DEPLOY = b.deployment("api", "shop")


def judged(*subnets: EgressRoute):
    context = CheckContext(cloud=CloudFacts(egress=EgressFacts("cls-1", True, subnets)))
    return egress_without_eip(SPEC, make_snapshot(DEPLOY, pods=[b.pod(owner=DEPLOY)]), context)


def test_a_cvm_next_hop_is_possible_but_not_settled():
    outcome = judged(EgressRoute("subnet-6ktx2ltm", "rtb-1", routes=(Route("0.0.0.0/0", "CVM", "10.0.0.9"),)))
    assert outcome.outcome is Outcome.HOLDS and not outcome.decisive
    assert (
        "route table rtb-1 of subnet subnet-6ktx2ltm sends 0.0.0.0/0 to CVM 10.0.0.9, "
        "a next hop EKS Doctor does not judge (only NAT gateways)"
    ) in outcome.evidence


def test_a_disabled_default_route_counts_as_none():
    route = Route("0.0.0.0/0", "NAT", "nat-1", enabled=False)
    outcome = judged(
        EgressRoute("subnet-6ktx2ltm", "rtb-1", routes=(route,), nat=NatGatewayState("nat-1", state="AVAILABLE"))
    )
    assert outcome.outcome is Outcome.HOLDS and outcome.decisive
    assert any("has no 0.0.0.0/0 route" in e and "0.0.0.0/0 -> NAT nat-1 (disabled)" in e for e in outcome.evidence)


def test_a_subnet_without_a_route_table_leaves_it_open():
    outcome = judged(EgressRoute("subnet-6ktx2ltm"))
    assert outcome.outcome is Outcome.HOLDS and not outcome.decisive
    assert "no route table is associated with subnet subnet-6ktx2ltm" in outcome.evidence


def test_a_decisive_check_settles_an_all_entry_unless_another_fails():
    unknown_logs = [Outcome.HOLDS, Outcome.UNKNOWN]
    assert combine_outcomes(unknown_logs, "all") is Verdict.UNKNOWN
    assert combine_outcomes(unknown_logs, "all", settled=True) is Verdict.CONFIRMED
    assert combine_outcomes([Outcome.HOLDS, Outcome.FAILS], "all", settled=True) is Verdict.RULED_OUT
