"""A local stand-in for Slack's Web API (and response_url), over real HTTP, recording every call."""

from tests.slack_fake.server import Call, FakeSlack

__all__ = ["Call", "FakeSlack"]
