"""Mentions in incident channels and the message shortcut "Diagnose with EKS Doctor".

The answer goes in the thread. People paste the error first and ask the bot after, so a mention in a
reply reads the thread's parent too. One thread is one incident: later mentions add to it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.core import incidents, triage
from bot.core.language import question_language
from bot.core.recording import Thread
from bot.errors import EksDoctorError
from bot.observability import metrics
from bot.slack.context import SlackContext
from bot.slack.replies import Reply, error_reporter
from bot.slack.text import plain_text

log = logging.getLogger(__name__)
EVENT_SOURCE = "slack-event"


def register(app: App, ctx: SlackContext) -> None:
    @app.event("app_mention")
    def on_mention(ack: Ack, event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        ack()
        event_id = body.get("event_id")
        thread_ts = event.get("thread_ts") or event.get("ts")
        reply = Reply(ctx.client, event.get("channel"), thread_ts=thread_ts)
        user = event.get("user") or "unknown"

        def work() -> None:
            if event_id and not _first_delivery(ctx, event_id):
                return  # a retry of an event already answered
            text = plain_text(event.get("text") or "", bot_user_id=context.get("bot_user_id"))
            if event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
                parent = _thread_parent(ctx, event["channel"], event["thread_ts"])
                text = f"{parent}\n{text}".strip() if parent else text
            answer(ctx, reply, user=user, team=body.get("team_id"), text=text, delivery_id=event_id)

        ctx.jobs.submit(work, on_error=error_reporter(ctx.renderer, reply, user))

    @app.shortcut("eks_diagnose_message")
    def on_shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
        ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        thread_ts = message.get("thread_ts") or message.get("ts")
        user = (shortcut.get("user") or {}).get("id") or "unknown"
        reply = Reply(ctx.client, channel, thread_ts=thread_ts, response_url=shortcut.get("response_url"))
        text = plain_text(message.get("text") or "")
        team = (shortcut.get("team") or {}).get("id")
        ctx.jobs.submit(
            lambda: answer(ctx, reply, user=user, team=team, text=text),
            on_error=error_reporter(ctx.renderer, reply, user),
        )


def answer(
    ctx: SlackContext, reply: Reply, *, user: str, team: str | None, text: str, delivery_id: str | None = None
) -> None:
    lang = question_language(text)
    reply.start(ctx.renderer.working(text.splitlines()[0] if text else "", lang))
    result = triage.triage(
        ctx.doctor,
        actor=ctx.people.actor(user, team),
        text=text,
        channel=reply.channel,
        thread=Thread(reply.channel, reply.thread_ts) if reply.channel and reply.thread_ts else None,
        delivery_id=delivery_id,
    )
    reply.finish(ctx.renderer.triage(result))


def _first_delivery(ctx: SlackContext, event_id: str) -> bool:
    """False for an event already claimed (by this replica or another); True when the store is away,
    since answering twice is better than never answering."""
    try:
        first = incidents.claim_delivery(ctx.doctor, source=EVENT_SOURCE, delivery_id=event_id)
    except EksDoctorError as exc:
        metrics.count_error(exc)
        log.warning("delivery %s not claimed: %s", event_id, exc)
        return True
    if not first:
        metrics.DUPLICATES.labels(kind="event").inc()
    return first


def _thread_parent(ctx: SlackContext, channel: str, thread_ts: str) -> str:
    try:
        response = ctx.client.conversations_replies(channel=channel, ts=thread_ts, limit=1, inclusive=True)
    except SlackApiError as exc:
        log.info("thread parent not read (%s)", exc.response.get("error"))
        return ""
    messages = response.get("messages") or []
    return plain_text(messages[0].get("text") or "") if messages else ""
