"""Realistic Kubernetes objects as plain dicts, shaped like what an EKS serverless cluster returns.

Data only: nothing here talks to the emulator. Builders set `metadata.uid` up front so owner
references and events can point at objects before they are stored, and derive a Deployment's
ReplicaSet deterministically so `pod(owner=deployment)` and `replicaset_for(deployment)` agree.
Every dict is fresh; tests may edit the result before `kube.add(...)`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

Obj = dict[str, Any]

REGISTRY = "ccr.ccs.tencentyun.com/shop"
#: EKS serverless pods run on virtual "eklet" nodes, one per subnet and zone.
DEFAULT_NODE = "eklet-subnet-6ktx2ltm-ap-guangzhou-3"
#: The alphabet of generated name suffixes and pod-template-hash values (no vowels, no 0/1/3).
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_CONTROLLER_COMPONENTS = {
    "ReplicaSet": "replicaset-controller",
    "Deployment": "deployment-controller",
    "StatefulSet": "statefulset-controller",
    "DaemonSet": "daemonset-controller",
    "Job": "job-controller",
    "CronJob": "cronjob-controller",
}
_API_VERSIONS = {
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}


def timestamp(ago: float = 0.0) -> str:
    """An RFC 3339 UTC time `ago` seconds in the past, as the API server writes it."""
    return (datetime.now(UTC) - timedelta(seconds=ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _suffix(length: int = 5) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _meta(name: str, namespace: str | None, labels: dict[str, str] | None, annotations: dict[str, str] | None) -> Obj:
    meta: Obj = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["uid"] = str(uuid.uuid4())
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def container(
    name: str,
    image: str | None = None,
    *,
    ports: list[int | Obj] | tuple[int | Obj, ...] = (),
    args: list[str] | None = None,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    resources: Obj | None = None,
) -> Obj:
    """A container spec; ports given as numbers become TCP `containerPort`s, dicts pass through."""
    spec: Obj = {"name": name, "image": image or f"{REGISTRY}/{name}:1.0.0"}
    if command:
        spec["command"] = list(command)
    if args:
        spec["args"] = list(args)
    if ports:
        spec["ports"] = [
            {"containerPort": p, "protocol": "TCP"} if isinstance(p, int) else {"protocol": "TCP", **p} for p in ports
        ]
    if env:
        spec["env"] = [{"name": key, "value": value} for key, value in env.items()]
    spec["resources"] = resources or {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
    }
    spec["imagePullPolicy"] = "IfNotPresent"
    spec["terminationMessagePath"] = "/dev/termination-log"
    spec["terminationMessagePolicy"] = "File"
    return spec


def namespace(name: str, *, labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> Obj:
    meta = _meta(name, None, {"kubernetes.io/metadata.name": name, **(labels or {})}, annotations)
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": meta,
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def _template(
    app: str,
    containers: list[Obj] | None,
    labels: dict[str, str] | None,
    annotations: dict[str, str] | None,
    restart_policy: str = "Always",
) -> Obj:
    meta: Obj = {"labels": {"app": app, **(labels or {})}}
    if annotations:
        meta["annotations"] = dict(annotations)
    return {
        "metadata": meta,
        "spec": {
            "containers": containers or [container(app)],
            "restartPolicy": restart_policy,
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "securityContext": {},
        },
    }


def _workload(
    kind: str,
    name: str,
    namespace: str,
    labels: dict[str, str] | None,
    annotations: dict[str, str] | None,
    spec: Obj,
    status: Obj,
) -> Obj:
    meta = _meta(name, namespace, {"app": name, **(labels or {})}, annotations)
    meta["generation"] = 1
    return {"apiVersion": _API_VERSIONS[kind], "kind": kind, "metadata": meta, "spec": spec, "status": status}


def deployment(
    name: str,
    namespace: str = "default",
    *,
    containers: list[Obj] | None = None,
    replicas: int = 1,
    ready_replicas: int | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    template_labels: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
) -> Obj:
    ready = replicas if ready_replicas is None else ready_replicas
    spec = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": _template(name, containers, template_labels, template_annotations),
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
    }
    available = "True" if ready >= replicas else "False"
    status = {
        "observedGeneration": 1,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": max(replicas - ready, 0) or None,
        "conditions": [
            {
                "type": "Available",
                "status": available,
                "reason": "MinimumReplicasAvailable" if available == "True" else "MinimumReplicasUnavailable",
                "lastUpdateTime": timestamp(),
                "lastTransitionTime": timestamp(),
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "lastUpdateTime": timestamp(),
                "lastTransitionTime": timestamp(),
            },
        ],
    }
    status = {k: v for k, v in status.items() if v is not None}
    return _workload("Deployment", name, namespace, labels, annotations, spec, status)


def _owner_ref(owner: Obj) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _template_hash(deploy: Obj) -> str:
    digest = hashlib.sha256(f"{deploy['metadata']['uid']}/{deploy['metadata']['name']}".encode()).hexdigest()
    return "".join(_ALPHABET[int(digest[i : i + 2], 16) % len(_ALPHABET)] for i in range(0, 20, 2))


def replicaset_for(deploy: Obj, *, ready_replicas: int | None = None) -> Obj:
    """The ReplicaSet a Deployment controller would create (same name and uid on every call)."""
    pod_hash = _template_hash(deploy)
    name = f"{deploy['metadata']['name']}-{pod_hash}"
    namespace = deploy["metadata"].get("namespace", "default")
    replicas = deploy["spec"].get("replicas", 1)
    template = _deep(deploy["spec"]["template"])
    template["metadata"].setdefault("labels", {})["pod-template-hash"] = pod_hash
    selector = {"matchLabels": {**deploy["spec"]["selector"]["matchLabels"], "pod-template-hash": pod_hash}}
    ready = replicas if ready_replicas is None else ready_replicas
    rs = _workload(
        "ReplicaSet",
        name,
        namespace,
        {**template["metadata"]["labels"]},
        {"deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": str(replicas)},
        {"replicas": replicas, "selector": selector, "template": template},
        {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": 1,
        },
    )
    seed = f"replicaset/{namespace}/{name}/{deploy['metadata']['uid']}"
    rs["metadata"]["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    rs["metadata"]["ownerReferences"] = [_owner_ref(deploy)]
    return rs


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


def statefulset(
    name: str,
    namespace: str = "default",
    *,
    containers: list[Obj] | None = None,
    replicas: int = 1,
    service_name: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
) -> Obj:
    spec = {
        "replicas": replicas,
        "serviceName": service_name or name,
        "selector": {"matchLabels": {"app": name}},
        "template": _template(name, containers, None, template_annotations),
        "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
    }
    status = {
        "observedGeneration": 1,
        "replicas": replicas,
        "readyReplicas": replicas,
        "currentReplicas": replicas,
        "updatedReplicas": replicas,
        "availableReplicas": replicas,
    }
    return _workload("StatefulSet", name, namespace, labels, annotations, spec, status)


def daemonset(
    name: str,
    namespace: str = "kube-system",
    *,
    containers: list[Obj] | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
    scheduled: int = 0,
) -> Obj:
    """On EKS serverless there are no real nodes, so DaemonSets usually schedule nothing (`scheduled=0`)."""
    spec = {
        "selector": {"matchLabels": {"app": name}},
        "template": _template(name, containers, None, template_annotations),
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
    }
    status = {
        "currentNumberScheduled": scheduled,
        "desiredNumberScheduled": scheduled,
        "numberMisscheduled": 0,
        "numberReady": scheduled,
        "observedGeneration": 1,
        "updatedNumberScheduled": scheduled,
    }
    return _workload("DaemonSet", name, namespace, labels, annotations, spec, status)


def job(
    name: str,
    namespace: str = "default",
    *,
    containers: list[Obj] | None = None,
    completions: int = 1,
    succeeded: int = 0,
    failed: int = 0,
    active: int | None = None,
    owner: Obj | None = None,
    labels: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
) -> Obj:
    template = _template(name, containers, {"job-name": name}, template_annotations, restart_policy="Never")
    spec = {"completions": completions, "parallelism": 1, "backoffLimit": 6, "template": template}
    running = (1 if succeeded < completions else 0) if active is None else active
    status: Obj = {"startTime": timestamp(60)}
    status.update({k: v for k, v in (("active", running), ("succeeded", succeeded), ("failed", failed)) if v})
    if succeeded >= completions:
        status["completionTime"] = timestamp()
        status["conditions"] = [
            {"type": "Complete", "status": "True", "lastProbeTime": timestamp(), "lastTransitionTime": timestamp()}
        ]
    obj = _workload("Job", name, namespace, {"job-name": name, **(labels or {})}, None, spec, status)
    if owner is not None:
        obj["metadata"]["ownerReferences"] = [_owner_ref(owner)]
    return obj


def cronjob(
    name: str,
    namespace: str = "default",
    *,
    schedule: str = "*/5 * * * *",
    containers: list[Obj] | None = None,
    suspend: bool = False,
    labels: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
) -> Obj:
    template = _template(name, containers, None, template_annotations, restart_policy="OnFailure")
    spec = {
        "schedule": schedule,
        "suspend": suspend,
        "concurrencyPolicy": "Forbid",
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
        "jobTemplate": {"spec": {"backoffLimit": 6, "template": template}},
    }
    return _workload("CronJob", name, namespace, labels, None, spec, {"lastScheduleTime": timestamp(120)})


def service(
    name: str,
    namespace: str = "default",
    *,
    ports: list[int | Obj] | tuple[int | Obj, ...] = (80,),
    selector: dict[str, str] | None = None,
    type: str = "ClusterIP",  # the field's real name
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    cluster_ip: str = "172.16.252.10",
) -> Obj:
    """Ports given as numbers target the same port; dicts (e.g. with `appProtocol`) pass through."""
    spec_ports = []
    for port in ports:
        entry = {"port": port, "targetPort": port, "protocol": "TCP"} if isinstance(port, int) else dict(port)
        entry.setdefault("protocol", "TCP")
        entry.setdefault("name", f"{entry['protocol'].lower()}-{entry['port']}")
        entry.setdefault("targetPort", entry["port"])
        spec_ports.append(entry)
    spec = {
        "type": type,
        "selector": dict(selector) if selector is not None else {"app": name},
        "ports": spec_ports,
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "sessionAffinity": "None",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
    }
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace, labels, annotations),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def _container_status(
    spec: Obj,
    pod_name: str,
    pod_namespace: str,
    pod_uid: str,
    *,
    waiting_reason: str | None,
    waiting_message: str | None,
    restart_count: int,
    last_terminated: Obj | None,
    ready: bool,
) -> Obj:
    name = spec["name"]
    status: Obj = {
        "name": name,
        "image": spec["image"],
        "imageID": f"{spec['image'].split(':')[0]}@sha256:{hashlib.sha256(spec['image'].encode()).hexdigest()}",
        "containerID": f"containerd://{secrets.token_hex(32)}",
        "ready": ready,
        "restartCount": restart_count,
        "started": waiting_reason is None,
    }
    if waiting_reason is not None:
        message = waiting_message
        if message is None and waiting_reason == "CrashLoopBackOff":
            message = f"back-off 5m0s restarting failed container={name} pod={pod_name}_{pod_namespace}({pod_uid})"
        status["state"] = {"waiting": {"reason": waiting_reason, **({"message": message} if message else {})}}
    else:
        status["state"] = {"running": {"startedAt": timestamp(300)}}
    status["lastState"] = {}
    if last_terminated is not None:
        terminated = {"exitCode": 1, "reason": "Error", **last_terminated}
        terminated.setdefault("startedAt", timestamp(900))
        terminated.setdefault("finishedAt", timestamp(600))
        terminated.setdefault("containerID", f"containerd://{secrets.token_hex(32)}")
        status["lastState"] = {"terminated": terminated}
    return status


def pod(
    name: str | None = None,
    namespace: str | None = None,
    *,
    owner: Obj | None = None,
    containers: list[Obj] | None = None,
    phase: str = "Running",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    node_name: str | None = DEFAULT_NODE,
    waiting_reason: str | None = None,
    waiting_message: str | None = None,
    restart_count: int = 0,
    last_terminated: Obj | None = None,
    ready: bool | None = None,
    pod_ip: str = "10.0.4.17",
    ordinal: int = 0,
) -> Obj:
    """A pod, optionally owned: a Deployment owner means its ReplicaSet (`replicaset_for`) is the
    controller, as on a cluster. Containers, labels and annotations default to the owner's template.

    `waiting_reason` (e.g. "CrashLoopBackOff"), `restart_count` and `last_terminated` (e.g.
    `{"reason": "OOMKilled", "exitCode": 137}`) apply to every container. A Pending pod without a
    waiting reason is unscheduled: no node, no container statuses, PodScheduled=False.
    """
    controller = replicaset_for(owner) if owner is not None and owner["kind"] == "Deployment" else owner
    template = _deep((controller or {}).get("spec", {}).get("template") or {})
    if controller is not None and controller["kind"] == "Job":
        template["metadata"].setdefault("labels", {})["controller-uid"] = controller["metadata"]["uid"]
    ns = namespace or (controller["metadata"].get("namespace") if controller else None) or "default"
    if name is None:
        if controller is None:
            raise ValueError("a pod without an owner needs a name")
        base = controller["metadata"]["name"]
        name = f"{base}-{ordinal}" if controller["kind"] == "StatefulSet" else f"{base}-{_suffix()}"
    template_meta = template.get("metadata") or {}
    meta = _meta(
        name,
        ns,
        {**(template_meta.get("labels") or {}), **(labels or {})},
        {**(template_meta.get("annotations") or {}), **(annotations or {})},
    )
    if controller is not None:
        meta["ownerReferences"] = [_owner_ref(controller)]
        meta["generateName"] = f"{controller['metadata']['name']}-"
    spec = _deep(template.get("spec") or {}) or _template(name, None, None, None)["spec"]
    if containers is not None:
        spec["containers"] = containers
    spec.setdefault("serviceAccountName", "default")
    scheduled = not (phase == "Pending" and waiting_reason is None)
    if scheduled and node_name:
        spec["nodeName"] = node_name
    is_ready = (phase == "Running" and waiting_reason is None) if ready is None else ready
    status: Obj = {"phase": phase, "qosClass": "Burstable"}
    if scheduled:
        status.update({"hostIP": "10.0.4.1", "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "startTime": timestamp(600)})
        ready_text = "True" if is_ready else "False"
        status["conditions"] = [
            {"type": t, "status": s, "lastProbeTime": None, "lastTransitionTime": timestamp(600)}
            for t, s in (
                ("Initialized", "True"),
                ("Ready", ready_text),
                ("ContainersReady", ready_text),
                ("PodScheduled", "True"),
            )
        ]
        status["containerStatuses"] = [
            _container_status(
                c,
                name,
                ns,
                meta["uid"],
                waiting_reason=waiting_reason,
                waiting_message=waiting_message,
                restart_count=restart_count,
                last_terminated=last_terminated,
                ready=is_ready,
            )
            for c in spec["containers"]
        ]
    else:
        status["conditions"] = [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "lastProbeTime": None,
                "lastTransitionTime": timestamp(60),
                "message": "0/3 nodes are available: 3 Insufficient cpu.",
            }
        ]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def event(
    involved: Obj,
    reason: str,
    message: str,
    type: str = "Warning",  # the field's real name
    *,
    count: int = 1,
    component: str | None = None,
    field_path: str | None = None,
    first_seen_ago: float = 300.0,
    last_seen_ago: float = 10.0,
) -> Obj:
    """A core/v1 Event about `involved` (a full object, or a dict with kind/name/namespace)."""
    meta = involved.get("metadata") or {}
    kind = involved["kind"]
    name = meta.get("name") or involved["name"]
    ns = meta.get("namespace") or involved.get("namespace") or "default"
    reference: Obj = {
        "kind": kind,
        "namespace": ns,
        "name": name,
        "apiVersion": involved.get("apiVersion") or _API_VERSIONS.get(kind, "v1"),
    }
    uid = meta.get("uid") or involved.get("uid")
    if uid:
        reference["uid"] = uid
    if field_path:
        reference["fieldPath"] = field_path
    if component is None:
        scheduler = reason == "FailedScheduling"
        component = _CONTROLLER_COMPONENTS.get(kind) or ("default-scheduler" if scheduler else "kubelet")
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{name}.{secrets.token_hex(8)}", "namespace": ns, "uid": str(uuid.uuid4())},
        "involvedObject": reference,
        "reason": reason,
        "message": message,
        "type": type,
        "count": count,
        "firstTimestamp": timestamp(first_seen_ago),
        "lastTimestamp": timestamp(last_seen_ago),
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
    }
