"""Which cluster a request talks to, and the one rule that names it everywhere.

The name is what incidents, actions and ticket drafts record, and what `undo` uses to find the cluster
again, so it must be decided the same way by every interface:

* `--cluster NAME` (or a channel's default): the configured cluster of that name;
* `--context CTX`: the configured cluster using that kubeconfig context, else the context's own name;
* nothing: the configured default cluster, else the kubeconfig's current context name (as kubectl
  calls it), or `in-cluster` for the pod's service account.

Connections are kept per kubeconfig context for the life of the process: a long-running server reuses
pooled connections instead of re-reading the kubeconfig on every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import ClusterConfig, DoctorConfig

if TYPE_CHECKING:
    from bot.cluster.kubeapi import KubeApi

IN_CLUSTER = "in-cluster"


@dataclass(frozen=True, slots=True)
class Connection:
    """A cluster to talk to: its recorded name, its configuration (quotas, region) and the client."""

    name: str
    config: ClusterConfig
    api: KubeApi

    @property
    def default_namespace(self) -> str:
        return self.api.default_namespace


def choose(config: DoctorConfig, *, cluster: str | None, context: str | None) -> tuple[ClusterConfig, str | None, bool]:
    """(cluster config, kubeconfig context to use, whether the config names it)."""
    configured = {c.name for c in config.clusters}
    if cluster:
        chosen = config.cluster(cluster)  # ConfigError naming the known clusters
        return chosen, context or chosen.context, True
    if context:
        for candidate in config.clusters:
            if context in (candidate.context, candidate.name):
                return candidate, context, True
        return ClusterConfig(name=context, context=context), context, True
    chosen = config.cluster()
    return chosen, chosen.context, chosen.name in configured


def recorded_target(config: DoctorConfig, name: str | None) -> tuple[str | None, str | None]:
    """(cluster, context) that reach a cluster again from the name an action or draft recorded."""
    if not name or name == IN_CLUSTER:
        return None, None
    if name in {c.name for c in config.clusters}:
        return name, None
    return None, name  # an unconfigured cluster is recorded by its kubeconfig context


class ClusterConnector:
    """Connections by kubeconfig context, made on first use and shared by every thread."""

    def __init__(self, *, timeout: float, kubeconfig: str | None = None) -> None:
        self.timeout = timeout
        self.kubeconfig = kubeconfig
        self._apis: dict[str | None, KubeApi] = {}
        self._lock = threading.Lock()

    def api(self, context: str | None) -> KubeApi:
        with self._lock:
            api = self._apis.get(context)
        if api is not None:
            return api
        from bot.cluster.kubeapi import connect

        api = connect(context=context, timeout=self.timeout, kubeconfig=self.kubeconfig)
        with self._lock:
            return self._apis.setdefault(context, api)

    def connect(self, config: DoctorConfig, *, cluster: str | None = None, context: str | None = None) -> Connection:
        chosen, kube_context, named = choose(config, cluster=cluster, context=context)
        api = self.api(kube_context)
        name = chosen.name if named else api.context_name
        return Connection(name=name, config=chosen.model_copy(update={"name": name}), api=api)
