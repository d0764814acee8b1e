"""Reading the bot's `GET /metrics` page the way Prometheus does."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def scrape(bot) -> dict[tuple[str, frozenset], float]:
    """Every sample on the page: (name, labels) -> value."""
    response = httpx.get(f"http://127.0.0.1:{bot.server.port}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


class Delta:
    """How much samples grew between two scrapes (the registry is shared by every test in the process)."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self.before = scrape(bot)

    def __call__(self, name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return scrape(self.bot).get(key, 0.0) - self.before.get(key, 0.0)
