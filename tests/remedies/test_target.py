"""Reading the workload a fix targets, as the plan needs it: the object's exact kind and name, its
resourceVersion (the guard of the write), its pod-template annotations, how many pods restart and
how, the ports its containers use, and for a pod or job the controller to fix instead."""

from __future__ import annotations

import pytest

from bot.cluster.kinds import ANY_KIND
from bot.domain import WorkloadRef
from bot.errors import NotFoundError
from bot.remedies.target import read_workload, reread, state_of
from tests.kube_emulator import builders as b

from .conftest import TCP


def test_a_deployment_is_read_with_everything_the_plan_needs(kube, shop, api):
    state = read_workload(api, WorkloadRef("Deployment", "shop", "checkout"))
    stored = kube.get_object("deployments", "shop", "checkout")
    assert state.ref == WorkloadRef("Deployment", "shop", "checkout")
    assert state.resource_version == stored["metadata"]["resourceVersion"]
    assert state.annotations == {"prometheus.io/scrape": "true"}
    assert (state.replicas, state.update_strategy) == (3, "RollingUpdate")
    assert state.used_ports == (9090, 9110, 15090)
    assert state.owner is None


def test_a_bare_name_finds_the_kind_and_the_default_namespace(kube, api):
    kube.add(b.deployment("web", "default", template_annotations={TCP: "1800s"}))
    state = read_workload(api, WorkloadRef(ANY_KIND, None, "web"))
    assert state.ref == WorkloadRef("Deployment", "default", "web")
    assert state.annotations == {TCP: "1800s"}


def test_ports_come_from_every_container_including_init_containers(kube, api):
    deploy = b.deployment(
        "web",
        "shop",
        containers=[b.container("app", ports=[8080, {"containerPort": 9100, "name": "metrics"}, 8080])],
    )
    deploy["spec"]["template"]["spec"]["initContainers"] = [
        {"name": "warm", "image": "busybox", "ports": [{"containerPort": 7000}, {"containerPort": "http"}, "junk"]}
    ]
    kube.add(deploy)
    assert read_workload(api, WorkloadRef("Deployment", "shop", "web")).used_ports == (7000, 8080, 9100)


def test_a_statefulset_and_a_daemonset_say_how_many_pods_and_how_they_are_replaced(kube, api):
    sts = b.statefulset("ledger", "shop", replicas=2)
    sts["spec"]["updateStrategy"] = {"type": "OnDelete"}
    kube.add(sts)
    kube.add(b.daemonset("agent", "shop", scheduled=5))
    ledger = read_workload(api, WorkloadRef("StatefulSet", "shop", "ledger"))
    assert (ledger.ref.kind, ledger.replicas, ledger.update_strategy) == ("StatefulSet", 2, "OnDelete")
    agent = read_workload(api, WorkloadRef("DaemonSet", "shop", "agent"))
    assert (agent.ref.kind, agent.replicas) == ("DaemonSet", 5)


@pytest.mark.parametrize(
    ("obj", "replicas", "strategy"),
    [
        ({"kind": "Deployment", "spec": {}}, 1, None),  # the API server's default replica count
        ({"kind": "Deployment", "spec": {"replicas": 0, "strategy": {"type": "Recreate"}}}, 0, "Recreate"),
        ({"kind": "Deployment", "spec": {"replicas": "3"}}, None, None),
        ({"kind": "StatefulSet", "spec": {}}, 1, None),
        ({"kind": "DaemonSet", "spec": {"replicas": 4}}, None, None),  # a DaemonSet has no replica count
        ({"kind": "DaemonSet", "spec": {}, "status": {"desiredNumberScheduled": 7}}, 7, None),
        ({"kind": "DaemonSet", "spec": {"updateStrategy": {"type": "OnDelete"}}}, None, "OnDelete"),
        ({"kind": "Deployment", "spec": {"updateStrategy": {"type": "OnDelete"}}}, 1, None),
        ({"kind": "StatefulSet", "spec": {"strategy": {"type": "Recreate"}}}, 1, None),
        ({"kind": "StatefulSet", "spec": {"updateStrategy": "OnDelete"}}, 1, None),
        ({"kind": "Pod", "spec": {"replicas": 2}}, None, None),
        ({"kind": "Deployment"}, 1, None),
    ],
)
def test_replicas_and_strategy_are_read_where_each_kind_keeps_them(obj, replicas, strategy):
    state = state_of(obj, WorkloadRef(obj["kind"], "shop", "x"))
    assert (state.replicas, state.update_strategy) == (replicas, strategy)
    assert state.resource_version is None and state.annotations == {} and state.used_ports == ()


def test_a_pod_names_the_deployment_that_makes_it(kube, shop, api):
    pod = next(iter(kube.objects("pods", "shop")))
    state = read_workload(api, WorkloadRef("Pod", "shop", pod["metadata"]["name"]))
    assert state.ref.kind == "Pod" and state.owner == WorkloadRef("Deployment", "shop", "checkout")


def test_a_pod_whose_replicaset_cannot_be_read_names_the_replicaset(kube, shop, api):
    kube.deny("get", "replicasets")
    pod = next(iter(kube.objects("pods", "shop")))
    state = read_workload(api, WorkloadRef("Pod", "shop", pod["metadata"]["name"]))
    assert state.owner is not None and state.owner.kind == "ReplicaSet" and state.owner.namespace == "shop"
    assert state.owner.name.startswith("checkout-")


def test_a_pod_of_a_bare_replicaset_names_the_replicaset(kube, shop, api):
    rs = b.replicaset_for(shop)
    rs["metadata"].pop("ownerReferences")
    kube.add(rs)
    pod = next(iter(kube.objects("pods", "shop")))
    state = read_workload(api, WorkloadRef("Pod", "shop", pod["metadata"]["name"]))
    assert state.owner == WorkloadRef("ReplicaSet", "shop", rs["metadata"]["name"])


def test_a_pod_whose_replicaset_is_gone_names_the_replicaset(kube, shop, api):
    rs = b.replicaset_for(shop)
    kube.remove("replicasets", "shop", rs["metadata"]["name"])
    pod = next(iter(kube.objects("pods", "shop")))
    state = read_workload(api, WorkloadRef("Pod", "shop", pod["metadata"]["name"]))
    assert state.owner == WorkloadRef("ReplicaSet", "shop", rs["metadata"]["name"])


def test_a_bare_pod_has_no_owner(kube, api):
    kube.add(b.pod("debug", "shop"))
    state = read_workload(api, WorkloadRef(ANY_KIND, "shop", "debug"))
    assert state.ref == WorkloadRef("Pod", "shop", "debug") and state.owner is None


def test_a_job_names_the_cronjob_that_made_it_and_its_pod_names_the_job(kube, api):
    cron = b.cronjob("nightly", "shop")
    job = b.job("nightly-2890", "shop", owner=cron)
    kube.add(cron)
    kube.add(job)
    kube.add(b.pod("nightly-2890-x7k2p", "shop", owner=job))
    state = read_workload(api, WorkloadRef("Job", "shop", "nightly-2890"))
    assert state.owner == WorkloadRef("CronJob", "shop", "nightly") and state.replicas is None
    pod = read_workload(api, WorkloadRef("Pod", "shop", "nightly-2890-x7k2p"))
    assert pod.owner == WorkloadRef("Job", "shop", "nightly-2890")


def test_a_deployments_owner_is_not_looked_up(kube, shop, api):
    kube.reset_requests()
    assert read_workload(api, WorkloadRef("Deployment", "shop", "checkout")).owner is None
    assert [r.path for r in kube.requests] == ["/apis/apps/v1/namespaces/shop/deployments/checkout"]


def test_reread_reads_the_same_object_by_its_exact_kind(kube, shop, api):
    kube.reset_requests()
    state = reread(api, WorkloadRef("Deployment", "shop", "checkout"))
    assert state.annotations == {"prometheus.io/scrape": "true"} and state.replicas == 3
    assert [(r.method, r.path) for r in kube.requests] == [
        ("GET", "/apis/apps/v1/namespaces/shop/deployments/checkout")
    ]


def test_reread_of_a_deleted_workload_says_so(kube, shop, api):
    kube.remove("deployments", "shop", "checkout")
    with pytest.raises(NotFoundError) as missing:
        reread(api, WorkloadRef("Deployment", "shop", "checkout"))
    assert missing.value.message == "deployment/checkout no longer exists in namespace shop"


def test_reread_needs_the_get_permission_on_that_kind(kube, shop, api):
    kube.deny("get", "deployments", namespace="shop")
    with pytest.raises(Exception, match="get deployments in namespace shop"):
        reread(api, WorkloadRef("Deployment", "shop", "checkout"))


def test_a_workload_without_a_namespace_is_read_in_default(kube, api):
    kube.add(b.deployment("web", "default"))
    assert reread(api, WorkloadRef("Deployment", None, "web")).ref.name == "web"
