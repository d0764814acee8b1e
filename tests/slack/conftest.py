"""Fixtures for the Slack tests: a FakeSlack, the Kubernetes emulator, and the bot serving over HTTP."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import ChannelDefaults, ClusterConfig, DoctorConfig, FixerRule
from bot.observability import logs
from tests.kube_emulator import builders as b
from tests.slack.harness import BOT_TOKEN, DATABASE_PASSWORD, SIGNING_SECRET, SlackBot, start_bot
from tests.slack_fake.server import FakeSlack

FIXER = "U0FIXER"
GROUP = "S0ONCALL"
GROUP_MEMBER = "U0ONCALL"


@pytest.fixture(autouse=True)
def json_logs() -> Iterator[io.StringIO]:
    """Every Slack scenario logs as the server does (JSON, here at DEBUG, libraries included); afterwards
    the captured lines are searched for the bot token, the signing secret and the database password."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = logs.configure("DEBUG", stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    captured = stream.getvalue()
    for secret in (BOT_TOKEN, SIGNING_SECRET, DATABASE_PASSWORD):
        assert secret not in captured, f"a secret reached the logs: {secret[:6]}..."


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.usergroups[GROUP] = [GROUP_MEMBER]
        yield fake


@pytest.fixture
def bot_config() -> DoctorConfig:
    return DoctorConfig(
        clusters=[ClusterConfig(name="prod", pod_quota=200)],
        default_cluster="prod",
        channels={"C0SHOPONLY": ChannelDefaults(cluster="prod", namespace="shop")},
        fixers=[FixerRule(users=[FIXER], usergroups=[GROUP], namespaces=["shop"])],
    )


@pytest.fixture
def slack_bot(fake_slack: FakeSlack, kubeconfig: Path, tmp_path: Path, bot_config: DoctorConfig) -> Iterator[SlackBot]:
    bot = start_bot(
        fake_slack, database_url=f"sqlite:///{tmp_path / 'bot.db'}", kubeconfig=str(kubeconfig), config=bot_config
    )
    yield bot
    bot.close()


@pytest.fixture
def meshed_shop(kube):
    """deployment/checkout in shop with istio sidecars and no raised ipvs UDP timeout: the DNS issue."""
    deploy = b.deployment(
        "checkout",
        "shop",
        containers=[
            b.container("app", ports=[8080]),
            b.container("istio-proxy", "istio/proxyv2:1.20.0", ports=[15090]),
        ],
        replicas=2,
    )
    kube.add(b.namespace("shop"))
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    for _ in range(2):
        kube.add(b.pod(owner=deploy))
    return deploy
