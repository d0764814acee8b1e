"""Where an answer goes: a placeholder posted at once ("Looking into it…"), then updated in place.

Posting as the bot gives a message id, so the answer can become a thread (one thread, one incident)
and can be updated as a rollout progresses. Where the bot may not post (a private channel it was not
invited to), the answer goes through the command's response_url instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.render import Message, Renderer

log = logging.getLogger(__name__)


@dataclass
class Reply:
    client: WebClient
    channel: str | None
    thread_ts: str | None = None
    response_url: str | None = None
    ts: str | None = None  # the placeholder's id, once posted

    def start(self, placeholder: Message) -> str | None:
        """Post the placeholder; its ts anchors the thread. None when only response_url works."""
        if self.channel is None:
            return None
        try:
            response = self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, **placeholder.as_kwargs()
            )
        except SlackApiError as exc:
            log.info("cannot post in %s (%s); answering through response_url", self.channel, exc.response.get("error"))
            return None
        self.ts = response.get("ts")
        return self.ts

    def finish(self, answer: Message) -> None:
        """Replace the placeholder with the answer (or post it, when there was no placeholder)."""
        if self.ts and self.channel:
            self.client.chat_update(channel=self.channel, ts=self.ts, **answer.as_kwargs())
        elif self.response_url:
            WebhookClient(self.response_url).send(response_type="in_channel", **answer.as_kwargs())
        elif self.channel:
            self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, **answer.as_kwargs())

    def private(self, user: str, answer: Message) -> None:
        """Only for `user`: refusals and errors about their own request."""
        if self.channel:
            try:
                self.client.chat_postEphemeral(
                    channel=self.channel, user=user, thread_ts=self.thread_ts, **answer.as_kwargs()
                )
                return
            except SlackApiError as exc:
                log.info("ephemeral message failed (%s)", exc.response.get("error"))
        if self.response_url:
            WebhookClient(self.response_url).send(
                response_type="ephemeral", replace_original=False, **answer.as_kwargs()
            )


def error_reporter(renderer: Renderer, reply: Reply, user: str, lang: str = "en"):
    """What a background job calls when it fails: the placeholder becomes the error, or the person
    who asked gets it privately; unexpected errors show only their reference id."""

    def report(reference: str | None, message: str) -> None:
        answer = renderer.apology(reference, lang) if reference else renderer.error(message)
        if reply.ts:
            reply.finish(answer)
        else:
            reply.private(user, answer)

    return report
