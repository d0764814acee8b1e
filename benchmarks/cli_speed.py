"""How long a person waits for one `eks-doctor` command: wall time of the real console script, each
command started afresh (a new process, as from a shell), against a local Kubernetes-API emulator.

    python benchmarks/cli_speed.py [--rounds 7] [--eks-doctor .venv/bin/eks-doctor]

Prints the median and the fastest run per command. The knowledge-base cache lives in a temporary
folder: the first `match` (cold, the cache being built) is reported apart from the warm ones.
Targets: `--help` and `match` under 0.3 s, `quota list` under 0.5 s, `diagnose` under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.kube_emulator import KubeEmulator  # noqa: E402
from tests.kube_emulator import builders as b  # noqa: E402

QUERY = "lookup orders.shop.svc.cluster.local on 172.16.0.10:53: i/o timeout (istio-proxy sidecars)"
COMMANDS: list[tuple[str, list[str], float]] = [
    ("--help", ["--help"], 0.3),
    ("--version", ["--version"], 0.3),
    ("match TEXT", ["match", QUERY], 0.3),
    ("kb list", ["kb", "list"], 0.5),
    ("quota list", ["quota", "list"], 0.5),
    ("incidents list", ["incidents", "list"], 0.5),
    ("diagnose", ["diagnose", "deploy/checkout", "-n", "shop"], 1.0),
    ("scan -n shop", ["scan", "-n", "shop"], 1.0),
]


def _populate(kube: KubeEmulator) -> None:
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    meshed = b.deployment("checkout", "shop", containers=[b.container("app"), b.container("istio-proxy")])
    exporter = b.deployment("exporter", "shop", containers=[b.container("app", ports=[9100])])
    for deploy in (meshed, exporter):
        kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy), b.pod(owner=deploy)])


def _run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--eks-doctor", default=str(ROOT / ".venv" / "bin" / "eks-doctor"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, KubeEmulator() as kube:
        work = Path(tmp)
        _populate(kube)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("EKS_DOCTOR_", "TENCENTCLOUD_", "SLACK_"))
        }
        env.update(
            KUBECONFIG=str(kube.write_kubeconfig(work / "kubeconfig", context="emulator")),
            EKS_DOCTOR_DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
            XDG_CACHE_HOME=str(work / "cache"),
            XDG_DATA_HOME=str(work / "data"),
            HOME=str(work),
        )
        cold, _ = _run([args.eks_doctor, "match", QUERY], env)
        _run([args.eks_doctor, "incidents", "list"], env)  # the SQLite file is created and migrated once
        print(f"eks-doctor: {args.eks_doctor}; {args.rounds} runs each; python {sys.version.split()[0]}")
        print(f"{'command':<16} {'median':>8} {'fastest':>8} {'target':>8}  exit")
        print(f"{'match (cold)':<16} {cold:>7.3f}s {'':>8} {'':>8}  first run: the knowledge base is compiled")
        for label, argv, target in COMMANDS:
            times, codes = [], set()
            for _ in range(args.rounds):
                elapsed, code = _run([args.eks_doctor, *argv], env)
                times.append(elapsed)
                codes.add(code)
            median = statistics.median(times)
            mark = "ok" if median <= target else "SLOW"
            print(
                f"{label:<16} {median:>7.3f}s {min(times):>7.3f}s {target:>7.1f}s  "
                f"{','.join(map(str, sorted(codes)))} {mark}"
            )


if __name__ == "__main__":
    main()
