"""`/eks`: help, a symptom (with or without a workload), diagnose, scan, quota and incidents.

Acknowledged at once; the answer follows in the channel, as a placeholder that is updated in place.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.core import incidents, inspection, quotas, triage
from bot.core.language import question_language
from bot.core.recording import Thread
from bot.slack.context import SlackContext
from bot.slack.replies import Reply, error_reporter
from bot.slack.text import Command, parse_command


def register(app: App, ctx: SlackContext) -> None:
    @app.command("/eks")
    def on_eks(ack: Ack, command: dict[str, Any]) -> None:
        parsed = parse_command(command.get("text") or "")
        if parsed.name == "help":
            ack(**ctx.renderer.help().as_kwargs())  # only for the person who asked
            return
        ack()
        reply = Reply(ctx.client, command.get("channel_id"), response_url=command.get("response_url"))
        user = command.get("user_id") or "unknown"
        ctx.jobs.submit(lambda: run(ctx, parsed, command, reply), on_error=error_reporter(ctx.renderer, reply, user))


def run(ctx: SlackContext, parsed: Command, command: dict[str, Any], reply: Reply) -> None:
    doctor, renderer = ctx.doctor, ctx.renderer
    actor = ctx.people.actor(command.get("user_id") or "unknown", command.get("team_id"))
    channel = command.get("channel_id")
    defaults = ctx.channel_defaults(channel)
    cluster = defaults.cluster if defaults else None
    only_namespace = defaults.namespace if defaults else None
    if parsed.name == "incidents":
        reply.private(actor.id, renderer.incidents(incidents.list_incidents(doctor, status="open", limit=20)))
        return
    what = {"diagnose": parsed.rest, "scan": f"scan {parsed.rest}".strip(), "quota": "quota usage"}.get(
        parsed.name, parsed.rest
    )
    lang = question_language(parsed.rest)
    reply.start(renderer.working(what, lang))
    if parsed.name == "diagnose":
        if not parsed.rest.strip():
            reply.finish(renderer.error("Which workload? e.g. `/eks diagnose deploy/checkout -n shop`"))
            return
        diagnosis = inspection.diagnose(
            doctor,
            actor=actor,
            workload=parsed.rest.strip(),
            cluster=cluster,
            thread=Thread(channel, reply.ts) if channel and reply.ts else None,
            preview_offers=True,
            only_namespace=only_namespace,
        )
        reply.finish(renderer.diagnosis(diagnosis, lang))
    elif parsed.name == "scan":
        scan = inspection.scan(
            doctor, actor=actor, namespace=parsed.rest.strip() or None, cluster=cluster, only_namespace=only_namespace
        )
        reply.finish(renderer.scan(scan))
    elif parsed.name == "quota":
        usage = quotas.pod_quota_usage(doctor, cluster=cluster)
        offer = quotas.offer_quota_ticket(doctor, quota_type="pods-per-cluster", cluster=usage.cluster)
        reply.finish(renderer.quota_usage([usage], offer))
    else:
        result = triage.triage(
            doctor,
            actor=actor,
            text=parsed.rest,
            channel=channel,
            thread=Thread(channel, reply.ts) if channel and reply.ts else None,
        )
        reply.finish(renderer.triage(result))
