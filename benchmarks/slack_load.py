"""The Slack bot under load: time to acknowledge and to answer /eks commands while the cluster is slow,
and the serving process's memory over many commands.

    .venv/bin/python benchmarks/slack_load.py [--concurrent 50] [--delay 2.0] [--memory-commands 1000]

The bot runs as `eks-doctor serve --http` in its own process, its Web API calls going to a local fake
Slack and its cluster calls to the Kubernetes emulator, which answers every request after `--delay`
seconds. Signed commands arrive all at once from `--concurrent` threads. Figures: acknowledgement
p50/p99 (target p99 under 300 ms, Slack's limit is 3 s) and time to the full answer; then RSS of the
serving process after each batch of commands against a fast cluster (no growth expected).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.kube_emulator import builders as b  # noqa: E402
from tests.kube_emulator.server import KubeEmulator  # noqa: E402
from tests.slack.harness import BOT_TOKEN, SIGNING_SECRET, SlackBot  # noqa: E402
from tests.slack_fake.server import FakeSlack  # noqa: E402


class Remote(SlackBot):
    def __init__(self, fake: FakeSlack, port: int) -> None:
        import httpx

        self.fake, self.port = fake, port
        self.http = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=200))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _shop(kube: KubeEmulator) -> None:
    deploy = b.deployment(
        "checkout",
        "shop",
        containers=[b.container("app", ports=[8080]), b.container("istio-proxy", "istio/proxyv2:1.20.0")],
        replicas=2,
    )
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    for _ in range(2):
        kube.add(b.pod(owner=deploy))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--memory-commands", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, FakeSlack() as fake, KubeEmulator() as kube:
        _shop(kube)
        kubeconfig = kube.write_kubeconfig(Path(folder) / "kubeconfig", context="emulator")
        port = _port()
        env = os.environ | {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "EKS_DOCTOR_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "KUBECONFIG": str(kubeconfig),
            "EKS_DOCTOR_KUBE_TIMEOUT": str(max(10.0, args.delay * 3)),
        }
        command = [sys.executable, "-m", "bot.cli.app", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bot = Remote(fake, port)
        try:
            _wait(bot)
            _latency(bot, fake, kube, concurrent=args.concurrent, delay=args.delay)
            _memory(bot, fake, kube, server.pid, commands=args.memory_commands)
        finally:
            bot.http.close()
            server.terminate()
            server.wait(timeout=20)


def _wait(bot: Remote) -> None:
    for _ in range(300):
        try:
            if bot.http.get(bot.url.replace("/slack/events", "/healthz")).status_code == 200:
                return
        except Exception:
            time.sleep(0.1)
    raise SystemExit("the bot did not start")


def _latency(bot: Remote, fake: FakeSlack, kube: KubeEmulator, *, concurrent: int, delay: float) -> None:
    bot.command("help")  # one warm request (connections, first-use imports)
    kube.set_delay(delay)
    sent: dict[int, float] = {}
    acks: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(concurrent)

    def one(i: int) -> None:
        gate.wait()
        started = time.monotonic()
        response = bot.command(f"DNS timeout istio shop/checkout run-{i}")
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.text
        with lock:
            sent[i] = started
            acks.append(elapsed)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(concurrent)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    placeholders = fake.wait_for("chat.postMessage", lambda c: "run-" in c.blocks_text(), count=concurrent, timeout=600)
    run_of_ts = {c.response.get("ts"): _run_number(c.blocks_text()) for c in placeholders}
    updates = fake.wait_for("chat.update", lambda c: c.params.get("ts") in run_of_ts, count=concurrent, timeout=900)
    answer_times = [update.at - sent[run_of_ts[update.params["ts"]]] for update in updates]
    kube.set_delay(0)
    ack_ms = [a * 1000 for a in acks]
    print(f"{concurrent} concurrent /eks commands, cluster answering each request after {delay:g} s")
    print(
        f"  acknowledgement: p50 {statistics.median(ack_ms):.0f} ms, p99 {_percentile(ack_ms, 0.99):.0f} ms, "
        f"max {max(ack_ms):.0f} ms (target p99 < 300 ms)"
    )
    print(
        f"  full answer:     p50 {statistics.median(answer_times):.1f} s, p99 {_percentile(answer_times, 0.99):.1f} s, "
        f"max {max(answer_times):.1f} s ({len(answer_times)} answers)"
    )


def _run_number(text: str) -> int:
    return int(text.split("run-")[1].split()[0].rstrip("…"))


def _memory(bot: Remote, fake: FakeSlack, kube: KubeEmulator, pid: int, *, commands: int) -> None:
    batch = max(1, commands // 5)
    print(f"memory of the serving process over {commands} commands (fast cluster):")
    print(f"  before: {_rss_mb(pid):.0f} MB")
    done = 0
    while done < commands:
        before = len(fake.of("chat.update"))
        threads = [
            threading.Thread(target=bot.command, args=(f"DNS timeout istio shop/checkout mem-{done + i}",))
            for i in range(batch)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done += batch
        fake.wait_for("chat.update", count=before + batch, timeout=600)
        print(f"  after {done:>5} commands: {_rss_mb(pid):.0f} MB")


if __name__ == "__main__":
    main()
