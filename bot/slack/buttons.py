"""Buttons and menus: apply a fix, undo it, show the kubectl command, vote, resolve, pick an entry,
follow a ticket's status.

Every value is a signed reference (refs.py) checked before anything else; the offer, action or
incident it names is read from the shared database. Fixes and undos carry a request key derived from
what they act on, so a double click or a second replica patches once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App

from bot.core import fixes, incidents
from bot.errors import RefusedError
from bot.observability import metrics
from bot.slack.context import SlackContext
from bot.slack.ids import ActionId, action_pattern
from bot.slack.render import Message
from bot.slack.replies import Reply, error_reporter

Work = Callable[[dict[str, Any], dict[str, Any], Reply], None]


def register(app: App, ctx: SlackContext) -> None:
    def on(action: ActionId, work: Work) -> None:
        @app.action(action_pattern(action))
        def handler(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
            ack()
            user = (body.get("user") or {}).get("id") or "unknown"
            message = body.get("message") or {}
            channel = (body.get("channel") or {}).get("id")
            reply = Reply(
                ctx.client,
                channel,
                thread_ts=message.get("thread_ts") or message.get("ts"),
                response_url=body.get("response_url"),
            )
            ctx.jobs.submit(lambda: work(body, action, reply), on_error=error_reporter(ctx.renderer, reply, user))

        handler.__name__ = f"on_{action.name.lower()}"

    on(ActionId.APPLY_FIX, lambda body, action, reply: apply_fix(ctx, body, action, reply))
    on(ActionId.UNDO, lambda body, action, reply: undo(ctx, body, action, reply))
    on(ActionId.SHOW_KUBECTL, lambda body, action, reply: show_kubectl(ctx, body, action, reply))
    on(ActionId.HELPED, lambda body, action, reply: vote(ctx, body, action, reply, "helped"))
    on(ActionId.NOT_THIS, lambda body, action, reply: vote(ctx, body, action, reply, "not_this"))
    on(ActionId.RESOLVE, lambda body, action, reply: resolve(ctx, body, action, reply))
    on(ActionId.PICK_ENTRY, lambda body, action, reply: pick(ctx, body, action, reply))
    on(ActionId.TICKET_STATUS, lambda body, action, reply: ticket_status(ctx, body, action, reply))


def _user(body: dict[str, Any]) -> tuple[str, str | None]:
    user = body.get("user") or {}
    return user.get("id") or "unknown", user.get("team_id") or (body.get("team") or {}).get("id")


def _value(action: dict[str, Any]) -> str:
    return action.get("value") or (action.get("selected_option") or {}).get("value") or ""


def apply_fix(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply) -> None:
    user, team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="fix")
    offer = fixes.get_offer(ctx.doctor, offer_id=ref.ids[0])
    actor = ctx.people.actor(user, team, with_groups=True)
    namespace = offer.workload.namespace if offer.workload else None
    try:
        fixes.authorize(ctx.doctor, actor=actor, cluster=offer.cluster, namespace=namespace)
    except RefusedError as exc:
        metrics.REFUSALS.labels(action="fix").inc()
        fixes.refuse_offer(ctx.doctor, actor=actor, offer=offer, reason=str(exc))
        reply.private(user, ctx.renderer.error(f"Not applied: {exc}"))
        return
    preview = fixes.preview_offer(ctx.doctor, offer=offer)
    result = metrics.counted_change(
        "fix", lambda: fixes.apply_fix(ctx.doctor, actor=actor, preview=preview, request_key=f"slack:fix:{offer.id}")
    )
    _report_change(ctx, reply, user, result)


def undo(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply) -> None:
    user, team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="undo")
    actor = ctx.people.actor(user, team, with_groups=True)
    recorded = fixes.get_action(ctx.doctor, action_id=ref.ids[0])
    try:
        fixes.authorize(ctx.doctor, actor=actor, cluster=recorded.cluster, namespace=recorded.namespace)
    except RefusedError as exc:
        metrics.REFUSALS.labels(action="undo").inc()
        reply.private(user, ctx.renderer.error(f"Not undone: {exc}"))
        return
    preview = fixes.preview_undo(ctx.doctor, action_id=recorded.id)
    result = metrics.counted_change(
        "undo",
        lambda: fixes.apply_undo(ctx.doctor, actor=actor, preview=preview, request_key=f"slack:undo:{recorded.id}"),
    )
    _report_change(ctx, reply, user, result)


def _report_change(ctx: SlackContext, reply: Reply, user: str, result: Any) -> None:
    """A change goes in the thread for everyone; a refusal or a repeat only to the person who clicked."""
    if result.repeated or result.status == "refused":
        reply.private(user, ctx.renderer.error(result.message))
        return
    at = datetime.now(UTC)
    posted = reply.client.chat_postMessage(
        channel=reply.channel,
        thread_ts=reply.thread_ts,
        **ctx.renderer.fix_result(result, user=user, at=at).as_kwargs(),
    )
    if result.status == "applied":
        _follow_rollout(ctx, reply.channel, posted.get("ts"), user, result, at)


def _follow_rollout(
    ctx: SlackContext, channel: str | None, ts: str | None, user: str, result: Any, at: datetime
) -> None:
    """Update the fix's message as the rollout proceeds, until it is done or we stop watching."""
    if not channel or not ts:
        return
    deadline = time.monotonic() + ctx.rollout_follow_seconds
    last = None
    while True:
        status = fixes.rollout_status(ctx.doctor, cluster=result.cluster, workload=result.workload)
        if status != last:
            ctx.client.chat_update(
                channel=channel, ts=ts, **ctx.renderer.fix_result(result, user=user, rollout=status, at=at).as_kwargs()
            )
            last = status
        if status.done or time.monotonic() >= deadline:
            return
        time.sleep(ctx.rollout_poll_seconds)


def show_kubectl(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply) -> None:
    user, _team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="kubectl")
    offer = fixes.get_offer(ctx.doctor, offer_id=ref.ids[0])
    if not offer.kubectl:
        preview = fixes.preview_offer(ctx.doctor, offer=offer)
        command = preview.plan.kubectl_command() if preview.plan.changes else None
        if command is None:
            reply.private(user, ctx.renderer.error(f"{offer.workload} already has these values: nothing to change"))
            return
        offer = replace(offer, kubectl=command)
    reply.private(user, ctx.renderer.kubectl(offer))


def vote(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply, choice: str) -> None:
    user, team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="vote")
    incident_id, entry_id = ref.ids
    actor = ctx.people.actor(user, team)
    incidents.record_feedback(ctx.doctor, actor=actor, incident_id=incident_id, entry_id=entry_id, vote=choice)
    if choice == "helped":
        reply.private(user, _note(ctx, f"Thanks: recorded that `{entry_id}` helped ({incident_id})."))
    else:
        reply.private(user, ctx.renderer.not_this(incident_id, entry_id))


def resolve(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply) -> None:
    user, team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="resolve")
    summary = incidents.resolve_incident(
        ctx.doctor, actor=ctx.people.actor(user, team), incident_id=ref.ids[0], note=None
    )
    reply.client.chat_postMessage(
        channel=reply.channel,
        thread_ts=reply.thread_ts,
        **_note(ctx, f":white_check_mark: {summary.id} resolved by <@{user}>").as_kwargs(),
    )


def pick(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply) -> None:
    """The person says which entry it is: recorded as their choice, answered with that entry."""
    user, team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="pick")
    incident_id, entry_id = ref.ids
    if incident_id != "-":
        incidents.record_feedback(
            ctx.doctor, actor=ctx.people.actor(user, team), incident_id=incident_id, entry_id=entry_id, vote="helped"
        )
    reply.private(user, ctx.renderer.entry(entry_id, incident_id=None if incident_id == "-" else incident_id))


def ticket_status(ctx: SlackContext, body: dict[str, Any], action: dict[str, Any], reply: Reply) -> None:
    from bot.core import quotas

    user, team = _user(body)
    ref = ctx.refs.verify(_value(action), kind="ticket")
    ticket_id, status = ref.ids
    record = quotas.set_ticket_status(
        ctx.doctor, actor=ctx.people.actor(user, team), ticket_id=ticket_id, status=status
    )
    reply.client.chat_postMessage(
        channel=reply.channel,
        thread_ts=reply.thread_ts,
        **_note(ctx, f"Ticket {record.id} is now *{record.status}* (<@{user}>)").as_kwargs(),
    )


def _note(ctx: SlackContext, text: str) -> Message:
    return ctx.renderer.note(text)
