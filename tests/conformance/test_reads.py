"""Reads: discovery, objects and lists, paging, describe, logs and events, as kubectl sees them and
as the product's client reads them from the same emulator."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cluster.kubeapi import Access, ApiRefused, KubeApi
from tests.conformance.kubectl import Kubectl
from tests.kube_emulator import KubeEmulator
from tests.kube_emulator import builders as b

#: Every kind the product reads (DESIGN.md, "Kubernetes permissions"): scenario key -> kubectl name, API path.
KINDS = {
    "namespace": ("namespace", "/api/v1/namespaces"),
    "pod": ("pod", "/api/v1/namespaces/shop/pods"),
    "event": ("event", "/api/v1/namespaces/shop/events"),
    "service": ("service", "/api/v1/namespaces/shop/services"),
    "deployment": ("deployment.apps", "/apis/apps/v1/namespaces/shop/deployments"),
    "statefulset": ("statefulset.apps", "/apis/apps/v1/namespaces/shop/statefulsets"),
    "daemonset": ("daemonset.apps", "/apis/apps/v1/namespaces/shop/daemonsets"),
    "replicaset": ("replicaset.apps", "/apis/apps/v1/namespaces/shop/replicasets"),
    "job": ("job.batch", "/apis/batch/v1/namespaces/shop/jobs"),
    "cronjob": ("cronjob.batch", "/apis/batch/v1/namespaces/shop/cronjobs"),
}
PRODUCT_READS = {"pods", "pods/log", "events", "namespaces", "services", "deployments", "statefulsets",
                 "daemonsets", "jobs", "cronjobs", "replicasets"}  # fmt: skip
READ = Access("get", "conformance")


def scenario_object(shop: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    return shop["backoff" if key == "event" else key]


def name_of(obj: dict[str, Any]) -> str:
    return obj["metadata"]["name"]


# -- discovery ---------------------------------------------------------------------------------------


def test_api_resources_lists_what_the_python_client_discovers(kubectl: Kubectl, api: KubeApi, kube) -> None:
    listed = set(kubectl("api-resources", "-o", "name").stdout.split())

    discovered: set[str] = set()
    groups = ["v1"] + [g["preferredVersion"]["groupVersion"] for g in api.get("/apis", access=READ)["groups"]]
    for group_version in groups:
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        group = group_version.rpartition("/")[0]
        for resource in api.get(path, access=READ)["resources"]:
            if "/" not in resource["name"]:  # subresources are not listed by kubectl
                discovered.add(f"{resource['name']}.{group}" if group else resource["name"])
    assert listed == discovered
    served = {name.partition(".")[0] for name in listed}
    assert PRODUCT_READS - {"pods/log"} <= served
    assert "pods/log" in {r["name"] for r in api.get("/api/v1", access=READ)["resources"]}


def test_short_names_and_categories_resolve_as_on_a_cluster(kubectl: Kubectl, shop) -> None:
    names = kubectl("get", "deploy,sts,ds,rs,cj,job,po,svc", "-n", "shop", "-o", "name").stdout.split()
    assert "deployment.apps/checkout" in names and "cronjob.batch/report" in names and "service/checkout" in names
    everything = kubectl("get", "all", "-n", "shop", "-o", "name").stdout.split()
    assert set(names) == set(everything)  # `all` is every kind in the category; events are not in it
    assert kubectl("get", "ns", "shop", "-o", "name").stdout.strip() == "namespace/shop"


def test_server_version(kubectl: Kubectl, kube: KubeEmulator, api: KubeApi) -> None:
    server = kubectl.json("version")["serverVersion"]
    assert server == api.get("/version", access=READ)


# -- objects and lists -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(KINDS))
def test_get_yaml_of_every_kind_is_what_the_python_client_reads(kubectl: Kubectl, api: KubeApi, shop, key: str) -> None:
    resource, path = KINDS[key]
    name = name_of(scenario_object(shop, key))
    namespaced = key != "namespace"
    shown = kubectl.yaml("get", resource, name, *(["-n", "shop"] if namespaced else []))
    read = api.get(f"{path}/{name}", access=READ)
    assert shown == read
    assert shown["kind"] and shown["apiVersion"] and shown["metadata"]["resourceVersion"]


@pytest.mark.parametrize("key", [k for k in KINDS if k != "namespace"])
def test_lists_hold_the_same_items(kubectl: Kubectl, api: KubeApi, shop, key: str) -> None:
    resource, path = KINDS[key]
    shown = kubectl.json("get", resource, "-n", "shop")
    read = list(api.items(path, access=READ))
    # kubectl fills in each item's kind and apiVersion; the wire carries them on the list only.
    assert [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")} for item in shown["items"]] == read
    assert {item["kind"] for item in shown["items"]} == {scenario_object(shop, key)["kind"]}


def test_chunked_get_pages_like_the_python_client(kubectl: Kubectl, api: KubeApi, kube: KubeEmulator) -> None:
    kube.add_many(b.pod(f"web-{n:02d}", "paging", labels={"app": "web"}) for n in range(8))
    kube.add(b.pod("db-0", "paging", labels={"app": "db"}))

    kube.reset_requests()
    shown = kubectl("get", "pods", "-n", "paging", "-l", "app=web", "--chunk-size=3", "-o", "name").stdout.split()
    kubectl_pages = [r.query for r in kube.requests if r.path == "/api/v1/namespaces/paging/pods"]
    kube.reset_requests()
    query = [("labelSelector", "app=web")]
    read = [name_of(p) for p in api.items("/api/v1/namespaces/paging/pods", access=READ, query=query, page_size=3)]
    python_pages = [r.query for r in kube.requests]

    assert shown == [f"pod/{name}" for name in read] == [f"pod/web-{n:02d}" for n in range(8)]
    assert [p["limit"] for p in kubectl_pages] == ["3", "3", "3"]
    assert [bool(p.get("continue")) for p in kubectl_pages] == [False, True, True]
    assert [(p["limit"], "continue" in p) for p in python_pages] == [
        (p["limit"], "continue" in p) for p in kubectl_pages
    ]


# -- describe ----------------------------------------------------------------------------------------


def test_describe_pod_shows_states_and_its_events(kubectl: Kubectl, shop) -> None:
    out = kubectl("describe", "pod", name_of(shop["pod"]), "-n", "shop").stdout
    assert "Controlled By:  ReplicaSet/" + name_of(shop["replicaset"]) in out
    assert "CrashLoopBackOff" in out and "OOMKilled" in out and "Restart Count:  7" in out
    assert "istio/proxyv2:1.20.0" in out and "9090/TCP" in out
    # Events come from a field-selected list (involvedObject name, namespace, kind and uid).
    assert "Back-off restarting failed container app" in out and "Memory cgroup out of memory" in out
    assert "Successfully assigned" not in out  # the other pod's event


@pytest.mark.parametrize("key", [k for k in KINDS if k not in ("event",)])
def test_describe_every_kind(kubectl: Kubectl, shop, key: str) -> None:
    resource = KINDS[key][0]
    name = name_of(scenario_object(shop, key))
    out = kubectl("describe", resource, name, *(["-n", "shop"] if key != "namespace" else [])).stdout
    assert out.splitlines()[0].split() == ["Name:", name]


def test_describe_deployment_finds_its_replicaset_by_selector(kubectl: Kubectl, shop) -> None:
    out = kubectl("describe", "deployment", "checkout", "-n", "shop").stdout
    assert f"NewReplicaSet:   {name_of(shop['replicaset'])} (2/2 replicas created)" in out
    assert "Scaled up replica set checkout-6d4f8 to 2" in out


# -- logs and events ---------------------------------------------------------------------------------


def test_logs_tail_and_previous(kubectl: Kubectl, api: KubeApi, shop) -> None:
    pod = name_of(shop["pod"])
    path = f"/api/v1/namespaces/shop/pods/{pod}/log"
    shown = kubectl("logs", pod, "-n", "shop", "-c", "app", "--tail", "3").stdout
    assert (
        shown
        == api.text(path, access=READ, query=[("container", "app"), ("tailLines", 3)])
        == "line 5\nline 6\nline 7\n"
    )
    previous = kubectl("logs", pod, "-n", "shop", "-c", "app", "--previous").stdout
    assert previous == api.text(path, access=READ, query=[("container", "app"), ("previous", "true")])
    assert "OutOfMemoryError" in previous


def test_logs_of_a_container_that_never_started_is_the_same_error(kubectl: Kubectl, api: KubeApi, kube) -> None:
    kube.add(b.pod("pending-1", "shop", phase="Pending", waiting_reason="ContainerCreating"))
    result = kubectl("logs", "pending-1", "-n", "shop", check=False)
    with pytest.raises(ApiRefused) as refused:
        api.text("/api/v1/namespaces/shop/pods/pending-1/log", access=READ)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error from server (BadRequest): {refused.value.message}"
    assert refused.value.status == 400


def test_events_by_field_selector(kubectl: Kubectl, api: KubeApi, shop) -> None:
    selector = f"involvedObject.name={name_of(shop['pod'])},type=Warning"
    shown = kubectl.json("get", "events", "-n", "shop", "--field-selector", selector)
    read = list(api.items("/api/v1/namespaces/shop/events", access=READ, query=[("fieldSelector", selector)]))
    assert [name_of(e) for e in shown["items"]] == [name_of(e) for e in read]
    assert sorted(e["reason"] for e in read) == ["BackOff", "OOMKilling"]
    bad = kubectl("get", "events", "-n", "shop", "--field-selector", "involvedObject.colour=red", check=False)
    assert bad.returncode == 1
    assert "field label not supported: involvedObject.colour" in bad.stderr


# -- errors --------------------------------------------------------------------------------------------


def test_missing_and_forbidden_objects_read_the_same(kubectl: Kubectl, api: KubeApi, kube: KubeEmulator, shop) -> None:
    missing = kubectl("get", "deployment", "nowhere", "-n", "shop", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): deployments.apps "nowhere" not found'
    assert api.get("/apis/apps/v1/namespaces/shop/deployments/nowhere", access=READ) is None

    kube.deny("list", "pods", namespace="shop")
    forbidden = kubectl("get", "pods", "-n", "shop", check=False)
    assert forbidden.returncode == 1
    assert forbidden.stderr.strip() == (
        f'Error from server (Forbidden): pods is forbidden: User "{kube.user}" cannot list resource "pods" '
        'in API group "" in the namespace "shop"'
    )


def test_kubectl_trusts_the_kubeconfig_with_a_token_or_a_client_certificate(
    kubectl: Kubectl, kube: KubeEmulator, tmp_path
) -> None:
    with_cert = kubectl.with_kubeconfig(kube.write_kubeconfig(tmp_path / "cert", client_certificate=True))
    assert with_cert("get", "namespace", "default", "-o", "name").stdout.strip() == "namespace/default"
    assert kubectl("get", "namespace", "default", "-o", "name").stdout.strip() == "namespace/default"

    stranger = kubectl.with_kubeconfig(kube.write_kubeconfig(tmp_path / "wrong", token="not-the-token"))
    refused = stranger("get", "namespace", "default", check=False)
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        "error: You must be logged in to the server (Unauthorized)",
    )
