"""Hostile patterns and knowledge folders: what a backtracking engine would take, what EKS Doctor takes.

    python benchmarks/hostile_knowledge.py [--cap 30]

For each case of the report (an exponential user pattern, a bundled pattern on a 64 kB paste), the time
Python's `re` takes (in a child process, stopped after --cap seconds) next to the time the bounded
matcher takes; then `kb validate` over every folder of tests/hostile/kb_corpus, and the matcher's
memory on a 64 kB paste.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import time
import tracemalloc
from pathlib import Path

from knowledge import load_knowledge_base
from knowledge.bounded import Budget, bounded
from knowledge.loader import review_folder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "hostile" / "kb_corpus"

CASES = [
    ("user pattern (a|a)+$ on 25 characters", r"(a|a)+$", "a" * 25 + "b"),
    (
        r"bundled read udp \S+->\S+:53: i/o timeout on a 64 kB paste",
        r"read udp \S+->\S+:53: i/o timeout",
        "read udp " + "x->" * 21_000 + " :53: i/o timeout",
    ),
    ("user pattern (x+x+)+y on 40 characters", r"(x+x+)+y", "x" * 40),
]


def _python_re(pattern: str, text: str) -> None:
    re.compile(pattern).search(text)


def python_re_seconds(pattern: str, text: str, cap: float) -> str:
    process = multiprocessing.Process(target=_python_re, args=(pattern, text))
    started = time.monotonic()
    process.start()
    process.join(cap)
    if process.is_alive():
        process.terminate()
        process.join()
        return f"> {cap:g} s (stopped)"
    return f"{time.monotonic() - started:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cap", type=float, default=30.0, help="seconds Python's re may take per case")
    args = parser.parse_args()

    kb = load_knowledge_base()
    kb.matcher.match("warm up")  # compiled now, not inside the timings below
    for label, pattern, text in CASES:
        compiled = bounded(pattern)
        started = time.monotonic()
        compiled.search(text, Budget())
        ours = time.monotonic() - started
        engine = "RE2, linear" if compiled.linear else "time-budgeted"
        print(
            f"{label}: Python re {python_re_seconds(pattern, text, args.cap)}; bounded {ours * 1000:.2f} ms ({engine})"
        )
    paste = CASES[1][2]
    started = time.monotonic()
    kb.matcher.match(paste)
    print(f"eks-doctor match on that 64 kB paste: {(time.monotonic() - started) * 1000:.1f} ms")

    tracemalloc.start()
    kb.matcher.match(("pods fail: read udp 10.0.0.1:5353->10.0.0.10:53: i/o timeout; " * 1100)[:64_000])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"matcher memory on a 64 kB log paste: peak {peak / 1024 / 1024:.1f} MB (tracemalloc)")

    folders = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    times = []
    refused = 0
    for folder in folders:
        started = time.monotonic()
        review = review_folder(folder)
        times.append(time.monotonic() - started)
        refused += bool(review.problems)
    print(
        f"kb validate over {len(folders)} corpus folders ({refused} refused, {len(folders) - refused} allowed with "
        f"findings): {sum(times):.2f} s in all, slowest {max(times):.2f} s"
    )


if __name__ == "__main__":
    main()
