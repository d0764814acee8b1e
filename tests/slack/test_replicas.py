"""Two bot processes (`eks-doctor serve --http`) sharing one PostgreSQL database, as the Deployment runs
them: a click or an event that reaches both replicas changes nothing twice."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.store import open_store, upgrade
from tests.postgres import PgServer
from tests.remedies.conftest import template_annotations, writes
from tests.slack.harness import BOT_TOKEN, SIGNING_SECRET, SlackBot
from tests.slack_fake.server import FakeSlack

pytestmark = pytest.mark.postgres

CONFIG = """\
clusters:
  - name: prod
default_cluster: prod
fixers:
  - users: [U0FIXER]
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Replica(SlackBot):
    """A SlackBot whose server is another process."""

    def __init__(self, fake: FakeSlack, process: subprocess.Popen, port: int) -> None:
        self.fake, self.process, self.port = fake, process, port
        self.http = httpx.Client(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


@pytest.fixture
def replicas(
    pg_server: PgServer,
    fake_slack: FakeSlack,
    kubeconfig: Path,
    tmp_path: Path,
) -> Iterator[list[Replica]]:
    url = pg_server.create_database(f"replicas_{secrets.token_hex(3)}")
    store = open_store(url, migrate=False)
    upgrade(store)
    store.dispose()
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    env = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "EKS_DOCTOR_DATABASE_URL": url,
        "EKS_DOCTOR_CONFIG": str(config),
        "KUBECONFIG": str(kubeconfig),
    }
    started = []
    for _ in range(2):
        port = _free_port()
        command = [sys.executable, "-m", "bot.cli.app", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(Replica(fake_slack, process, port))
    for replica in started:
        _wait_healthy(replica)
    yield started
    for replica in started:
        replica.http.close()  # no open keep-alive connection for the server to wait on
        replica.process.terminate()
    for replica in started:
        replica.process.wait(timeout=10)


def _wait_healthy(replica: Replica) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if replica.process.poll() is not None:
            raise AssertionError(f"replica exited: {replica.process.stderr.read().decode()}")
        try:
            if replica.http.get(replica.url.replace("/slack/events", "/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("replica did not become healthy")


def test_a_click_that_reaches_both_replicas_patches_once(replicas, fake_slack, kube, meshed_shop):
    first, second = replicas
    first.command("DNS timeout istio shop/checkout")
    answer = fake_slack.wait_for("chat.update", timeout=20)[0]
    button = next(b for b in answer.buttons() if b["text"]["text"] == "Apply fix")
    clicks = [
        threading.Thread(target=r.click, args=(button,), kwargs={"user": "U0FIXER", "message_ts": answer.params["ts"]})
        for r in replicas
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    fake_slack.wait_for("chat.postMessage", lambda c: "Applied by" in c.blocks_text(), timeout=20)
    told = fake_slack.wait_for("chat.postEphemeral", lambda c: "already" in c.blocks_text(), timeout=20)
    assert len(told) == 1
    assert len(writes(kube)) == 1
    assert template_annotations(kube)["eks.tke.cloud.tencent.com/ipvs-udp-timeout"] == "120s"
    assert second.process.poll() is None


def test_an_event_delivered_to_both_replicas_is_answered_once(replicas, fake_slack):
    for replica in replicas:
        replica.mention("DNS timeouts with istio sidecars", ts="1700050000.000100", event_id="Ev0BOTH0001")
    fake_slack.wait_for("chat.update", timeout=20)
    time.sleep(1.0)
    assert len(fake_slack.of("chat.postMessage")) == 1
