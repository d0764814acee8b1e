"""Fix and undo in two steps a person confirms between: a preview (read and plan, nothing written),
then the apply (authorize, record, dry-run, patch, verify, record the outcome).

The preview carries the cluster it was made on, so the apply talks to the same cluster whichever
interface drives it; an offer stored with an answer can be previewed and applied from a button.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.clusters import Connection
from bot.core.inspection import resolve_workload
from bot.core.offers import Offer, OfferKind, plan_offer
from bot.domain import Actor, WorkloadRef
from bot.errors import InputError, RefusedError


@dataclass(frozen=True, slots=True)
class FixPreview:
    plan: Any  # bot.remedies.patches.PatchPlan: the exact change, its consequence, the kubectl command
    cluster: str
    connection: Connection
    incident_id: str | None = None
    #: The values a previous preview (a button's offer) showed; anything else now is refused, not overwritten.
    expect_before: Mapping[str, str | None] | None = None

    @property
    def already_applied(self) -> bool:
        return bool(self.plan.already_applied)


@dataclass(frozen=True, slots=True)
class UndoPreview:
    preview: Any  # bot.remedies.service.UndoPreview
    cluster: str | None
    connection: Connection

    @property
    def plan(self) -> Any:
        return self.preview.plan

    @property
    def action(self) -> Any:
        return self.preview.action

    @property
    def note(self) -> str | None:
        return self.preview.note


def check_fix_request(doctor: Any, *, entry_id: str, overrides: Mapping[str, str]) -> None:
    """Refuse an unknown entry, an entry without a patch, or a bad value before any cluster is read."""
    from bot.remedies.service import check_request, find_entry

    check_request(find_entry(doctor.kb, entry_id), overrides)


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` pairs as given with `--set` (or typed in Slack)."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {pair!r}: expected KEY=VALUE, e.g. ipvs-tcp-timeout=3600s")
        values[key.strip()] = value
    return values


def preview_fix(
    doctor: Any,
    *,
    workload: str | WorkloadRef,
    entry_id: str,
    namespace: str | None = None,
    overrides: Mapping[str, str] | None = None,
    symptom: str | None = None,
    cluster: str | None = None,
    context: str | None = None,
    incident_id: str | None = None,
) -> FixPreview:
    from bot.remedies.service import prepare_fix

    check_fix_request(doctor, entry_id=entry_id, overrides=overrides or {})
    connection = doctor.connect(cluster=cluster, context=context)
    ref = resolve_workload(workload, namespace=namespace, default_namespace=connection.default_namespace)
    plan = prepare_fix(
        kb=doctor.kb,
        api=connection.api,
        workload=ref,
        entry_id=entry_id,
        overrides=overrides,
        symptom_text=symptom,
        allowed=doctor.allow_list,
    )
    return FixPreview(plan=plan, cluster=connection.name, connection=connection, incident_id=incident_id)


def preview_offer(doctor: Any, *, offer: Offer) -> FixPreview:
    """The preview of a stored patch offer, guarded by the values the offer showed."""
    if offer.kind is not OfferKind.PATCH or offer.workload is None:
        raise InputError(f"offer {offer.id} is not a fix")
    connection = doctor.connect_recorded(offer.cluster)
    plan = plan_offer(doctor, connection.api, offer)
    return FixPreview(
        plan=plan,
        cluster=connection.name,
        connection=connection,
        incident_id=offer.incident_id,
        expect_before=dict(offer.before) if offer.before is not None else None,
    )


def apply_fix(
    doctor: Any, *, actor: Actor, preview: FixPreview, dry_run: bool = False, request_key: str | None = None
) -> Any:
    """Apply (or only dry-run) a previewed fix; returns bot.remedies.results.FixResult."""
    from bot.remedies.service import apply_fix as run_apply

    return run_apply(
        store=doctor.store(),
        api=preview.connection.api,
        config=doctor.config,
        plan=preview.plan,
        actor=actor,
        cluster=preview.cluster,
        dry_run_only=dry_run,
        request_key=request_key,
        incident_id=preview.incident_id,
        expect_before=preview.expect_before,
    )


def preview_undo(doctor: Any, *, action_id: str, context: str | None = None) -> UndoPreview:
    from bot.remedies.service import prepare_undo
    from bot.store import get_action

    store = doctor.store()
    action = get_action(store, action_id=action_id)
    connection = doctor.connect_recorded(action.cluster, context=context)
    preview = prepare_undo(store=store, kb=doctor.kb, api=connection.api, action_id=action_id)
    return UndoPreview(preview=preview, cluster=action.cluster, connection=connection)


def apply_undo(
    doctor: Any, *, actor: Actor, preview: UndoPreview, dry_run: bool = False, request_key: str | None = None
) -> Any:
    from bot.remedies.service import apply_undo as run_undo

    return run_undo(
        store=doctor.store(),
        api=preview.connection.api,
        config=doctor.config,
        preview=preview.preview,
        actor=actor,
        dry_run_only=dry_run,
        request_key=request_key,
    )


def list_actions(doctor: Any, *, cluster: str | None = None, status: str | None = None, limit: int = 50) -> list:
    from bot.store import list_actions as read  # the store alone: no Kubernetes client to list

    return read(doctor.store(), cluster=cluster, status=status, limit=limit)


def get_action(doctor: Any, *, action_id: str) -> Any:
    from bot.store import get_action as read_action

    return read_action(doctor.store(), action_id=action_id)


def authorize(doctor: Any, *, actor: Actor, cluster: str | None, namespace: str | None) -> None:
    """RefusedError naming who may fix there, when `actor` may not (checked again when applying)."""
    from bot.remedies.policy import check_may_fix

    try:
        check_may_fix(config=doctor.config, actor=actor, cluster=cluster, namespace=namespace)
    except RefusedError as exc:
        who = fixers_for(doctor, cluster=cluster, namespace=namespace)
        if who:
            raise RefusedError(exc.message, hint="people who may: " + ", ".join(who)) from None
        raise


def fixers_for(doctor: Any, *, cluster: str | None, namespace: str | None) -> list[str]:
    """The user and user-group ids whose `fixers` rules cover this cluster and namespace."""
    names: list[str] = []
    for rule in doctor.config.fixers:
        if rule.covers(cluster=cluster, namespace=namespace):
            names += [*rule.users, *rule.usergroups]
    return list(dict.fromkeys(names))


def get_offer(doctor: Any, *, offer_id: str) -> Offer:
    from bot.store import get_offer as read_offer

    return Offer.from_row(read_offer(doctor.store(), offer_id=offer_id))


@dataclass(frozen=True, slots=True)
class Rollout:
    """How far the rollout a fix started has come (Deployments, StatefulSets and DaemonSets)."""

    desired: int
    updated: int
    ready: int
    done: bool


def rollout_status(doctor: Any, *, cluster: str | None, workload: WorkloadRef) -> Rollout:
    from bot.remedies.target import access, object_path

    api = doctor.connect_recorded(cluster).api
    obj = api.get(object_path(workload), access=access(workload.kind, "get", workload.namespace))
    if obj is None:
        raise InputError(f"{workload} no longer exists")
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    metadata = obj.get("metadata") or {}
    if workload.kind == "DaemonSet":
        desired = int(status.get("desiredNumberScheduled") or 0)
        updated = int(status.get("updatedNumberScheduled") or 0)
        ready = int(status.get("numberReady") or 0)
    else:
        desired = int(spec.get("replicas", 1) or 0)
        updated = int(status.get("updatedReplicas") or 0)
        ready = int(status.get("readyReplicas") or 0)
    observed = int(status.get("observedGeneration") or 0) >= int(metadata.get("generation") or 0)
    if not observed:  # the controller has not seen the change yet: nothing is updated, whatever status says
        updated = 0
    return Rollout(
        desired=desired, updated=updated, ready=ready, done=observed and updated >= desired and ready >= desired
    )


def refuse_offer(doctor: Any, *, actor: Actor, offer: Offer, reason: str) -> str | None:
    """Record who tried to apply an offer they may not, and why (nothing is sent to the cluster).

    Returns the refusal's action id, or None when the store could not record it (the refusal stands).
    """
    from bot.errors import EksDoctorError
    from bot.store import record_action

    if offer.workload is None:
        return None
    try:
        action = record_action(
            doctor.store(),
            incident_id=offer.incident_id,
            entry_id=offer.entry_id,
            cluster=offer.cluster,
            namespace=offer.workload.namespace,
            workload_kind=offer.workload.kind,
            workload_name=offer.workload.name,
            actor=actor.label,
            kind="patch",
            before=dict(offer.before or ()),
            after=dict(offer.annotations),
            status="refused",
            message=reason,
        )
    except EksDoctorError:
        return None
    return action.id
