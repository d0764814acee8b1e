"""Requests that are not from Slack, or too old to be trusted, are refused before any handler runs."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import quote

import pytest


def test_a_bad_signature_gets_401_and_nothing_happens(slack_bot, meshed_shop):
    response = slack_bot.signed_post(
        "command=%2Feks&text=diagnose+shop%2Fcheckout&channel_id=C1&user_id=U1",
        "application/x-www-form-urlencoded",
        secret="not-the-signing-secret",
    )
    assert response.status_code == 401
    time.sleep(0.3)
    assert slack_bot.fake.calls == []


def test_a_stale_timestamp_gets_401_even_with_a_valid_signature(slack_bot):
    response = slack_bot.signed_post(
        "command=%2Feks&text=help&channel_id=C1&user_id=U1",
        "application/x-www-form-urlencoded",
        timestamp=int(time.time()) - 10 * 60,
    )
    assert response.status_code == 401


def test_an_unsigned_request_gets_401(slack_bot):
    response = slack_bot.http.post(slack_bot.url, content=b"command=%2Feks&text=help")
    assert response.status_code == 401


def test_a_body_larger_than_any_slack_request_is_refused(slack_bot):
    response = slack_bot.signed_post("x" * 1_500_000, "application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_healthz_answers_without_slack(slack_bot):
    response = slack_bot.http.get(slack_bot.url.replace("/slack/events", "/healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),  # payload that is not JSON
        ("payload=%5B1%2C+2%5D", "application/x-www-form-urlencoded"),  # a list, not an object
        (
            "payload=" + quote(json.dumps({"type": "block_actions", "actions": "x", "user": 5})),
            "application/x-www-form-urlencoded",
        ),
        (
            "payload=" + quote(json.dumps({"type": "view_submission", "view": {"callback_id": "eks_quota_modal"}})),
            "application/x-www-form-urlencoded",
        ),
        ("{not json", "application/json"),
    ],
    ids=["not-json", "list", "wrong-types", "view-without-type", "event-not-json"],
)
def test_a_signed_but_malformed_payload_gets_400_and_nothing_happens(slack_bot, body, content_type, caplog):
    with caplog.at_level(logging.WARNING):
        response = slack_bot.signed_post(body, content_type)
    assert (response.status_code, response.json()) == (400, {"error": "malformed request"})
    time.sleep(0.3)
    assert [c.method for c in slack_bot.fake.calls if c.method != "auth.test"] == []  # nothing posted or opened
    assert any(r.getMessage().startswith("malformed request refused") for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info], "no traceback for somebody else's bad request"
    assert slack_bot.http.get(slack_bot.url.replace("/slack/events", "/healthz")).status_code == 200
