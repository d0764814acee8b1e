"""egress_without_eip: without an EIP, a pod's public egress depends on a NAT route the API cannot show.

So this check "holds" for pods without an EIP (the pitfall is possible) and fails only when every pod
has one; the entry pairs it with a log signature to move from "possible" to "confirmed".
"""

from __future__ import annotations

from bot.cluster.checks.common import active_pods, counted, name_list, template_word
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.kinds import annotations, name_of
from bot.cluster.snapshot import WorkloadSnapshot
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import EgressWithoutEipCheck

KIND = "egress_without_eip"


def _eip_keys(meta_annotations: dict[str, str], prefix: str) -> list[str]:
    return sorted(key for key in meta_annotations if key.startswith(prefix))


@evaluator(KIND)
def egress_without_eip(spec: EgressWithoutEipCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    prefix = spec.annotation_prefix
    where = template_word(snapshot)
    template_keys = _eip_keys(annotations(snapshot.template), prefix)
    pods = active_pods(snapshot) if snapshot.ref.kind != "Pod" else []
    pods_without = [name_of(p) for p in pods or [] if not _eip_keys(annotations(p), prefix)]
    if template_keys and not pods_without:
        return CheckOutcome(
            KIND,
            Outcome.FAILS,
            (
                f"the {where} asks for an EIP per pod ({', '.join(template_keys)}): public egress does not "
                "depend on a NAT gateway",
            ),
        )
    evidence = []
    if template_keys:
        evidence.append(
            f"the {where} asks for an EIP ({', '.join(template_keys)}) but "
            f"{counted(len(pods_without), 'running pod')} started without one ({name_list(pods_without)})"
        )
    else:
        evidence.append(f"no EIP annotation ({prefix}*) on the {where}")
    evidence.append(
        "public egress depends on a NAT gateway route 0.0.0.0/0 for the super-node subnet, "
        "which the Kubernetes API cannot show"
    )
    return CheckOutcome(KIND, Outcome.HOLDS, tuple(evidence))
