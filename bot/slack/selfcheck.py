"""The Slack lines of `eks-doctor selfcheck`: the bot token works (`auth.test`) and the requests the bot
receives can be verified (signing secret for HTTP mode, or an app token for Socket Mode)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.selfcheck import Line, ok, red
from bot.slack.app import web_client

TOKEN_FIX = "copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page into SLACK_BOT_TOKEN"


def slack_lines(settings: Any) -> list[Line]:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if not token:
        token_line = red("slack token", "SLACK_BOT_TOKEN is not set", TOKEN_FIX)
    else:
        token_line = _auth_test(web_client(token, settings.slack_api_url), settings.slack_api_url)
    if settings.slack_signing_secret or settings.slack_app_token:
        modes = [name for name, value in (("HTTP", settings.slack_signing_secret),
                                          ("Socket Mode", settings.slack_app_token)) if value]  # fmt: skip
        requests_line = ok("slack requests", f"verifiable in {' and '.join(modes)}")
    else:
        requests_line = red(
            "slack requests",
            "neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode) is set",
            "copy the Signing Secret from the app's Basic Information page into SLACK_SIGNING_SECRET",
        )
    return [token_line, requests_line]


def _auth_test(client: Any, api_url: str) -> Line:
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else str(exc)
        fix = TOKEN_FIX + " (reinstall the app if it was revoked)"
        return red("slack token", f"auth.test refused the token: {error}", fix)
    except OSError as exc:  # URLError, timeouts, refused connections
        return red(
            "slack token",
            f"cannot reach the Slack Web API at {api_url}: {getattr(exc, 'reason', exc)}",
            "allow HTTPS egress to slack.com (on super nodes: a NAT gateway or an EIP, see public-network-egress)",
        )
    bot = answer.get("user") or answer.get("user_id")
    return ok("slack token", f"auth.test: bot {bot} in workspace {answer.get('team')} ({answer.get('team_id')})")
