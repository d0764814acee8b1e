"""How EKS Doctor connects to a cluster: TLS as real clusters serve it, and recovery after an outage.

Every kubeconfig here is a real file and every request crosses a real TLS socket to the emulator;
the product's client is built exactly as the CLI builds it (`bot.cluster.kubeapi.connect`).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from bot.cluster.kubeapi import Access, connect
from bot.errors import ClusterPermissionError, ClusterUnreachableError
from tests.kube_emulator import KubeEmulator
from tests.kube_emulator import builders as b
from tests.kube_emulator.tls import ClusterTLS, session_tls

NAMESPACE = Access("get", "namespaces")


def read_namespace(kubeconfig: Path, name: str = "default", **kwargs) -> dict:
    api = connect(context=None, timeout=3.0, kubeconfig=kubeconfig, **kwargs)
    found = api.get(f"/api/v1/namespaces/{name}", access=NAMESPACE)
    assert found is not None
    return found


def edit(kubeconfig: Path, change) -> Path:
    config = yaml.safe_load(kubeconfig.read_text())
    change(config)
    kubeconfig.write_text(yaml.safe_dump(config))
    return kubeconfig


@pytest.fixture
def shop(kube: KubeEmulator) -> KubeEmulator:
    deploy = b.deployment("checkout", "shop")
    kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    return kube


# -- TLS ---------------------------------------------------------------------------------------------


def test_the_emulator_serves_https_with_the_ca_in_the_kubeconfig(kube: KubeEmulator, kubeconfig: Path) -> None:
    cluster = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]
    assert cluster["server"].startswith("https://127.0.0.1:")
    assert "insecure-skip-tls-verify" not in cluster
    assert read_namespace(kubeconfig)["metadata"]["name"] == "default"


def test_a_client_certificate_authenticates_without_a_token(kube: KubeEmulator, tmp_path: Path) -> None:
    with_cert = kube.write_kubeconfig(tmp_path / "cert", client_certificate=True)
    user = yaml.safe_load(with_cert.read_text())["users"][0]["user"]
    assert set(user) == {"client-certificate-data", "client-key-data"}
    assert read_namespace(with_cert)["metadata"]["name"] == "default"

    without = edit(kube.write_kubeconfig(tmp_path / "none"), lambda c: c["users"][0].update(user={}))
    with pytest.raises(ClusterPermissionError, match="rejected the bot's credentials"):
        read_namespace(without)


@pytest.mark.parametrize(
    ("server_tls", "expected"),
    [
        # Same CA, but the certificate names another host: someone else's server at this address.
        (lambda: ClusterTLS(hosts=("api.other-cluster.example",), ca=session_tls().ca), "not valid for '127.0.0.1'"),
        # A certificate from a CA the kubeconfig does not carry.
        (lambda: ClusterTLS(), "certificate chain"),
    ],
    ids=["hostname-mismatch", "unknown-ca"],
)
def test_a_server_whose_certificate_does_not_match_is_exit_3_naming_context_and_host(
    cli, tmp_path: Path, server_tls, expected: str
) -> None:
    with KubeEmulator(tls=server_tls()) as impostor:
        deploy = b.deployment("checkout", "shop")
        impostor.add_many([deploy, b.pod(owner=deploy)])
        kubeconfig = impostor.write_kubeconfig(
            tmp_path / "kubeconfig", context="prod-gz", namespace="shop", certificate_authority=session_tls().ca_pem
        )
        result = cli("diagnose", "deploy/checkout", env={"KUBECONFIG": str(kubeconfig)})
        requests = impostor.requests

    assert result.exit_code == 3
    assert "Traceback" not in result.stderr + result.stdout
    message = " ".join(result.stderr.split())  # the console may wrap a long line
    assert message.startswith(f"error: the cluster at {impostor.url} (context prod-gz)")
    assert "TLS certificate the kubeconfig does not trust" in message and expected in message
    assert "certificate-authority-data" in message
    assert requests == []  # verification failed before any request was sent


def test_a_kubeconfig_without_the_ca_is_refused_not_trusted_blindly(cli, shop: KubeEmulator, tmp_path: Path) -> None:
    """No certificate-authority-data: the system's CAs do not know the cluster's, so verification fails."""
    kubeconfig = edit(
        shop.write_kubeconfig(tmp_path / "kubeconfig", namespace="shop"),
        lambda c: c["clusters"][0]["cluster"].pop("certificate-authority-data"),
    )
    result = cli("diagnose", "deploy/checkout", env={"KUBECONFIG": str(kubeconfig)})
    assert result.exit_code == 3
    assert "does not trust" in result.stderr and "context emulator" in result.stderr
    assert shop.requests == []


# -- recovery after an outage ------------------------------------------------------------------------


def test_the_same_client_recovers_when_the_cluster_comes_back(kube: KubeEmulator, kubeconfig: Path) -> None:
    api = connect(context=None, timeout=2.0, kubeconfig=kubeconfig, down_window=0.5)
    assert api.get("/api/v1/namespaces/default", access=NAMESPACE) is not None

    kube.stop()
    with pytest.raises(ClusterUnreachableError, match="connection refused") as first:
        api.get("/api/v1/namespaces/default", access=NAMESPACE)
    kube.restart()
    kube.reset_requests()

    # Within the window: fail fast with the same error, without a request (one outage, one wait).
    with pytest.raises(ClusterUnreachableError) as fast:
        api.get("/api/v1/namespaces/kube-system", access=NAMESPACE)
    assert fast.value is first.value
    assert kube.requests == []

    time.sleep(0.6)
    assert api.get("/api/v1/namespaces/kube-system", access=NAMESPACE)["metadata"]["name"] == "kube-system"
    assert [r.path for r in kube.requests] == ["/api/v1/namespaces/kube-system"]


def test_reset_tries_the_cluster_again_at_once(kube: KubeEmulator, kubeconfig: Path) -> None:
    api = connect(context=None, timeout=2.0, kubeconfig=kubeconfig)  # the default window: seconds
    kube.stop()
    with pytest.raises(ClusterUnreachableError):
        api.get("/api/v1/namespaces/default", access=NAMESPACE)
    kube.restart()
    with pytest.raises(ClusterUnreachableError):
        api.get("/api/v1/namespaces/default", access=NAMESPACE)

    api.reset()
    assert api.get("/api/v1/namespaces/default", access=NAMESPACE)["metadata"]["name"] == "default"


def test_a_cluster_still_down_after_the_window_is_tried_again_and_fails_again(
    kube: KubeEmulator, kubeconfig: Path
) -> None:
    api = connect(context=None, timeout=2.0, kubeconfig=kubeconfig, down_window=0.2)
    kube.stop()
    with pytest.raises(ClusterUnreachableError) as first:
        api.get("/api/v1/namespaces/default", access=NAMESPACE)
    time.sleep(0.3)
    with pytest.raises(ClusterUnreachableError, match="connection refused") as second:
        api.get("/api/v1/namespaces/default", access=NAMESPACE)
    assert second.value is not first.value  # a new attempt, not the remembered failure
