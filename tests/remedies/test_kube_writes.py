"""The one write the bot makes, a JSON merge patch, and how each answer of the cluster (or of what
stands in front of it) is turned into something the caller can act on."""

from __future__ import annotations

import pytest

from bot.cluster.kubeapi import Access, connect
from bot.errors import ClusterPermissionError, ClusterUnreachableError, NotFoundError
from bot.remedies.kube_writes import Conflict, Rejected, patch_object

from .conftest import TCP, template_annotations
from .front import Answer

PATH = "/apis/apps/v1/namespaces/shop/deployments/checkout"
WHAT = "deployment/checkout in namespace shop"
ACCESS = Access("patch", "deployments", "shop")
BODY = {"spec": {"template": {"metadata": {"annotations": {TCP: "1800s"}}}}}


def patch(api, *, dry_run: bool = False, body: dict | None = None) -> dict:
    return patch_object(api, path=PATH, body=body or BODY, access=ACCESS, what=WHAT, dry_run=dry_run)


def patches(kube) -> list:
    return [r for r in kube.requests if r.method == "PATCH"]


def test_a_patch_returns_the_object_as_stored_and_names_its_field_manager(kube, shop, api):
    sent = []
    api.on_request = sent.append
    stored = patch(api)
    assert sent == [PATH]
    assert stored["spec"]["template"]["metadata"]["annotations"][TCP] == "1800s"
    assert (
        stored["metadata"]["resourceVersion"]
        == kube.get_object("deployments", "shop", "checkout")["metadata"]["resourceVersion"]
    )
    assert [r.query for r in patches(kube)] == [{"fieldManager": "eks-doctor"}]
    assert template_annotations(kube)[TCP] == "1800s"


def test_a_dry_run_returns_what_would_be_stored_and_stores_nothing(kube, shop, api):
    would = patch(api, dry_run=True)
    assert would["spec"]["template"]["metadata"]["annotations"][TCP] == "1800s"
    assert [r.query for r in patches(kube)] == [{"fieldManager": "eks-doctor", "dryRun": "All"}]
    assert TCP not in template_annotations(kube)


def test_a_stale_resource_version_is_a_conflict_not_an_overwrite(kube, shop, api):
    stale = {**BODY, "metadata": {"resourceVersion": "1"}}
    with pytest.raises(Conflict, match="the object has been modified"):
        patch(api, body=stale)
    assert TCP not in template_annotations(kube)


def test_a_cluster_already_found_unreachable_is_not_asked_again(kube, shop, api):
    kube.stop()
    with pytest.raises(ClusterUnreachableError) as first:
        api.get(PATH, access=Access("get", "deployments", "shop"))
    kube.start()
    kube.reset_requests()
    with pytest.raises(ClusterUnreachableError) as again:
        patch(api)
    assert again.value is first.value and kube.requests == []


@pytest.mark.parametrize(("dry_run", "which"), [(True, "dry-run patch"), (False, "patch")])
def test_no_answer_names_the_cluster_the_request_and_the_timeout(kube, shop, api, dry_run, which):
    kube.stop()
    with pytest.raises(ClusterUnreachableError) as failed:
        patch(api, dry_run=dry_run)
    assert (
        failed.value.message
        == f"no answer from the cluster at {kube.url} to the {which} of {WHAT}: connection refused (timeout 5s)"
    )


def test_a_slow_cluster_is_reported_as_timed_out(kube, shop, kubeconfig):
    api = connect(context=None, timeout=0.3, kubeconfig=kubeconfig)
    kube.set_delay(1.0)
    with pytest.raises(ClusterUnreachableError) as failed:
        patch(api)
    assert (
        failed.value.message
        == f"no answer from the cluster at {kube.url} to the patch of {WHAT}: timed out (timeout 0.3s)"
    )


def test_a_hang_up_is_reported_with_its_reason(kube, shop, front):
    front.on_patch = lambda body, dry_run: Answer(None)
    with pytest.raises(ClusterUnreachableError) as failed:
        patch(front.api)
    assert failed.value.message == (
        f"no answer from the cluster at {front.url} to the patch of {WHAT}: "
        "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response')) (timeout 5s)"
    )


def test_rbac_denial_names_the_verb_the_resource_and_the_context(kube, shop, api):
    kube.deny("patch", "deployments")
    with pytest.raises(ClusterPermissionError) as denied:
        patch(api)
    reason = (
        f'deployments.apps "checkout" is forbidden: User "{kube.user}" cannot patch resource "deployments" '
        'in API group "apps" in the namespace "shop"'
    )
    assert denied.value.message == (
        f"the cluster denied patch deployments in namespace shop ({reason}): the credentials of context emulator need "
        "the RBAC verb `patch` on `deployments`"
    )


def test_a_denial_without_a_reason_still_says_forbidden(kube, shop, front):
    front.on_patch = lambda body, dry_run: Answer(403, b'{"kind": "Status", "message": ""}', "application/json")
    with pytest.raises(ClusterPermissionError) as denied:
        patch(front.api)
    assert denied.value.message.startswith("the cluster denied patch deployments in namespace shop (Forbidden): ")


def test_rejected_credentials_are_a_permission_error(kube, shop, api):
    kube.fail_next(1, status=401, message="Unauthorized")
    with pytest.raises(ClusterPermissionError) as denied:
        patch(api)
    assert (
        denied.value.message
        == "the cluster rejected the credentials (patch deployments in namespace shop): Unauthorized"
    )


def test_a_deleted_workload_is_not_found(kube, shop, api, front):
    kube.remove("deployments", "shop", "checkout")
    with pytest.raises(NotFoundError) as missing:
        patch(api)
    assert missing.value.message == f'{WHAT} no longer exists (deployments.apps "checkout" not found)'
    front.on_patch = lambda body, dry_run: Answer(404, b"", "text/plain")
    with pytest.raises(NotFoundError) as bare:
        patch(front.api)
    assert bare.value.message == f"{WHAT} no longer exists (not found)"


def test_the_request_is_a_json_merge_patch_answered_in_json(kube, shop, front):
    patch(front.api)
    headers = front.patch_headers[0]
    assert headers["content-type"].lower() == "application/merge-patch+json"
    assert headers["accept"].lower() == "application/json"


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_busy_cluster_is_asked_once_more(kube, shop, api, status):
    kube.fail_next(1, status=status)
    assert patch(api)["spec"]["template"]["metadata"]["annotations"][TCP] == "1800s"
    assert [r.query for r in patches(kube)] == [{"fieldManager": "eks-doctor"}] * 2


def test_the_retry_of_a_dry_run_is_a_dry_run(kube, shop, api):
    kube.fail_next(1, status=503)
    assert patch(api, dry_run=True)["spec"]["template"]["metadata"]["annotations"][TCP] == "1800s"
    assert [r.query for r in patches(kube)] == [{"fieldManager": "eks-doctor", "dryRun": "All"}] * 2
    assert TCP not in template_annotations(kube)


@pytest.mark.parametrize(("dry_run", "which"), [(True, "dry-run patch"), (False, "patch")])
def test_a_retry_without_an_answer_names_the_request(kube, shop, api, dry_run, which):
    kube.fail_next(1, status=503)
    calls = []

    def stop_before_the_retry(path):
        calls.append(path)
        if len(calls) == 2:
            kube.stop()

    api.on_request = stop_before_the_retry
    with pytest.raises(ClusterUnreachableError) as failed:
        patch(api, dry_run=dry_run)
    assert failed.value.message == (
        f"no answer from the cluster at {kube.url} to the {which} of {WHAT}: connection refused (timeout 5s)"
    )


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_cluster_busy_twice_is_unreachable(kube, shop, api, status):
    kube.fail_next(2, status=status, message="busy")
    with pytest.raises(ClusterUnreachableError) as failed:
        patch(api)
    assert failed.value.message == f"the cluster answered {status} to the patch of {WHAT}: busy"
    assert len(patches(kube)) == 2 and TCP not in template_annotations(kube)


@pytest.mark.parametrize("status", [400, 422, 500])
def test_other_refusals_are_rejections_and_are_not_repeated(kube, shop, api, status):
    kube.fail_next(1, status=status, message="denied by policy")
    with pytest.raises(Rejected) as rejected:
        patch(api)
    assert (rejected.value.status, rejected.value.message, str(rejected.value)) == (
        status,
        "denied by policy",
        "denied by policy",
    )
    assert len(patches(kube)) == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(413, b"<html><body>413 Too Large</body></html>\n"), "<html><body>413 Too Large</body></html>"),
        (Answer(400, b""), "Bad Request"),
        (Answer(400, b'{"kind": "Status"}', "application/json"), "Bad Request"),
        (Answer(400, b'{"message": "  spec: Invalid value  "}', "application/json"), "spec: Invalid value"),
        (Answer(400, b'["not", "a", "status"]', "application/json"), '["not", "a", "status"]'),
        (Answer(400, b"x" * 400), "x" * 300),
        (Answer(400, b"\xff\xfe bad \xc3 gateway "), "\ufffd\ufffd bad \ufffd gateway"),  # not UTF-8
        (Answer(300, b"{}", "application/json"), "Multiple Choices"),
    ],
)  # fmt: skip
def test_a_rejection_carries_the_servers_words_or_the_status_reason(kube, shop, front, answer, message):
    front.on_patch = lambda body, dry_run: answer
    with pytest.raises(Rejected) as rejected:
        patch(front.api)
    assert (rejected.value.status, rejected.value.message) == (answer.status, message)
