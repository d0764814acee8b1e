"""When the store or the cluster fails mid-way: nothing is half-applied, and nothing that happened is
left unsaid."""

from __future__ import annotations

import time

import pytest

from bot.cluster.kubeapi import connect
from bot.config import DoctorConfig
from bot.domain import WorkloadRef
from bot.errors import StoreUnavailableError
from bot.remedies.policy import Actor
from bot.remedies.service import apply_fix, apply_undo, prepare_fix, prepare_undo
from bot.store import get_action, list_actions

from .conftest import GRPC_ENTRY, TCP, template_annotations, writes

CHECKOUT = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")


class FlakyStore:
    """The real store, except that the named operations fail the way the store reports an outage."""

    def __init__(self, store, *, fail: set[str]) -> None:
        self._store, self.fail = store, fail

    def run(self, work, *, what="use the incident store"):
        if what in self.fail:
            raise StoreUnavailableError(f"could not {what} after 3 attempts: database is locked")
        return self._store.run(work, what=what)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _apply(store, api, plan):
    return apply_fix(store=store, api=api, config=DoctorConfig(), plan=plan, actor=Actor("alice"), cluster="emu")


def test_store_down_after_the_patch_still_says_exactly_what_changed(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    result = _apply(FlakyStore(store, fail={"update the action"}), api, plan)
    assert result.status == "applied" and not result.recorded and result.exit_code == 3
    assert template_annotations(kube)[TCP] == "1800s"
    assert f"{TCP}: (absent) -> '1800s'" in result.message and "could not be recorded" in result.message
    assert "kubectl patch deployment checkout" in result.message and f'"{TCP}":null' in result.message
    assert result.as_dict()["recorded"] is False
    assert [a.status for a in list_actions(store)] == ["pending"]  # the trace left behind


def test_store_down_before_the_patch_changes_nothing(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    with pytest.raises(StoreUnavailableError, match="nothing was changed in the cluster"):
        _apply(FlakyStore(store, fail={"record the action"}), api, plan)
    assert writes(kube) == [] and TCP not in template_annotations(kube)


def test_an_unreachable_cluster_applies_nothing_and_the_attempt_is_recorded(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    kube.stop()
    result = _apply(store, api, plan)
    assert result.status == "failed" and result.exit_code == 3 and "nothing was applied" in result.message
    assert get_action(store, action_id=result.action_id).status == "failed"


def test_a_lost_answer_is_settled_by_reading_back(kube, shop, kubeconfig, kb, store):
    api = connect(context=None, timeout=0.4, kubeconfig=kubeconfig)
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)

    def slow_write(path):
        if any(r.method == "PATCH" for r in kube.requests):  # the dry-run went through: slow the apply down
            api.on_request = settle
            kube.set_delay(1.0)

    def settle(path):  # the answer timed out; let the server finish before reading back
        api.on_request = None
        time.sleep(1.5)
        kube.set_delay(0)

    api.on_request = slow_write
    result = _apply(store, api, plan)
    assert result.status == "applied" and "answer was lost" in result.message
    assert template_annotations(kube)[TCP] == "1800s" and len(writes(kube)) == 1


def test_a_fix_left_pending_by_a_store_outage_can_still_be_undone(kube, shop, api, kb, store):
    plan = prepare_fix(kb=kb, api=api, workload=CHECKOUT, entry_id=GRPC_ENTRY)
    lost = _apply(FlakyStore(store, fail={"update the action"}), api, plan)
    assert get_action(store, action_id=lost.action_id).status == "pending"
    preview = prepare_undo(store=store, kb=kb, api=api, action_id=lost.action_id)
    undone = apply_undo(store=store, api=api, config=DoctorConfig(), preview=preview, actor=Actor("alice"))
    assert undone.status == "applied" and TCP not in template_annotations(kube)
