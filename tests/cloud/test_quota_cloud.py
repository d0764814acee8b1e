"""Security-group quota drafts with the cloud: usage is everything bound to the group, by type."""

from __future__ import annotations

import pytest

from bot.cluster.kubeapi import connect
from bot.remedies.quota import draft_ticket
from bot.store import open_store
from knowledge import load_knowledge_base
from tests.cloud.conftest import PROD, cloud_settings
from tests.kube_emulator import builders as b


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'doctor.db'}")
    yield store
    store.dispose()


@pytest.fixture
def draft(kube, kubeconfig, store, tencent):
    """Two pods of this cluster in the default group, which the cloud says holds 2,000 instances."""
    deploy = b.deployment("webhook-sender", "shop", replicas=2)
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    kube.add_many([b.pod(owner=deploy) for _ in range(2)])
    tencent.add_security_group("sg-def00001", name="default", default=True,
                               bindings={"CVM": 1800, "ENI": 193, "CLB": 5, "CDB": 2})  # fmt: skip
    api = connect(context=None, timeout=5.0, kubeconfig=kubeconfig)

    def make(cloud):
        return draft_ticket(store=store, api=api, kb=load_knowledge_base(), cluster_config=PROD,
                            quota_type="security-group-instances", requested=None, contact="alice",
                            actor="cli:alice", warn_ratio=0.8, cloud=cloud)  # fmt: skip

    return make


def test_the_draft_counts_every_binding_and_breaks_it_down(draft, reader):
    ticket, record, notes = draft(reader())
    assert (ticket.usage, ticket.limit, ticket.security_group) == (2000, 2000, "sg-def00001")
    assert ticket.breakdown == {"CVM": 1800, "ENI": 193, "CLB": 5, "CDB": 2}
    assert ticket.requested == 3000  # 2000 x 1.5
    assert "Instances bound, by type: CVM 1800, ENI 193, CLB 5, CDB 2" in ticket.text_en
    assert "from Tencent Cloud's association statistics (every instance bound to the group)" in ticket.text_en
    assert "Security group: sg-def00001" in ticket.text_en
    assert "按类型统计的关联实例：CVM 1800，ENI 193，CLB 5，CDB 2" in ticket.text_zh
    assert "来自腾讯云安全组关联统计" in ticket.text_zh
    assert ticket.as_dict()["breakdown"] == ticket.breakdown
    assert record is not None and record.figures["breakdown"] == ticket.breakdown
    assert "2 of the 2000 instances bound to sg-def00001 are pods of this cluster" in notes


def test_without_the_cloud_the_draft_counts_pods_and_says_why(draft, reader, tencent):
    cloud = reader()
    tencent.stop()
    ticket, _record, notes = draft(cloud)
    assert (ticket.usage, ticket.breakdown, ticket.security_group) == (2, None, "")
    assert "UTC from this cluster's pods" in ticket.text_en and "Instances bound, by type" not in ticket.text_en
    assert any(n.startswith("counted from this cluster's pods only; ") and "refused the connection" in n for n in notes)
    unset = cloud_settings(tencent, TENCENTCLOUD_SECRET_ID=None, TENCENTCLOUD_SECRET_KEY=None)
    _ticket, _record, hint = draft(reader(unset))
    assert any("counts every instance bound to the group, by type" in n for n in hint)
