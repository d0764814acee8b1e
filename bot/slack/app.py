"""The Bolt app: one `create_app` wires the handlers to a Doctor, for HTTP mode and Socket Mode alike."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.core import Doctor
from bot.errors import ConfigError, new_reference
from bot.observability import logs, metrics
from bot.slack import buttons, commands, conversations, home, quota_modal
from bot.slack.context import SlackContext
from bot.slack.jobs import Jobs
from bot.slack.people import People
from bot.slack.refs import ReferenceSigner, derive_key
from bot.slack.render import Renderer

log = logging.getLogger("eks_doctor.slack")

HTTP = "http"
SOCKET = "socket"
#: Acknowledgements are quick; a few threads keep them flowing while the jobs pool does the work.
ACK_THREADS = 8


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def required_settings(settings: Any, mode: str) -> tuple[str, str | None, str | None]:
    """(bot token, signing secret, app token); a missing one is one clear line naming the variable."""
    token = _secret(settings.slack_bot_token)
    if not token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: the bot needs its xoxb- token (OAuth & Permissions)")
    signing = _secret(settings.slack_signing_secret)
    app_token = _secret(settings.slack_app_token)
    if mode == HTTP and not signing:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it (Basic Information)"
        )
    if mode == SOCKET and not app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set: Socket Mode needs an xapp- token with connections:write")
    return token, signing, app_token


def web_client(token: str, api_url: str) -> WebClient:
    """Web API calls to SLACK_API_URL; rate limits (429 + Retry-After) and dropped connections are retried."""
    base = api_url if api_url.endswith("/") else api_url + "/"
    return WebClient(
        token=token,
        base_url=base,
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3)],
    )


def create_app(doctor: Doctor, *, mode: str = HTTP) -> tuple[App, SlackContext]:
    settings = doctor.settings
    token, signing, app_token = required_settings(settings, mode)
    client = web_client(token, settings.slack_api_url)
    key_source = _secret(settings.action_secret) or signing or app_token or token
    refs = ReferenceSigner(derive_key(key_source), ttl_seconds=settings.button_ttl_seconds)
    app = App(
        client=client,
        signing_secret=signing,
        request_verification_enabled=mode == HTTP,
        token_verification_enabled=False,  # no Slack call at start-up: a Slack outage must not stop the bot
        process_before_response=False,
        listener_executor=logs.ContextExecutor(max_workers=ACK_THREADS, thread_name_prefix="eks-doctor-ack"),
        raise_error_for_unhandled_request=False,
        ignoring_self_events_enabled=True,
    )
    ctx = SlackContext(
        doctor=doctor,
        client=client,
        renderer=Renderer(kb=doctor.kb, refs=refs),
        refs=refs,
        people=People(client, groups=lambda: _fixer_groups(doctor)),
        jobs=Jobs(workers=settings.workers),
    )
    logs.protect([token, signing, app_token, _secret(settings.action_secret), *_database_password(settings)])
    app.use(_observe)
    for module in (commands, conversations, buttons, quota_modal, home):
        module.register(app, ctx)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        reference = new_reference()
        log.error(
            "unexpected error in a Slack handler, reference %s: %s", reference, type(error).__name__, exc_info=error
        )

    return app, ctx


def _observe(body: dict[str, Any], req: Any, next: Any) -> None:
    """Count the request by surface and give its logs a request id (Slack's event id when it has one)."""
    surface = metrics.surface_of(body)
    metrics.REQUESTS.labels(surface=surface).inc()
    logs.request_id.set(body.get("event_id") or logs.new_request_id())
    retry = (req.headers.get("x-slack-retry-num") or [None])[0]
    log.info("slack %s%s", surface, f" (retry {retry})" if retry else "")
    next()


def _database_password(settings: Any) -> list[str]:
    from sqlalchemy.engine import make_url

    try:
        return [make_url(settings.database_url).password or ""]
    except Exception:  # not a URL: the store reports it; nothing to protect here
        return []


def _fixer_groups(doctor: Doctor) -> list[str]:
    return list(dict.fromkeys(group for rule in doctor.config.fixers for group in rule.usergroups))
