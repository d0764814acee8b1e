"""JSON logs: one object a line, a request id per Slack delivery carried into the background work, and
no token, signing secret or database password in any line (the `json_logs` fixture checks that for
every Slack test; these tests add the scenarios most likely to leak)."""

from __future__ import annotations

import json
import logging

from bot.observability import logs
from tests.slack.harness import BOT_TOKEN, DATABASE_PASSWORD, SIGNING_SECRET, start_bot


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_line_is_json_and_a_delivery_keeps_its_id_into_the_background_work(fake_slack, kubeconfig, json_logs):
    # A store that is down makes the background job log (the event id could not be claimed).
    down = f"postgresql+psycopg://eks:{DATABASE_PASSWORD}@127.0.0.1:9/eks"
    bot = start_bot(fake_slack, database_url=down, kubeconfig=str(kubeconfig))
    try:
        bot.mention("DNS timeouts with istio", event_id="Ev0LOGS0001")
        bot.fake.wait_for("chat.update")
    finally:
        bot.close()
    lines = _lines(json_logs)
    assert lines and all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    mine = [line for line in lines if line.get("request_id") == "Ev0LOGS0001"]
    assert any(line["message"] == "slack mention" for line in mine)
    background = {line["logger"]: line for line in mine if line["level"] == "warning"}
    # Both written from the jobs pool, after the acknowledgement: the request id travelled with the work.
    assert "delivery Ev0LOGS0001 not claimed" in background["bot.slack.conversations"]["message"]
    assert "incident not recorded" in background["bot.core.recording"]["message"]


def test_requests_without_an_event_id_get_one_of_their_own(slack_bot, json_logs):
    slack_bot.command("DNS timeouts with istio")
    slack_bot.command("gRPC connection reset by peer")
    slack_bot.fake.wait_for("chat.update", count=2)
    ids = [line["request_id"] for line in _lines(json_logs) if line["message"] == "slack command"]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(i.startswith("req-") for i in ids)


def test_secrets_are_redacted_whatever_logs_them(slack_bot, json_logs):
    """The same check as the fixture's, shown to catch a leak: the values are written, and come out masked."""
    log = logging.getLogger("eks_doctor.test")
    log.warning("token %s secret %s", BOT_TOKEN, SIGNING_SECRET)
    log.warning("url postgresql+psycopg://eks:%s@db:5432/eks", DATABASE_PASSWORD)
    log.warning("another workspace's token xoxb-999-888-AbCdEf and an app token xapp-1-A0B1-123-abcdef")
    text = json_logs.getvalue()
    for secret in (BOT_TOKEN, SIGNING_SECRET, DATABASE_PASSWORD, "xoxb-999-888-AbCdEf", "xapp-1-A0B1-123-abcdef"):
        assert secret not in text
    assert text.count(logs.REDACTED) >= 5
    assert "postgresql+psycopg://eks:[redacted]@db:5432/eks" in text
