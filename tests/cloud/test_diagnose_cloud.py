"""diagnose and scan with the cloud: a live cluster on the Kubernetes emulator, and the Tencent Cloud
API fake reached through the SDK over real HTTP, each scenario judged by what a user reads."""

from __future__ import annotations

import pytest

from bot.cloud.cache import FactsCache
from bot.cluster.inspector import diagnose, scan
from bot.cluster.kubeapi import connect
from bot.cluster.live import LiveSource
from bot.cluster.references import parse_reference
from bot.config import DoctorConfig
from bot.domain import Verdict
from knowledge import load_knowledge_base
from tests.cloud.conftest import PROD, SUBNET, cloud_settings, eks_cluster, route_table
from tests.kube_emulator import builders as b

EGRESS = "public-network-egress"
SG_ENTRY = "quota-security-group-instances"
EIP = "eks.tke.cloud.tencent.com/eip-attributes"
CONFIG = DoctorConfig(clusters=[PROD], default_cluster=PROD.name)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture
def source(kubeconfig):
    return lambda: LiveSource(connect(context=None, timeout=5.0, kubeconfig=kubeconfig), log_tail_lines=200)


@pytest.fixture
def shop(kube):
    """deployment/webhook-sender in shop: two pods on the super node of subnet-6ktx2ltm, no EIP."""
    deploy = b.deployment("webhook-sender", "shop", replicas=2)
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    return [kube.add(b.pod(owner=deploy)) for _ in range(2)]


def run(kb, source, settings, cloud, text="shop/webhook-sender"):
    return diagnose(kb=kb, source=source(), ref=parse_reference(text), config=CONFIG, settings=settings, cloud=cloud)


def finding(report, entry, name="webhook-sender"):
    return next(f for f in report.findings if f.entry_id == entry and f.workload.name == name)


def test_no_default_route_confirms_public_egress_with_the_route_table(kb, source, shop, tencent, reader):
    eks_cluster(tencent)
    route_table(tencent)  # routes to the office and the data centre, none for 0.0.0.0/0
    tencent.add_security_group("sg-def00001", default=True, bindings={"CVM": 12, "ENI": 2})
    report = run(kb, source, cloud_settings(tencent), reader())
    egress = finding(report, EGRESS)
    assert egress.verdict is Verdict.CONFIRMED
    assert "its pods run in 1 subnet (subnet-6ktx2ltm)" in egress.evidence
    assert (
        "route table rtb-sn0001 (super-nodes) of subnet subnet-6ktx2ltm has no 0.0.0.0/0 route, so traffic to "
        "public addresses has no way out "
        "(its routes: 10.8.0.0/16 -> CCN ccn-office01, 192.168.0.0/16 -> VPN vpngw-dc01)"
    ) in egress.evidence
    assert not report.partial and report.unreadable == [] and not report.cloud_unreachable
    assert all(action.split(":")[1].startswith("Describe") for action in tencent.actions())


def test_a_route_to_an_available_nat_gateway_rules_egress_out_even_with_timeouts_in_logs(
    kb, source, shop, kube, tencent, reader
):
    eks_cluster(tencent)
    route_table(tencent, default_to="nat-egress01")
    tencent.add_nat_gateway("nat-egress01", name="shop-egress")
    kube.set_logs(
        "shop",
        shop[0]["metadata"]["name"],
        "app",
        "POST https://hooks.example.com: dial tcp 104.18.0.1:443: i/o timeout\n",
    )
    egress = finding(run(kb, source, cloud_settings(tencent), reader()), EGRESS)
    assert egress.verdict is Verdict.RULED_OUT
    assert any(
        "sends 0.0.0.0/0 to NAT gateway nat-egress01 (shop-egress), which is available" in e for e in egress.evidence
    )


def test_a_route_to_a_failed_nat_gateway_confirms_it_naming_the_gateway(kb, source, shop, tencent, reader):
    eks_cluster(tencent)
    route_table(tencent, default_to="nat-egress01")
    tencent.add_nat_gateway("nat-egress01", name="shop-egress", state="PENDFAILURE", network_state="UNAVAILABLE")
    egress = finding(run(kb, source, cloud_settings(tencent), reader()), EGRESS)
    assert egress.verdict is Verdict.CONFIRMED
    assert any(
        "NAT gateway nat-egress01 (shop-egress), which is not available (state PENDFAILURE, network UNAVAILABLE)" in e
        for e in egress.evidence
    )


def test_an_eip_per_pod_rules_egress_out_whatever_the_route(kb, source, kube, tencent, reader):
    deploy = b.deployment("webhook-sender", "shop", template_annotations={EIP: "{}"})
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    kube.add(b.pod(owner=deploy))
    eks_cluster(tencent)
    route_table(tencent)  # no NAT route: would confirm without the EIP
    egress = finding(run(kb, source, cloud_settings(tencent), reader()), EGRESS)
    assert egress.verdict is Verdict.RULED_OUT
    assert egress.evidence[0].startswith("the pod template asks for an EIP per pod")


def test_a_default_group_full_of_vms_is_confirmed_with_bindings_by_type(kb, source, shop, tencent, reader):
    eks_cluster(tencent)
    route_table(tencent, default_to="nat-egress01")
    tencent.add_nat_gateway("nat-egress01")
    tencent.add_security_group("sg-def00001", name="default", default=True,
                               bindings={"CVM": 1800, "ENI": 193, "CLB": 5, "CDB": 2})  # fmt: skip
    without = finding(run(kb, source, cloud_settings(tencent), None), SG_ENTRY)
    assert without.verdict is Verdict.RULED_OUT  # the cluster alone sees 2 pods of 2000
    report = run(kb, source, cloud_settings(tencent), reader())
    group = finding(report, SG_ENTRY)
    assert group.verdict is Verdict.CONFIRMED
    assert (
        "2000 of 2000 instances (100%) bound to security group sg-def00001 (default, default group of project 0): "
        "CVM 1800, ENI 193, CLB 5, CDB 2; 2 of them are pods of this cluster: new pods cannot bind to it"
    ) in group.evidence
    assert any(
        w.startswith("sg-def00001 (default, default group of project 0) instance limit reached")
        for w in report.warnings
    )


def test_without_credentials_the_verdicts_stay_and_the_evidence_says_how_to_enable(kb, source, shop, tencent, reader):
    eks_cluster(tencent)
    settings = cloud_settings(tencent, TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None)
    report = run(kb, source, settings, reader(settings))
    plain = run(kb, source, settings, None)
    assert [(f.entry_id, f.verdict) for f in report.findings] == [(f.entry_id, f.verdict) for f in plain.findings]
    egress = finding(report, EGRESS)
    assert egress.verdict is Verdict.UNKNOWN
    assert any(
        e.startswith("with read-only Tencent Cloud credentials (TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY) "
                     "EKS Doctor reads that subnet's route table") for e in egress.evidence
    )  # fmt: skip
    assert any("counts every instance bound to the group, by type" in e for e in finding(report, SG_ENTRY).evidence)
    assert tencent.calls == [] and report.unreadable == [] and not report.partial


def test_wrong_credentials_fall_back_and_say_so_in_one_line(kb, source, shop, tencent, reader):
    eks_cluster(tencent)
    settings = cloud_settings(tencent, TENCENTCLOUD_SECRET_KEY="not-the-key")
    report = run(kb, source, settings, reader(settings))
    assert finding(report, EGRESS).verdict is Verdict.UNKNOWN
    assert (
        "route tables of the super-node subnets of cluster cls-abcd1234 (Tencent Cloud): Tencent Cloud rejected the "
        "credentials (AuthFailure.SignatureFailure) calling tke:DescribeEKSClusters "
        "(check TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)"
    ) in report.unreadable
    assert report.partial and not report.unreachable and not report.cloud_unreachable


def test_cloud_down_while_the_cluster_is_up_keeps_the_whole_report(kb, source, shop, tencent, reader):
    eks_cluster(tencent)
    route_table(tencent)
    cloud = reader()
    tencent.stop()
    report = run(kb, source, cloud_settings(tencent), cloud)
    assert len(report.findings) == len(kb.entries) and report.workload.name == "webhook-sender"
    assert report.cloud_unreachable and not report.unreachable and report.partial
    egress = finding(report, EGRESS)
    assert egress.verdict is Verdict.UNKNOWN
    assert any(
        e.startswith("the route table could not be read: ") and "refused the connection" in e for e in egress.evidence
    )
    assert finding(report, "port-9100-conflict").verdict is Verdict.RULED_OUT  # cluster checks unaffected
    assert report.as_dict()["cloud_unreachable"] is True
    (line,) = report.unreadable  # the route tables and the group: one outage, one line
    assert line.startswith("route tables of the super-node subnets of cluster cls-abcd1234 (Tencent Cloud) and 1 more")


def test_scan_reads_the_cloud_once_and_reuses_it_briefly(kb, source, shop, kube, tencent, reader):
    other = b.deployment(
        "ledger", "shop", template_annotations={"eks.tke.cloud.tencent.com/security-group-id": "sg-ledger01"}
    )
    kube.add(other)
    kube.add(b.replicaset_for(other))
    kube.add(b.pod(owner=other))
    eks_cluster(tencent)
    route_table(tencent)
    tencent.add_security_group("sg-def00001", default=True, bindings={"CVM": 40, "ENI": 2})
    tencent.add_security_group("sg-ledger01", name="ledger", bindings={"ENI": 1, "CDB": 3})
    cache = FactsCache()
    settings = cloud_settings(tencent)
    report = scan(kb=kb, source=source(), config=CONFIG, settings=settings, namespace="shop", cloud=reader(cache=cache))
    calls = tencent.actions()
    assert calls.count("tke:DescribeEKSClusters") == 1 and calls.count("vpc:DescribeRouteTables") == 1
    assert calls.count("vpc:DescribeSecurityGroupAssociationStatistics") == 1
    assert finding(report, EGRESS).verdict is Verdict.CONFIRMED
    assert finding(report, EGRESS, "ledger").verdict is Verdict.CONFIRMED
    cluster_group = next(f for f in report.findings if f.entry_id == SG_ENTRY and f.workload.kind == "Cluster")
    assert cluster_group.verdict is Verdict.RULED_OUT
    assert any("bound to security group sg-ledger01 (ledger): CDB 3, ENI 1" in e for e in cluster_group.evidence)
    scan(kb=kb, source=source(), config=CONFIG, settings=settings, namespace="shop", cloud=reader(cache=cache))
    assert tencent.actions() == calls  # the second scan within a minute asked nothing


def test_workloads_in_different_subnets_get_their_own_verdicts(kb, source, kube, tencent, reader):
    """A TKE cluster with two super node pools: one subnet routes to a NAT gateway, one does not."""
    tencent.add_super_node_pool(PROD.cluster_id, "np-web", subnets=[SUBNET], nodes={"eklet-web-0": SUBNET})
    tencent.add_super_node_pool(
        PROD.cluster_id, "np-batch", subnets=["subnet-9qwz4rtp"], nodes={"eklet-batch-0": "subnet-9qwz4rtp"}
    )
    route_table(tencent, default_to="nat-egress01")
    route_table(tencent, subnets=("subnet-9qwz4rtp",), table_id="rtb-batch01", name="batch")
    tencent.add_nat_gateway("nat-egress01")
    for name, node in (("web", "eklet-web-0"), ("batch", "eklet-batch-0")):
        deploy = b.deployment(name, "shop")
        kube.add(deploy)
        kube.add(b.replicaset_for(deploy))
        kube.add(b.pod(owner=deploy, node_name=node))
    report = scan(
        kb=kb, source=source(), config=CONFIG, settings=cloud_settings(tencent), namespace="shop", cloud=reader()
    )
    assert finding(report, EGRESS, "web").verdict is Verdict.RULED_OUT
    batch = finding(report, EGRESS, "batch")
    assert batch.verdict is Verdict.CONFIRMED
    assert "its pods run in 1 subnet (subnet-9qwz4rtp)" in batch.evidence
