"""istio_sidecar: does the workload run (or will it get) an istio-proxy sidecar?"""

from __future__ import annotations

from bot.cluster.checks.common import active_pods, counted, name_list, pods_without_data, template_word
from bot.cluster.checks.context import CheckContext
from bot.cluster.checks.registry import evaluator
from bot.cluster.snapshot import Unreadable, WorkloadSnapshot
from bot.cluster.views import PodTemplate
from bot.domain import CheckOutcome, Outcome
from knowledge.schema import IstioSidecarCheck

PROXY = "istio-proxy"
STATUS = "sidecar.istio.io/status"
INJECT = "sidecar.istio.io/inject"
KIND = "istio_sidecar"


def _template_signals(template: PodTemplate, where: str) -> tuple[list[str], bool | None]:
    """Evidence of a sidecar in the template, and the explicit inject choice (None when not set)."""
    found = []
    names = [c.name for c in template.spec.all_containers()]
    if PROXY in names:
        found.append(f"the {where} has an {PROXY} container")
    meta_values = {**template.meta.labels, **template.meta.annotations}
    if STATUS in meta_values:
        found.append(f"the {where} carries {STATUS}")
    inject = str(meta_values.get(INJECT, "")).lower()
    choice = True if inject == "true" else False if inject == "false" else None
    return found, choice


def _namespace_signal(ns_labels: dict[str, str], namespace: str | None) -> tuple[str | None, bool | None]:
    injection = ns_labels.get("istio-injection")
    if injection == "enabled":
        return f"namespace {namespace} is labelled istio-injection=enabled", True
    if injection == "disabled":
        return f"namespace {namespace} is labelled istio-injection=disabled", False
    if "istio.io/rev" in ns_labels:
        return f"namespace {namespace} is labelled istio.io/rev={ns_labels['istio.io/rev']}", True
    return None, None


@evaluator(KIND)
def istio_sidecar(spec: IstioSidecarCheck, snapshot: WorkloadSnapshot, context: CheckContext) -> CheckOutcome:
    pods = active_pods(snapshot)
    if pods:
        with_proxy = [p.name for p in pods if PROXY in [c.name for c in p.spec.all_containers()]]
        with_status = [p.name for p in pods if STATUS in p.annotations]
        meshed = sorted(set(with_proxy) | set(with_status))
        if meshed:
            how = f"an {PROXY} container" if with_proxy else f"the {STATUS} annotation"
            return CheckOutcome(
                KIND, Outcome.HOLDS, (f"{len(meshed)} of {len(pods)} running pods have {how} ({name_list(meshed)})",)
            )
    where = template_word(snapshot)
    template_found, choice = _template_signals(snapshot.template, where)
    if template_found:
        return CheckOutcome(KIND, Outcome.HOLDS, tuple(template_found))
    if choice is True:
        return CheckOutcome(KIND, Outcome.HOLDS, (f'the {where} sets {INJECT}: "true"',))
    if choice is False:
        return CheckOutcome(KIND, Outcome.FAILS, (f'the {where} opts out with {INJECT}: "false"',))
    namespace = snapshot.ref.namespace
    if isinstance(snapshot.namespace_labels, Unreadable):
        running = f"; {counted(len(pods), 'running pod')} without {PROXY}" if pods else ""
        return CheckOutcome(
            KIND,
            Outcome.UNKNOWN,
            (
                f"no {PROXY} container or {INJECT} setting in the {where}{running}; "
                f"namespace {namespace}'s labels unknown ({snapshot.namespace_labels.why}), "
                "an injection label there would add a sidecar",
            ),
        )
    said, injects = _namespace_signal(snapshot.namespace_labels, namespace)
    if injects:
        note = f"; running pods have no {PROXY} yet, new pods will" if pods else ""
        return CheckOutcome(KIND, Outcome.HOLDS, (said + note,))
    looked_at = ", ".join(
        filter(None, [counted(len(pods), "running pod") if pods else pods_without_data(snapshot), where])
    )
    reason = said or f"namespace {namespace} has no istio-injection or istio.io/rev label"
    return CheckOutcome(KIND, Outcome.FAILS, (f"no {PROXY} sidecar ({looked_at}); {reason}",))
