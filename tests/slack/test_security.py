"""Requests that are not from Slack, or too old to be trusted, are refused before any handler runs."""

from __future__ import annotations

import time


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
