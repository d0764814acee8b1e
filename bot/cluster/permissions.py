"""Every Kubernetes permission the bot uses, and why: the source of deploy/kubernetes/rbac.yaml's ClusterRoles and
of `eks-doctor selfcheck`'s access reviews. A test checks this table, the ClusterRoles and the calls the
code makes in the whole test suite against one another, so none can drift from the others.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Need:
    group: str  # "" for the core group
    resource: str  # plural, or plural/subresource
    verbs: tuple[str, ...]
    why: str


#: Reading workloads and their surroundings: diagnose, scan, quota counts, rollout status.
READS: tuple[Need, ...] = (
    Need("", "pods", ("get", "list"), "a workload's pods; cluster-wide pod counts for the pod quota"),
    Need("", "pods/log", ("get",), "a bounded tail of each container's log"),
    Need("", "events", ("list",), "the events of a workload and its pods"),
    Need("", "namespaces", ("get", "list"), "namespace labels (istio injection); close names"),
    Need("", "services", ("list",), "the Services that select a workload"),
    Need("apps", "deployments", ("get", "list"), "workloads"),
    Need("apps", "statefulsets", ("get", "list"), "workloads"),
    Need("apps", "daemonsets", ("get", "list"), "workloads"),
    Need("apps", "replicasets", ("get", "list"), "the owner chain from a pod to its Deployment"),
    Need("batch", "jobs", ("get", "list"), "workloads"),
    Need("batch", "cronjobs", ("get", "list"), "workloads"),
)

#: Applying and undoing fixes: an annotation patch on the pod template, nothing else.
FIXES: tuple[Need, ...] = (
    Need("apps", "deployments", ("patch",), "fixes and undos"),
    Need("apps", "statefulsets", ("patch",), "fixes and undos"),
    Need("apps", "daemonsets", ("patch",), "fixes and undos"),
)
