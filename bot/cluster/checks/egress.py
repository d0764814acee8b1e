"""egress_without_eip: without an EIP, a pod's public egress depends on the NAT route of its subnet.

Without the cloud, the route cannot be seen, so this check "holds" for pods without an EIP (the
pitfall is possible) and fails only when every pod has one; the entry pairs it with a log signature
to move from "possible" to "confirmed". With the route tables from the Tencent Cloud API it settles
the question itself: no 0.0.0.0/0 route, or one to a NAT gateway that is not available, holds
decisively; a route to an available NAT gateway fails.
"""

from __future__ import annotations

from bot.cloud.errors import CREDENTIAL_VARIABLES
from bot.cloud.facts import CloudGap, Egress, EgressFacts, GapKind
from bot.cluster.checks.common import active_pods, counted, name_list, template_word
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.snapshot import WorkloadSnapshot
from bot.cluster.views import Pod
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import EgressWithoutEipCheck

KIND = "egress_without_eip"
MAX_SUBNETS_QUOTED = 3
UNSEEN = (
    "public egress depends on a NAT gateway route 0.0.0.0/0 for the super-node subnet, "
    "which the Kubernetes API cannot show"
)
HINT = (
    f"with read-only Tencent Cloud credentials ({CREDENTIAL_VARIABLES}) EKS Doctor reads that subnet's "
    "route table and the NAT gateway it uses, and settles this"
)


def _eip_keys(meta_annotations: dict[str, str], prefix: str) -> list[str]:
    return sorted(key for key in meta_annotations if key.startswith(prefix))


def _nodes(pods: list[Pod]) -> list[str]:
    return [n for n in dict.fromkeys(p.spec.node_name for p in pods) if n]


def _without_route(gap: CloudGap) -> list[str]:
    if gap.kind is GapKind.NOT_CONFIGURED:
        return [UNSEEN, f"{HINT} ({gap.why})"]
    return [UNSEEN, f"the route table could not be read: {gap}"]


def _judge_routes(facts: EgressFacts, pods: list[Pod]) -> CheckOutcome:
    routes, narrowed = facts.for_nodes(_nodes(pods))
    if not routes:
        return CheckOutcome(
            KIND, Outcome.HOLDS, (UNSEEN, f"Tencent Cloud lists no super-node subnet for {facts.cluster_id}")
        )
    blocked = [r for r in routes if r.verdict is Egress.BLOCKED]
    unclear = [r for r in routes if r.verdict is Egress.UNCLEAR]
    where = (
        f"its pods run in {counted(len(routes), 'subnet')} ({name_list([r.subnet_id for r in routes])})"
        if narrowed
        else f"new pods may start in any of the cluster's {counted(len(routes), 'super-node subnet')}"
    )
    if blocked:
        said = [r.explain() for r in blocked[:MAX_SUBNETS_QUOTED]]
        return CheckOutcome(KIND, Outcome.HOLDS, (where, *said), decisive=True)
    if unclear:
        said = [r.explain() for r in unclear[:MAX_SUBNETS_QUOTED]]
        rest = len(routes) - len(unclear)
        if rest:
            said.append(f"the other {counted(rest, 'subnet')} route 0.0.0.0/0 to an available NAT gateway")
        return CheckOutcome(
            KIND, Outcome.HOLDS, (where, *said, "whether that next hop reaches the internet is not known")
        )
    return CheckOutcome(KIND, Outcome.FAILS, (where, *[r.explain() for r in routes[:MAX_SUBNETS_QUOTED]]))


@evaluator(KIND)
def egress_without_eip(spec: EgressWithoutEipCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    prefix = spec.annotation_prefix
    where = template_word(snapshot)
    template_keys = _eip_keys(snapshot.template.meta.annotations, prefix)
    pods = active_pods(snapshot) if snapshot.ref.kind != "Pod" else []
    pods_without = [p.name for p in pods or [] if not _eip_keys(p.annotations, prefix)]
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
    facts = context.cloud.egress if context.cloud is not None else None
    if facts is None:
        return CheckOutcome(KIND, Outcome.HOLDS, (*evidence, UNSEEN))
    if isinstance(facts, CloudGap):
        return CheckOutcome(KIND, Outcome.HOLDS, (*evidence, *_without_route(facts)))
    if snapshot.ref.kind == "Pod":
        pods = snapshot.pods if isinstance(snapshot.pods, list) else []
    judged = _judge_routes(facts, list(pods or []))
    return CheckOutcome(KIND, judged.outcome, (*evidence, *judged.evidence), decisive=judged.decisive)
