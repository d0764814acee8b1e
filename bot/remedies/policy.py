"""Who may apply and undo fixes.

The rule:

* Slack users act through the bot's own service account, so the bot is the gate: they must be named,
  directly or through a user group, by a `fixers` rule of EKS_DOCTOR_CONFIG covering the cluster and
  namespace. No `fixers` at all means nobody may patch from Slack (everyone may still triage).
* CLI users act with their own kubeconfig credentials: the cluster's RBAC already decides what they
  may patch, and anything EKS Doctor refused they could do with `kubectl` anyway. So the CLI is
  allowed, and the cluster's answer (a 403 names the missing `patch` permission) is the gate. The CLI
  records the operating-system user as the actor, so the audit trail still says who.
"""

from __future__ import annotations

from bot.config import DoctorConfig
from bot.domain import Actor, Channel, cli_actor
from bot.errors import RefusedError

__all__ = ["Actor", "Channel", "check_may_fix", "cli_actor"]


def check_may_fix(*, config: DoctorConfig, actor: Actor, cluster: str | None, namespace: str | None) -> None:
    """Raise RefusedError when `actor` may not patch workloads of `namespace` on `cluster`."""
    if actor.channel is Channel.CLI:
        return
    if config.may_fix(user=actor.id, usergroups=actor.usergroups, cluster=cluster, namespace=namespace):
        return
    where = f"namespace {namespace} of cluster {cluster}" if namespace else f"cluster {cluster}"
    if not config.fixers:
        raise RefusedError(
            f"{actor.id} may not apply fixes in {where}: no one may patch from Slack until EKS_DOCTOR_CONFIG "
            "lists fixers"
        )
    raise RefusedError(
        f"{actor.id} may not apply fixes in {where}",
        hint="ask an admin to add you (or your user group) to a `fixers` rule covering it in EKS_DOCTOR_CONFIG",
    )
