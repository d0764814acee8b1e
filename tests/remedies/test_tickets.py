"""Quota ticket drafts: the figures they must contain, in both languages, from live counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ClusterConfig
from bot.errors import InputError
from bot.store import open_store, record_usage_sample
from bot.tickets import draft_quota_ticket, quota_warning, suggest_limit
from tests.kube_emulator import builders as b

SG = "eks.tke.cloud.tencent.com/security-group-id"
PROD = ClusterConfig(name="prod-gz", context="emulator", region="ap-guangzhou", cluster_id="cls-abcd1234")
CONFIG = """
clusters:
  - name: prod-gz
    context: emulator
    region: ap-guangzhou
    cluster_id: cls-abcd1234
    pod_quota: 200
default_cluster: prod-gz
"""


def test_the_suggested_limit_covers_peak_demand_with_headroom():
    assert suggest_limit(usage=180, unmet=20, limit=200, peak=180, requested=None)[0] == 300
    assert suggest_limit(usage=100, unmet=0, limit=200, peak=120, requested=None)[0] == 250  # above the limit
    assert suggest_limit(usage=180, unmet=0, limit=200, peak=180, requested=500)[0] == 500
    assert suggest_limit(usage=1900, unmet=0, limit=2000, peak=1900, requested=None)[0] == 2900  # steps of 100


def test_a_draft_holds_every_figure_support_asks_for_in_both_languages():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    history = [_sample(120, now - timedelta(days=14)), _sample(230, now - timedelta(days=3))]
    draft = draft_quota_ticket(
        quota_type="pods-per-cluster",
        cluster_config=PROD,
        usage=180,
        limit=200,
        pending=10,
        unmet=20,
        recent_failures=["FailedCreate on replicaset/api-7d9f (x12): pods quota exceeded for cluster"],
        history=history,
        requested=None,
        contact="alice (SRE on call)",
        now=now,
    )
    assert draft.suggested_limit == 350 and draft.requested == 350  # peak 230 x 1.5 -> 345 -> 350
    for text in (draft.text_en, draft.text_zh):
        for figure in ("cls-abcd1234", "ap-guangzhou", "200", "180", "350", "alice (SRE on call)", "FailedCreate"):
            assert figure in text, figure
    assert "Current usage: 180 pods (90% of the limit)" in draft.text_en
    assert "Pending pods: 10" in draft.text_en and "Pods wanted but not created: 20" in draft.text_en
    assert "120 -> 180 over the last 14 days (+4.3/day), peak 230" in draft.text_en
    assert "Business justification:" in draft.text_en and "<What grows and why" in draft.text_en
    assert "集群 ID：cls-abcd1234" in draft.text_zh and "当前上限：200" in draft.text_zh
    assert "申请的新上限：350" in draft.text_zh and "业务说明" in draft.text_zh
    assert draft.warnings[0].startswith("cluster prod-gz: maximum number of pods per cluster above 80%")
    data = draft.as_dict()
    assert {k: data[k] for k in ("type", "usage", "limit", "requested")} == {
        "type": "pods-per-cluster",
        "usage": 180,
        "limit": 200,
        "requested": 350,
    }
    assert data["text"] == {"en": draft.text_en, "zh": draft.text_zh}


def test_missing_cluster_details_become_visible_placeholders():
    draft = draft_quota_ticket(
        quota_type="pods-per-cluster",
        cluster_config=ClusterConfig(name="default"),
        usage=50,
        limit=200,
        pending=0,
        recent_failures=[],
        history=[],
        requested=400,
        contact="bob",
    )
    assert "<cluster id, e.g. cls-xxxxxxxx>" in draft.text_en and "<集群 ID，例如 cls-xxxxxxxx>" in draft.text_zh
    assert any("no cluster_id" in w for w in draft.warnings) and draft.requested == 400
    with pytest.raises(InputError, match="not above the current limit"):
        draft_quota_ticket(
            quota_type="pods-per-cluster",
            cluster_config=PROD,
            usage=50,
            limit=200,
            pending=0,
            recent_failures=[],
            history=[],
            requested=200,
            contact="bob",
        )


def test_the_warning_starts_at_the_configured_share():
    assert quota_warning(quota_type="pods-per-cluster", usage=159, limit=200, ratio=0.8, where="c") is None
    assert "above 80%" in quota_warning(quota_type="pods-per-cluster", usage=160, limit=200, ratio=0.8, where="c")
    assert "reached" in quota_warning(quota_type="pods-per-cluster", usage=200, limit=200, ratio=0.8, where="c")
    assert quota_warning(quota_type="pods-per-cluster", usage=160, limit=200, ratio=0.9, where="c") is None


# -- live, through the CLI ----------------------------------------------------------------------------


@pytest.fixture
def busy(kube):
    """A cluster at 180 pods (170 running, 10 pending), 20 replicas not created, a quota failure event."""
    api = b.deployment("api", "shop", replicas=200)
    api["status"]["replicas"] = 180
    kube.add(api)
    rs = b.replicaset_for(api)
    kube.add(rs)
    pods = [b.pod(owner=api) for _ in range(170)] + [b.pod(owner=api, phase="Pending") for _ in range(10)]
    done = b.job("report", "shop", succeeded=1)
    kube.add(done)
    pods += [b.pod(owner=done, phase="Succeeded") for _ in range(3)]  # finished: no instance held
    kube.add_many(pods)
    kube.add(b.event(rs, "FailedCreate", "Error creating: pods quota exceeded for cluster cls-abcd1234", count=12))
    kube.add(b.event(pods[0], "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu."))
    return kube


@pytest.fixture
def run(cli, kubeconfig, tmp_path):
    config = tmp_path / "doctor.yaml"
    config.write_text(CONFIG)

    def invoke(*args: str):
        return cli(*args, env={"KUBECONFIG": str(kubeconfig), "EKS_DOCTOR_CONFIG": str(config)})

    return invoke


def test_quota_draft_from_live_figures(run, busy):
    result = run("quota", "draft", "--type", "pods-per-cluster", "--contact", "alice@example.com", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["type"], data["usage"], data["limit"], data["requested"]) == ("pods-per-cluster", 180, 200, 300)
    assert (data["pending"], data["unmet"], data["cluster_id"], data["region"]) == (
        10,
        20,
        "cls-abcd1234",
        "ap-guangzhou",
    )
    assert data["id"].startswith("tkt-") and data["status"] == "draft"
    assert data["recent_failures"] == [
        "FailedCreate on replicaset/"
        + busy.objects("replicasets", "shop")[0]["metadata"]["name"]
        + " (x12): Error creating: pods quota exceeded for cluster cls-abcd1234"
    ]
    assert "Requested new limit: 300" in data["text"]["en"] and "申请的新上限：300" in data["text"]["zh"]
    assert "Tickets > Elastic Kubernetes Service" in data["where"]
    pod_lists = [r for r in busy.requests if r.path == "/api/v1/pods"]
    assert pod_lists and all(r.query.get("limit") for r in pod_lists)  # paged, bounded


def test_ticket_status_follows_the_ticket(run, busy):
    ticket = json.loads(run("quota", "draft", "--type", "pods-per-cluster", "--json").stdout)["id"]
    submitted = run("quota", "status", ticket, "--set", "submitted", "--json")
    assert submitted.exit_code == 0 and json.loads(submitted.stdout)["status"] == "submitted"
    assert "approved" in run("quota", "status", ticket, "--set", "approved").stdout
    assert [t["status"] for t in json.loads(run("quota", "list", "--json").stdout)] == ["approved"]
    bad = run("quota", "status", ticket, "--set", "lost")
    assert bad.exit_code == 2 and "draft, submitted, approved, rejected" in bad.stderr


def test_the_trend_comes_from_stored_samples(run, busy, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'cli.db'}")
    now = datetime.now(UTC)
    for days, usage in ((20, 90), (10, 150), (2, 260)):
        record_usage_sample(
            store,
            cluster="prod-gz",
            quota_type="pods-per-cluster",
            usage=usage,
            limit=200,
            at=now - timedelta(days=days),
        )
    store.dispose()
    data = json.loads(run("quota", "draft", "--type", "pods-per-cluster", "--json").stdout)
    assert data["trend"]["first"] == 90 and data["trend"]["peak"] == 260 and data["trend"]["samples"] == 4
    assert data["requested"] == 400  # peak 260 x 1.5 = 390 -> 400
    assert "90 -> 180 over the last 20 days" in data["text"]["en"]


def test_security_group_draft_counts_the_group(run, kube):
    grouped = b.deployment("batch", "shop", replicas=30, template_annotations={SG: "sg-7f3k2"})
    kube.add(grouped)
    kube.add_many([b.pod(owner=grouped) for _ in range(30)] + [b.pod(f"solo-{i}", "shop") for i in range(12)])
    default = json.loads(run("quota", "draft", "--type", "security-group-instances", "--json").stdout)
    assert (default["usage"], default["limit"], default["security_group"]) == (30, 2000, "sg-7f3k2")
    other = json.loads(
        run("quota", "draft", "--type", "security-group-instances", "--security-group", "default", "--json").stdout
    )
    assert other["usage"] == 12 and "the project's default security group in ap-guangzhou" in other["text"]["en"]
    assert other["requested"] == 2100  # the floor: above the current 2000


def test_bad_quota_input_is_refused_before_any_request(run, kube):
    kube.reset_requests()
    unknown = run("quota", "draft", "--type", "cpus")
    assert unknown.exit_code == 2 and "pods-per-cluster" in unknown.stderr and kube.requests == []
    low = run("quota", "draft", "--type", "pods-per-cluster", "--requested", "150")
    assert low.exit_code == 2 and "not above the current limit of 200" in low.stderr


def test_human_output_is_ready_to_paste(run, busy):
    result = run("quota", "draft", "--type", "pods-per-cluster")
    assert result.exit_code == 0, result.stderr
    assert "Subject: Quota increase: maximum pods of EKS cluster cls-abcd1234 (ap-guangzhou)" in result.stdout
    assert "主题：配额提升申请" in result.stdout and "quota status tkt-" in result.stdout


def _sample(usage: int, at: datetime):
    from bot.store import UsageSample

    return UsageSample("prod-gz", "pods-per-cluster", usage, 200, at)


def test_a_requested_figure_below_the_suggestion_is_what_the_ticket_argues_for(run, busy):
    """`--requested 250` with figures that suggest 300: the ticket asks for 250 and its reason says so,
    instead of arguing for 300 next to a request for 250."""
    result = run("quota", "draft", "--type", "pods-per-cluster", "--requested", "250", "--json")
    data = json.loads(result.stdout)
    assert data["requested"] == 250 and data["suggested_limit"] == 300
    assert "Requested new limit: 250" in data["text"]["en"]
    why = next(line for line in data["text"]["en"].splitlines() if line.startswith("Why this figure:"))
    assert why.startswith("Why this figure: 250 as requested (by the figures alone:")
    assert why.endswith("= 300 (rounded up))")
    why_zh = next(line for line in data["text"]["zh"].splitlines() if line.startswith("数值依据："))
    assert why_zh.startswith("数值依据：按申请值 250")
    human = run("quota", "draft", "--type", "pods-per-cluster", "--requested", "250").stdout
    assert "asking for 250 (suggested 300): 250 as requested" in human


def test_quota_list_columns_line_up(run, busy):
    for requested in ("300", "1200"):
        run("quota", "draft", "--type", "pods-per-cluster", "--requested", requested)
    lines = [line for line in run("quota", "list").stdout.splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    assert len(rows) == 2 and header.split()[:3] == ["id", "created", "(UTC)"]
    requested_end = header.index("requested") + len("requested")
    assert all(len(row.rstrip()) == requested_end for row in rows)  # right-aligned under its heading
    assert {row.index("draft") for row in rows} == {header.index("status")}
