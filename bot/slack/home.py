"""App Home: open incidents, recent fixes, quota usage per configured cluster, the knowledge base."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.core import fixes, incidents, knowledge, quotas
from bot.errors import EksDoctorError
from bot.slack.context import SlackContext

log = logging.getLogger(__name__)


def register(app: App, ctx: SlackContext) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict[str, Any]) -> None:  # events are acknowledged by Bolt itself
        if event.get("tab") not in (None, "home"):
            return
        user = event.get("user")
        if not user:
            return
        ctx.jobs.submit(
            lambda: publish(ctx, user),
            on_error=lambda ref, message: log.warning("home not published: %s %s", ref, message),
        )


def publish(ctx: SlackContext, user: str) -> None:
    doctor = ctx.doctor
    problems: list[str] = []
    open_incidents = _read(lambda: incidents.list_incidents(doctor, status="open", limit=10), problems, [])
    recent_fixes = _read(lambda: fixes.list_actions(doctor, limit=5), problems, [])
    clusters = [c.name for c in doctor.config.clusters] or [None]
    usages = [quotas.pod_quota_usage(doctor, cluster=name) for name in clusters[:10]]
    entries = knowledge.list_entries(doctor)
    view = ctx.renderer.home(
        incidents=open_incidents, actions=recent_fixes, usages=usages, entries=entries, problems=problems
    )
    ctx.client.views_publish(user_id=user, view=view)


def _read(read: Any, problems: list[str], default: Any) -> Any:
    """A part of the page that cannot be read says so; the rest is still shown."""
    try:
        return read()
    except EksDoctorError as exc:
        problems.append(str(exc))
        return default
