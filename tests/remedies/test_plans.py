"""Pure planning: allowed keys and shapes from the knowledge base, suggested values that follow the
mechanism, honest refusals for kinds that cannot take the patch, and the preview's text."""

from __future__ import annotations

import json
import shlex

import pytest

from bot.domain import WorkloadRef
from bot.errors import InputError, RefusedError
from bot.remedies.patches import plan_patch, plan_undo
from bot.remedies.values import idle_timeout_seconds, normalise, same_value, suggest_values

from .conftest import GRPC_ENTRY, METRICS, PORT_ENTRY, TCP

DEPLOY = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("our client's idle timeout is 60 minutes", 3600),
        ("grpc idle timeout of 1h, connection reset by peer", 3600),
        ("ManagedChannelBuilder...idleTimeout(45, TimeUnit.MINUTES)", 2700),
        ("we use a 90 minute idle timeout on the channel", 5400),
        ("idle_timeout=7200s", 7200),
        ("客户端空闲超时 60 分钟后报 Connection reset by peer", 3600),
        ("connection reset by peer after the weekend", None),
        ("keepAliveTime 5 minutes", None),
    ],
)
def test_idle_timeout_is_read_from_what_people_write(text, seconds):
    assert idle_timeout_seconds(text) == seconds


def test_tcp_timeout_suggestion_covers_the_stated_idle_timeout(kb):
    entry = kb.get(GRPC_ENTRY)
    assert suggest_values(entry, None)[TCP].value == "1800s"
    assert suggest_values(entry, "the idle timeout is 60 minutes")[TCP].value == "3600s"
    assert "60" in suggest_values(entry, "the idle timeout is 60 minutes")[TCP].reason
    # A shorter idle timeout never lowers the value below what grpc-java's default needs.
    assert suggest_values(entry, "idle timeout is 10 minutes")[TCP].value == "1800s"


def test_metrics_port_suggestion_avoids_ports_the_containers_use(kb):
    entry = kb.get(PORT_ENTRY)
    assert suggest_values(entry, None, used_ports=[9100])[METRICS].value == "9110"
    assert suggest_values(entry, None, used_ports=[9100, 9110, 9111])[METRICS].value == "9112"


@pytest.mark.parametrize(
    ("entry_id", "key", "value", "problem"),
    [
        (GRPC_ENTRY, TCP, "half an hour", "not a duration"),
        (GRPC_ENTRY, TCP, "60s", "shorter than the minimum"),
        (PORT_ENTRY, METRICS, "9100", "not allowed"),
        (PORT_ENTRY, METRICS, "70000", "not a port"),
        ("public-network-egress", "eks.tke.cloud.tencent.com/eip-attributes", "{bandwidth: 10", "not valid JSON"),
    ],
)
def test_values_outside_the_declared_shape_are_refused(kb, entry_id, key, value, problem):
    spec = kb.get(entry_id).remedy.patch.spec(key)
    with pytest.raises(InputError, match=problem):
        normalise(spec, value)


def test_durations_are_written_in_seconds_and_compared_by_meaning(kb):
    spec = kb.get(GRPC_ENTRY).remedy.patch.spec(TCP)
    assert normalise(spec, "1h") == "3600s"
    assert same_value(spec, "30m", "1800s") and not same_value(spec, None, "1800s")


def test_plan_shows_the_exact_change_the_rollout_and_the_kubectl_equivalent(kb):
    plan = plan_patch(
        entry=kb.get(GRPC_ENTRY),
        workload=DEPLOY,
        current_annotations={"prometheus.io/scrape": "true"},
        replicas=3,
        symptom_text="grpc-java idle timeout is 60 minutes",
        kube_context="prod-gz",
    )
    assert plan.before == {TCP: None} and plan.after == {TCP: "3600s"} and not plan.already_applied
    assert plan.diff_lines[1:] == [f'+ {TCP}: "3600s"']
    assert plan.consequence.endswith("For deployment/checkout: 3 pods, replaced a few at a time (rolling update).")
    argv = shlex.split(plan.kubectl_command())
    assert argv[:5] == ["kubectl", "patch", "deployment", "checkout", "-n"] and "--context" in argv
    body = json.loads(argv[argv.index("-p") + 1])
    assert body == {"spec": {"template": {"metadata": {"annotations": {TCP: "3600s"}}}}}
    assert plan.merge_patch(resource_version="42") == {
        "spec": {"template": {"metadata": {"annotations": {TCP: "3600s"}}}},
        "metadata": {"resourceVersion": "42"},
    }


def test_keys_outside_the_entry_are_refused_and_short_names_work(kb):
    entry = kb.get(GRPC_ENTRY)
    with pytest.raises(InputError, match="not an annotation entry grpc-connection-reset-ipvs-tcp may set"):
        plan_patch(entry=entry, workload=DEPLOY, current_annotations={}, overrides={METRICS: "9110"})
    plan = plan_patch(entry=entry, workload=DEPLOY, current_annotations={}, overrides={"ipvs-tcp-timeout": "2h"})
    assert plan.after == {TCP: "7200s"} and "set by you" in plan.reasons[TCP]


def test_a_port_a_container_uses_is_refused(kb):
    with pytest.raises(InputError, match="port 9110 is used by a container"):
        plan_patch(
            entry=kb.get(PORT_ENTRY),
            workload=DEPLOY,
            current_annotations={},
            overrides={METRICS: "9110"},
            used_ports=[9100, 9110],
        )


def test_already_applied_is_judged_by_meaning_and_a_higher_timeout_is_never_lowered(kb):
    entry = kb.get(GRPC_ENTRY)
    assert plan_patch(entry=entry, workload=DEPLOY, current_annotations={TCP: "30m"}).already_applied
    kept = plan_patch(entry=entry, workload=DEPLOY, current_annotations={TCP: "7200s"})
    assert kept.already_applied and kept.after == {TCP: "7200s"} and "covers" in kept.reasons[TCP]
    # Asked for explicitly, a lower value is applied (the user decides), with a warning when it is short.
    lowered = plan_patch(entry=entry, workload=DEPLOY, current_annotations={TCP: "7200s"}, overrides={TCP: "900s"})
    assert lowered.after == {TCP: "900s"} and lowered.warnings


def test_entries_without_a_patch_are_refused(kb):
    with pytest.raises(InputError, match="no annotation patch; its remedy is a quota ticket"):
        plan_patch(entry=kb.get("quota-pods-per-cluster"), workload=DEPLOY, current_annotations={})


def test_a_bare_pod_gets_the_honest_explanation_and_the_owner_to_fix(kb):
    pod = WorkloadRef(kind="Pod", namespace="shop", name="checkout-7d9f-abcde")
    with pytest.raises(RefusedError) as refused:
        plan_patch(entry=kb.get(GRPC_ENTRY), workload=pod, current_annotations={}, owner=DEPLOY)
    text = str(refused.value)
    assert "when a pod is created" in text and "must be recreated" in text
    assert "eks-doctor fix deployment/checkout -n shop --entry grpc-connection-reset-ipvs-tcp" in text


@pytest.mark.parametrize(
    ("kind", "says"), [("Job", "cannot be changed once the Job exists"), ("CronJob", "jobTemplate")]
)
def test_jobs_and_cronjobs_are_refused_with_what_to_do(kb, kind, says):
    with pytest.raises(RefusedError, match=says):
        plan_patch(entry=kb.get(GRPC_ENTRY), workload=WorkloadRef(kind, "shop", "nightly"), current_annotations={})


def test_consequence_follows_the_update_strategy(kb):
    entry = kb.get(GRPC_ENTRY)
    sts = WorkloadRef(kind="StatefulSet", namespace="shop", name="ledger")
    on_delete = plan_patch(entry=entry, workload=sts, current_annotations={}, replicas=2, update_strategy="OnDelete")
    assert "nothing restarts now" in on_delete.consequence
    recreate = plan_patch(entry=entry, workload=DEPLOY, current_annotations={}, replicas=4, update_strategy="Recreate")
    assert "all 4 pods" in recreate.consequence and "outage" in recreate.consequence


def test_undo_plan_restores_exact_text_and_names_later_changes(kb):
    entry = kb.get(GRPC_ENTRY)
    plan = plan_undo(
        entry=entry,
        workload=DEPLOY,
        recorded_before={TCP: "30m"},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "1800s"},
    )
    assert plan.changes == {TCP: "30m"} and not plan.expectation_failures()  # "30m" back, not "1800s"
    gone = plan_undo(
        entry=entry,
        workload=DEPLOY,
        recorded_before={TCP: None},
        recorded_after={TCP: "1800s"},
        current_annotations={TCP: "3600s"},
    )
    assert gone.target == {TCP: None}
    assert gone.expectation_failures() == [f'{TCP} is now "3600s", not "1800s"']
