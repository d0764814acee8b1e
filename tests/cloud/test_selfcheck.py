"""`check_cloud_access`: the lines `eks-doctor selfcheck` shows for the cloud, from real answers."""

from __future__ import annotations

from bot.cloud.actions import all_cam_actions
from bot.cloud.selfcheck import Status, check_cloud_access
from bot.config import ClusterConfig
from tests.cloud.conftest import CLUSTER_ID, PROD, SUBNET, cloud_settings


def lines_of(result):
    return [(line.check, line.status) for line in result]


def tke_cluster(fake):
    fake.add_super_node_pool(CLUSTER_ID, "np-web", subnets=[SUBNET], nodes={"eklet-web-0": SUBNET})
    fake.add_security_group("sg-def00001", default=True)


def test_valid_credentials_and_every_action_allowed(tencent):
    tke_cluster(tencent)
    result = check_cloud_access(cloud_settings(tencent), PROD, timeout=2)
    assert lines_of(result) == [("Tencent Cloud credentials", Status.OK)] + [(a, Status.OK) for a in _probe_order()]
    assert result[0].detail == (
        f"accepted by {tencent.endpoint} in ap-guangzhou (TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)"
    )
    assert sorted(tencent.actions()) == all_cam_actions()  # each action asked once, nothing else
    node_probe = next(c for c in tencent.calls if c.action == "DescribeClusterVirtualNode")
    assert node_probe.params == {"ClusterId": CLUSTER_ID, "NodePoolId": "np-web"}


def test_a_missing_permission_is_red_and_named(tencent):
    tke_cluster(tencent)
    tencent.deny("vpc:DescribeNatGateways")
    result = {line.check: line for line in check_cloud_access(cloud_settings(tencent), PROD, timeout=2)}
    denied = result["vpc:DescribeNatGateways"]
    assert denied.status is Status.FAILED
    assert denied.detail.startswith("the Tencent Cloud credentials may not call vpc:DescribeNatGateways")
    assert result["vpc:DescribeRouteTables"].status is Status.OK
    assert result["Tencent Cloud credentials"].status is Status.OK


def test_an_action_the_api_answers_with_an_error_is_still_allowed(tencent):
    # An EKS cluster has no super node pools: TKE says the cluster is not found, but it did authorise the call.
    tencent.add_eks_cluster(CLUSTER_ID, subnets=[SUBNET])
    result = {line.check: line for line in check_cloud_access(cloud_settings(tencent), PROD, timeout=2)}
    pools = result["tke:DescribeClusterVirtualNodePools"]
    assert pools.status is Status.OK and "ResourceNotFound.ClusterNotFound" in pools.detail


def test_wrong_credentials_are_one_red_line(tencent):
    result = check_cloud_access(cloud_settings(tencent, TENCENTCLOUD_SECRET_KEY="wrong"), PROD, timeout=2)
    assert lines_of(result) == [("Tencent Cloud credentials", Status.FAILED)]
    assert "AuthFailure.SignatureFailure" in result[0].detail and "wrong" not in result[0].detail
    assert len(tencent.calls) == 1


def test_no_credentials_is_skipped_and_half_set_is_red(tencent):
    none = check_cloud_access(cloud_settings(tencent, TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None), PROD)
    assert lines_of(none) == [("Tencent Cloud credentials", Status.SKIPPED)]
    assert "the cloud checks are off" in none[0].detail
    half = check_cloud_access(cloud_settings(tencent, TENCENTCLOUD_SECRET_ID=None), PROD)
    assert lines_of(half) == [("Tencent Cloud credentials", Status.FAILED)]
    assert half[0].detail == "TENCENTCLOUD_SECRET_ID is not set (TENCENTCLOUD_SECRET_KEY is)"
    no_region = check_cloud_access(cloud_settings(tencent), ClusterConfig(name="lab", cluster_id=CLUSTER_ID))
    assert no_region[0].status is Status.FAILED and "has no region in EKS_DOCTOR_CONFIG" in no_region[0].detail
    assert tencent.calls == []


def test_an_unreachable_api_and_a_bad_endpoint_are_red(tencent):
    settings = cloud_settings(tencent)
    tencent.stop()
    down = check_cloud_access(settings, PROD, timeout=1)
    assert lines_of(down) == [("Tencent Cloud API reachable", Status.FAILED)]
    assert "refused the connection" in down[0].detail
    bad = check_cloud_access(cloud_settings(tencent, EKS_DOCTOR_TENCENTCLOUD_ENDPOINT="tencent:443"), PROD)
    assert lines_of(bad) == [("Tencent Cloud endpoint", Status.FAILED)]
    assert bad[0].as_dict()["detail"].startswith("EKS_DOCTOR_TENCENTCLOUD_ENDPOINT='tencent:443'")


def _probe_order():
    from bot.cloud.selfcheck import PROBES

    return [f"{product}:{action}" for product, action in PROBES]
