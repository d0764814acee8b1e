"""What a plan says it will write, to which object, under which guard, and what a person reads before
saying yes: the change per key, the merge patch, the consequence, and the commands to do it by hand."""

from __future__ import annotations

import json
import shlex

import pytest

from bot.domain import WorkloadRef
from bot.errors import InputError, RefusedError
from bot.remedies.patches import plan_patch, plan_undo, refuse_kind
from knowledge.schema import Remedy

from .conftest import GRPC_ENTRY, METRICS, PORT_ENTRY, TCP
from .entries import CONSEQUENCE, bundled_kb, entry_with, spec, widened

OWNER = widened(("example.com/owner", "string"))


@pytest.fixture(scope="module")
def kb():
    return bundled_kb()


UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"
DEPLOY = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")
GRPC_NOTE = (
    "Changing the pod template starts a rollout: every pod of the workload is recreated with the new annotation "
    "(EKS reads it when the pod is created)."
)
DEFAULT_REASON = "covers grpc-java's default idle timeout (30 min); raise it if your client idles longer"


def annotations_of(body: dict) -> dict:
    return body["spec"]["template"]["metadata"]["annotations"]


@pytest.fixture
def grpc(kb):
    return kb.get(GRPC_ENTRY)


@pytest.fixture
def two_timeouts(grpc):
    """An entry that sets both ipvs timeouts."""
    return entry_with(grpc, spec(TCP, "duration", default="1800s"), spec(UDP, "duration", default="120s"))


def _plan(entry, current=None, **kwargs):
    return plan_patch(entry=entry, workload=kwargs.pop("workload", DEPLOY), current_annotations=current or {}, **kwargs)


# -- what is written -----------------------------------------------------------------------------


def test_a_value_equal_in_meaning_is_already_applied_and_nothing_is_written(grpc):
    plan = _plan(grpc, {TCP: "30m"}, overrides={TCP: "1800s"})
    assert plan.before == {TCP: "30m"} and plan.after == {TCP: "1800s"}
    assert plan.changes == {} and plan.already_applied
    assert annotations_of(plan.merge_patch(resource_version="5")) == {}


def test_a_different_value_is_a_change(grpc):
    plan = _plan(grpc, {TCP: "1h"}, overrides={TCP: "1800s"})
    assert plan.changes == {TCP: "1800s"} and not plan.already_applied


def test_the_merge_patch_carries_only_the_keys_that_change(two_timeouts):
    plan = _plan(two_timeouts, {TCP: "1800s", "team": "payments"})
    assert plan.keys == [TCP, UDP]
    assert plan.changes == {UDP: "120s"}
    assert plan.merge_patch(resource_version=None) == {
        "spec": {"template": {"metadata": {"annotations": {UDP: "120s"}}}}
    }


def test_the_merge_patch_carries_the_resource_version_it_was_planned_from(grpc):
    plan = _plan(grpc, resource_version="41")
    assert plan.resource_version == "41" and plan.entry_id == GRPC_ENTRY
    assert plan.merge_patch(resource_version=plan.resource_version)["metadata"] == {"resourceVersion": "41"}
    assert "metadata" not in plan.merge_patch(resource_version=None)
    assert "metadata" not in plan.merge_patch(resource_version="")


def test_a_default_timeout_never_lowers_a_higher_one_but_replaces_a_lower_or_unreadable_one(grpc):
    kept = _plan(grpc, {TCP: "2h"})
    assert kept.after == {TCP: "2h"} and kept.already_applied
    assert kept.reasons[TCP] == "already 2h, which covers the suggested 1800s; kept"
    raised = _plan(grpc, {TCP: "20m"})
    assert raised.changes == {TCP: "1800s"} and raised.reasons[TCP] == DEFAULT_REASON
    unreadable = _plan(grpc, {TCP: "soon"})
    assert unreadable.changes == {TCP: "1800s"} and unreadable.before == {TCP: "soon"}


def test_a_value_the_user_sets_is_written_even_when_lower(grpc):
    plan = _plan(grpc, {TCP: "2h"}, overrides={"ipvs-tcp-timeout": "20m"})
    assert plan.changes == {TCP: "1200s"}
    assert plan.reasons[TCP] == "set by you (20m = 1200s)"
    assert _plan(grpc, overrides={TCP: " 2400s "}).reasons[TCP] == "set by you"


def test_a_value_below_the_suggested_timeout_is_written_with_a_warning(grpc):
    plan = _plan(grpc, overrides={TCP: "900s"})
    assert plan.after == {TCP: "900s"}
    assert plan.warnings == (f"{TCP}=900s is below the suggested 1800s ({DEFAULT_REASON})",)
    mentioned = _plan(grpc, symptom_text="the idle timeout is 60 minutes", overrides={TCP: "45m"})
    assert mentioned.warnings == (
        f"{TCP}=2700s is below the suggested 3600s (covers the client's idle timeout you mentioned (1 hour, 3600s); "
        "a shorter ipvs timeout drops idle connections the client still uses)",
    )


def test_every_key_below_its_suggestion_is_warned_about(grpc, kb):
    port = spec("example.com/metrics-port", "port", default="9110")
    entry = entry_with(grpc, port, spec(TCP, "duration", default="1800s"), spec(UDP, "duration", default="120s"))
    plan = _plan(entry, overrides={TCP: "900s", UDP: "60s"}, allowed=widened(("example.com/metrics-port", "port")))
    below = [w.split(" is below")[0] for w in plan.warnings if " is below " in w]
    assert below == [f"{TCP}=900s", f"{UDP}=60s"]


def test_no_warning_when_the_value_covers_the_suggestion_or_is_not_a_duration(grpc, kb):
    assert _plan(grpc, overrides={TCP: "1800s"}).warnings == ()
    assert _plan(grpc, overrides={TCP: "2h"}).warnings == ()
    assert _plan(grpc).warnings == ()
    assert _plan(kb.get(PORT_ENTRY), overrides={METRICS: "9200"}).warnings == ()


def test_a_port_is_compared_as_a_number_against_the_containers_ports(kb):
    entry = kb.get(PORT_ENTRY)
    with pytest.raises(InputError) as refused:
        _plan(entry, overrides={"metrics-port": "09110"}, used_ports=[9100, 9110])
    assert str(refused.value) == f"{METRICS}: port 9110 is used by a container of {DEPLOY}; pick a free port"
    assert _plan(entry, overrides={METRICS: "9111"}, used_ports=[9100, 9110]).after == {METRICS: "9111"}


def test_an_entry_without_a_patch_names_its_remedy(kb, grpc):
    with pytest.raises(InputError) as ticket:
        _plan(kb.get("quota-pods-per-cluster"))
    assert str(ticket.value) == (
        "entry quota-pods-per-cluster has no annotation patch; its remedy is a quota ticket (eks-doctor quota draft)"
    )
    checklist_only = grpc.model_copy(
        update={"remedy": Remedy(summary="by hand", summary_zh="手工处理", checklist=["enable keepalive"])}
    )
    with pytest.raises(InputError) as checklist:
        _plan(checklist_only)
    assert str(checklist.value) == f"entry {GRPC_ENTRY} has no annotation patch; its remedy is a checklist"


# -- to which object: kinds that cannot take the patch ---------------------------------------------


POD = WorkloadRef(kind="Pod", namespace="shop", name="checkout-7d9f-abcde")
BARE_POD = (
    f"pod/checkout-7d9f-abcde is a bare pod: EKS reads {TCP} only when a pod is created, so annotating a running pod "
    "changes nothing; the pod must be recreated with the annotation"
)


@pytest.mark.parametrize(
    ("workload", "owner", "message", "hint"),
    [
        (
            POD,
            WorkloadRef("StatefulSet", "shop", "ledger"),
            BARE_POD,
            f"it belongs to statefulset/ledger: run `eks-doctor fix statefulset/ledger -n shop --entry {GRPC_ENTRY}`",
        ),
        (POD, WorkloadRef("Job", "shop", "nightly-1"), BARE_POD, "it belongs to job/nightly-1; change that instead"),
        (POD, None, BARE_POD, "add the annotation to the pod's manifest, then delete and re-create the pod"),
        (
            WorkloadRef("Job", "shop", "nightly-1"),
            WorkloadRef("CronJob", "shop", "nightly"),
            "job/nightly-1: a Job's pod template cannot be changed once the Job exists",
            "it was created by cronjob/nightly: add the annotation to the CronJob's job template",
        ),
        (
            WorkloadRef("Job", "shop", "once"),
            None,
            "job/once: a Job's pod template cannot be changed once the Job exists",
            "add the annotation to the Job's manifest and create the Job again",
        ),
        (
            WorkloadRef("Job", "shop", "once"),
            WorkloadRef("Deployment", "shop", "odd"),
            "job/once: a Job's pod template cannot be changed once the Job exists",
            "add the annotation to the Job's manifest and create the Job again",
        ),
        (
            WorkloadRef("CronJob", "shop", "nightly"),
            None,
            "cronjob/nightly: EKS Doctor patches only Deployments, StatefulSets and DaemonSets",
            f"add {TCP} under spec.jobTemplate.spec.template.metadata.annotations in the CronJob's manifest; "
            "the next Job it creates gets it",
        ),
        (
            WorkloadRef("ReplicaSet", "shop", "checkout-7d9f"),
            None,
            "replicaset/checkout-7d9f: ReplicaSet cannot carry pod-template annotations "
            "(Deployment, StatefulSet or DaemonSet expected)",
            None,
        ),
    ],
)
def test_kinds_that_cannot_take_the_patch_are_refused_with_what_to_do(grpc, workload, owner, message, hint):
    with pytest.raises(RefusedError) as refused:
        _plan(grpc, workload=workload, owner=owner)
    assert (refused.value.message, refused.value.hint) == (message, hint)


def test_a_refusal_names_every_key_the_entry_allows(grpc, kb):
    entry = entry_with(grpc, spec(TCP, "duration", default="1800s"), spec(UDP, "duration"))
    with pytest.raises(RefusedError, match=f"EKS reads {TCP}, {UDP} only when"):
        _plan(entry, workload=POD)
    assert (
        "EKS reads the annotation only when"
        in refuse_kind(entry=kb.get("quota-pods-per-cluster"), workload=POD).message
    )


# -- what a person reads before saying yes ---------------------------------------------------------


def test_the_diff_shows_each_key_as_removed_added_or_unchanged(two_timeouts):
    plan = _plan(two_timeouts, {TCP: "20m", UDP: "2m"}, overrides={UDP: "120s"})
    assert plan.diff_lines == [
        "spec.template.metadata.annotations of deployment/checkout in shop:",
        f'- {TCP}: "20m"',
        f'+ {TCP}: "1800s"',
        f'  {UDP}: "2m"  (unchanged)',
    ]
    added = _plan(two_timeouts, {TCP: "30m"})
    assert added.diff_lines[1:] == [f'  {TCP}: "30m"  (unchanged)', f'+ {UDP}: "120s"']


def test_the_undo_diff_shows_a_removed_key_and_an_absent_one(grpc):
    plan = plan_undo(
        entry=grpc,
        workload=DEPLOY,
        recorded_before={TCP: None, UDP: None},
        recorded_after={TCP: "1800s", UDP: None},
        current_annotations={TCP: "1800s"},
    )
    assert plan.diff_lines[1:] == [f'- {TCP}: "1800s"', f"  {UDP}: (absent)  (absent)"]
    assert plan.changes == {TCP: None}


@pytest.mark.parametrize(
    ("replicas", "strategy", "says"),
    [
        (3, None, f"{GRPC_NOTE} For deployment/checkout: 3 pods, replaced a few at a time (rolling update)."),
        (1, "RollingUpdate", f"{GRPC_NOTE} For deployment/checkout: 1 pod, replaced a few at a time (rolling update)."),
        (None, None, f"{GRPC_NOTE} For deployment/checkout: its pods, replaced a few at a time (rolling update)."),
        (
            4,
            "Recreate",
            f"{GRPC_NOTE} For deployment/checkout: strategy Recreate: all 4 pods stop before the new ones start "
            "(a short outage).",
        ),
        (
            1,
            "Recreate",
            f"{GRPC_NOTE} For deployment/checkout: strategy Recreate: all 1 pod stop before the new ones start "
            "(a short outage).",
        ),
        (
            0,
            None,
            "deployment/checkout runs no pods now (0 replicas): nothing restarts; pods created later get the new "
            "value.",
        ),
        (
            2,
            "OnDelete",
            "deployment/checkout uses updateStrategy OnDelete: nothing restarts now, and 2 pods keep the old value "
            "until each is deleted (EKS reads the annotation when a pod is created).",
        ),
        (
            None,
            "OnDelete",
            "deployment/checkout uses updateStrategy OnDelete: nothing restarts now, and its pods keep the old value "
            "until each is deleted (EKS reads the annotation when a pod is created).",
        ),
    ],
)
def test_the_consequence_says_how_many_pods_restart_and_how(grpc, replicas, strategy, says):
    plan = _plan(grpc, replicas=replicas, update_strategy=strategy)
    assert (plan.replicas, plan.update_strategy) == (replicas, strategy)
    assert plan.consequence == says


def test_no_change_means_no_rollout(grpc):
    assert _plan(grpc, {TCP: "1800s"}, replicas=3).consequence == "Nothing to change: no write, no rollout."


def test_the_consequence_note_is_the_entry_text_on_one_line(grpc):
    entry = entry_with(grpc, spec(TCP, "duration", default="1800s"), consequence="Pods\n  are   recreated.")
    assert (
        _plan(entry, replicas=2).consequence
        == "Pods are recreated. For deployment/checkout: 2 pods, replaced a few at a time (rolling update)."
    )


def test_the_kubectl_command_does_the_same_change_on_the_same_object(grpc):
    plan = _plan(grpc, {TCP: "20m"}, kube_context="prod-gz", workload=WorkloadRef("StatefulSet", "shop", "ledger"))
    assert shlex.split(plan.kubectl_command()) == [
        "kubectl",
        "patch",
        "statefulset",
        "ledger",
        "-n",
        "shop",
        "--context",
        "prod-gz",
        "--type",
        "merge",
        "-p",
        '{"spec":{"template":{"metadata":{"annotations":{"' + TCP + '":"1800s"}}}}}',
    ]
    assert (
        shlex.split(plan.undo_kubectl_command)[-1]
        == '{"spec":{"template":{"metadata":{"annotations":{"' + TCP + '":"20m"}}}}}'
    )


def test_the_kubectl_command_without_a_context_or_namespace(grpc):
    plan = _plan(grpc, workload=WorkloadRef("DaemonSet", None, "agent"))
    argv = shlex.split(plan.kubectl_command())
    assert argv[:6] == ["kubectl", "patch", "daemonset", "agent", "-n", "default"] and "--context" not in argv
    undo = json.loads(shlex.split(plan.undo_kubectl_command)[-1])
    assert annotations_of(undo) == {TCP: None}  # null removes a key that did not exist


def test_the_kubectl_command_carries_every_changed_key_compactly(two_timeouts):
    argv = shlex.split(_plan(two_timeouts).kubectl_command())
    assert argv[-1] == (
        '{"spec":{"template":{"metadata":{"annotations":{"' + TCP + '":"1800s","' + UDP + '":"120s"}}}}}'
    )


def test_text_is_shown_as_written_not_escaped(grpc):
    entry = entry_with(grpc, spec("example.com/owner", "string", default="团队"))
    assert _plan(entry, {"example.com/owner": "旧"}, allowed=OWNER).diff_lines[1:] == [
        '- example.com/owner: "旧"',
        '+ example.com/owner: "团队"',
    ]


def test_the_kubectl_command_keeps_text_as_written_and_quotes_it_for_the_shell(grpc):
    entry = entry_with(grpc, spec("example.com/owner", "string", default="团队 O'Brien"))
    command = _plan(entry, allowed=OWNER).kubectl_command()
    assert "团队" in command  # not \\u escapes
    assert annotations_of(json.loads(shlex.split(command)[-1])) == {"example.com/owner": "团队 O'Brien"}


def test_the_manifest_lines_show_the_values_to_commit_to_a_repository(two_timeouts):
    plan = _plan(two_timeouts, {TCP: "2h"})
    assert plan.manifest_lines() == [
        "spec:",
        "  template:",
        "    metadata:",
        "      annotations:",
        f'        {TCP}: "2h"',
        f'        {UDP}: "120s"',
    ]
    removal = plan_undo(
        entry=None, workload=DEPLOY, recorded_before={TCP: None}, recorded_after={TCP: "1800s"}, current_annotations={}
    )
    assert removal.manifest_lines() == ["spec:", "  template:", "    metadata:", "      annotations:"]


# -- undo: the exact text back, under the same guards ----------------------------------------------


def test_undo_compares_exact_text_so_the_previous_spelling_comes_back(grpc):
    plan = plan_undo(
        entry=grpc,
        workload=DEPLOY,
        recorded_before={TCP: "30m"},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "1800s"},
        resource_version="77",
    )
    assert plan.changes == {TCP: "30m"} and not plan.already_applied
    assert plan.resource_version == "77"
    assert plan.merge_patch(resource_version=plan.resource_version) == {
        "spec": {"template": {"metadata": {"annotations": {TCP: "30m"}}}},
        "metadata": {"resourceVersion": "77"},
    }


def test_undo_names_each_key_someone_changed_since(grpc):
    plan = plan_undo(
        entry=grpc,
        workload=DEPLOY,
        recorded_before={TCP: "20m", UDP: None},
        recorded_after={TCP: "1800s", UDP: "120s"},
        current_annotations={TCP: "30m"},
    )
    assert plan.keys == [TCP, UDP]
    assert plan.expectation_failures() == [
        f'{TCP} is now "30m", not "1800s"',  # the same meaning, other text: someone wrote it
        f'{UDP} is now (absent), not "120s"',
    ]
    assert _plan(grpc, {TCP: "20m"}).expectation_failures() == []  # a fix expects nothing


def test_undo_of_a_key_the_fix_added_removes_it(grpc):
    plan = plan_undo(
        entry=grpc,
        workload=DEPLOY,
        recorded_before={},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "1800s"},
    )
    assert plan.target == {TCP: None} and plan.changes == {TCP: None} and plan.expectation_failures() == []
    assert plan.reasons == {TCP: "the value before the fix"}


def test_undo_carries_what_the_consequence_needs(grpc):
    plan = plan_undo(
        entry=grpc,
        workload=DEPLOY,
        recorded_before={TCP: None},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "1800s"},
        replicas=2,
        update_strategy="Recreate",
        kube_context="prod-gz",
    )
    assert plan.entry_id == GRPC_ENTRY and plan.exact
    assert plan.consequence == (
        f"{GRPC_NOTE} For deployment/checkout: strategy Recreate: all 2 pods stop before the new ones start "
        "(a short outage)."
    )
    assert "--context prod-gz" in plan.kubectl_command()


def test_undo_works_when_the_entry_is_gone_or_no_longer_allows_the_key(grpc):
    gone = plan_undo(
        entry=None,
        workload=DEPLOY,
        recorded_before={TCP: "30m"},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "1800s"},
    )
    assert gone.entry_id == "" and gone.changes == {TCP: "30m"}
    assert gone.consequence.startswith("Changing the pod template starts a rollout. For deployment/checkout:")
    narrowed = entry_with(grpc, spec(UDP, "duration", default="120s"))
    plan = plan_undo(
        entry=narrowed,
        workload=DEPLOY,
        recorded_before={TCP: "soon"},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "1800s"},
    )
    assert plan.changes == {TCP: "soon"} and plan.consequence.startswith(CONSEQUENCE)


def test_an_undo_already_in_place_is_already_applied_only_with_the_exact_text(grpc):
    same = plan_undo(
        entry=grpc,
        workload=DEPLOY,
        recorded_before={TCP: "30m"},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "30m"},
    )
    assert same.already_applied
