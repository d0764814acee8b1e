"""Accuracy of the symptom matcher on JSONL query sets, per kind of query.

Each line: {"q": query, "expect": entry id or "none", "kind": optional label}. A query is answered
correctly when the expected entry ranks first, or, for "none", when nothing matches.

    python benchmarks/evaluate_matcher.py ../shared/eval/symptoms-dev.jsonl tests/data/*.jsonl [--show-failures]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from knowledge import load_knowledge_base


def evaluate(paths: list[Path], *, show_failures: bool) -> float:
    matcher = load_knowledge_base().matcher
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            kind = case.get("kind") or ("negative" if case["expect"] == "none" else "positive")
            matches = matcher.match(case["q"], top=3)
            answer = matches[0].entry_id if matches else "none"
            for label in (kind, "all", f"{path.name}"):
                total[label] += 1
                right[label] += answer == case["expect"]
            if answer != case["expect"]:
                failures.append((path.name, number, case["expect"], answer, case["q"]))
    width = max(len(label) for label in total)
    for label in sorted(total, key=lambda k: (k == "all", k.endswith(".jsonl"), k)):
        share = 100.0 * right[label] / total[label]
        print(f"{label:<{width}}  {right[label]:>4}/{total[label]:<4}  {share:5.1f}%")
    if show_failures:
        for name, number, expected, answer, query in failures:
            print(f"\n{name}:{number} expected {expected}, got {answer}\n  {query[:300]!r}")
    return right["all"] / max(total["all"], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    evaluate(args.paths, show_failures=args.show_failures)


if __name__ == "__main__":
    main()
