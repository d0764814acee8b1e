"""`GET /metrics`: what an operator's dashboard shows after real Slack traffic."""

from __future__ import annotations

import time

from tests.remedies.conftest import writes
from tests.slack.conftest import FIXER
from tests.slack.harness import start_bot
from tests.slack.metrics_page import Delta, scrape

DNS_ENTRY = "istio-dns-timeout-ipvs-udp"


def _wait_for(delta: Delta, name: str, value: float, **labels: str) -> float:
    deadline = time.monotonic() + 10
    while (seen := delta(name, **labels)) < value and time.monotonic() < deadline:
        time.sleep(0.05)
    return seen


def test_requests_by_surface_latencies_and_matches_by_entry(slack_bot):
    delta = Delta(slack_bot)
    slack_bot.command("DNS timeouts with istio sidecars")
    slack_bot.fake.wait_for("chat.update")
    slack_bot.mention("the coffee machine on floor 3 is empty again")
    slack_bot.fake.wait_for("chat.update", count=2)
    assert _wait_for(delta, "eks_doctor_matches_total", 1, entry="none") == 1
    assert delta("eks_doctor_requests_total", surface="command") == 1
    assert delta("eks_doctor_requests_total", surface="mention") == 1
    assert delta("eks_doctor_matches_total", entry=DNS_ENTRY) == 1
    assert delta("eks_doctor_triage_seconds_count") == 2
    assert delta("eks_doctor_ack_seconds_count") == 2
    # Both acknowledgements came well inside Slack's 3 seconds.
    assert delta("eks_doctor_ack_seconds_bucket", le="3.0") == 2


def test_a_retried_event_is_counted_as_a_duplicate_and_answered_once(slack_bot):
    delta = Delta(slack_bot)
    slack_bot.mention("DNS timeouts with istio", ts="1700018000.000100", event_id="Ev0METRICS1")
    slack_bot.fake.wait_for("chat.update")
    slack_bot.mention(
        "DNS timeouts with istio", ts="1700018000.000100", event_id="Ev0METRICS1", headers={"X-Slack-Retry-Num": "1"}
    )
    assert _wait_for(delta, "eks_doctor_duplicates_ignored_total", 1, kind="event") == 1
    assert delta("eks_doctor_requests_total", surface="mention") == 2
    assert len(slack_bot.fake.of("chat.postMessage")) == 1


def test_fixes_refusals_and_repeated_clicks_are_counted(slack_bot, kube, meshed_shop):
    delta = Delta(slack_bot)
    slack_bot.command("DNS timeout istio shop/checkout")
    answer = slack_bot.fake.wait_for("chat.update")[0]
    apply = next(b for b in answer.buttons() if b["text"]["text"] == "Apply fix")
    slack_bot.click(apply, user="U0MALLORY", message_ts=answer.params["ts"])
    assert _wait_for(delta, "eks_doctor_authorization_refusals_total", 1, action="fix") == 1
    slack_bot.click(apply, user=FIXER, message_ts=answer.params["ts"])
    assert _wait_for(delta, "eks_doctor_fixes_total", 1, action="fix", outcome="applied") == 1
    slack_bot.click(apply, user=FIXER, message_ts=answer.params["ts"])
    assert _wait_for(delta, "eks_doctor_duplicates_ignored_total", 1, kind="fix") == 1
    assert len(writes(kube)) == 1
    assert delta("eks_doctor_requests_total", surface="button") == 3
    assert delta("eks_doctor_fixes_total", action="fix", outcome="failed") == 0


def test_a_store_and_a_cluster_that_are_down_are_counted(fake_slack, kubeconfig, kube, meshed_shop):
    down = "postgresql+psycopg://postgres@127.0.0.1:9/eks"
    bot = start_bot(fake_slack, database_url=down, kubeconfig=str(kubeconfig))
    try:
        delta = Delta(bot)
        kube.stop()
        bot.command("DNS timeout istio shop/checkout")
        answer = bot.fake.wait_for("chat.update")[0]
        assert "not recorded" in answer.blocks_text()
        assert _wait_for(delta, "eks_doctor_dependency_errors_total", 1, dependency="store") >= 1
        assert delta("eks_doctor_dependency_errors_total", dependency="cluster") == 1
    finally:
        bot.close()


def test_the_page_carries_process_metrics_and_every_family_is_described(slack_bot):
    samples = scrape(slack_bot)
    names = {name for name, _labels in samples}
    assert "process_resident_memory_bytes" in names
    page = slack_bot.http.get(f"http://127.0.0.1:{slack_bot.server.port}/metrics").text
    for family in ("eks_doctor_requests", "eks_doctor_ack_seconds", "eks_doctor_triage_seconds",
                   "eks_doctor_matches", "eks_doctor_fixes", "eks_doctor_authorization_refusals",
                   "eks_doctor_duplicates_ignored", "eks_doctor_dependency_errors"):  # fmt: skip
        assert f"# HELP {family}" in page
