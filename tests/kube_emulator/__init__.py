"""A local Kubernetes API emulator for tests that drive the official client (and kubectl) over real HTTPS.

Scope and deliberate limitations (each chosen to keep the server small; see the modules for why):

* Types: core/v1 pods (+ pods/log), events, namespaces, services; apps/v1 deployments,
  statefulsets, daemonsets, replicasets; batch/v1 jobs, cronjobs. Other subresources (status,
  scale, exec, ...) and other types answer 404.
* JSON only. Metadata-only reads via `Accept: application/json;as=PartialObjectMetadataList;
  g=meta.k8s.io;v=v1` (and `as=PartialObjectMetadata` for one object) are served; `as=Table`,
  YAML and protobuf are not (406 unless a plain JSON alternative is also accepted).
* Paging pages over live data in `(namespace, name)` order: it is not a consistent snapshot, and
  `resourceVersion` / `resourceVersionMatch` on reads are accepted but ignored. A continue token is
  returned only when another matching object exists; `remainingItemCount` is never set.
* `watch=true` answers a one-shot snapshot: an ADDED event per matching object newer than the
  requested resourceVersion, then the stream ends (pass `timeout_seconds` to `Watch.stream`).
* Strategic merge patch merges maps like a merge patch, merges the well-known keyed lists
  (containers/initContainers/env/volumes by name, ports by containerPort or port, volumeMounts by
  mountPath, ...) in apimachinery's order and honours `$patch: delete|replace`; `$setElementOrder`,
  `$retainKeys` and `$deleteFromPrimitiveList` are dropped. Server-side apply
  (`application/apply-patch+yaml`) is 415. A JSON patch that does not apply is kube-apiserver's
  generic 422.
* For kubectl: discovery carries shortNames and categories (`deploy`, `all`), `/openapi/v3` lists
  the write operations and their `fieldValidation` parameter (no schemas: unknown fields are not
  detected), and SelfSubjectAccessReview answers `kubectl auth can-i` from the `deny(...)` rules.
  Lists are plain JSON, never `as=Table`, so kubectl's human `get` falls back to NAME and AGE.
* No controllers: nothing creates ReplicaSets or pods, no garbage collection by owner, no
  Terminating phase (deleting a namespace removes its contents at once), DELETE is immediate.
* Objects created over HTTP get the server's initial status (pods `Pending`, others empty); PUT
  and PATCH keep the stored status. `KubeEmulator.add` stores status as given.
* Pod logs: without `set_logs`, a container that is waiting (or has no status yet) answers 400
  `container "c" in pod "p" is waiting to start: <reason>`, `previous=true` answers 400
  `previous terminated container ... not found` unless the status has a lastState.terminated, and a
  running container answers an empty log. `follow`, `sinceSeconds`, `timestamps` are ignored.
* HTTPS only, with a CA made for the run (`tls.py`); the kubeconfig carries it. RBAC is allow-all plus
  `deny(...)` rules; authentication is one bearer token or a client certificate from that CA (401
  otherwise). A client certificate from another CA fails the TLS handshake, where kube-apiserver
  would answer 401 (Python's ssl cannot ask for a certificate without verifying it).
"""

from tests.kube_emulator.server import DEFAULT_TOKEN, DEFAULT_USER, KubeEmulator, RecordedRequest

__all__ = ["DEFAULT_TOKEN", "DEFAULT_USER", "KubeEmulator", "RecordedRequest"]
