"""Accuracy of the symptom matcher on labelled query sets, per set and per kind of query.

    python benchmarks/evaluate_matcher.py                      # every set in tests/data/train and tests/data/blind
    python benchmarks/evaluate_matcher.py --role train --show-failures
    python benchmarks/evaluate_matcher.py path/to/set.jsonl    # sets under a `blind` folder count as blind

Training sets may be tuned on and their failures are shown on request. Blind sets are scored, never
shown: their first-look figure is the honest one (tests/data/README.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from knowledge import load_knowledge_base
from knowledge.evaluation import BLIND, ROLES, TRAIN, SetScore, labelled_sets, role_of, score_set

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def table(scores: list[SetScore]) -> str:
    kinds = sorted({kind for score in scores for kind in score.total if kind != "all"})
    name_width = max(len(s.name) for s in scores) + 2
    header = f"{'set':<{name_width}}{'role':<7}" + "".join(f"{k[:13]:>14}" for k in kinds) + f"{'all':>18}"
    rows = [header, "-" * len(header)]
    for role in ROLES:
        group = [s for s in scores if s.role == role]
        if not group:
            continue
        for score in group:
            rows.append(_row(score.name, role, score, kinds, name_width))
        if len(group) > 1:
            merged = SetScore(name=f"{role} (all sets)", role=role)
            for score in group:
                merged.right.update(score.right)
                merged.total.update(score.total)
            rows.append(_row(merged.name, role, merged, kinds, name_width))
    return "\n".join(rows)


def _row(name: str, role: str, score: SetScore, kinds: list[str], width: int) -> str:
    cells = "".join(f"{f'{score.right[k]}/{score.total[k]}':>14}" if score.total[k] else f"{'':>14}" for k in kinds)
    overall = f"{score.right['all']}/{score.total['all']} {100 * score.accuracy:5.1f}%"
    return f"{name:<{width}}{role:<7}{cells}{overall:>18}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="sets to score (default: every set in tests/data)")
    parser.add_argument("--role", choices=ROLES, help="only the training or only the blind sets")
    parser.add_argument("--show-failures", action="store_true", help="print wrong answers (training sets only)")
    args = parser.parse_args()
    paths = args.paths or labelled_sets(DATA)
    if args.role:
        paths = [p for p in paths if role_of(p) == args.role]
    if not paths:
        parser.error("no labelled sets to score")
    matcher = load_knowledge_base().matcher
    scores = [score_set(matcher, path) for path in paths]
    print(table(scores))
    if args.show_failures:
        for score in scores:
            for case, got in score.failures:
                where = f"{score.name}:{case.line} [{case.kind}]"
                print(f"\n{where} expected {case.expect}, got {got}\n  {case.query[:300]!r}")
        hidden = sum(s.total["all"] - s.right["all"] for s in scores if s.role == BLIND)
        if hidden:
            print(f"\n{hidden} wrong answers in blind sets are not shown: a blind set stays blind.")
    elif any(s.role == TRAIN and s.failures for s in scores):
        print("\n(--show-failures lists the training sets' wrong answers)")


if __name__ == "__main__":
    main()
