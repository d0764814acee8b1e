"""The emulator, proven through the official `kubernetes` client over real HTTPS and a real kubeconfig.

Whatever the product relies on (selectors, paging, metadata-only lists, dry-run patches, conflicts,
RBAC and error wording, logs, events, an unreachable cluster) is asserted here the way the product
will observe it, so a product test that passes against the emulator means something.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
from kubernetes import config, watch
from kubernetes.client import ApiClient, AppsV1Api, BatchV1Api, CoreV1Api, VersionApi
from kubernetes.client.exceptions import ApiException

from tests.kube_emulator import KubeEmulator
from tests.kube_emulator import builders as b
from tests.kube_emulator.patching import PatchError, json_patch, merge_patch, strategic_merge_patch
from tests.kube_emulator.resources import PODS
from tests.kube_emulator.selectors import parse_field_selector, parse_label_selector

METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
TEMPLATE_ANNOTATION = "eks.tke.cloud.tencent.com/pod-eip-reserve-time"


@pytest.fixture
def api(kubeconfig: Path) -> Iterator[ApiClient]:
    client = config.new_client_from_config(config_file=str(kubeconfig), context="emulator")
    yield client
    client.close()


@pytest.fixture
def core(api: ApiClient) -> CoreV1Api:
    return CoreV1Api(api)


@pytest.fixture
def apps(api: ApiClient) -> AppsV1Api:
    return AppsV1Api(api)


@pytest.fixture
def shop(kube: KubeEmulator) -> dict:
    """A Deployment `checkout` in `shop` with its ReplicaSet and two pods, one crash-looping."""
    deploy = b.deployment(
        "checkout",
        "shop",
        containers=[b.container("app", ports=[8080]), b.container("istio-proxy", "istio/proxyv2:1.20.0")],
        template_annotations={TEMPLATE_ANNOTATION: "1h", "keep": "me"},
        replicas=2,
    )
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    kube.add_many([deploy, b.replicaset_for(deploy)])
    healthy = b.pod("checkout-6d4f8-aaaaa", owner=deploy)
    crashing = b.pod(
        "checkout-6d4f8-bbbbb",
        owner=deploy,
        phase="Running",
        waiting_reason="CrashLoopBackOff",
        restart_count=7,
        last_terminated={"reason": "OOMKilled", "exitCode": 137},
    )
    kube.add_many([healthy, crashing])
    return {"deployment": deploy, "healthy": healthy, "crashing": crashing}


def _error(exc_info: pytest.ExceptionInfo[ApiException]) -> dict:
    return json.loads(exc_info.value.body)


# -- reads -----------------------------------------------------------------------------------------


def test_list_objects_carry_kubernetes_list_metadata(kube: KubeEmulator, core: CoreV1Api, shop: dict) -> None:
    pods = core.list_namespaced_pod("shop")

    assert [p.metadata.name for p in pods.items] == ["checkout-6d4f8-aaaaa", "checkout-6d4f8-bbbbb"]
    assert pods.kind == "PodList" and pods.api_version == "v1"
    assert pods.metadata.resource_version == kube.resource_version
    first = pods.items[0]
    assert first.metadata.uid and first.metadata.creation_timestamp and first.metadata.resource_version
    assert first.metadata.owner_references[0].kind == "ReplicaSet"
    crashing = pods.items[1].status.container_statuses[0]
    assert crashing.state.waiting.reason == "CrashLoopBackOff"
    assert crashing.restart_count == 7
    assert crashing.last_state.terminated.reason == "OOMKilled"


def test_list_with_label_selectors(kube: KubeEmulator, core: CoreV1Api) -> None:
    kube.add_many(
        [
            b.pod("web-1", "shop", labels={"tier": "web", "track": "stable"}),
            b.pod("web-2", "shop", labels={"tier": "web", "track": "canary"}),
            b.pod("api-1", "shop", labels={"tier": "api"}),
            b.pod("db-1", "shop", labels={"tier": "db", "version": "12"}),
            b.pod("web-9", "other", labels={"tier": "web"}),
        ]
    )

    def names(selector: str, namespace: str | None = "shop") -> list[str]:
        if namespace is None:
            found = core.list_pod_for_all_namespaces(label_selector=selector)
        else:
            found = core.list_namespaced_pod(namespace, label_selector=selector)
        return [p.metadata.name for p in found.items]

    assert names("tier=web") == ["web-1", "web-2"]
    assert names("tier==web,track!=canary") == ["web-1"]
    assert names("tier in (web, api)") == ["api-1", "web-1", "web-2"]
    assert names("tier notin (web),!version") == ["api-1"]
    assert names("track") == ["web-1", "web-2"]
    assert names("version>10") == ["db-1"]
    assert names("tier=web", namespace=None) == ["web-9", "web-1", "web-2"]  # ordered by namespace/name
    with pytest.raises(ApiException) as exc_info:
        names("tier in web")
    assert exc_info.value.status == 400


def test_list_with_field_selectors(kube: KubeEmulator, core: CoreV1Api) -> None:
    kube.add_many(
        [
            b.pod("running", "shop"),
            b.pod("pending", "shop", phase="Pending"),
            b.pod("failed", "shop", phase="Failed", node_name="eklet-subnet-other"),
        ]
    )

    def names(selector: str) -> list[str]:
        return [p.metadata.name for p in core.list_namespaced_pod("shop", field_selector=selector).items]

    assert names("status.phase=Running") == ["running"]
    assert names("status.phase!=Running") == ["failed", "pending"]
    assert names("spec.nodeName=") == ["pending"]  # unscheduled pods: the quota check's query
    assert names("spec.nodeName==eklet-subnet-other,metadata.name=failed") == ["failed"]
    assert [n.metadata.name for n in core.list_namespace(field_selector="metadata.name=shop").items] == ["shop"]
    with pytest.raises(ApiException) as exc_info:
        names("spec.containers=app")
    assert exc_info.value.status == 400
    assert _error(exc_info)["message"] == "field label not supported: spec.containers"


def test_paging_visits_every_object_exactly_once(kube: KubeEmulator, core: CoreV1Api) -> None:
    expected = []
    pods = []
    for ns in ("alpha", "beta", "gamma", "zeta"):
        for i in range(23):
            pods.append(b.pod(f"pod-{i:03d}", ns, labels={"odd": str(i % 2)}))
            expected.append((ns, f"pod-{i:03d}"))
    kube.add_many(reversed(pods))

    seen: list[tuple[str, str]] = []
    token = None
    pages = 0
    while True:
        page = core.list_pod_for_all_namespaces(limit=10, _continue=token)
        pages += 1
        seen += [(p.metadata.namespace, p.metadata.name) for p in page.items]
        token = page.metadata.var_continue
        if not token:
            break
    assert seen == expected
    assert pages == 10  # 92 pods, 10 per page, no empty trailing page

    odd: list[str] = []
    token = None
    while True:
        page = core.list_namespaced_pod("beta", label_selector="odd=1", limit=4, _continue=token)
        assert len(page.items) <= 4
        odd += [p.metadata.name for p in page.items]
        token = page.metadata.var_continue
        if not token:
            break
    assert odd == [f"pod-{i:03d}" for i in range(1, 23, 2)]

    with pytest.raises(ApiException) as exc_info:
        core.list_pod_for_all_namespaces(limit=10, _continue="not-a-token")
    assert exc_info.value.status == 400


def test_metadata_only_list_has_no_spec(api: ApiClient, core: CoreV1Api, shop: dict) -> None:
    request = api.param_serialize(
        method="GET",
        resource_path="/api/v1/pods",
        query_params=[("limit", 1)],
        header_params={"Accept": METADATA_LIST},
        auth_settings=["BearerToken"],
    )
    response = api.call_api(*request)
    response.read()
    body = json.loads(response.data)

    assert response.status == 200
    assert body["kind"] == "PartialObjectMetadataList" and body["apiVersion"] == "meta.k8s.io/v1"
    assert body["metadata"]["continue"] and body["metadata"]["resourceVersion"]
    (item,) = body["items"]
    assert item["kind"] == "PartialObjectMetadata" and item["apiVersion"] == "meta.k8s.io/v1"
    assert set(item) == {"kind", "apiVersion", "metadata"}
    assert item["metadata"]["name"] == "checkout-6d4f8-aaaaa" and item["metadata"]["labels"]["app"] == "checkout"

    # The generated methods' way: custom Accept header, raw response.
    raw = core.list_pod_for_all_namespaces(_headers={"Accept": METADATA_LIST}, _preload_content=False)
    items = json.loads(raw.data)["items"]
    assert len(items) == 2 and all("spec" not in i and "status" not in i for i in items)

    one = core.read_namespaced_pod(
        "checkout-6d4f8-aaaaa",
        "shop",
        _headers={"Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"},
        _preload_content=False,
    )
    assert json.loads(one.data)["kind"] == "PartialObjectMetadata"


def test_not_found_status(apps: AppsV1Api) -> None:
    with pytest.raises(ApiException) as exc_info:
        apps.read_namespaced_deployment("checkout", "shop")

    assert exc_info.value.status == 404
    status = _error(exc_info)
    assert status["kind"] == "Status" and status["reason"] == "NotFound" and status["code"] == 404
    assert status["message"] == 'deployments.apps "checkout" not found'
    assert status["details"] == {"name": "checkout", "group": "apps", "kind": "deployments"}


def test_events_by_involved_object(kube: KubeEmulator, core: CoreV1Api, shop: dict) -> None:
    crashing = shop["crashing"]
    kube.add_many(
        [
            b.event(crashing, "BackOff", "Back-off restarting failed container app", field_path="spec.containers{app}"),
            b.event(shop["healthy"], "Pulled", "Successfully pulled image", type="Normal"),
            b.event(shop["deployment"], "ScalingReplicaSet", "Scaled up replica set", type="Normal"),
        ]
    )
    selector = (
        f"involvedObject.kind=Pod,involvedObject.name={crashing['metadata']['name']},involvedObject.namespace=shop"
    )

    events = core.list_namespaced_event("shop", field_selector=selector).items

    assert [(e.reason, e.type, e.source.component) for e in events] == [("BackOff", "Warning", "kubelet")]
    assert events[0].involved_object.uid == crashing["metadata"]["uid"]
    warnings = core.list_event_for_all_namespaces(field_selector="type=Warning,reason=BackOff").items
    assert len(warnings) == 1
    deployment_uid = shop["deployment"]["metadata"]["uid"]
    by_uid = core.list_namespaced_event("shop", field_selector=f"involvedObject.uid={deployment_uid}")
    assert [e.reason for e in by_uid.items] == ["ScalingReplicaSet"]


def test_pod_logs(kube: KubeEmulator, core: CoreV1Api, shop: dict) -> None:
    name = "checkout-6d4f8-aaaaa"
    kube.set_logs("shop", name, "app", "".join(f"line {i}\n" for i in range(1, 11)))
    kube.set_logs("shop", name, "app", "panic: out of memory\n", previous=True)

    assert core.read_namespaced_pod_log(name, "shop", container="app", tail_lines=2) == "line 9\nline 10\n"
    assert core.read_namespaced_pod_log(name, "shop", container="app", limit_bytes=6) == "line 1"
    assert core.read_namespaced_pod_log(name, "shop", container="app", previous=True) == "panic: out of memory\n"
    assert core.read_namespaced_pod_log(name, "shop", container="istio-proxy") == ""  # running, no output

    with pytest.raises(ApiException) as exc_info:
        core.read_namespaced_pod_log(name, "shop")
    assert exc_info.value.status == 400
    assert "a container name must be specified for pod checkout-6d4f8-aaaaa" in _error(exc_info)["message"]
    with pytest.raises(ApiException) as exc_info:
        core.read_namespaced_pod_log("checkout-6d4f8-bbbbb", "shop", container="app")
    assert _error(exc_info)["message"] == (
        'container "app" in pod "checkout-6d4f8-bbbbb" is waiting to start: CrashLoopBackOff'
    )
    with pytest.raises(ApiException) as exc_info:
        core.read_namespaced_pod_log(name, "shop", container="istio-proxy", previous=True)
    assert "previous terminated container" in _error(exc_info)["message"]


def test_watch_is_a_one_shot_snapshot(kube: KubeEmulator, core: CoreV1Api, shop: dict) -> None:
    events = list(watch.Watch().stream(core.list_namespaced_pod, "shop", timeout_seconds=1))

    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("ADDED", "checkout-6d4f8-aaaaa"),
        ("ADDED", "checkout-6d4f8-bbbbb"),
    ]


def test_discovery_and_version(api: ApiClient) -> None:
    assert VersionApi(api).get_code().git_version.startswith("v1.30")
    for path in ("/api", "/apis", "/apis/apps/v1"):
        response = api.call_api(*api.param_serialize("GET", path, auth_settings=["BearerToken"]))
        response.read()
        assert response.status == 200 and json.loads(response.data)["kind"]


# -- writes ----------------------------------------------------------------------------------------


def _template_patch(value: str | None) -> dict:
    return {"spec": {"template": {"metadata": {"annotations": {TEMPLATE_ANNOTATION: value}}}}}


def test_dry_run_patch_returns_patched_object_and_stores_nothing(
    kube: KubeEmulator, apps: AppsV1Api, shop: dict
) -> None:
    before = kube.get_object("deployments", "shop", "checkout")
    rv_before = kube.resource_version

    patched = apps.patch_namespaced_deployment("checkout", "shop", _template_patch("24h"), dry_run="All")

    assert patched.spec.template.metadata.annotations[TEMPLATE_ANNOTATION] == "24h"
    assert kube.get_object("deployments", "shop", "checkout") == before
    assert kube.resource_version == rv_before
    assert patched.metadata.resource_version == before["metadata"]["resourceVersion"]


def test_patch_changes_only_the_annotation(kube: KubeEmulator, apps: AppsV1Api, shop: dict) -> None:
    before = kube.get_object("deployments", "shop", "checkout")

    patched = apps.patch_namespaced_deployment("checkout", "shop", _template_patch("24h"))

    after = kube.get_object("deployments", "shop", "checkout")
    assert patched.metadata.resource_version == after["metadata"]["resourceVersion"]
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert after["spec"]["template"]["metadata"]["annotations"] == {TEMPLATE_ANNOTATION: "24h", "keep": "me"}
    for obj in (before, after):
        obj["spec"]["template"]["metadata"].pop("annotations")
        for key in ("resourceVersion", "generation"):
            obj["metadata"].pop(key)
    assert after == before

    unchanged = apps.patch_namespaced_deployment("checkout", "shop", _template_patch("24h"))
    assert unchanged.metadata.resource_version == patched.metadata.resource_version  # no-op: no new version


def test_merge_patch_null_removes_a_key(kube: KubeEmulator, apps: AppsV1Api, shop: dict) -> None:
    apps.patch_namespaced_deployment(
        "checkout", "shop", _template_patch(None), _content_type="application/merge-patch+json"
    )

    annotations = kube.get_object("deployments", "shop", "checkout")["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"keep": "me"}


def test_stale_resource_version_is_a_conflict(kube: KubeEmulator, apps: AppsV1Api, shop: dict) -> None:
    stale = kube.get_object("deployments", "shop", "checkout")["metadata"]["resourceVersion"]
    apps.patch_namespaced_deployment("checkout", "shop", _template_patch("2h"))
    body = _template_patch("3h")
    body["metadata"] = {"resourceVersion": stale}

    with pytest.raises(ApiException) as exc_info:
        apps.patch_namespaced_deployment("checkout", "shop", body)

    assert exc_info.value.status == 409
    status = _error(exc_info)
    assert status["reason"] == "Conflict"
    assert status["message"].startswith('Operation cannot be fulfilled on deployments.apps "checkout"')
    current = kube.get_object("deployments", "shop", "checkout")
    assert current["spec"]["template"]["metadata"]["annotations"][TEMPLATE_ANNOTATION] == "2h"

    replacement = apps.read_namespaced_deployment("checkout", "shop")
    replacement.metadata.resource_version = stale
    with pytest.raises(ApiException) as exc_info:
        apps.replace_namespaced_deployment("checkout", "shop", replacement)
    assert exc_info.value.status == 409


def test_json_patch_and_strategic_merge_of_containers(kube: KubeEmulator, apps: AppsV1Api, shop: dict) -> None:
    ops = [
        {"op": "test", "path": "/spec/replicas", "value": 2},
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/spec/template/metadata/annotations/new~1key", "value": "x"},
        {"op": "remove", "path": "/spec/template/metadata/annotations/keep"},
    ]
    apps.patch_namespaced_deployment("checkout", "shop", ops)
    stored = kube.get_object("deployments", "shop", "checkout")
    assert stored["spec"]["replicas"] == 3
    assert stored["spec"]["template"]["metadata"]["annotations"] == {TEMPLATE_ANNOTATION: "1h", "new/key": "x"}

    with pytest.raises(ApiException) as exc_info:
        apps.patch_namespaced_deployment("checkout", "shop", [{"op": "test", "path": "/spec/replicas", "value": 9}])
    assert exc_info.value.status == 422

    # The client's default for a dict body is a strategic merge patch: containers merge by name.
    apps.patch_namespaced_deployment(
        "checkout", "shop", {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}}}
    )
    containers = kube.get_object("deployments", "shop", "checkout")["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("app", "app:2"), ("istio-proxy", "istio/proxyv2:1.20.0")]
    assert containers[0]["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]


def test_create_replace_delete(kube: KubeEmulator, core: CoreV1Api, apps: AppsV1Api) -> None:
    body = b.deployment("cart", "shop-new")
    del body["status"], body["metadata"]["uid"]
    with pytest.raises(ApiException) as exc_info:
        apps.create_namespaced_deployment("shop-new", body)
    assert exc_info.value.status == 404 and _error(exc_info)["message"] == 'namespaces "shop-new" not found'

    core.create_namespace({"metadata": {"name": "shop-new"}})
    dry = apps.create_namespaced_deployment("shop-new", body, dry_run="All")
    assert dry.metadata.uid and kube.get_object("deployments", "shop-new", "cart") is None
    created = apps.create_namespaced_deployment("shop-new", body)
    assert created.metadata.generation == 1 and created.metadata.resource_version
    assert created.status.ready_replicas is None  # the API server starts a new object with an empty status
    with pytest.raises(ApiException) as exc_info:
        apps.create_namespaced_deployment("shop-new", body)
    assert exc_info.value.status == 409 and _error(exc_info)["reason"] == "AlreadyExists"

    created.spec.replicas = 5
    dry = apps.replace_namespaced_deployment("cart", "shop-new", created, dry_run="All")
    assert dry.spec.replicas == 5 and kube.get_object("deployments", "shop-new", "cart")["spec"]["replicas"] == 1
    replaced = apps.replace_namespaced_deployment("cart", "shop-new", created)
    assert replaced.spec.replicas == 5 and replaced.metadata.generation == 2
    assert replaced.metadata.uid == created.metadata.uid

    apps.delete_namespaced_deployment("cart", "shop-new", dry_run="All")
    assert kube.get_object("deployments", "shop-new", "cart") is not None
    status = apps.delete_namespaced_deployment("cart", "shop-new")
    assert status["status"] == "Success"
    with pytest.raises(ApiException) as exc_info:
        apps.delete_namespaced_deployment("cart", "shop-new")
    assert exc_info.value.status == 404

    kube.add(b.pod("lonely", "shop-new"))
    deleted = core.delete_namespaced_pod("lonely", "shop-new")
    assert deleted.metadata.name == "lonely"  # pods answer DELETE with the pod
    assert core.list_namespaced_pod("shop-new").items == []


def test_invalid_bodies(kube: KubeEmulator, core: CoreV1Api, apps: AppsV1Api, shop: dict) -> None:
    with pytest.raises(ApiException) as exc_info:
        core.create_namespaced_pod("shop", {"metadata": {"name": "bad"}, "spec": {"containers": []}})
    assert exc_info.value.status == 422
    assert _error(exc_info)["message"] == 'Pod "bad" is invalid: spec.containers: Required value'

    with pytest.raises(ApiException) as exc_info:  # annotation values must be strings
        apps.patch_namespaced_deployment("checkout", "shop", {"metadata": {"annotations": {"port": 9100}}})
    assert exc_info.value.status == 400

    with pytest.raises(ApiException) as exc_info:
        apps.patch_namespaced_deployment(
            "checkout",
            "shop",
            {"spec": {"selector": {"matchLabels": {"app": "other"}}}},
            _content_type="application/merge-patch+json",
        )
    assert exc_info.value.status == 422 and "field is immutable" in _error(exc_info)["message"]

    with pytest.raises(ApiException) as exc_info:
        apps.patch_namespaced_deployment("checkout", "shop", {}, _content_type="application/apply-patch+yaml")
    assert exc_info.value.status == 415


def test_other_workload_types_round_trip(kube: KubeEmulator, api: ApiClient) -> None:
    cron = b.cronjob("nightly", "batch-ns")
    kube.add_many(
        [
            b.statefulset("redis", "data"),
            b.daemonset("log-agent"),
            cron,
            b.job("nightly-28930", "batch-ns", owner=cron, succeeded=1),
            b.service("checkout", "shop", ports=[{"name": "grpc", "port": 9090, "appProtocol": "grpc"}]),
        ]
    )
    apps, batch, core = AppsV1Api(api), BatchV1Api(api), CoreV1Api(api)

    assert apps.read_namespaced_stateful_set("redis", "data").spec.service_name == "redis"
    assert apps.list_namespaced_daemon_set("kube-system").items[0].metadata.name == "log-agent"
    assert batch.read_namespaced_cron_job("nightly", "batch-ns").spec.schedule == "*/5 * * * *"
    finished = batch.list_namespaced_job("batch-ns", field_selector="status.successful=1").items
    assert [j.metadata.owner_references[0].name for j in finished] == ["nightly"]
    assert core.read_namespaced_service("checkout", "shop").spec.ports[0].app_protocol == "grpc"
    redis = b.pod(owner=kube.get_object("statefulsets", "data", "redis"), ordinal=1)
    assert redis["metadata"]["name"] == "redis-1"


# -- RBAC, auth and faults -------------------------------------------------------------------------


def test_deny_gives_forbidden_with_the_rbac_message(kube: KubeEmulator, apps: AppsV1Api, shop: dict) -> None:
    kube.deny("patch", "deployments", namespace="shop")

    with pytest.raises(ApiException) as exc_info:
        apps.patch_namespaced_deployment("checkout", "shop", _template_patch("24h"), dry_run="All")

    assert exc_info.value.status == 403
    status = _error(exc_info)
    assert status["reason"] == "Forbidden"
    assert status["message"] == (
        'deployments.apps "checkout" is forbidden: User "system:serviceaccount:ops:eks-doctor" cannot patch '
        'resource "deployments" in API group "apps" in the namespace "shop"'
    )
    assert apps.read_namespaced_deployment("checkout", "shop").metadata.name == "checkout"


def test_deny_distinguishes_list_get_and_subresources(kube: KubeEmulator, core: CoreV1Api, shop: dict) -> None:
    kube.deny("list", "pods")
    kube.deny("get", "pods/log", namespace="shop")

    with pytest.raises(ApiException) as exc_info:
        core.list_pod_for_all_namespaces()
    assert _error(exc_info)["message"] == (
        'pods is forbidden: User "system:serviceaccount:ops:eks-doctor" cannot list resource "pods" '
        'in API group "" at the cluster scope'
    )
    assert core.read_namespaced_pod("checkout-6d4f8-aaaaa", "shop").metadata.name == "checkout-6d4f8-aaaaa"
    with pytest.raises(ApiException) as exc_info:
        core.read_namespaced_pod_log("checkout-6d4f8-aaaaa", "shop", container="app")
    assert exc_info.value.status == 403 and 'resource "pods/log"' in _error(exc_info)["message"]

    kube.clear_denials()
    assert len(core.list_pod_for_all_namespaces().items) == 2


def test_wrong_token_is_unauthorized(kube: KubeEmulator, tmp_path: Path) -> None:
    path = kube.write_kubeconfig(tmp_path / "bad", token="wrong")
    with config.new_client_from_config(config_file=str(path)) as client, pytest.raises(ApiException) as exc_info:
        CoreV1Api(client).list_namespace()
    assert exc_info.value.status == 401


def test_several_contexts_in_one_kubeconfig(kube: KubeEmulator, tmp_path: Path) -> None:
    other = KubeEmulator(token="other-token").start()
    try:
        other.add(b.namespace("only-in-staging"))
        path = kube.write_kubeconfig(tmp_path / "config", contexts=["prod-gz", "prod-sh"])
        other.write_kubeconfig(path, contexts=["staging"], merge=True, current_context="prod-gz")

        contexts, current = config.list_kube_config_contexts(config_file=str(path))
        assert [c["name"] for c in contexts] == ["prod-gz", "prod-sh", "staging"]
        assert current["name"] == "prod-gz"
        for context, expected in (("prod-sh", False), ("staging", True)):
            with config.new_client_from_config(config_file=str(path), context=context) as client:
                names = {n.metadata.name for n in CoreV1Api(client).list_namespace().items}
            assert ("only-in-staging" in names) is expected
    finally:
        other.stop()


def test_fail_next_and_delay(kube: KubeEmulator, core: CoreV1Api) -> None:
    kube.fail_next(2, status=503)
    for _ in range(2):
        with pytest.raises(ApiException) as exc_info:
            core.list_namespace()
        assert exc_info.value.status == 503 and _error(exc_info)["reason"] == "ServiceUnavailable"
    assert core.list_namespace().items

    kube.set_delay(1.0)
    kube.reset_requests()
    started = time.monotonic()
    with pytest.raises(urllib3.exceptions.MaxRetryError) as timeout_info:
        core.list_namespace(_request_timeout=(1, 0.2))
    assert isinstance(timeout_info.value.reason, urllib3.exceptions.ReadTimeoutError)
    assert time.monotonic() - started < 1.5
    assert len(kube.requests) == 4  # urllib3's default Retry(3) re-sends a timed-out GET three times
    kube.set_delay(0)


def test_stop_makes_the_cluster_unreachable_and_restart_recovers(kube: KubeEmulator, core: CoreV1Api) -> None:
    kube.add(b.namespace("survivor"))
    assert core.list_namespace().items  # leaves a pooled keep-alive connection behind
    port = kube.port
    kube.stop()

    started = time.monotonic()
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        core.list_namespace()
    assert time.monotonic() - started < 2.0

    kube.restart()
    assert kube.port == port
    assert "survivor" in {n.metadata.name for n in core.list_namespace().items}


def test_requests_log(kube: KubeEmulator, core: CoreV1Api, shop: dict) -> None:
    kube.reset_requests()
    core.list_namespaced_pod("shop", label_selector="app=checkout", limit=1)
    core.read_namespaced_pod_log("checkout-6d4f8-aaaaa", "shop", container="app", tail_lines=5)

    requests = kube.requests
    assert [(r.method, r.path) for r in requests] == [
        ("GET", "/api/v1/namespaces/shop/pods"),
        ("GET", "/api/v1/namespaces/shop/pods/checkout-6d4f8-aaaaa/log"),
    ]
    assert requests[0].query == {"labelSelector": "app=checkout", "limit": "1"}
    assert requests[1].query == {"container": "app", "tailLines": "5"}
    kube.reset_requests()
    assert kube.requests == []


def test_concurrent_patches_each_get_their_own_version(kube: KubeEmulator, apps: AppsV1Api, shop: dict) -> None:
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for j in range(5):
                apps.patch_namespaced_deployment("checkout", "shop", {"metadata": {"labels": {f"w{index}": str(j)}}})
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    labels = kube.get_object("deployments", "shop", "checkout")["metadata"]["labels"]
    assert all(labels[f"w{i}"] == "4" for i in range(4))


def test_counting_20000_pods_by_metadata_pages(kube: KubeEmulator, core: CoreV1Api) -> None:
    started = time.monotonic()
    kube.add_many(b.pod(f"pod-{i % 20}-{i}", f"team-{i // 20:04d}") for i in range(20_000))
    loaded = time.monotonic() - started
    kube.reset_requests()

    count, token = 0, None
    started = time.monotonic()
    while True:
        raw = core.list_pod_for_all_namespaces(
            limit=500, _continue=token, _headers={"Accept": METADATA_LIST}, _preload_content=False
        )
        page = json.loads(raw.data)
        count += len(page["items"])
        token = page["metadata"].get("continue")
        if not token:
            break
    counted = time.monotonic() - started

    assert count == 20_000
    assert len(kube.requests) == 40
    assert len(core.list_namespace().items) == 1_000 + 4  # auto-created namespaces plus the system ones
    assert loaded < 20 and counted < 20, (loaded, counted)


# -- pure helpers ----------------------------------------------------------------------------------


def test_selector_and_patch_helpers() -> None:
    obj = {"metadata": {"name": "a", "labels": {"app": "x", "tier": "web"}}, "status": {"phase": "Running"}}
    assert parse_label_selector("app=x, tier in (web,api), !canary")(obj)
    assert not parse_label_selector("app!=x")(obj)
    assert parse_label_selector("") is None
    assert parse_field_selector("status.phase=Running,spec.nodeName=", PODS)(obj)

    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}) == {"a": {"c": 2, "d": 3}}
    smp = strategic_merge_patch(
        {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}]},
        {"containers": [{"name": "b", "$patch": "delete"}, {"name": "c", "image": "3"}]},
    )
    # apimachinery's order (checked with `kubectl patch --local`): patch items first unless a kept
    # item stood before them, and a new item has no place to stand behind.
    assert smp == {"containers": [{"name": "c", "image": "3"}, {"name": "a", "image": "1"}]}
    ops = [{"op": "add", "path": "/l/1", "value": 2}, {"op": "copy", "from": "/l", "path": "/m"}]
    assert json_patch({"l": [1, 3]}, ops) == {"l": [1, 2, 3], "m": [1, 2, 3]}
    with pytest.raises(PatchError):
        json_patch({}, [{"op": "remove", "path": "/missing"}])
