"""The quota-ticket form: opened at once with the click's trigger_id (it expires after 3 s), filled
with live figures when they are read, validated in place, then stored and posted in the thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core import fixes, quotas
from bot.errors import RefusedError
from bot.slack.context import SlackContext
from bot.slack.ids import ActionId, BlockId, CallbackId, action_pattern
from bot.slack.limits import escape, fit
from bot.slack.replies import Reply, error_reporter

log = logging.getLogger(__name__)
TITLE = "Quota ticket"
SG_TYPE = "security-group-instances"


def register(app: App, ctx: SlackContext) -> None:
    @app.action(action_pattern(ActionId.DRAFT_QUOTA))
    def on_draft(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user = (body.get("user") or {}).get("id") or "unknown"
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        reply = Reply(ctx.client, channel, thread_ts=message.get("thread_ts") or message.get("ts"))
        report = error_reporter(ctx.renderer, reply, user)
        try:
            ref = ctx.refs.verify(action.get("value") or "", kind="quota")
        except RefusedError as exc:
            report(None, str(exc))
            return
        metadata = ctx.refs.sign("qm", ref.ids[0], channel or "-", reply.thread_ts or "-")
        # Opened here, not in the background: the trigger_id is only good for 3 seconds.
        opened = ctx.client.views_open(trigger_id=body["trigger_id"], view=_loading(metadata))
        view = opened.get("view") or {}
        ctx.jobs.submit(lambda: _fill(ctx, view, ref.ids[0], metadata), on_error=_modal_error(ctx, view))

    @app.view(CallbackId.QUOTA_MODAL.value)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = (view.get("state") or {}).get("values") or {}
        ref = ctx.refs.verify(view.get("private_metadata") or "", kind="qm")
        offer_id, channel, thread_ts = ref.ids[:3]
        limit = int(ref.ids[3]) if len(ref.ids) > 3 and ref.ids[3].isdigit() else 0
        requested_text = _value(values, BlockId.QUOTA_REQUESTED)
        errors = _validate(requested_text, limit)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        user = (body.get("user") or {}).get("id") or "unknown"
        team = (body.get("user") or {}).get("team_id")
        reply = Reply(
            ctx.client, None if channel == "-" else channel, thread_ts=None if thread_ts == "-" else thread_ts
        )

        def work() -> None:
            offer = fixes.get_offer(ctx.doctor, offer_id=offer_id)
            result = quotas.draft_quota(
                ctx.doctor,
                actor=ctx.people.actor(user, team),
                quota_type=offer.quota_type or "pods-per-cluster",
                cluster=offer.cluster,
                requested=int(requested_text),
                contact=_value(values, BlockId.QUOTA_CONTACT) or None,
                security_group=_value(values, BlockId.QUOTA_SECURITY_GROUP) or None,
                incident_id=offer.incident_id,
                request_key=f"slack:view:{view.get('id')}",
            )
            answer = ctx.renderer.ticket(result, user=user)
            if reply.channel:
                reply.client.chat_postMessage(channel=reply.channel, thread_ts=reply.thread_ts, **answer.as_kwargs())
            else:
                reply.client.chat_postMessage(channel=user, **answer.as_kwargs())

        ctx.jobs.submit(work, on_error=error_reporter(ctx.renderer, reply, user))


def _given(part: str) -> str | None:
    return None if part == "-" else part


def _value(values: dict[str, Any], block: BlockId) -> str:
    for element in (values.get(block.value) or {}).values():
        return str(element.get("value") or "").strip()
    return ""


def _validate(requested: str, limit: int) -> dict[str, str]:
    """Field errors shown under the field, in the modal."""
    if not requested.isdigit() or int(requested) <= 0:
        return {BlockId.QUOTA_REQUESTED.value: "Enter a whole number of pods or instances, e.g. 300."}
    if int(requested) <= limit:
        return {BlockId.QUOTA_REQUESTED.value: f"The new limit must be above the current one ({limit})."}
    if int(requested) > 1_000_000:
        return {BlockId.QUOTA_REQUESTED.value: "That is more than any cluster can use; check the number."}
    return {}


def _loading(metadata: str) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=CallbackId.QUOTA_MODAL.value,
        title=PlainTextObject(text=TITLE),
        private_metadata=metadata,
        blocks=[ContextBlock(elements=[MarkdownTextObject(text=":hourglass: Reading live figures from the cluster…")])],
    ).to_dict()


def _fill(ctx: SlackContext, view: dict[str, Any], offer_id: str, metadata: str) -> None:
    offer = fixes.get_offer(ctx.doctor, offer_id=offer_id)
    preview = quotas.draft_quota(
        ctx.doctor,
        actor=ctx.people.actor("preview"),
        quota_type=offer.quota_type or "pods-per-cluster",
        cluster=offer.cluster,
        save=False,
    )
    draft = preview.draft
    ref = ctx.refs.verify(metadata, kind="qm")
    signed = ctx.refs.sign("qm", *ref.ids, str(draft.limit))
    share = draft.usage * 100 // max(draft.limit, 1)
    summary = (
        f"*{escape(draft.quota_type)}* on cluster *{escape(draft.cluster)}*: {draft.usage} of {draft.limit} "
        f"in use ({share}%), {draft.pending} pending.\n"
        f"Suggested new limit *{draft.suggested_limit}*: {escape(draft.reasoning)}"
    )
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=fit(summary, 3000))),
        InputBlock(
            block_id=BlockId.QUOTA_REQUESTED.value,
            label="New limit to ask for",
            element=NumberInputElement(
                is_decimal_allowed=False, initial_value=str(draft.suggested_limit), min_value="1"
            ),
        ),
        InputBlock(
            block_id=BlockId.QUOTA_CONTACT.value,
            label="Who support should contact",
            optional=True,
            element=PlainTextInputElement(max_length=200),
        ),
    ]
    if draft.quota_type == SG_TYPE:
        blocks.append(
            InputBlock(
                block_id=BlockId.QUOTA_SECURITY_GROUP.value,
                label="Security group id (empty: the default group)",
                optional=True,
                element=PlainTextInputElement(max_length=64),
            )
        )
    notes = [*draft.warnings, *preview.notes][:5]
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=fit(escape(" · ".join(notes)), 2000))]))
    filled = View(
        type="modal",
        callback_id=CallbackId.QUOTA_MODAL.value,
        title=PlainTextObject(text=TITLE),
        submit=PlainTextObject(text="Save draft"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=signed,
        blocks=blocks,
    ).to_dict()
    ctx.client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=filled)


def _modal_error(ctx: SlackContext, view: dict[str, Any]) -> Any:
    def report(reference: str | None, message: str) -> None:
        text = ctx.renderer.apology(reference).text if reference else f":warning: {escape(message)}"
        failed = View(
            type="modal",
            callback_id=CallbackId.QUOTA_MODAL.value,
            title=PlainTextObject(text=TITLE),
            close=PlainTextObject(text="Close"),
            blocks=[SectionBlock(text=MarkdownTextObject(text=fit(text, 3000)))],
        ).to_dict()
        try:
            ctx.client.views_update(view_id=view.get("id"), view=failed)
        except SlackApiError as exc:
            log.info("modal not updated (%s)", exc.response.get("error"))

    return report
