"""The cloud checks as a user meets them: `eks-doctor diagnose` with read-only credentials in the
environment, the SDK reaching the Tencent Cloud fake over real HTTP, the cluster on the emulator."""

from __future__ import annotations

import json

from tests.cloud.conftest import CLUSTER_ID, REGION, eks_cluster, route_table
from tests.kube_emulator import builders as b
from tests.tencent_fake.server import SECRET_ID, SECRET_KEY


def _config(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        f"clusters:\n  - name: prod-gz\n    region: {REGION}\n    cluster_id: {CLUSTER_ID}\ndefault_cluster: prod-gz\n"
    )
    return path


def _shop(kube):
    deploy = b.deployment("webhook-sender", "shop", replicas=1)
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    kube.add(b.pod(owner=deploy))


def _env(tencent, kubeconfig, tmp_path):
    return {
        "KUBECONFIG": str(kubeconfig),
        "EKS_DOCTOR_CONFIG": str(_config(tmp_path)),
        "TENCENTCLOUD_SECRET_ID": SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
        "EKS_DOCTOR_TENCENTCLOUD_ENDPOINT": tencent.endpoint,
    }


def _egress(result):
    payload = json.loads(result.stdout)
    return next(f for f in payload["findings"] if f["entry"] == "public-network-egress")


def test_diagnose_confirms_public_egress_from_the_route_table(cli, kube, kubeconfig, tencent, tmp_path):
    _shop(kube)
    eks_cluster(tencent)
    route_table(tencent)
    result = cli("diagnose", "shop/webhook-sender", "--json", env=_env(tencent, kubeconfig, tmp_path))
    egress = _egress(result)
    assert egress["verdict"] == "confirmed"
    assert any("rtb-sn0001" in line for line in egress["evidence"])
    assert result.exit_code == 1


def test_diagnose_rules_public_egress_out_with_a_route_to_an_available_nat_gateway(
    cli, kube, kubeconfig, tencent, tmp_path
):
    _shop(kube)
    eks_cluster(tencent)
    tencent.add_nat_gateway("nat-0a1b2c3d", state="AVAILABLE")
    route_table(tencent, default_to="nat-0a1b2c3d")
    result = cli("diagnose", "shop/webhook-sender", "--json", env=_env(tencent, kubeconfig, tmp_path))
    assert _egress(result)["verdict"] == "ruled_out"
