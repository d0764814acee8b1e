"""`eks-doctor fix` and `undo` against one copy of a scenario, the `kubectl patch` command they print
run by the real kubectl against another: the two clusters must end up with the same objects, so a
GitOps user pasting the command and a person pressing the button do the same thing."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.conftest import build_shop, load_shop
from tests.conformance.kubectl import Kubectl
from tests.kube_emulator import KubeEmulator

KUBECTL_LINE = re.compile(r"^\s*(kubectl patch .+?)\s*$", re.MULTILINE)
#: Fields each cluster sets for itself: never equal across two clusters.
PER_CLUSTER = ("resourceVersion", "uid", "creationTimestamp", "managedFields")

SCENARIOS = {
    # An annotation the workload lacks: the fix adds it, the undo removes it again (null).
    "deployment-gains-an-annotation": (
        "deploy/checkout", "deployments", "checkout", "grpc-connection-reset-ipvs-tcp", []
    ),
    # An annotation with a value: the undo must restore "5s", not remove it.
    "daemonset-value-raised": ("daemonset/node-agent", "daemonsets", "node-agent", "istio-dns-timeout-ipvs-udp", []),
    # A value chosen with --set, on a StatefulSet.
    "statefulset-value-chosen": (
        "statefulset/orders-db", "statefulsets", "orders-db", "port-9100-conflict", ["--set", "metrics-port=9120"]
    ),
}  # fmt: skip


@pytest.fixture
def twin(tmp_path: Path) -> Iterator[KubeEmulator]:
    """The second copy of the cluster, for kubectl."""
    with KubeEmulator() as emulator:
        yield emulator


def comparable(obj: dict[str, Any]) -> dict[str, Any]:
    obj = json.loads(json.dumps(obj))
    for key in PER_CLUSTER:
        obj["metadata"].pop(key, None)
    return obj


def printed_kubectl(output: str) -> list[str]:
    found = KUBECTL_LINE.findall(output)
    assert len(found) == 1, f"expected one `kubectl patch` line in:\n{output}"
    argv = shlex.split(found[0])
    assert argv[:2] == ["kubectl", "patch"]
    return argv[1:]


@pytest.mark.parametrize("case", list(SCENARIOS))
def test_fix_and_undo_equal_the_kubectl_commands_they_print(
    cli, kube: KubeEmulator, twin: KubeEmulator, kubectl_binary: str, tmp_path: Path, case: str
) -> None:
    workload, resource, name, entry, extra = SCENARIOS[case]
    objects = build_shop()
    load_shop(kube, objects)
    load_shop(twin, objects)
    env = {"KUBECONFIG": str(kube.write_kubeconfig(tmp_path / "doctor-kubeconfig"))}
    kubectl = Kubectl(kubectl_binary, twin.write_kubeconfig(tmp_path / "kubectl-kubeconfig"), tmp_path)
    original = comparable(kube.get_object(resource, "shop", name))
    assert comparable(twin.get_object(resource, "shop", name)) == original

    def both() -> tuple[dict[str, Any], dict[str, Any]]:
        return comparable(kube.get_object(resource, "shop", name)), comparable(twin.get_object(resource, "shop", name))

    # fix: the command printed by a dry run, by kubectl on the twin; the fix itself on the first copy.
    preview = cli("fix", workload, "-n", "shop", "--entry", entry, *extra, "--dry-run", env=env)
    assert preview.exit_code == 0, preview.stderr
    kubectl(*printed_kubectl(preview.stdout))
    fixed = cli("fix", workload, "-n", "shop", "--entry", entry, *extra, "--yes", "--json", env=env)
    assert fixed.exit_code == 0, fixed.stderr
    result = json.loads(fixed.stdout)
    assert result["status"] == "applied"
    doctor, by_hand = both()
    assert doctor == by_hand
    assert doctor != original
    template = doctor["spec"]["template"]["metadata"]["annotations"]
    assert all(template.get(key) == value for key, value in result["after"].items())

    # undo: the same again, back to where both started.
    action = result["action_id"]
    preview = cli("undo", action, "--dry-run", env=env)
    assert preview.exit_code == 0, preview.stderr
    kubectl(*printed_kubectl(preview.stdout))
    undone = cli("undo", action, "--yes", "--json", env=env)
    assert undone.exit_code == 0, undone.stderr
    assert json.loads(undone.stdout)["status"] == "applied"
    doctor, by_hand = both()
    assert doctor == by_hand
    assert doctor["spec"] == original["spec"]
    assert doctor["metadata"]["generation"] == original["metadata"]["generation"] + 2
