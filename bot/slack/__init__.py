"""The Slack bot: a thin adapter that parses Slack requests, calls the core and renders Block Kit."""
