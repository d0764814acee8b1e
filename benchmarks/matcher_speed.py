"""Matcher speed: queries per second on the bundled base, latency on a synthetic 10,000-entry base,
and the CLI's batch mode over 21,000 mixed queries, after start-up.

    python benchmarks/matcher_speed.py [--entries 10000] [--batch 21000]

Queries come from the training sets only (tests/data/train): a benchmark has no business reading
blind sets. The synthetic entries have text of their own (synthetic words mixed with everyday ones),
so the similarity index is as large as a real base of that size would make it.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from knowledge import load_knowledge_base
from knowledge.lexicon import Lexicon
from knowledge.loader import KnowledgeBase
from knowledge.schema import Concept, Entry

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT.parent / "shared" / "eval" / "symptoms-dev.jsonl"
TRAINING_SETS = sorted((ROOT / "tests" / "data" / "train").glob("*.jsonl"))
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su", "da", "gu", "ho", "ji", "wa", "xe"]
EVERYDAY = "pods fail after the cluster timeout when requests start slow error service node network".split()


def sample_queries() -> list[str]:
    queries = []
    for path in [DEV_SET, *TRAINING_SETS]:
        if path.exists():
            queries += [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return queries or ["DNS timeout istio", "Connection reset by peer gRPC", "port 9100 already in use"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))


def sentence(rng: random.Random, words: list[str]) -> str:
    chosen = [rng.choice(words) for _ in range(4)] + [rng.choice(EVERYDAY) for _ in range(4)]
    rng.shuffle(chosen)
    return " ".join(chosen)


def synthetic_base(size: int, rng: random.Random) -> tuple[KnowledgeBase, list[str]]:
    """`size` entries over a synthetic vocabulary, added to the bundled base and lexicon."""
    bundled = load_knowledge_base()
    template = next(iter(bundled.entries.values())).model_dump()
    concepts: dict[str, Concept] = {}
    entries = dict(bundled.entries)
    queries = []
    for number in range(size):
        names = []
        for part in range(3):
            name = f"c{number}_{part}"
            concepts[name] = Concept(en=[word(rng), f"{word(rng)} {word(rng)}"], zh=[])
            names.append(name)
        own = [word(rng) for _ in range(6)]
        data = dict(template)
        data["id"] = f"synthetic-{number}"
        data["title"] = f"Synthetic entry {number}: {sentence(rng, own)}"
        data["summary"] = sentence(rng, own) + ". " + sentence(rng, own) + "."
        data["mechanism"] = " ".join(sentence(rng, own) + "." for _ in range(3))
        data["symptoms"] = {"en": [sentence(rng, own) for _ in range(5)], "zh": [f"症状{number}：{own[0]}超时"]}
        data["still_works"] = {"en": [sentence(rng, own)], "zh": []}
        data["look_alikes"] = {"en": [sentence(rng, own)], "zh": []}
        data["match"] = {"concepts": {n: 2.5 for n in names}, "anchors": [names[:2], [names[2]]]}
        entries[data["id"]] = Entry.model_validate(data)
        first, second = concepts[names[0]].en[0], concepts[names[1]].en[1]
        queries.append(f"we see {first} and then {second} on the checkout pods since 10:00")
    lexicon = bundled.lexicon.merged(Lexicon(concepts=concepts))
    kb = KnowledgeBase(entries=entries, lexicon=lexicon, sources=dict.fromkeys(entries, "synthetic"))
    return kb, queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_bundled(queries: list[str]) -> None:
    matcher = load_knowledge_base().matcher
    for query in queries:  # warm caches the way a running bot would be
        matcher.match(query)
    rounds = max(1, 20_000 // len(queries))
    start = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            matcher.match(query)
    elapsed = time.perf_counter() - start
    count = rounds * len(queries)
    print(f"bundled base: {count} queries in {elapsed:.2f} s = {count / elapsed:,.0f} queries/s on one core")
    short = [q for q in queries if len(q) < 200]
    start = time.perf_counter()
    for _ in range(rounds):
        for query in short:
            matcher.match(query)
    elapsed = time.perf_counter() - start
    print(f"bundled base, short queries only: {rounds * len(short) / elapsed:,.0f} queries/s")


def bench_large(size: int, real_queries: list[str]) -> None:
    rng = random.Random(7)
    start = time.perf_counter()
    kb, queries = synthetic_base(size, rng)
    built = time.perf_counter() - start
    start = time.perf_counter()
    matcher = kb.matcher
    compiled = time.perf_counter() - start
    mixed = queries[:2000] + real_queries
    latencies, cpu = [], []
    hits = 0
    for query in mixed:
        begin, begin_cpu = time.perf_counter(), time.process_time()
        result = matcher.match(query)
        cpu.append((time.process_time() - begin_cpu) * 1000)
        latencies.append((time.perf_counter() - begin) * 1000)
        hits += bool(result)
    print(
        f"synthetic base of {len(kb.entries):,} entries: validated in {built:.2f} s, matcher compiled in "
        f"{compiled:.2f} s; {len(mixed)} queries ({hits} matched): wall p50 {statistics.median(latencies):.2f} ms, "
        f"p99 {percentile(latencies, 0.99):.2f} ms, max {max(latencies):.2f} ms; CPU time p50 "
        f"{statistics.median(cpu):.2f} ms, p99 {percentile(cpu, 0.99):.2f} ms"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_cli(path: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, output lines) of one `eks-doctor match --json -` run."""
    start, cpu = time.perf_counter(), _children_cpu()
    with open(path, encoding="utf-8") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli.app", "match", "--json", "-"],
            stdin=stdin,
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
    return time.perf_counter() - start, _children_cpu() - cpu, done.stdout.decode().count("\n")


def bench_batch(count: int, queries: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        one, many = Path(folder) / "one.txt", Path(folder) / "many.txt"
        one.write_text(queries[0].replace("\n", " ") + "\n", encoding="utf-8")
        many.write_text(
            "".join(queries[n % len(queries)].replace("\n", " ") + "\n" for n in range(count)), encoding="utf-8"
        )
        start_ups = [_run_cli(str(one)) for _ in range(3)]
        start_wall, start_cpu = min(r[0] for r in start_ups), min(r[1] for r in start_ups)
        elapsed, cpu, lines = _run_cli(str(many))
    print(
        f"eks-doctor match --json - over {count:,} queries: {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"({lines:,} JSON lines); start-up {start_wall:.2f} s wall, {start_cpu:.2f} s CPU; after start-up "
        f"{count / max(elapsed - start_wall, 1e-9):,.0f} queries/s wall, "
        f"{count / max(cpu - start_cpu, 1e-9):,.0f} queries/s of CPU time (one core; wall varies with load)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=21_000)
    args = parser.parse_args()
    queries = sample_queries()
    bench_bundled(queries)
    bench_large(args.entries, queries)
    bench_batch(args.batch, queries)


if __name__ == "__main__":
    main()
