"""The bot behind its real HTTP endpoint, and requests signed the way Slack signs them.

`SlackBot` starts `eks-doctor serve --http`'s app (create_app + uvicorn on a free port) with its Web API
pointed at a FakeSlack and its cluster at the Kubernetes emulator, and sends slash commands, events,
button clicks and view submissions into `POST /slack/events`.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.config import DoctorConfig
from bot.core import Doctor
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.server import HttpServer, http_app
from tests.slack_fake.server import BOT_USER, TEAM, FakeSlack

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-0123456789"
#: A password for database URLs in tests: it must never appear in a log line.
DATABASE_PASSWORD = "Db-pa55word-never-logged"
CHANNEL = "C0INCIDENT"
_ids = itertools.count(1)


@dataclass
class SlackBot:
    fake: FakeSlack
    doctor: Doctor
    server: HttpServer
    ctx: Any
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"

    def close(self) -> None:
        self.http.close()
        self.server.stop()
        self.ctx.jobs.shutdown(wait=True)
        self.doctor.close()

    # -- sending what Slack sends --------------------------------------------------------------------

    def signed_post(
        self, body: str, content_type: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET, headers=None
    ) -> httpx.Response:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        return self.http.post(self.url, content=body.encode(), headers=sent)

    def command(self, text: str, *, user: str = "U0ALICE", channel: str = CHANNEL, **extra: Any) -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "incident",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/eks",
            "text": text,
            "api_app_id": "A0APP001",
            "response_url": self.fake.response_url(f"cmd{next(_ids)}"),
            "trigger_id": f"trigger.{next(_ids)}",
        }
        return self.signed_post(urlencode(form | extra), "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], *, event_id: str | None = None, headers=None) -> httpx.Response:
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0APP001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        return self.signed_post(json.dumps(body), "application/json", headers=headers)

    def mention(self, text: str, *, user: str = "U0ALICE", ts: str | None = None, thread_ts: str | None = None, **kw):
        event = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER}> {text}",
            "ts": ts or f"1700001{next(_ids):03d}.000100",
            "channel": CHANNEL,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **kw)

    def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        return self.signed_post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def click(self, element: dict[str, Any], *, user: str = "U0ALICE", message_ts: str = "1700000001.000100",
              option: dict[str, Any] | None = None) -> httpx.Response:  # fmt: skip
        """A click on a button (or a choice in a select menu) of a message the bot posted."""
        action = {"action_id": element["action_id"], "block_id": "b", "type": element["type"], "action_ts": "1"}
        if element["type"] == "button":
            action["value"] = element.get("value", "")
        else:
            action["selected_option"] = option or element["options"][0]
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": TEAM},
                "team": {"id": TEAM},
                "api_app_id": "A0APP001",
                "channel": {"id": CHANNEL},
                "message": {"ts": message_ts, "text": "answer"},
                "container": {"type": "message", "message_ts": message_ts, "channel_id": CHANNEL},
                "trigger_id": f"trigger.{next(_ids)}",
                "response_url": self.fake.response_url(f"act{next(_ids)}"),
                "actions": [action],
            }
        )

    def submit_view(self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = "U0ALICE"):
        submitted = dict(view) | {"state": {"values": values}, "id": view.get("id", "V0000001")}
        return self.interaction(
            {"type": "view_submission", "user": {"id": user, "team_id": TEAM}, "team": {"id": TEAM}, "view": submitted}
        )


def start_bot(
    fake: FakeSlack,
    *,
    database_url: str,
    kubeconfig: str | None,
    config: DoctorConfig | None = None,
    workers: int = 4,
    **settings: Any,
) -> SlackBot:
    values = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "database_url": database_url,
        "kube_timeout_seconds": 3.0,
        "workers": workers,
    } | settings
    doctor = Doctor(Settings(**values), config=config or DoctorConfig(), kubeconfig=kubeconfig)
    app, ctx = create_app(doctor)
    ctx.rollout_poll_seconds = 0.05
    ctx.rollout_follow_seconds = 2.0
    server = HttpServer(http_app(app), host="127.0.0.1", port=0)
    server.start()
    return SlackBot(fake=fake, doctor=doctor, server=server, ctx=ctx)
