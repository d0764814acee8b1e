"""Planning an annotation patch from a knowledge entry's declared remedy (pure: no I/O).

Only keys the entry allows, with values of the declared shape, ever reach a plan; anything else is
refused here, before a request is made. A plan names the exact change (before/after per key), the
consequence (a rollout, and how many pods it recreates), and the `kubectl patch` equivalent.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from bot.domain import WorkloadRef
from bot.errors import InputError, RefusedError
from bot.remedies.allowlist import admit
from bot.remedies.values import Suggestion, covers, normalise, resolve_key, same_value, suggest_values
from knowledge.platform import AllowList
from knowledge.schema import AnnotationSpec, Entry, PatchRemedy

PATCHABLE = ("Deployment", "StatefulSet", "DaemonSet")
ANNOTATIONS_PATH = "spec.template.metadata.annotations"

Values = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class PatchPlan:
    """One change to a workload's pod-template annotations, ready to preview, dry-run and apply."""

    entry_id: str
    workload: WorkloadRef
    #: What the user wants per key (None: remove the key, as an undo of a key that did not exist).
    target: Values
    #: The values now and after the change, per key: set by `rebased` from the object as read.
    before: Values = field(default_factory=dict)
    after: Values = field(default_factory=dict)
    #: The declared shape per key, to compare by meaning (unused when `exact`).
    specs: Mapping[str, AnnotationSpec] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    replicas: int | None = None
    update_strategy: str | None = None
    consequence_note: str = ""
    #: The object's resourceVersion the plan was made from (optimistic concurrency on apply).
    resource_version: str | None = None
    #: Undo: the values the keys must still have; anything else means someone changed them since.
    expect: Values | None = None
    #: Duration keys set from a default: a current value at or above the target is kept, not lowered.
    raise_only: frozenset[str] = frozenset()
    #: Compare values as strings (undo restores the exact text), not by meaning ("30m" == "1800s").
    exact: bool = False
    kube_context: str | None = None

    def same(self, key: str, current: str | None, wanted: str | None) -> bool:
        return current == wanted if self.exact else same_value(self.specs[key], current, wanted)

    @property
    def keys(self) -> list[str]:
        return list(self.target)

    @property
    def changes(self) -> Values:
        return {k: self.after[k] for k in self.keys if not self.same(k, self.before[k], self.after[k])}

    @property
    def already_applied(self) -> bool:
        return not self.changes

    def expectation_failures(self) -> list[str]:
        """What differs from `expect`, one line per key ("... is now '3600s' (expected '1800s')")."""
        if self.expect is None:
            return []
        return [
            f"{key} is now {_show(self.before[key])}, not {_show(self.expect.get(key))}"
            for key in self.keys
            if not self.same(key, self.before[key], self.expect.get(key))
        ]

    def rebased(self, current: Mapping[str, str], *, resource_version: str | None) -> PatchPlan:
        """The same intent against newly read annotations (after a conflict or a fresh read)."""
        before: Values = {key: current.get(key) for key in self.keys}
        after: Values = {}
        for key in self.keys:
            wanted = self.target[key]
            keep = key in self.raise_only and wanted is not None and covers(self.specs[key], before[key], wanted)
            after[key] = before[key] if keep else wanted
        return replace(self, before=before, after=after, resource_version=resource_version)

    def merge_patch(self, *, resource_version: str | None) -> dict:
        """A JSON merge patch touching only this plan's keys (null removes a key)."""
        body: dict = {"spec": {"template": {"metadata": {"annotations": dict(self.changes)}}}}
        if resource_version:
            body["metadata"] = {"resourceVersion": resource_version}
        return body

    # -- presentation (channel-neutral text) --------------------------------------------------------

    @property
    def diff_lines(self) -> list[str]:
        lines = [f"{ANNOTATIONS_PATH} of {self.workload}:"]
        for key in self.keys:
            old, new = self.before[key], self.after[key]
            if self.same(key, old, new):
                lines.append(f"  {key}: {_show(old)}" + ("  (unchanged)" if old is not None else "  (absent)"))
                continue
            if old is not None:
                lines.append(f"- {key}: {_show(old)}")
            if new is not None:
                lines.append(f"+ {key}: {_show(new)}")
        return lines

    @property
    def consequence(self) -> str:
        """What the change sets off: the entry's own words plus how many pods, and how they are replaced."""
        if self.already_applied:
            return "Nothing to change: no write, no rollout."
        what = f"{self.workload.kind.lower()}/{self.workload.name}"
        pods = f"{self.replicas} pod{'s' if self.replicas != 1 else ''}" if self.replicas is not None else "its pods"
        if self.update_strategy == "OnDelete":
            return (
                f"{what} uses updateStrategy OnDelete: nothing restarts now, and {pods} keep the old value until "
                "each is deleted (EKS reads the annotation when a pod is created)."
            )
        if self.replicas == 0:
            return f"{what} runs no pods now (0 replicas): nothing restarts; pods created later get the new value."
        if self.update_strategy == "Recreate":
            how = f"strategy Recreate: all {pods} stop before the new ones start (a short outage)"
        else:
            how = f"{pods}, replaced a few at a time (rolling update)"
        return f"{self.consequence_note} For {what}: {how}.".strip()

    def kubectl_command(self, values: Values | None = None) -> str:
        """The same change for people who apply it elsewhere (GitOps repos, their own terminal)."""
        annotations = dict(values if values is not None else self.after)
        patch = {"spec": {"template": {"metadata": {"annotations": annotations}}}}
        parts = ["kubectl", "patch", self.workload.kind.lower()]
        parts += [self.workload.name, "-n", self.workload.namespace or "default"]
        if self.kube_context:
            parts += ["--context", self.kube_context]
        parts += ["--type", "merge", "-p", json.dumps(patch, separators=(",", ":"), ensure_ascii=False)]
        return " ".join(shlex.quote(part) for part in parts)

    @property
    def undo_kubectl_command(self) -> str:
        """What restores the previous state by hand (null removes keys that did not exist)."""
        return self.kubectl_command(dict(self.before))

    def manifest_lines(self) -> list[str]:
        lines = ["spec:", "  template:", "    metadata:", "      annotations:"]
        lines += [f"        {key}: {json.dumps(value)}" for key, value in self.after.items() if value is not None]
        return lines


def _show(value: str | None) -> str:
    return "(absent)" if value is None else json.dumps(value, ensure_ascii=False)


def refuse_kind(*, entry: Entry, workload: WorkloadRef, owner: WorkloadRef | None = None) -> RefusedError:
    """Why this kind cannot take the patch, honestly, and what to do instead."""
    keys = ", ".join(spec.key for spec in entry.remedy.patch.allowed) if entry.remedy.patch else "the annotation"
    what = f"{workload.kind.lower()}/{workload.name}"
    if workload.kind == "Pod":
        message = (
            f"{what} is a bare pod: EKS reads {keys} only when a pod is created, so annotating a running pod "
            "changes nothing; the pod must be recreated with the annotation"
        )
        if owner is not None and owner.kind in PATCHABLE:
            instead = f"eks-doctor fix {owner.kind.lower()}/{owner.name} -n {owner.namespace} --entry {entry.id}"
            return RefusedError(message, hint=f"it belongs to {owner.kind.lower()}/{owner.name}: run `{instead}`")
        if owner is not None:
            return RefusedError(message, hint=f"it belongs to {owner.kind.lower()}/{owner.name}; change that instead")
        return RefusedError(message, hint="add the annotation to the pod's manifest, then delete and re-create the pod")
    if workload.kind == "Job":
        message = f"{what}: a Job's pod template cannot be changed once the Job exists"
        hint = "add the annotation to the Job's manifest and create the Job again"
        if owner is not None and owner.kind == "CronJob":
            hint = f"it was created by cronjob/{owner.name}: add the annotation to the CronJob's job template"
        return RefusedError(message, hint=hint)
    if workload.kind == "CronJob":
        return RefusedError(
            f"{what}: EKS Doctor patches only Deployments, StatefulSets and DaemonSets",
            hint=f"add {keys} under spec.jobTemplate.spec.template.metadata.annotations in the CronJob's manifest; "
            "the next Job it creates gets it",
        )
    return RefusedError(
        f"{what}: {workload.kind} cannot carry pod-template annotations (Deployment, StatefulSet or DaemonSet expected)"
    )


def plan_patch(
    *,
    entry: Entry,
    workload: WorkloadRef,
    current_annotations: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
    replicas: int | None = None,
    symptom_text: str | None = None,
    used_ports: Iterable[int] = (),
    update_strategy: str | None = None,
    owner: WorkloadRef | None = None,
    resource_version: str | None = None,
    kube_context: str | None = None,
    allowed: AllowList | None = None,
) -> PatchPlan:
    """Validate the request against the entry and the annotation allow-list (`allowed`, default the
    platform's) and compute the change; raises before any request is made."""
    patch = entry.remedy.patch
    if patch is None:
        what = "a quota ticket (eks-doctor quota draft)" if entry.remedy.ticket else "a checklist"
        raise InputError(f"entry {entry.id} has no annotation patch; its remedy is {what}")
    if workload.kind not in PATCHABLE:
        raise refuse_kind(entry=entry, workload=workload, owner=owner)
    used = sorted({int(p) for p in used_ports})
    suggestions = suggest_values(entry, symptom_text, used_ports=used)
    target: Values = {key: s.value for key, s in suggestions.items()}
    reasons = {key: s.reason for key, s in suggestions.items()}
    raise_only = {key for key in target if patch.spec(key).shape == "duration"}  # type: ignore[union-attr]
    for raw_key, raw_value in (overrides or {}).items():
        spec = resolve_key(entry, raw_key)
        value = normalise(spec, raw_value)
        if spec.shape == "port" and int(value) in used:
            raise InputError(f"{spec.key}: port {value} is used by a container of {workload}; pick a free port")
        target[spec.key] = value
        reasons[spec.key] = "set by you" + (f" ({raw_value} = {value})" if value != raw_value.strip() else "")
        raise_only.discard(spec.key)
    warnings = admit(allowed, target) + _warnings(patch, target, suggestions)
    specs = {key: patch.spec(key) for key in target}
    plan = PatchPlan(
        entry_id=entry.id,
        workload=workload,
        specs=specs,  # type: ignore[arg-type]
        target=target,
        reasons=reasons,
        warnings=tuple(warnings),
        replicas=replicas,
        update_strategy=update_strategy,
        consequence_note=" ".join(patch.consequence.split()),
        raise_only=frozenset(raise_only),
        kube_context=kube_context,
    )
    plan = plan.rebased(current_annotations, resource_version=resource_version)
    for key in plan.keys:
        if key in plan.raise_only and plan.after[key] != plan.target[key]:
            reasons[key] = f"already {plan.before[key]}, which covers the suggested {plan.target[key]}; kept"
    return plan


def _warnings(patch: PatchRemedy, target: Values, suggested: Mapping[str, Suggestion]) -> list[str]:
    """A value the user chose that falls short of what the mechanism needs is allowed, but said."""
    warnings = []
    for key, s in suggested.items():
        spec, value = patch.spec(key), target[key]
        if spec is not None and spec.shape == "duration" and value is not None and not covers(spec, value, s.value):
            warnings.append(f"{key}={value} is below the suggested {s.value} ({s.reason})")
    return warnings


def plan_undo(
    *,
    entry: Entry | None,
    workload: WorkloadRef,
    recorded_before: Mapping[str, str | None],
    recorded_after: Mapping[str, str | None],
    current_annotations: Mapping[str, str],
    replicas: int | None = None,
    update_strategy: str | None = None,
    resource_version: str | None = None,
    kube_context: str | None = None,
) -> PatchPlan:
    """Restore `recorded_before` exactly (None: remove a key the fix added), provided the keys still hold
    `recorded_after`; `PatchPlan.expectation_failures` names what someone changed since."""
    keys = list(dict.fromkeys([*recorded_after, *recorded_before]))
    allowed = entry.remedy.patch if entry is not None else None
    note = " ".join(allowed.consequence.split()) if allowed else "Changing the pod template starts a rollout."
    # No shapes: an undo compares and restores exact text, whatever the entry declares (or if it is gone).
    plan = PatchPlan(
        entry_id=entry.id if entry is not None else "",
        workload=workload,
        target={key: recorded_before.get(key) for key in keys},
        reasons={key: "the value before the fix" for key in keys},
        replicas=replicas,
        update_strategy=update_strategy,
        consequence_note=note,
        expect={key: recorded_after.get(key) for key in keys},
        exact=True,
        kube_context=kube_context,
    )
    return plan.rebased(current_annotations, resource_version=resource_version)
