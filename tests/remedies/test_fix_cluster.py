"""Fix and undo against the Kubernetes-API emulator over real HTTP, recorded in a real SQLite store."""

from __future__ import annotations

import copy
import threading

import pytest

from bot.config import DoctorConfig, FixerRule
from bot.domain import WorkloadRef
from bot.errors import RefusedError
from bot.remedies.policy import Actor, Channel
from bot.remedies.service import apply_fix, apply_undo, prepare_fix, prepare_undo
from bot.store import get_action, list_actions
from tests.kube_emulator import builders as b

from .conftest import GRPC_ENTRY, TCP, dry_runs, template_annotations, writes

CHECKOUT = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")
ALICE = Actor(id="alice")
CONFIG = DoctorConfig()


def _fix(store, api, kb, *, dry_run=False, actor=ALICE, config=CONFIG, request_key=None, **plan_args):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY, **plan_args)
    return apply_fix(
        store=store,
        api=api,
        config=config,
        plan=plan,
        actor=actor,
        cluster="emulator",
        dry_run_only=dry_run,
        request_key=request_key,
    )


def _without_volatile(obj):
    obj = copy.deepcopy(obj)
    for key in ("resourceVersion", "generation", "managedFields"):
        obj["metadata"].pop(key, None)
    return obj


def test_dry_run_leaves_the_object_unchanged_and_is_recorded(kube, shop, api, kb, store):
    before = kube.get_object("deployments", "shop", "checkout")
    result = _fix(store, api, kb, dry_run=True)
    assert result.status == "dry_run" and result.after == {TCP: "1800s"}
    assert kube.get_object("deployments", "shop", "checkout") == before
    assert len(dry_runs(kube)) == 1 and writes(kube) == []
    recorded = get_action(store, action_id=result.action_id)
    assert recorded.status == "dry_run" and recorded.dry_run["ok"] is True


def test_the_patch_changes_only_the_declared_annotation(kube, shop, api, kb, store):
    before = kube.get_object("deployments", "shop", "checkout")
    result = _fix(store, api, kb, symptom_text="our idle timeout is 60 minutes")
    assert result.status == "applied", result.message
    assert result.before == {TCP: None} and result.after == {TCP: "3600s"} and result.returned == {TCP: "3600s"}
    after = kube.get_object("deployments", "shop", "checkout")
    assert after["spec"]["template"]["metadata"]["annotations"] == {"prometheus.io/scrape": "true", TCP: "3600s"}
    expected = _without_volatile(before)
    expected["spec"]["template"]["metadata"]["annotations"][TCP] = "3600s"
    assert _without_volatile(after) == expected  # containers, labels, other annotations untouched
    assert [r.query.get("dryRun") for r in kube.requests if r.method == "PATCH"] == ["All", None]
    record = get_action(store, action_id=result.action_id)
    assert (record.status, record.actor, record.before, record.after) == (
        "applied",
        "cli:alice",
        {TCP: None},
        {TCP: "3600s"},
    )


def test_already_applied_sends_no_write(kube, shop, api, kb, store):
    assert _fix(store, api, kb).status == "applied"
    kube.reset_requests()
    again = _fix(store, api, kb)
    assert again.status == "already_applied" and "nothing was sent" in again.message
    assert [r for r in kube.requests if r.method == "PATCH"] == []


def test_undo_restores_the_exact_previous_state_and_is_recorded(kube, shop, api, kb, store):
    original = kube.get_object("deployments", "shop", "checkout")
    fixed = _fix(store, api, kb)
    preview = prepare_undo(store=store, kb=kb, api=api, action_id=fixed.action_id)
    assert preview.plan.changes == {TCP: None}
    undone = apply_undo(store=store, api=api, config=CONFIG, preview=preview, actor=ALICE)
    assert undone.status == "applied" and undone.kind == "undo" and undone.undo_of == fixed.action_id
    restored = kube.get_object("deployments", "shop", "checkout")
    assert restored["spec"]["template"] == original["spec"]["template"]  # the key is gone, not emptied
    assert get_action(store, action_id=fixed.action_id).undone_by == undone.action_id
    assert {a.kind for a in list_actions(store)} == {"patch", "undo"}


def test_undo_puts_back_a_value_that_existed_before(kube, shop, api, kb, store):
    deploy = kube.get_object("deployments", "shop", "checkout")
    deploy["spec"]["template"]["metadata"]["annotations"][TCP] = "20m"
    kube.add(deploy)
    fixed = _fix(store, api, kb)
    assert fixed.before == {TCP: "20m"} and template_annotations(kube)[TCP] == "1800s"
    preview = prepare_undo(store=store, kb=kb, api=api, action_id=fixed.action_id)
    apply_undo(store=store, api=api, config=CONFIG, preview=preview, actor=ALICE)
    assert template_annotations(kube)[TCP] == "20m"  # the exact text, not "1200s"


def test_undo_is_refused_when_someone_changed_the_annotation_since(kube, shop, api, kb, store):
    fixed = _fix(store, api, kb)
    deploy = kube.get_object("deployments", "shop", "checkout")
    deploy["spec"]["template"]["metadata"]["annotations"][TCP] = "5400s"
    kube.add(deploy)
    kube.reset_requests()
    preview = prepare_undo(store=store, kb=kb, api=api, action_id=fixed.action_id)
    refused = apply_undo(store=store, api=api, config=CONFIG, preview=preview, actor=ALICE)
    assert refused.status == "refused" and refused.exit_code == 2
    assert f'{TCP} is now "5400s", not "1800s"' in refused.message and fixed.action_id in refused.message
    assert template_annotations(kube)[TCP] == "5400s" and writes(kube) == []
    assert get_action(store, action_id=refused.action_id).status == "refused"


def test_two_concurrent_fixes_make_one_change_and_one_already_applied(kube, shop, api, kb, store):
    plans = [prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY) for _ in range(2)]
    assert plans[0].resource_version == plans[1].resource_version  # both planned from the same state
    generation = kube.get_object("deployments", "shop", "checkout")["metadata"]["generation"]
    start, results = threading.Barrier(2), []

    def run(plan):
        start.wait()
        results.append(apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator"))

    threads = [threading.Thread(target=run, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.status for r in results) == ["already_applied", "applied"], [r.message for r in results]
    assert kube.get_object("deployments", "shop", "checkout")["metadata"]["generation"] == generation + 1
    assert sorted(a.status for a in list_actions(store)) == ["already_applied", "applied"]


def test_a_conflict_is_retried_on_a_fresh_read_and_keeps_the_other_change(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    deploy = kube.get_object("deployments", "shop", "checkout")
    deploy["spec"]["template"]["metadata"]["annotations"]["team"] = "payments"  # someone else, meanwhile
    kube.add(deploy)
    result = apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator")
    assert result.status == "applied"
    statuses = [r.method for r in kube.requests if r.method in ("PATCH", "GET")]
    assert statuses.count("PATCH") == 3  # dry-run (409), dry-run, apply
    assert template_annotations(kube) == {"prometheus.io/scrape": "true", "team": "payments", TCP: "1800s"}


def test_patch_denied_by_rbac_names_the_missing_permission(kube, shop, api, kb, store):
    kube.deny("patch", "deployments")
    result = _fix(store, api, kb)
    assert result.status == "refused" and result.exit_code == 3
    assert "patch" in result.message and "deployments" in result.message and "namespace shop" in result.message
    assert TCP not in template_annotations(kube)
    assert get_action(store, action_id=result.action_id).status == "refused"


def test_a_dry_run_the_server_rejects_applies_nothing(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    kube.fail_next(1, status=422, message='admission webhook "policy.example.com" denied the request: frozen')
    result = apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator")
    assert result.status == "failed" and "denied the request: frozen" in result.message
    assert "nothing was applied" in result.message and writes(kube) == []
    assert get_action(store, action_id=result.action_id).dry_run["ok"] is False


def test_a_read_back_that_does_not_match_is_recorded_as_failed(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)

    def mutate_after_the_write(path):  # like a mutating controller rewriting the template
        if writes(kube):
            api.on_request = None
            deploy = kube.get_object("deployments", "shop", "checkout")
            deploy["spec"]["template"]["metadata"]["annotations"][TCP] = "900s"
            kube.add(deploy)

    api.on_request = mutate_after_the_write
    result = apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator")
    assert result.status == "failed" and result.returned == {TCP: "900s"}
    assert "read back" in result.message and result.undo_kubectl
    record = get_action(store, action_id=result.action_id)
    assert record.status == "failed" and "900s" in record.message


def test_the_same_request_key_patches_once(kube, shop, api, kb, store):
    first = _fix(store, api, kb, request_key="slack-action-1")
    deploy = kube.get_object("deployments", "shop", "checkout")
    deploy["spec"]["template"]["metadata"]["annotations"].pop(TCP)
    kube.add(deploy)  # even if the state went back, a repeated click must not patch again
    kube.reset_requests()
    again = _fix(store, api, kb, request_key="slack-action-1")
    assert again.repeated and again.action_id == first.action_id and again.status == "applied"
    assert writes(kube) == [] and dry_runs(kube) == []


def test_slack_users_must_be_listed_as_fixers(kube, shop, api, kb, store):
    bob = Actor(id="U0BOB", channel=Channel.SLACK)
    refused = _fix(store, api, kb, actor=bob)
    assert refused.status == "refused" and "U0BOB may not apply fixes" in refused.message
    assert [r for r in kube.requests if r.method == "PATCH"] == []
    allowed = DoctorConfig(fixers=[FixerRule(users=["U0BOB"], namespaces=["shop"])])
    assert _fix(store, api, kb, actor=bob, config=allowed).status == "applied"
    assert {a.actor for a in list_actions(store)} == {"U0BOB"}


def test_a_pod_is_refused_with_its_deployment_named(kube, shop, api, kb):
    pod = next(p for p in kube.objects("pods", "shop"))
    ref = WorkloadRef(kind="Pod", namespace="shop", name=pod["metadata"]["name"])
    with pytest.raises(RefusedError, match="eks-doctor fix deployment/checkout -n shop"):
        prepare_fix(kb=kb, api=api, workload=ref, entry_id=GRPC_ENTRY)


def test_statefulsets_and_daemonsets_are_patched_too(kube, api, kb, store):
    kube.add(b.statefulset("ledger", "shop", replicas=2))
    kube.add(b.daemonset("agent", "shop"))
    for ref in (WorkloadRef("StatefulSet", "shop", "ledger"), WorkloadRef("DaemonSet", "shop", "agent")):
        plan = prepare_fix(kb=kb, api=api, workload=ref, entry_id=GRPC_ENTRY)
        result = apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator")
        assert result.status == "applied", result.message
        obj = kube.get_object(ref.kind, "shop", ref.name)
        assert obj["spec"]["template"]["metadata"]["annotations"][TCP] == "1800s"


def test_a_button_press_refuses_a_change_made_after_its_preview(kube, shop, api, kb, store):
    shown = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)  # what the message showed
    deploy = kube.get_object("deployments", "shop", "checkout")
    deploy["spec"]["template"]["metadata"]["annotations"][TCP] = "1000s"
    kube.add(deploy)
    fresh = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)  # the click re-reads
    result = apply_fix(
        store=store,
        api=api,
        config=CONFIG,
        plan=fresh,
        actor=ALICE,
        cluster="emulator",
        expect_before=shown.before,
        request_key="slack-action-7",
    )
    assert result.status == "refused" and f'{TCP} is now "1000s", not (absent)' in result.message
    assert template_annotations(kube)[TCP] == "1000s" and writes(kube) == []


def test_the_metrics_port_suggestion_avoids_the_containers_ports(kube, api, kb, store):
    deploy = b.deployment("exporter", "shop", containers=[b.container("node-exporter", ports=[9100, 9110])])
    kube.add(deploy)
    ref = WorkloadRef("Deployment", "shop", "exporter")
    plan = prepare_fix(kb=kb, api=api, workload=ref, entry_id="port-9100-conflict")
    assert plan.after == {"eks.tke.cloud.tencent.com/metrics-port": "9111"} and "9111 is free" in str(plan.reasons)
    result = apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator")
    assert result.status == "applied"


def test_cli_users_are_not_gated_by_the_slack_allow_list(kube, shop, api, kb, store):
    # The CLI acts with the operator's own kubeconfig, so the cluster's RBAC is the gate (see policy.py).
    slack_only = DoctorConfig(fixers=[FixerRule(users=["U0ADMIN"])])
    assert _fix(store, api, kb, config=slack_only).status == "applied"


def test_a_fix_linked_to_an_incident_mitigates_it(kube, shop, api, kb, store):
    from bot.store import get_incident, record_triage

    incident = record_triage(store, source="cli", reporter="alice", symptom="grpc resets after idle").incident_id
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    apply_fix(store=store, api=api, config=CONFIG, plan=plan, actor=ALICE, cluster="emulator", incident_id=incident)
    assert get_incident(store, incident_id=incident).incident.status == "mitigated"
