"""Whatever people type, and whatever is down, the answer is short, clear and within Block Kit's limits."""

from __future__ import annotations

import json

from bot.core.incidents import list_incidents
from bot.slack import limits
from tests.slack.harness import start_bot


def _answer(bot, text, **kw):
    bot.command(text, **kw)
    return bot.fake.wait_for("chat.update")[0]


def _within_limits(call):
    blocks = call.params["blocks"]
    assert len(blocks) <= limits.MESSAGE_BLOCKS
    for block in blocks:
        text = (block.get("text") or {}).get("text") or ""
        assert len(text) <= limits.SECTION_TEXT
        for element in block.get("elements") or []:
            assert len(element.get("value") or "") <= 2000


def test_an_empty_command_shows_help(slack_bot):
    response = slack_bot.command("   ")
    assert "/eks diagnose" in json.dumps(response.json())


def test_nothing_matching_offers_the_entries_as_a_menu(slack_bot):
    answer = _answer(slack_bot, "my cat is hungry")
    assert "No known issue matches." in answer.blocks_text()
    menu = next(b for b in answer.buttons() if b["type"] == "static_select")
    assert len(menu["options"]) == len(slack_bot.doctor.kb.entries)
    slack_bot.click(menu, user="U0BOB", option=menu["options"][1])
    chosen = slack_bot.fake.wait_for("chat.postEphemeral")[0].blocks_text()
    assert "Remedy" in chosen


def test_a_named_workload_is_inspected_even_when_the_words_match_nothing(slack_bot, meshed_shop):
    answer = _answer(slack_bot, "something is off with shop/checkout")
    text = answer.blocks_text()
    assert "No known issue matches." in text
    assert "confirmed* `istio-dns-timeout-ipvs-udp`" in text


def test_a_workload_that_does_not_exist_is_named_with_close_names(slack_bot, meshed_shop):
    answer = _answer(slack_bot, "diagnose shop/chekout")
    assert "did you mean" in answer.blocks_text() and "checkout" in answer.blocks_text()


def test_slack_markup_and_mentions_are_not_read_as_the_symptom(slack_bot):
    answer = _answer(
        slack_bot, "<@U0BOB> says <#C0OPS|ops> sees DNS timeouts with istio &amp; coredns <https://x.io|logs>"
    )
    assert "istio-dns-timeout-ipvs-udp" in answer.blocks_text()
    (incident,) = list_incidents(slack_bot.doctor)
    assert "<@" not in incident.symptom and "&amp;" not in incident.symptom


def test_a_40_kb_paste_gets_an_answer_within_block_kit_limits(slack_bot):
    paste = "\n".join(
        f"2026-11-30T03:{i % 60:02d}:00Z ERROR lookup orders.shop.svc.cluster.local on 172.16.0.10:53: "
        f"read udp 10.0.1.{i % 250}:4{i % 999:03d}->172.16.0.10:53: i/o timeout (istio-proxy attached)"
        for i in range(300)
    )
    assert len(paste) > 40_000
    slack_bot.mention(paste, ts="1700030000.000100")
    answer = slack_bot.fake.wait_for("chat.update")[0]
    assert "istio-dns-timeout-ipvs-udp" in answer.blocks_text()
    _within_limits(answer)
    placeholder = slack_bot.fake.of("chat.postMessage")[0]
    _within_limits(placeholder)


def test_a_channel_bound_to_a_namespace_does_not_read_other_namespaces(slack_bot, kube, meshed_shop):
    kube.reset_requests()
    answer = _answer(slack_bot, "diagnose payments/ledger", channel="C0SHOPONLY")
    assert "this channel is for namespace shop" in answer.blocks_text()
    assert not [r for r in kube.requests if "/namespaces/payments/" in r.path]


def test_a_cluster_that_is_down_still_gets_the_match_and_a_clear_note(slack_bot, kube, meshed_shop):
    kube.stop()
    answer = _answer(slack_bot, "DNS timeout istio shop/checkout")
    text = answer.blocks_text()
    assert "istio-dns-timeout-ipvs-udp" in text
    assert "Could not inspect" in text and "cannot reach the cluster" in text


def test_a_store_that_is_down_still_gets_the_answer_and_says_it_was_not_recorded(fake_slack, kubeconfig):
    nothing_listens = "postgresql+psycopg://postgres@127.0.0.1:9/eks"
    bot = start_bot(fake_slack, database_url=nothing_listens, kubeconfig=str(kubeconfig))
    try:
        answer = _answer(bot, "DNS timeouts with istio sidecars")
        text = answer.blocks_text()
        assert "istio-dns-timeout-ipvs-udp" in text
        assert "not recorded" in text
        assert "Apply fix" not in text and "Resolve" not in text  # nothing to refer a button to
    finally:
        bot.close()


def test_rate_limited_web_api_calls_are_retried_after_the_wait_slack_asks_for(slack_bot):
    slack_bot.fake.rate_limited["chat.update"] = 1
    slack_bot.command("DNS timeouts with istio")
    updates = slack_bot.fake.wait_for("chat.update", count=2, timeout=15)
    assert updates[1].at - updates[0].at >= 0.9  # Retry-After: 1
