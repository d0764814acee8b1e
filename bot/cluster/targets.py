"""Which cluster a command talks to: `--cluster` (config name), `--context` (kubeconfig), or defaults."""

from __future__ import annotations

from bot.config import ClusterConfig, DoctorConfig


def resolve_target(
    config: DoctorConfig, *, cluster: str | None = None, context: str | None = None
) -> tuple[ClusterConfig, str | None]:
    """(cluster config for quotas and naming, kubeconfig context to use; None = current/in-cluster).

    A `--context` that no configured cluster uses still works, with the default quotas.
    """
    if cluster:
        chosen = config.cluster(cluster)
        return chosen, context or chosen.context
    if context:
        for candidate in config.clusters:
            if context in (candidate.context, candidate.name):
                return candidate, context
        return ClusterConfig(name=context, context=context), context
    chosen = config.cluster()
    return chosen, chosen.context
