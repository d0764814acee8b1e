"""The cloud reader over real HTTP: subnets, route tables, NAT gateways, security groups, and every
way the API can fail, each mapped to one clear line without losing the other pieces."""

from __future__ import annotations

import logging
import time

import pytest

from bot.cloud.cache import FactsCache
from bot.cloud.connection import CloudApi, parse_endpoint
from bot.cloud.facts import Egress, GapKind, SecurityGroupBindings
from bot.config import ClusterConfig
from bot.errors import ConfigError, RefusedError
from tests.cloud.conftest import CLUSTER_ID, OTHER_SUBNET, PROD, SUBNET, cloud_settings, eks_cluster, route_table
from tests.tencent_fake.server import SECRET_ID, SECRET_KEY


def test_serverless_cluster_subnet_with_nat_route(tencent, reader):
    eks_cluster(tencent)
    route_table(tencent, default_to="nat-egress01")
    tencent.add_nat_gateway("nat-egress01", name="shop-egress")
    facts = reader().read(egress=True)
    (route,) = facts.egress.subnets
    assert facts.egress.serverless and route.verdict is Egress.OPEN
    assert route.explain() == (
        "route table rtb-sn0001 (super-nodes) of subnet subnet-6ktx2ltm sends 0.0.0.0/0 to NAT gateway "
        "nat-egress01 (shop-egress), which is available"
    )
    assert tencent.actions() == ["tke:DescribeEKSClusters", "vpc:DescribeRouteTables", "vpc:DescribeNatGateways"]
    filters = tencent.calls[1].params["Filters"]
    assert filters == [{"Name": "association.subnet-id", "Values": [SUBNET]}]


def test_tke_super_node_pools_map_each_node_to_its_subnet(tencent, reader):
    tencent.add_super_node_pool(CLUSTER_ID, "np-a", subnets=[SUBNET], nodes={"eklet-a-0": SUBNET})
    tencent.add_super_node_pool(CLUSTER_ID, "np-b", subnets=[], nodes={"eklet-b-0": OTHER_SUBNET})
    route_table(tencent, default_to="nat-egress01")
    route_table(tencent, subnets=(OTHER_SUBNET,), table_id="rtb-sn0002", name="batch")
    tencent.add_nat_gateway("nat-egress01", state="PENDFAILURE", network_state="UNAVAILABLE")
    egress = reader().egress()
    assert not egress.serverless and egress.node_subnets == {"eklet-a-0": SUBNET, "eklet-b-0": OTHER_SUBNET}
    first, second = egress.subnets
    assert first.verdict is Egress.BLOCKED and "which is not available (state PENDFAILURE, network UNAVAILABLE)" in (
        first.explain()
    )
    assert second.verdict is Egress.BLOCKED and second.explain().startswith(
        "route table rtb-sn0002 (batch) of subnet subnet-9qwz4rtp has no 0.0.0.0/0 route"
    )
    assert "10.8.0.0/16 -> CCN ccn-office01" in second.explain()
    assert egress.for_nodes(["eklet-b-0"]) == ([second], True)
    assert egress.for_nodes(["somewhere-else"]) == ([first, second], False)


def test_default_group_is_found_across_pages_and_counted_by_type(tencent, reader):
    for n in range(130):
        tencent.add_security_group(f"sg-app{n:05d}", project_id=0)
    tencent.add_security_group("sg-other001", project_id=7, default=True)
    tencent.add_security_group(
        "sg-def00001", name="default", default=True, bindings={"CVM": 1800, "ENI": 193, "CLB": 7}
    )
    groups = reader().security_groups(["", "sg-app00003", "sg-missing"])
    default = groups[""]
    assert isinstance(default, SecurityGroupBindings)
    assert (default.group_id, default.total, default.by_type) == (
        "sg-def00001",
        2000,
        (("CVM", 1800), ("ENI", 193), ("CLB", 7)),
    )
    assert default.label == "sg-def00001 (default, default group of project 0)"
    assert groups["sg-app00003"].total == 0
    assert groups["sg-missing"].kind is GapKind.FAILED and "no such security group" in groups["sg-missing"].why
    pages = [c.params.get("Offset") for c in tencent.calls if c.params.get("Filters")]
    assert pages == ["0", "100"]  # the default group is on the second page of project 0


def test_wrong_credentials_are_one_line_naming_the_variables(tencent, reader):
    eks_cluster(tencent)
    gap = reader(cloud_settings(tencent, TENCENTCLOUD_SECRET_KEY="wrong-key")).egress()
    assert gap.kind is GapKind.CREDENTIALS
    assert gap.why == (
        "Tencent Cloud rejected the credentials (AuthFailure.SignatureFailure) calling tke:DescribeEKSClusters "
        "(check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)"
    )


def test_a_denied_action_is_named_and_the_other_pieces_still_read(tencent, reader):
    eks_cluster(tencent)
    route_table(tencent)
    tencent.add_security_group("sg-def00001", default=True, bindings={"CVM": 12})
    tencent.deny("vpc:DescribeRouteTables")
    facts = reader().read(egress=True, security_groups=[""])
    assert facts.egress.kind is GapKind.DENIED
    assert "may not call vpc:DescribeRouteTables (UnauthorizedOperation)" in facts.egress.why
    assert "deploy/cam-policy.json" in facts.egress.why
    assert facts.security_groups[""].total == 12


def test_throttling_is_retried_with_backoff_then_given_up(tencent):
    eks_cluster(tencent)
    route_table(tencent, default_to="nat-egress01")
    tencent.add_nat_gateway("nat-egress01")
    waits: list[float] = []
    api = CloudApi(secret_id=SECRET_ID, secret_key=SECRET_KEY, region="ap-guangzhou",
                   endpoint=parse_endpoint(tencent.endpoint), backoff=0.1, sleep=waits.append)  # fmt: skip
    tencent.throttle(2)
    assert api.call("tke", "DescribeEKSClusters", {"ClusterIds": [CLUSTER_ID]}).TotalCount == 1
    assert waits == [0.1, 0.2]  # doubling, bounded by the attempts
    tencent.throttle(3)
    with pytest.raises(Exception, match=r"kept throttling tke:DescribeEKSClusters \(RequestLimitExceeded\)"):
        api.call("tke", "DescribeEKSClusters", {"ClusterIds": [CLUSTER_ID]})
    assert len(tencent.calls) == 6


def test_a_slow_api_costs_one_timeout_per_read_not_one_per_action(tencent, reader):
    eks_cluster(tencent)
    tencent.add_security_group("sg-def00001", default=True)
    tencent.set_delay(3)
    started = time.monotonic()
    facts = reader(timeout=0.5).read(egress=True, security_groups=["", "sg-web00001"])
    elapsed = time.monotonic() - started
    assert facts.egress.kind is GapKind.UNREACHABLE and facts.unreachable
    assert "did not answer within 0.5 s (tke:DescribeEKSClusters)" in facts.egress.why
    assert all(g.kind is GapKind.UNREACHABLE for g in facts.security_groups.values())
    assert elapsed < 2.5


def test_a_stopped_api_is_an_outage_and_the_next_read_tries_again(tencent, reader):
    eks_cluster(tencent)
    route_table(tencent)
    cloud = reader()
    tencent.stop()
    gap = cloud.egress()
    assert gap.kind is GapKind.UNREACHABLE
    assert (
        gap.why == f"the Tencent Cloud API at {tencent.endpoint[7:]} refused the connection (tke:DescribeEKSClusters)"
    )
    tencent.start()
    assert cloud.egress().subnets[0].verdict is Egress.BLOCKED


def test_answers_are_cached_briefly_per_cluster(tencent, reader):
    eks_cluster(tencent)
    route_table(tencent)
    now = [0.0]
    cache = FactsCache(ttl=60, clock=lambda: now[0])
    reader(cache=cache).egress()
    calls = len(tencent.calls)
    reader(cache=cache).egress()
    assert len(tencent.calls) == calls  # served from the cache
    other = ClusterConfig(name="staging", region="ap-guangzhou", cluster_id="cls-other001")
    reader(cluster=other, cache=cache).egress()
    assert len(tencent.calls) > calls  # another cluster is another entry
    now[0] = 61
    before = len(tencent.calls)
    reader(cache=cache).egress()
    assert len(tencent.calls) > before  # expired


def test_no_credentials_means_no_call_and_says_how_to_enable(tencent, reader):
    eks_cluster(tencent)
    facts = reader(cloud_settings(tencent, TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None)).read(
        egress=True, security_groups=[""]
    )
    assert facts.egress.kind is GapKind.NOT_CONFIGURED and facts.gaps() == [] and tencent.calls == []
    assert "set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY" in facts.not_configured.why
    half = reader(cloud_settings(tencent, TENCENTCLOUD_SECRET_KEY=None)).egress()
    assert half.why == "TENCENTCLOUD_SECRET_KEY is not set (TENCENTCLOUD_SECRET_ID is)"
    no_id = reader(cluster=ClusterConfig(name="lab", region="ap-guangzhou")).egress()
    assert no_id.why == "cluster lab has no cluster_id in EKS_DOCTOR_CONFIG"


def test_only_read_only_actions_can_be_called(tencent):
    api = CloudApi(secret_id=SECRET_ID, secret_key=SECRET_KEY, region="ap-guangzhou",
                   endpoint=parse_endpoint(tencent.endpoint))  # fmt: skip
    for product, action in (("vpc", "CreateRoutes"), ("vpc", "DeleteNatGateway"), ("tke", "DescribeClusters")):
        with pytest.raises(RefusedError, match="not one of the read-only actions"):
            api.call(product, action, {})
    assert tencent.calls == []


@pytest.mark.parametrize("value", ["127.0.0.1:9", "ftp://host:21", "http://host:port", "https://host/v3"])
def test_a_malformed_endpoint_names_the_setting(tencent, reader, value):
    with pytest.raises(ConfigError, match="EKS_DOCTOR_TENCENTCLOUD_ENDPOINT"):
        reader(cloud_settings(tencent, EKS_DOCTOR_TENCENTCLOUD_ENDPOINT=value))


def test_secrets_are_never_logged_or_shown(tencent, reader, caplog):
    eks_cluster(tencent)
    route_table(tencent)
    caplog.set_level(logging.DEBUG)
    good = reader()
    facts = good.read(egress=True, security_groups=[""])
    bad = reader(cloud_settings(tencent, TENCENTCLOUD_SECRET_KEY=SECRET_KEY + "x")).read(egress=True)
    settings = cloud_settings(tencent)
    shown = " ".join([caplog.text, repr(facts), repr(bad), repr(good.api), repr(settings), str(settings.model_dump())])
    assert SECRET_KEY not in shown and SECRET_ID not in shown
    assert tencent.calls and PROD.cluster_id in repr(facts)
