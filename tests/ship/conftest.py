"""The Slack bot fixtures (a running server for the health check)."""

from tests.slack.conftest import bot_config, fake_slack, slack_bot  # noqa: F401
