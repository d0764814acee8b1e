"""Socket Mode: the same app over a WebSocket, with envelopes acknowledged by id and answers posted
through the Web API, and the settings it needs named when missing."""

from __future__ import annotations

import time

import pytest

from bot.config import DoctorConfig
from bot.core import Doctor
from bot.errors import ConfigError
from bot.settings import Settings
from bot.slack.app import SOCKET, create_app
from bot.slack.server import socket_mode
from tests.slack.harness import BOT_TOKEN, CHANNEL
from tests.slack_fake.server import TEAM
from tests.slack_fake.socket_mode import FakeSocketMode

APP_TOKEN = "xapp-1-test-0123456789"


@pytest.fixture
def socket_bot(fake_slack, kubeconfig, tmp_path):
    with FakeSocketMode() as endpoint:
        fake_slack.socket_url = endpoint.url
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_app_token=APP_TOKEN,
            slack_api_url=fake_slack.api_url,
            database_url=f"sqlite:///{tmp_path / 'socket.db'}",
        )
        doctor = Doctor(settings, config=DoctorConfig(), kubeconfig=str(kubeconfig))
        app, ctx = create_app(doctor, mode=SOCKET)
        handler = socket_mode(app, APP_TOKEN)
        handler.connect()
        assert endpoint.connected.wait(10)
        yield endpoint
        handler.close()
        ctx.jobs.shutdown(wait=True)
        doctor.close()


def test_a_slash_command_over_socket_mode_is_acknowledged_at_once_and_answered(socket_bot, fake_slack):
    started = time.monotonic()
    envelope = socket_bot.push(
        "slash_commands",
        {
            "command": "/eks",
            "text": "DNS timeouts with istio sidecars",
            "user_id": "U0ALICE",
            "team_id": TEAM,
            "channel_id": CHANNEL,
            "response_url": fake_slack.response_url("socket"),
            "trigger_id": "trigger.socket",
        },
    )
    socket_bot.wait_ack(envelope)
    assert time.monotonic() - started < 3
    answer = fake_slack.wait_for("chat.update")[0]
    assert "istio-dns-timeout-ipvs-udp" in answer.blocks_text()
    opened = fake_slack.of("apps.connections.open")[0]
    assert opened.token == APP_TOKEN


def test_a_mention_over_socket_mode_is_answered_in_its_thread(socket_bot, fake_slack):
    envelope = socket_bot.push(
        "events_api",
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "Ev0SOCKET1",
            "event": {
                "type": "app_mention",
                "user": "U0ALICE",
                "text": "<@UBOT0001> port 9100 already in use",
                "ts": "1700040000.000100",
                "channel": CHANNEL,
            },
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT0001", "is_bot": True}],
        },
    )
    socket_bot.wait_ack(envelope)
    answer = fake_slack.wait_for("chat.update")[0]
    assert "port-9100-conflict" in answer.blocks_text()
    assert fake_slack.of("chat.postMessage")[0].params["thread_ts"] == "1700040000.000100"


def test_socket_mode_without_an_app_token_names_the_variable(fake_slack, tmp_path):
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN is not set"):
        create_app(Doctor(settings), mode=SOCKET)
