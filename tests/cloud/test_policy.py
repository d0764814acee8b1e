"""deploy/cam-policy.json grants exactly the actions the code calls, and every one of them reads."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cloud.actions import READ_ONLY_ACTIONS, all_cam_actions
from bot.cloud.selfcheck import probed_actions
from tests.cloud.conftest import CLUSTER_ID, SUBNET, eks_cluster, route_table

POLICY = Path(__file__).resolve().parents[2] / "deploy" / "cam-policy.json"


def test_the_policy_allows_exactly_the_read_only_actions():
    policy = json.loads(POLICY.read_text())
    assert policy["version"] == "2.0"
    (statement,) = policy["statement"]
    assert statement["effect"] == "allow" and statement["resource"] == ["*"]
    assert sorted(statement["action"]) == all_cam_actions()
    assert all(action.split(":")[1].startswith("Describe") for action in statement["action"])
    assert probed_actions() == all_cam_actions()  # selfcheck asks about each of them


def test_reading_everything_calls_exactly_the_policy_actions(tencent, reader):
    """A TKE cluster's egress and groups, then a serverless one's: together they use every action."""
    tencent.add_super_node_pool(CLUSTER_ID, "np-web", subnets=[SUBNET], nodes={"eklet-web-0": SUBNET})
    route_table(tencent, default_to="nat-egress01")
    tencent.add_nat_gateway("nat-egress01")
    tencent.add_security_group("sg-def00001", default=True, bindings={"CVM": 3})
    tencent.add_security_group("sg-web00001", bindings={"ENI": 4})
    facts = reader().read(egress=True, security_groups=["", "sg-web00001"])
    assert facts.gaps() == [] and facts.egress.subnets[0].nat is not None
    eks_cluster(tencent)
    assert reader().egress().serverless  # now found as a serverless cluster
    called = sorted(set(tencent.actions()))
    assert called == all_cam_actions()
    assert set(READ_ONLY_ACTIONS) == {"tke", "vpc"}
