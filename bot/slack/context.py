"""Everything a Slack handler needs, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.core import Doctor
from bot.slack.jobs import Jobs
from bot.slack.people import People
from bot.slack.refs import ReferenceSigner
from bot.slack.render import Renderer


@dataclass
class SlackContext:
    doctor: Doctor
    client: WebClient
    renderer: Renderer
    refs: ReferenceSigner
    people: People
    jobs: Jobs
    #: How often, and how long, the message of an applied fix follows its rollout.
    rollout_poll_seconds: float = 2.0
    rollout_follow_seconds: float = 120.0

    def channel_defaults(self, channel_id: str | None) -> Any:
        return self.doctor.config.channels.get(channel_id) if channel_id else None
