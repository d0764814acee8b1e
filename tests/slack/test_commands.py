"""`/eks` through the bot's real HTTP endpoint: signed requests in, Web API calls out to FakeSlack."""

from __future__ import annotations

import time

from tests.slack.harness import CHANNEL


def test_help_is_answered_in_the_acknowledgement(slack_bot):
    response = slack_bot.command("help")
    assert response.status_code == 200
    assert "/eks diagnose" in response.json()["blocks"][0]["text"]["text"]


def test_a_symptom_with_a_workload_gets_the_match_the_evidence_and_a_fix_button(slack_bot, meshed_shop):
    started = time.monotonic()
    response = slack_bot.command("DNS timeout istio shop/checkout")
    assert response.status_code == 200
    assert time.monotonic() - started < 3
    placeholder = slack_bot.fake.wait_for("chat.postMessage")[0]
    assert placeholder.params["channel"] == CHANNEL
    answer = slack_bot.fake.wait_for("chat.update")[0]
    text = answer.blocks_text()
    assert "istio-dns-timeout-ipvs-udp" in text
    assert "deployment/checkout in shop" in text
    assert "confirmed" in text
    labels = [b["text"]["text"] for b in answer.buttons()]
    assert "Apply fix" in labels
    apply = next(b for b in answer.buttons() if b["text"]["text"] == "Apply fix")
    assert "ipvs-udp-timeout" in apply["confirm"]["text"]["text"]
    assert "120s" in apply["confirm"]["text"]["text"]
