"""Writes: the three patch formats, server-side dry-run, conflicts and `auth can-i`.

For patches the oracle is kubectl itself: `kubectl patch --local` applies a patch on the client with
the real apimachinery code (strategic merge keys and directives included), so the emulator's
server-side result must equal it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cluster.kubeapi import Access, KubeApi
from tests.conformance.kubectl import Kubectl
from tests.kube_emulator import KubeEmulator

DEPLOYMENT = "/apis/apps/v1/namespaces/shop/deployments/checkout"
READ = Access("get", "deployments", "shop")
#: What the server sets on a write and a client-side patch cannot know.
SERVER_OWNED = ("resourceVersion", "generation", "managedFields")
TCP_TIMEOUT = "eks.tke.cloud.tencent.com/ipvs-tcp-timeout"
METRICS_PORT_POINTER = "eks.tke.cloud.tencent.com~1metrics-port"  # "/" escaped as JSON pointers do

PATCHES = {
    "merge-annotations": (
        "merge",
        {"spec": {"template": {"metadata": {"annotations": {"prometheus.io/scrape": None, TCP_TIMEOUT: "1800s"}}}}},
    ),
    "merge-replaces-lists": (
        "merge",
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "shop/app:2"}]}}}},
    ),
    "strategic-merges-containers-by-name": (
        "strategic",
        {"spec": {"template": {"spec": {"containers": [{"name": "istio-proxy", "image": "istio/proxyv2:1.21.0"}]}}}},
    ),
    "strategic-merges-env-and-ports": (
        "strategic",
        {"spec": {"template": {"spec": {"containers": [{
            "name": "app",
            "env": [{"name": "MODE", "value": "drain"}, {"name": "GOGC", "value": "50"}],
            "ports": [{"containerPort": 9090, "name": "grpc-main"}, {"containerPort": 8081}],
        }]}}}},
    ),
    "strategic-delete-directive": (
        "strategic",
        {"spec": {"template": {"spec": {"containers": [{"name": "istio-proxy", "$patch": "delete"}]}}}},
    ),
    "strategic-replace-directive": (
        "strategic",
        {"spec": {"template": {"metadata": {"labels": {"$patch": "replace", "app": "checkout", "v": "2"}}}}},
    ),
    "json-add-replace-remove": (
        "json",
        [
            {"op": "add", "path": "/spec/template/metadata/annotations/" + METRICS_PORT_POINTER, "value": "9110"},
            {"op": "replace", "path": "/spec/replicas", "value": 4},
            {"op": "remove", "path": "/spec/template/spec/containers/1"},
            {"op": "add", "path": "/spec/template/spec/containers/0/args", "value": ["--verbose"]},
        ],
    ),
    "json-test-move-copy": (
        "json",
        [
            {"op": "test", "path": "/spec/replicas", "value": 2},
            {"op": "copy", "from": "/metadata/labels/app", "path": "/spec/template/metadata/labels/copied"},
            {"op": "move", "from": "/spec/template/metadata/annotations", "path": "/metadata/annotations"},
        ],
    ),
}  # fmt: skip


def without_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    obj = json.loads(json.dumps(obj))
    for key in SERVER_OWNED:
        obj["metadata"].pop(key, None)
    return obj


def local_patch(kubectl: Kubectl, tmp_path: Path, obj: dict[str, Any], kind: str, patch: Any) -> dict[str, Any]:
    """What kubectl's own patch code makes of `obj` (no server involved)."""
    source = tmp_path / "object.yaml"
    source.write_text(yaml.safe_dump(obj))
    out = kubectl("patch", "-f", str(source), "--local", "--type", kind, "-p", json.dumps(patch), "-o", "json")
    return json.loads(out.stdout)


@pytest.mark.parametrize("case", list(PATCHES))
def test_patches_apply_as_kubectl_computes_them(
    kubectl: Kubectl, api: KubeApi, kube: KubeEmulator, shop, tmp_path: Path, case: str
) -> None:
    kind, patch = PATCHES[case]
    before = api.get(DEPLOYMENT, access=READ)
    expected = local_patch(kubectl, tmp_path, before, kind, patch)
    assert expected != before  # the case changes something

    served = json.loads(
        kubectl(
            "patch", "deployment", "checkout", "-n", "shop", "--type", kind, "-p", json.dumps(patch), "-o", "json"
        ).stdout
    )
    stored = api.get(DEPLOYMENT, access=READ)
    assert without_server_fields(served) == without_server_fields(expected)
    assert stored == served
    assert int(stored["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    spec_changed = expected["spec"] != before["spec"]
    assert stored["metadata"]["generation"] == before["metadata"]["generation"] + int(spec_changed)


@pytest.mark.parametrize("case", ["merge-annotations", "strategic-merges-env-and-ports", "json-add-replace-remove"])
def test_server_dry_run_answers_the_result_and_stores_nothing(
    kubectl: Kubectl, api: KubeApi, kube: KubeEmulator, shop, case: str
) -> None:
    kind, patch = PATCHES[case]
    before = api.get(DEPLOYMENT, access=READ)
    args = ("patch", "deployment", "checkout", "-n", "shop", "--type", kind, "-p", json.dumps(patch))
    kube.reset_requests()
    dry = json.loads(kubectl(*args, "--dry-run=server", "-o", "json").stdout)
    assert [r.query.get("dryRun") for r in kube.requests if r.method == "PATCH"] == ["All"]
    assert api.get(DEPLOYMENT, access=READ) == before

    real = json.loads(kubectl(*args, "-o", "json").stdout)
    assert without_server_fields(dry) == without_server_fields(real)
    assert dry["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_a_patch_that_changes_nothing_keeps_the_resource_version(kubectl: Kubectl, api: KubeApi, shop) -> None:
    before = api.get(DEPLOYMENT, access=READ)
    out = kubectl("patch", "deployment", "checkout", "-n", "shop", "--type", "merge", "-p", '{"spec":{"replicas":2}}')
    assert out.stdout.strip() == "deployment.apps/checkout patched (no change)"
    assert api.get(DEPLOYMENT, access=READ) == before


def test_a_stale_resource_version_is_a_409_conflict(kubectl: Kubectl, api: KubeApi, shop, tmp_path: Path) -> None:
    stale = api.get(DEPLOYMENT, access=READ)
    kubectl("annotate", "deployment", "checkout", "-n", "shop", "owner=payments")
    current = api.get(DEPLOYMENT, access=READ)
    assert current["metadata"]["resourceVersion"] != stale["metadata"]["resourceVersion"]
    conflict = (
        'Operation cannot be fulfilled on deployments.apps "checkout": the object '
        "has been modified; please apply your changes to the latest version and try again"
    )

    patch = {"metadata": {"resourceVersion": stale["metadata"]["resourceVersion"]}, "spec": {"replicas": 5}}
    patched = kubectl(
        "patch", "deployment", "checkout", "-n", "shop", "--type", "merge", "-p", json.dumps(patch), check=False
    )
    assert (patched.returncode, patched.stderr.strip()) == (1, f"Error from server (Conflict): {conflict}")

    source = tmp_path / "stale.yaml"
    source.write_text(yaml.safe_dump({**stale, "spec": {**stale["spec"], "replicas": 5}}))
    replaced = kubectl("replace", "-f", str(source), check=False)
    expected = f'Error from server (Conflict): error when replacing "{source}": {conflict}'
    assert (replaced.returncode, replaced.stderr.strip()) == (1, expected)
    assert api.get(DEPLOYMENT, access=READ) == current


def test_invalid_patches_are_refused_as_the_api_server_words_them(kubectl: Kubectl, api: KubeApi, shop) -> None:
    before = api.get(DEPLOYMENT, access=READ)
    selector = kubectl("patch", "deployment", "checkout", "-n", "shop", "--type", "merge",
                       "-p", '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}', check=False)  # fmt: skip
    assert selector.returncode == 1
    assert selector.stderr.startswith('The Deployment "checkout" is invalid: \n* ')
    assert "* spec.selector: Invalid value: " in selector.stderr and selector.stderr.endswith(": field is immutable\n")
    # A JSON patch that does not apply: kube-apiserver's generic 422, without the library's detail.
    missing = kubectl("patch", "deployment", "checkout", "-n", "shop", "--type", "json",
                      "-p", '[{"op":"remove","path":"/spec/paused"}]', check=False)  # fmt: skip
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        "The request is invalid: the server rejected our request due to an error in our request",
    )
    assert api.get(DEPLOYMENT, access=READ) == before


# -- auth can-i --------------------------------------------------------------------------------------


def test_auth_can_i_follows_the_rbac_rules_requests_meet(
    kubectl: Kubectl, api: KubeApi, kube: KubeEmulator, shop
) -> None:
    kube.deny("patch", "deployments", namespace="shop")
    kube.deny("get", "pods/log")

    def can(*args: str) -> tuple[str, int]:
        result = kubectl("auth", "can-i", *args, check=False)
        return result.stdout.strip(), result.returncode

    assert can("patch", "deployments", "-n", "shop") == ("no", 1)
    assert can("patch", "deployments.apps/checkout", "-n", "shop") == ("no", 1)
    assert can("patch", "deployments", "-n", "payments") == ("yes", 0)
    assert can("get", "deployments", "-n", "shop") == ("yes", 0)
    assert can("get", "pods", "--subresource=log", "-n", "shop") == ("no", 1)
    assert can("get", "pods", "-n", "shop") == ("yes", 0)

    # What `can-i` predicts is what the requests meet.
    refused = kubectl("patch", "deployment", "checkout", "-n", "shop", "-p", '{"spec":{"replicas":3}}', check=False)
    assert refused.returncode == 1 and "(Forbidden)" in refused.stderr
    pod = shop["pod"]["metadata"]["name"]
    logs = kubectl("logs", pod, "-n", "shop", "-c", "app", check=False)
    assert logs.returncode == 1 and 'cannot get resource "pods/log"' in logs.stderr
    assert api.get(DEPLOYMENT, access=READ)["spec"]["replicas"] == 2
