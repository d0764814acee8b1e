"""What the cloud checks cost: Tencent Cloud API calls and wall time for diagnose and scan, cold,
cached and with the cloud hanging, against the Kubernetes emulator and the Tencent Cloud API fake.

    .venv/bin/python benchmarks/cloud_overhead.py [--namespaces 20] [--groups 7] [--runs 5]

Targets: a scan reads the cloud once (a handful of calls, not one per workload); a cached read makes
no call; a hanging cloud costs one timeout per report, not one per action.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SG = "eks.tke.cloud.tencent.com/security-group-id"


def _populate(kube, tencent, *, namespaces: int, groups: int) -> None:
    from tests.kube_emulator import builders as b

    for n in range(namespaces):
        annotations = {SG: f"sg-team{n % groups:04d}"} if n % 2 else None
        deploy = b.deployment("api", f"team-{n:03d}", replicas=3, template_annotations=annotations)
        kube.add(deploy)
        kube.add(b.replicaset_for(deploy))
        kube.add_many([b.pod(owner=deploy) for _ in range(3)])
    tencent.add_eks_cluster("cls-abcd1234", subnets=["subnet-6ktx2ltm"])
    tencent.add_route_table("rtb-sn0001", subnets=["subnet-6ktx2ltm"], routes=[("0.0.0.0/0", "NAT", "nat-egress01")])
    tencent.add_nat_gateway("nat-egress01")
    tencent.add_security_group("sg-def00001", default=True, bindings={"CVM": 1500, "ENI": 300})
    for g in range(groups):
        tencent.add_security_group(f"sg-team{g:04d}", bindings={"ENI": 40, "CVM": 10})


def _timed(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespaces", type=int, default=20)
    parser.add_argument("--groups", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from bot.cloud.cache import FactsCache
    from bot.cloud.reader import open_cloud
    from bot.cluster.inspector import diagnose, scan
    from bot.cluster.kubeapi import connect
    from bot.cluster.live import LiveSource
    from bot.cluster.references import parse_reference
    from bot.config import ClusterConfig, DoctorConfig
    from bot.settings import Settings
    from knowledge import load_knowledge_base
    from tests.kube_emulator.server import KubeEmulator
    from tests.tencent_fake.server import SECRET_ID, SECRET_KEY, TencentCloudFake

    kb = load_knowledge_base()
    cluster = ClusterConfig(name="prod-gz", region="ap-guangzhou", cluster_id="cls-abcd1234")
    config = DoctorConfig(clusters=[cluster], default_cluster="prod-gz")
    with KubeEmulator() as kube, TencentCloudFake() as tencent, tempfile.TemporaryDirectory() as tmp:
        _populate(kube, tencent, namespaces=args.namespaces, groups=args.groups)
        kubeconfig = kube.write_kubeconfig(Path(tmp) / "kubeconfig")
        settings = Settings(TENCENTCLOUD_SECRET_ID=SECRET_ID, TENCENTCLOUD_SECRET_KEY=SECRET_KEY,
                            EKS_DOCTOR_TENCENTCLOUD_ENDPOINT=tencent.endpoint)  # fmt: skip

        def source():
            return LiveSource(connect(context=None, timeout=10, kubeconfig=kubeconfig), log_tail_lines=50)

        def run_diagnose(cloud):
            diagnose(kb=kb, source=source(), ref=parse_reference("team-001/api"), config=config,
                     settings=settings, cloud=cloud)  # fmt: skip

        def run_scan(cloud):
            scan(kb=kb, source=source(), config=config, settings=settings, namespace=None, cloud=cloud)

        rows = []
        for name, run in (("diagnose", run_diagnose), ("scan (all namespaces)", run_scan)):
            plain = _timed(lambda run=run: run(None), args.runs)
            tencent.reset_calls()
            cold = _timed(lambda run=run: run(open_cloud(settings, cluster, cache=FactsCache())), args.runs)
            cold_calls = len(tencent.calls) // args.runs
            cache = FactsCache()
            run(open_cloud(settings, cluster, cache=cache))
            tencent.reset_calls()
            cached = _timed(lambda run=run, cache=cache: run(open_cloud(settings, cluster, cache=cache)), args.runs)
            rows.append((name, plain, cold, cold_calls, cached, len(tencent.calls)))

        print(f"{args.namespaces} workloads, {args.groups + 1} security groups in use; median of {args.runs} runs")
        print(f"{'':24}{'no cloud':>10}{'cold':>10}{'calls':>7}{'cached':>10}{'calls':>7}")
        for name, plain, cold, calls, cached, cached_calls in rows:
            print(f"{name:24}{plain:>8.0f}ms{cold:>8.0f}ms{calls:>7}{cached:>8.0f}ms{cached_calls:>7}")

        tencent.set_delay(30)
        started = time.perf_counter()
        run_diagnose(open_cloud(settings, cluster, cache=FactsCache(), timeout=2.0))
        hung = time.perf_counter() - started
        tencent.set_delay(0)
        print(f"diagnose with the cloud hanging (timeout 2 s): {hung:.1f} s (one timeout, then no further call)")


if __name__ == "__main__":
    main()
