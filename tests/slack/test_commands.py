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


def test_diagnose_reports_every_entry_and_offers_the_fix(slack_bot, meshed_shop):
    slack_bot.command("diagnose deploy/checkout -n shop")
    answer = slack_bot.fake.wait_for("chat.update")[0]
    text = answer.blocks_text()
    assert "deployment/checkout in shop: 1 confirmed" in answer.params["text"]
    assert "ruled out" in text and "port-9100-conflict" in text
    assert "Apply fix" in [b["text"]["text"] for b in answer.buttons()]


def test_scan_summarises_a_namespace(slack_bot, meshed_shop):
    slack_bot.command("scan shop")
    answer = slack_bot.fake.wait_for("chat.update")[0]
    assert "Scan of namespace shop on cluster prod" in answer.blocks_text()
    assert "istio-dns-timeout-ipvs-udp" in answer.blocks_text()


def test_incidents_are_listed_only_to_the_person_who_asked(slack_bot):
    slack_bot.command("DNS timeouts with istio sidecars")
    slack_bot.fake.wait_for("chat.update")
    slack_bot.command("incidents", user="U0BOB")
    listed = slack_bot.fake.wait_for("chat.postEphemeral")[0]
    assert listed.params["user"] == "U0BOB"
    assert "istio-dns-timeout-ipvs-udp" in listed.blocks_text()


def test_serve_refuses_port_9100_and_names_a_missing_token(cli):
    refused = cli("serve", "--port", "9100", env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert refused.exit_code == 2 and "9100 is taken by EKS" in refused.stderr
    missing = cli("serve", "--http", env={"SLACK_BOT_TOKEN": ""})
    assert missing.exit_code == 2 and "SLACK_BOT_TOKEN is not set" in missing.stderr
