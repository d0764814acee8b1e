"""Scan a large emulated cluster through the real client: API requests, wall time and peak memory.

    .venv/bin/python benchmarks/scan_large_cluster.py [--namespaces 1000] [--pods 20000]

The emulator runs in a process of its own and each measured run in another, started from this small
coordinating process, so `getrusage` reports the scanner's own peak RSS (a child inherits the peak
of the process it was forked from, which is why the emulator is not that process). Targets: peak RSS
under 200 MB, and a request count that follows pages (limit=500), not pods.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RSS_TARGET_MB = 200


def _populate(kube, *, namespaces: int, pods: int) -> None:
    from tests.kube_emulator import builders as b

    per_namespace = max(1, pods // namespaces)
    objects: list[dict] = []
    for n in range(namespaces):
        ns = f"team-{n:04d}"
        labels = {"istio-injection": "enabled"} if n % 10 == 0 else None
        objects.append(b.namespace(ns, labels=labels))
        annotations = {"eks.tke.cloud.tencent.com/security-group-id": f"sg-{n % 7}"} if n % 3 == 0 else None
        deploy = b.deployment("api", ns, replicas=per_namespace, template_annotations=annotations)
        rs = b.replicaset_for(deploy)
        objects += [deploy, rs]
        template = b.pod(owner=deploy)
        for i in range(per_namespace):
            pod = json.loads(json.dumps(template))
            pod["metadata"]["name"] = f"{rs['metadata']['name']}-{i:05d}"
            pod["metadata"]["uid"] = f"{n:08d}-0000-4000-8000-{i:012d}"
            objects.append(pod)
        if n % 50 == 0:
            objects.append(b.event(rs, "FailedCreate", "Error creating: pods quota exceeded for cluster"))
    kube.add_many(objects)


def _child(mode: str, kubeconfig: str) -> None:
    """Runs in the measured process: the scan through the CLI, or the quota count alone."""
    os.environ["KUBECONFIG"] = kubeconfig
    started = time.perf_counter()
    result: dict[str, object] = {}
    if mode == "scan":
        from bot.cli.app import main

        with open(os.devnull, "w") as sink:
            stdout, sys.stdout = sys.stdout, sink
            try:
                main(["scan", "--all-namespaces", "--json"])
            except SystemExit as exc:
                result["exit"] = exc.code
            finally:
                sys.stdout = stdout
    else:
        from bot.cluster.kubeapi import connect
        from bot.cluster.live import LiveSource

        source = LiveSource(connect(context=None, timeout=30))
        counts = source.cluster_counts(sg_annotations=["eks.tke.cloud.tencent.com/security-group-id"])
        result["pods"] = getattr(counts, "pods", None)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def _serve_emulator(conn, namespaces: int, pods: int, folder: str) -> None:
    """The emulator's process: build the cluster, then answer the coordinator's requests."""
    from tests.kube_emulator.server import KubeEmulator

    with KubeEmulator() as kube:
        started = time.perf_counter()
        _populate(kube, namespaces=namespaces, pods=pods)
        kubeconfig = kube.write_kubeconfig(Path(folder) / "kubeconfig")
        conn.send((str(kubeconfig), round(time.perf_counter() - started, 1)))
        while (command := conn.recv()) != "stop":
            if command == "reset":
                kube.reset_requests()
                conn.send(None)
            else:
                requests = kube.requests
                conn.send((len(requests), sum(1 for r in requests if r.path == "/api/v1/pods")))


def _measure(conn, mode: str, kubeconfig: str) -> dict[str, object]:
    conn.send("reset")
    conn.recv()
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--kubeconfig", kubeconfig],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    conn.send("requests")
    result["requests"], result["pod_pages"] = conn.recv()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--namespaces", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--child", choices=["scan", "count"], help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.kubeconfig)
        return

    context = multiprocessing.get_context("fork")
    conn, emulator_end = context.Pipe()
    with tempfile.TemporaryDirectory() as folder:
        emulator = context.Process(target=_serve_emulator, args=(emulator_end, args.namespaces, args.pods, folder))
        emulator.start()
        try:
            kubeconfig, build_seconds = conn.recv()
            print(f"emulated cluster: {args.pods} pods in {args.namespaces} namespaces, with their Deployments "
                  f"and ReplicaSets (built in {build_seconds}s)")  # fmt: skip
            for mode, label in (("scan", "eks-doctor scan --all-namespaces"), ("count", "pod quota count (metadata)")):
                result = _measure(conn, mode, kubeconfig)
                verdict = "ok" if float(result["peak_rss_mb"]) < RSS_TARGET_MB else f"OVER {RSS_TARGET_MB} MB"
                print(f"{label:<33} requests {result['requests']:>3} (pod list pages {result['pod_pages']}), "
                      f"wall {result['seconds']}s, peak RSS {result['peak_rss_mb']} MB [{verdict}]")  # fmt: skip
        finally:
            conn.send("stop")
            emulator.join(timeout=10)


if __name__ == "__main__":
    main()
