"""How long a person waits for one `eks-doctor` command: wall time of the real console script, each
command started afresh (a new process, as from a shell), against a local Kubernetes-API emulator.

    python benchmarks/cli_speed.py [--rounds 7] [--command ".venv/bin/eks-doctor"] [--source DIR]

Prints the median and the fastest wall time per command, and the median CPU time (user + system) of
the command's process: on a busy machine wall time mostly measures the other processes, while CPU
time stays close to what the command itself costs (on an idle machine the two are near each other).
The knowledge-base cache lives in a temporary folder: the first `match` (cold, the cache being
built) is reported apart from the warm ones.
Python's bytecode cache is on (in a temporary folder), as on any user's machine, even where the
environment sets PYTHONDONTWRITEBYTECODE; each command runs once before it is timed.
`--source DIR` runs another checkout of the code (e.g. an older commit unpacked with `git archive`)
with this virtualenv, for before/after figures: `--command ".venv/bin/python -m bot.cli.app"`.
Targets: `--help` and `match` under 0.3 s, `quota list` under 0.5 s, `diagnose` under 1 s.
"""

from __future__ import annotations

import argparse
import os
import shlex
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


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process, exit code)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--command", default=str(ROOT / ".venv" / "bin" / "eks-doctor"))
    parser.add_argument("--source", help="DIR[:MORE]: run the code in DIR (first on PYTHONPATH, and the cwd)")
    args = parser.parse_args()
    command = shlex.split(args.command)

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
            PYTHONPYCACHEPREFIX=str(work / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.source:  # "DIR[:MORE...]": DIR first on the path (and the cwd), then MORE (e.g. other libraries)
            folders = [str(Path(part).resolve()) for part in args.source.split(os.pathsep)]
            env["PYTHONPATH"] = os.pathsep.join(folders)
            os.chdir(folders[0])
        cold, cold_cpu, _ = _run([*command, "match", QUERY], env)
        print(f"eks-doctor: {args.command} (code in {args.source or ROOT}); {args.rounds} runs each; "
              f"python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f}")
        print(f"{'command':<16} {'median':>8} {'fastest':>8} {'cpu':>8} {'target':>8}  exit")
        print(f"{'match (cold)':<16} {cold:>7.3f}s {'':>8} {cold_cpu:>7.3f}s {'':>8}  the knowledge base is compiled")
        for label, argv, target in COMMANDS:
            _run([*command, *argv], env)  # bytecode compiled, the SQLite file created and migrated
            times, cpus, codes = [], [], set()
            for _ in range(args.rounds):
                elapsed, cpu, code = _run([*command, *argv], env)
                times.append(elapsed)
                cpus.append(cpu)
                codes.add(code)
            median = statistics.median(times)
            mark = "ok" if median <= target else "over"
            print(
                f"{label:<16} {median:>7.3f}s {min(times):>7.3f}s {statistics.median(cpus):>7.3f}s "
                f"{target:>7.1f}s  {','.join(map(str, sorted(codes)))} {mark}"
            )


if __name__ == "__main__":
    main()
