"""Carrying out a plan against a cluster (the emulator over real HTTP): what is sent, under which guard,
and what the outcome says for each answer the cluster can give, so that whatever happened can be
recorded and told truthfully."""

from __future__ import annotations

import pytest

from bot.domain import WorkloadRef
from bot.errors import ClusterPermissionError, ClusterUnreachableError, NotFoundError, RefusedError
from bot.remedies.apply import apply_plan
from bot.remedies.patches import plan_patch, plan_undo
from bot.remedies.target import read_workload

from .conftest import GRPC_ENTRY, TCP, dry_runs, template_annotations, writes
from .entries import bundled_kb
from .front import Answer

CHECKOUT = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")
WHAT = "deployment/checkout in namespace shop"
KUBECTL_GET = "`kubectl get deployment checkout -n shop -o yaml`"
FIELD_MANAGER = {"fieldManager": "eks-doctor"}
DRY_RUN = {"fieldManager": "eks-doctor", "dryRun": "All"}


def plan_for(api, **kwargs):
    """What a preview shows: the workload read now, and the entry's patch planned against it."""
    state = read_workload(api, CHECKOUT)
    return plan_patch(
        entry=bundled_kb().get(GRPC_ENTRY),
        workload=state.ref,
        current_annotations=kwargs.pop("current", state.annotations),
        replicas=state.replicas,
        update_strategy=state.update_strategy,
        resource_version=kwargs.pop("resource_version", state.resource_version),
        **kwargs,
    )


def set_annotation(kube, key: str, value: str | None) -> None:
    """Someone else changes the workload (a new resourceVersion)."""
    deploy = kube.get_object("deployments", "shop", "checkout")
    annotations = deploy["spec"]["template"]["metadata"].setdefault("annotations", {})
    if value is None:
        annotations.pop(key, None)
    else:
        annotations[key] = value
    kube.add(deploy)


def on_call(api, number: int, action) -> None:
    """Run `action` just before the client's `number`-th request from now (1: the next one)."""
    calls = []

    def hook(path: str) -> None:
        calls.append(path)
        if len(calls) == number:
            action()

    api.on_request = hook


def described(outcome) -> dict:
    """Everything an outcome tells its caller (the audit record and the reply are made from it)."""
    return {
        "status": outcome.status,
        "message": outcome.message,
        "dry_run": outcome.dry_run,
        "returned": outcome.returned,
        "attempts": outcome.attempts,
        "conflicts": outcome.conflicts,
        "touched": outcome.touched,
        "error": (type(outcome.error).__name__, str(outcome.error)) if outcome.error is not None else None,
    }


def expected(status, message, *, dry_run=None, returned=None, attempts=1, conflicts=0, touched=False, error=None):
    """`error`: the error's type; its text is the outcome's message unless given as (type, text)."""
    if isinstance(error, type):
        error = (error.__name__, message)
    elif error is not None:
        error = (error[0].__name__, error[1])
    return {
        "status": status,
        "message": message,
        "dry_run": dry_run,
        "returned": returned,
        "attempts": attempts,
        "conflicts": conflicts,
        "touched": touched,
        "error": error,
    }


DRY_OK = {"ok": True, "message": "", "values": {TCP: "1800s"}}


def patch_queries(kube) -> list[dict]:
    return [r.query for r in kube.requests if r.method == "PATCH"]


def test_a_dry_run_asks_the_server_and_changes_nothing(kube, shop, api):
    plan = plan_for(api)
    before = kube.get_object("deployments", "shop", "checkout")
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=plan, dry_run_only=True)
    message = "the server accepted the change in a dry-run; nothing was applied"
    assert described(outcome) == expected("dry_run", message, dry_run=DRY_OK)
    assert outcome.plan == plan
    assert patch_queries(kube) == [DRY_RUN]
    assert kube.get_object("deployments", "shop", "checkout") == before


def test_an_apply_is_dry_run_then_written_under_its_resource_version_and_read_back(kube, shop, api):
    plan = plan_for(api)
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    assert described(outcome) == expected(
        "applied", "applied and verified by reading back", dry_run=DRY_OK, returned={TCP: "1800s"}, touched=True
    )
    assert outcome.plan == plan
    assert patch_queries(kube) == [DRY_RUN, FIELD_MANAGER]
    assert [r.method for r in kube.requests] == ["PATCH", "PATCH", "GET"]  # the last one reads back
    assert template_annotations(kube) == {"prometheus.io/scrape": "true", TCP: "1800s"}


def test_a_plan_without_a_resource_version_reads_the_object_first(kube, shop, api):
    set_annotation(kube, TCP, "1800s")
    stale = plan_for(api, current={}, resource_version=None)  # planned from what a manifest said
    assert stale.changes == {TCP: "1800s"}
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=stale, dry_run_only=False)
    assert described(outcome) == expected("already_applied", f"already applied: {TCP}='1800s'; nothing was sent")
    assert outcome.plan.before == {TCP: "1800s"} and outcome.plan.resource_version is not None
    assert patch_queries(kube) == []


def test_an_already_applied_message_names_every_key(kube, shop, api):
    set_annotation(kube, TCP, "1800s")
    undo = plan_undo(
        entry=None,
        workload=CHECKOUT,
        recorded_before={TCP: "1800s", "team": None},
        recorded_after={TCP: "3600s", "team": "payments"},
        current_annotations={},
    )
    outcome = apply_plan(api=api, plan=undo, dry_run_only=False)
    assert outcome.message == f"already restored: {TCP}='1800s', team absent; nothing was sent"


def test_the_resource_version_guards_against_a_change_made_since_the_plan(kube, shop, api):
    plan = plan_for(api)
    set_annotation(kube, "team", "payments")  # someone else, meanwhile
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    assert described(outcome) == expected(
        "applied",
        "applied and verified by reading back",
        dry_run=DRY_OK,
        returned={TCP: "1800s"},
        attempts=2,
        conflicts=1,
        touched=True,
    )
    assert outcome.plan.resource_version != plan.resource_version  # re-based on the fresh read
    assert patch_queries(kube) == [DRY_RUN, DRY_RUN, FIELD_MANAGER]  # the first answered 409
    assert template_annotations(kube) == {"prometheus.io/scrape": "true", "team": "payments", TCP: "1800s"}


def test_a_fix_someone_made_at_the_same_time_is_already_applied(kube, shop, api):
    plan = plan_for(api)
    set_annotation(kube, TCP, "30m")
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    message = f"already applied (someone did it at the same time): {TCP}='30m'; nothing was sent"
    assert described(outcome) == expected("already_applied", message, attempts=2, conflicts=1)
    assert writes(kube) == [] and template_annotations(kube)[TCP] == "30m"


def test_a_workload_that_keeps_changing_is_given_up_after_three_tries(kube, shop, api):
    plan = plan_for(api)
    changes = iter(range(100))
    api.on_request = lambda path: set_annotation(kube, "churn", str(next(changes)))
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    message = f"{WHAT} kept changing (3 conflicting writes in a row); nothing was applied"
    assert described(outcome) == expected("failed", message, attempts=3, conflicts=3, error=ClusterUnreachableError)
    assert outcome.plan.keys == [TCP]
    assert patch_queries(kube) == [DRY_RUN] * 3 and TCP not in template_annotations(kube)


def test_a_change_between_dry_run_and_write_each_time_is_given_up_too(kube, shop, api):
    plan = plan_for(api)
    calls = []

    def change_before_each_write(path):  # calls: dry-run, write | read, dry-run, write | read, ...
        calls.append(path)
        if len(calls) in (2, 5, 8):
            set_annotation(kube, "churn", str(len(calls)))

    api.on_request = change_before_each_write
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    message = f"{WHAT} kept changing (3 conflicting writes in a row); nothing was applied"
    assert described(outcome) == expected(
        "failed", message, dry_run=DRY_OK, attempts=3, conflicts=3, error=ClusterUnreachableError
    )
    assert patch_queries(kube) == [DRY_RUN, FIELD_MANAGER] * 3 and TCP not in template_annotations(kube)


def _undo_plan(api, recorded_before, recorded_after):
    state = read_workload(api, CHECKOUT)
    return plan_undo(
        entry=bundled_kb().get(GRPC_ENTRY),
        workload=CHECKOUT,
        recorded_before=recorded_before,
        recorded_after=recorded_after,
        current_annotations=state.annotations,
        resource_version=state.resource_version,
    )


def test_an_undo_over_someone_elses_change_is_refused_before_any_request(kube, shop, api):
    set_annotation(kube, TCP, "3600s")
    undo = _undo_plan(api, {TCP: None}, {TCP: "1800s"})
    kube.reset_requests()
    outcome = apply_plan(api=api, plan=undo, dry_run_only=False)
    message = f'the annotations changed since: {TCP} is now "3600s", not "1800s"'
    assert described(outcome) == expected("refused", message, error=RefusedError)
    assert outcome.plan == undo
    assert patch_queries(kube) == [] and template_annotations(kube)[TCP] == "3600s"


def test_a_refused_undo_names_every_key_that_changed(kube, shop, api):
    set_annotation(kube, TCP, "3600s")
    undo = _undo_plan(api, {TCP: None, "team": None}, {TCP: "1800s", "team": "payments"})
    outcome = apply_plan(api=api, plan=undo, dry_run_only=False)
    assert outcome.message == (
        f'the annotations changed since: {TCP} is now "3600s", not "1800s"; team is now (absent), not "payments"'
    )


def test_an_undo_already_in_place_says_restored(kube, shop, api):
    state = read_workload(api, CHECKOUT)
    undo = plan_undo(
        entry=None,
        workload=CHECKOUT,
        recorded_before={TCP: None},
        recorded_after={TCP: "1800s"},
        current_annotations=state.annotations,
        resource_version=state.resource_version,
    )
    outcome = apply_plan(api=api, plan=undo, dry_run_only=False)
    assert described(outcome) == expected("already_applied", f"already restored: {TCP} absent; nothing was sent")


def test_a_dry_run_the_server_rejects_applies_nothing(kube, shop, api):
    plan = plan_for(api)
    denial = 'admission webhook "policy.example.com" denied the request: frozen'
    kube.fail_next(1, status=422, message=denial)
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    assert described(outcome) == expected(
        "failed",
        f"the server rejected the dry-run (422): {denial}; nothing was applied",
        dry_run={"ok": False, "status": 422, "message": denial},
        error=RefusedError,
    )
    assert outcome.plan == plan
    assert writes(kube) == []


def test_a_dry_run_that_would_store_another_value_applies_nothing(kube, shop, front):
    plan = plan_for(front.api)

    def webhook(body, dry_run):  # a mutating admission webhook raising the timeout
        body["spec"]["template"]["metadata"]["annotations"][TCP] = "3600s"
        return body

    front.on_patch = webhook
    outcome = apply_plan(api=front.api, plan=plan, dry_run_only=False)
    message = f"the server's dry-run would store {{'{TCP}': '3600s'}}, not {{'{TCP}': '1800s'}}; nothing was applied"
    assert described(outcome) == expected(
        "failed", message, dry_run={"ok": False, "message": message, "values": {TCP: "3600s"}}, error=RefusedError
    )
    assert outcome.plan == plan
    assert len(dry_runs(kube)) == 1 and writes(kube) == [] and TCP not in template_annotations(kube)


def test_a_patch_the_server_rejects_after_the_dry_run_changes_nothing(kube, shop, api):
    plan = plan_for(api)
    on_call(api, 2, lambda: kube.fail_next(1, status=422, message="quota exceeded"))
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    message = "the server rejected the patch (422): quota exceeded; nothing was applied"
    assert described(outcome) == expected("failed", message, dry_run=DRY_OK, error=RefusedError)
    assert outcome.plan == plan
    assert TCP not in template_annotations(kube)


def test_a_patch_denied_after_the_dry_run_names_the_permission(kube, shop, api):
    plan = plan_for(api)
    on_call(api, 2, lambda: kube.deny("patch", "deployments"))
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    assert outcome.status == "refused" and outcome.dry_run == DRY_OK and not outcome.touched
    assert outcome.message.startswith("the cluster denied patch deployments in namespace shop (")
    assert isinstance(outcome.error, ClusterPermissionError) and outcome.plan == plan


def test_an_unanswered_patch_with_the_old_values_still_there_may_yet_land(kube, shop, api):
    plan = plan_for(api)
    on_call(api, 2, lambda: kube.fail_next(2, status=503))
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    answered = f"the cluster answered 503 to the patch of {WHAT}: the server is currently unable to handle the request"
    assert described(outcome) == expected(
        "failed",
        f"{answered}; reading back still shows {{'{TCP}': None}}, but the patch may yet be applied: check again "
        f"with {KUBECTL_GET}",
        dry_run=DRY_OK,
        returned={TCP: None},
        touched=True,
        error=(ClusterUnreachableError, answered),
    )
    assert outcome.plan == plan


def test_an_unanswered_patch_that_cannot_be_read_back_is_unknown(kube, shop, api):
    plan = plan_for(api)
    on_call(api, 2, kube.stop)
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    unanswered = f"no answer from the cluster at {api.host} to the patch of {WHAT}: connection refused (timeout 5s)"
    assert described(outcome) == expected(
        "failed",
        f"{unanswered}; it is unknown whether the change was applied. Check with {KUBECTL_GET}",
        dry_run=DRY_OK,
        touched=True,
        error=(ClusterUnreachableError, unanswered),
    )
    assert outcome.plan == plan


def test_a_lost_answer_is_settled_by_reading_back(kube, shop, front):
    plan = plan_for(front.api)
    front.on_patch = lambda body, dry_run: body if dry_run else Answer(None, forward_first=True)
    outcome = apply_plan(api=front.api, plan=plan, dry_run_only=False)
    assert described(outcome) == expected(
        "applied",
        "applied (the answer was lost, reading back shows the change)",
        dry_run=DRY_OK,
        returned={TCP: "1800s"},
        touched=True,
    )
    assert outcome.plan == plan
    assert len(writes(kube)) == 1


def test_a_patch_rbac_denies_is_refused_with_the_clusters_reason(kube, shop, api):
    plan = plan_for(api)
    kube.deny("patch", "deployments")
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    reason = (
        f'deployments.apps "checkout" is forbidden: User "{kube.user}" cannot patch resource "deployments" '
        'in API group "apps" in the namespace "shop"'
    )
    message = (
        f"the cluster denied patch deployments in namespace shop ({reason}): the credentials of context emulator "
        "need the RBAC verb `patch` on `deployments`"
    )
    assert described(outcome) == expected("refused", message, error=ClusterPermissionError)
    assert outcome.plan == plan


def test_a_workload_deleted_since_the_plan_is_not_recreated(kube, shop, api):
    plan = plan_for(api)
    kube.remove("deployments", "shop", "checkout")
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    missing = f'{WHAT} no longer exists (deployments.apps "checkout" not found)'
    assert described(outcome) == expected("failed", f"{missing}; nothing was applied", error=(NotFoundError, missing))
    assert outcome.plan == plan
    assert kube.get_object("deployments", "shop", "checkout") is None


def test_a_write_that_cannot_be_read_back_says_to_check(kube, shop, api):
    plan = plan_for(api)
    on_call(api, 3, lambda: kube.remove("deployments", "shop", "checkout"))
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    missing = "deployment/checkout no longer exists in namespace shop"
    assert described(outcome) == expected(
        "failed",
        f"the patch was accepted, but reading it back failed ({missing}); check the workload",
        dry_run=DRY_OK,
        touched=True,
        error=(NotFoundError, missing),
    )
    assert outcome.plan == plan


def test_a_value_changed_right_after_the_write_is_reported(kube, shop, api):
    plan = plan_for(api)
    on_call(api, 3, lambda: set_annotation(kube, TCP, "900s"))  # a controller rewriting the template
    outcome = apply_plan(api=api, plan=plan, dry_run_only=False)
    assert described(outcome) == expected(
        "failed",
        f"read back {{'{TCP}': '900s'}} after the patch, not {{'{TCP}': '1800s'}}; "
        "the server (or a webhook) changed it",
        dry_run=DRY_OK,
        returned={TCP: "900s"},
        touched=True,
        error=ClusterUnreachableError,
    )
    assert outcome.plan == plan


@pytest.mark.parametrize("dry_run_only", [True, False])
def test_an_unreachable_cluster_applies_nothing(kube, shop, api, dry_run_only):
    plan = plan_for(api)
    kube.stop()
    outcome = apply_plan(api=api, plan=plan, dry_run_only=dry_run_only)
    unanswered = (
        f"no answer from the cluster at {api.host} to the dry-run patch of {WHAT}: connection refused (timeout 5s)"
    )
    assert described(outcome) == expected(
        "failed", f"{unanswered}; nothing was applied", error=(ClusterUnreachableError, unanswered)
    )
