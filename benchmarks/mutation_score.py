"""Mutation score per file of the code that decides what is written to a cluster, and who may write it.

Reads what `mutmut run` left in mutants/ (through `mutmut results --all true`) and prints, per file,
how many mutants the tests killed and how many survived, then the survivors by name. A mutant counts
as detected when a test failed (killed) or hung (timeout) with it in place.

    python benchmarks/mutation_score.py               # the table and the surviving mutants
    python benchmarks/mutation_score.py --by-function # one row per function instead of per file
    python benchmarks/mutation_score.py --min-score 95  # exit 1 below this overall score
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

DETECTED = {"killed", "timeout", "caught by type check"}
#: mutmut names a mutant `<module>.x_<function>__mutmut_<n>` or `<module>.xǁ<Class>ǁ<method>__mutmut_<n>`.
NAME = re.compile(r"^(?P<module>[\w.]+?)\.x(?:_|ǁ)(?P<function>.+)__mutmut_\d+$")


def read_results(mutmut: str) -> list[tuple[str, str]]:
    """(mutant name, status) for every mutant mutmut has generated."""
    done = subprocess.run([mutmut, "results", "--all", "true"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"mutmut results failed ({done.returncode}): {done.stderr.strip()}")
    rows = []
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and NAME.match(name):
            rows.append((name, status.strip()))
    return rows


def group_of(name: str, *, by_function: bool) -> str:
    match = NAME.match(name)
    assert match is not None  # read_results keeps only names that match
    path = match["module"].replace(".", "/")
    path += "/__init__.py" if Path(path).is_dir() else ".py"  # a package's own names live in __init__.py
    return f"{path}::{match['function'].replace('ǁ', '.')}" if by_function else path


def score(counts: Counter) -> float:
    total = sum(counts.values())
    return 100.0 * sum(counts[s] for s in DETECTED) / total if total else 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--by-function", action="store_true", help="one row per function instead of per file")
    parser.add_argument("--min-score", type=float, default=None, help="exit 1 when the overall score is lower")
    parser.add_argument("--mutmut", default=shutil.which("mutmut") or str(Path(sys.executable).with_name("mutmut")))
    args = parser.parse_args()

    rows = read_results(args.mutmut)
    if not rows:
        print("no mutation results: run `mutmut run` first (or `make mutation`)", file=sys.stderr)
        return 2
    by_group: dict[str, Counter] = defaultdict(Counter)
    survivors: list[tuple[str, str]] = []
    for name, status in rows:
        by_group[group_of(name, by_function=args.by_function)][status] += 1
        if status not in DETECTED:
            survivors.append((name, status))

    width = max(len(g) for g in by_group) + 2
    header = f"{'file' if not args.by_function else 'function':<{width}}{'mutants':>8}{'killed':>8}{'timeout':>8}"
    header += f"{'survived':>9}{'no tests':>9}{'score':>8}"
    print(header)
    print("-" * len(header))
    total: Counter = Counter()
    for group in sorted(by_group):
        counts = by_group[group]
        total.update(counts)
        print(_row(group, counts, width))
    print("-" * len(header))
    print(_row("all", total, width))

    if survivors:
        print(f"\n{len(survivors)} not detected (see one with `mutmut show NAME`):")
        for name, status in sorted(survivors):
            print(f"  {status:<10} {name}")
    overall = score(total)
    if args.min_score is not None and overall < args.min_score:
        print(f"\nmutation score {overall:.1f}% is below {args.min_score:g}%", file=sys.stderr)
        return 1
    return 0


def _row(label: str, counts: Counter, width: int) -> str:
    total = sum(counts.values())
    return (
        f"{label:<{width}}{total:>8}{counts['killed']:>8}{counts['timeout']:>8}"
        f"{counts['survived']:>9}{counts['no tests']:>9}{score(counts):>7.1f}%"
    )


if __name__ == "__main__":
    sys.exit(main())
