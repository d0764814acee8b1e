"""What the Kubernetes-API emulator costs the test suite per emulator and per request: starting one
(as every cluster test does), the first request of a new client (a new connection, with the TLS
handshake where the emulator serves HTTPS), and later requests on the kept-alive connection.

    python benchmarks/emulator_connections.py [--rounds 200]

Prints medians and 95th percentiles in milliseconds. Run it on two checkouts to compare them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cluster.kubeapi import Access, connect  # noqa: E402
from tests.kube_emulator import KubeEmulator  # noqa: E402

READ = Access("get", "namespaces")
PATH = "/api/v1/namespaces/default"


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    starts, firsts, kept = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            began = time.perf_counter()
            kube = KubeEmulator().start()
            kubeconfig = kube.write_kubeconfig(Path(tmp) / f"kubeconfig-{round_}")
            starts.append(time.perf_counter() - began)
            api = connect(context=None, timeout=5.0, kubeconfig=kubeconfig)
            began = time.perf_counter()
            api.get(PATH, access=READ)
            firsts.append(time.perf_counter() - began)
            for _ in range(5):
                began = time.perf_counter()
                api.get(PATH, access=READ)
                kept.append(time.perf_counter() - began)
            api.api_client.close()
            kube.stop()
    print(f"emulator at {kube.url.split(':')[0]}, {args.rounds} rounds")
    print(f"start + kubeconfig       {_ms(starts)}")
    print(f"first request (connect)  {_ms(firsts)}")
    print(f"kept-alive request       {_ms(kept)}")


if __name__ == "__main__":
    main()
