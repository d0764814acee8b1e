"""Labelled query sets and the matcher's accuracy on them, per set and per kind of query.

A set is a JSONL file, one case a line: {"q": query, "expect": entry id or "none", "kind": label}.
A case is answered correctly when the expected entry ranks first, or, for "none", when nothing matches.

Sets live in two folders with different rules (tests/data/README.md):
  train/  may be read and tuned on; its failures may be shown.
  blind/  is scored as it is, never read to change the matcher; its failures are never shown.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

TRAIN = "train"
BLIND = "blind"
ROLES = (TRAIN, BLIND)


@dataclass(frozen=True, slots=True)
class Case:
    query: str
    expect: str
    kind: str
    line: int


@dataclass
class SetScore:
    name: str
    role: str
    right: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    #: (case, answer) for every wrong answer; kept for training sets only.
    failures: list[tuple[Case, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.share("all")

    def share(self, kind: str) -> float:
        return self.right[kind] / self.total[kind] if self.total[kind] else 0.0


def read_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        kind = raw.get("kind") or ("negative" if raw["expect"] == "none" else "positive")
        cases.append(Case(raw["q"], raw["expect"], kind, number))
    return cases


def role_of(path: Path) -> str:
    """The folder decides: anything under a `blind` folder is blind, everything else is training."""
    return BLIND if BLIND in path.resolve().parent.parts[-1:] else TRAIN


def labelled_sets(root: Path) -> list[Path]:
    """Every set under root/train and root/blind, training sets first."""
    return [path for role in ROLES for path in sorted((root / role).glob("*.jsonl"))]


def answer(matcher, query: str) -> str:
    matches = matcher.match(query, top=1)
    return matches[0].entry_id if matches else "none"


def score_set(matcher, path: Path, *, role: str | None = None) -> SetScore:
    role = role or role_of(path)
    score = SetScore(name=path.name, role=role)
    for case in read_cases(path):
        got = answer(matcher, case.query)
        for label in (case.kind, "all"):
            score.total[label] += 1
            score.right[label] += got == case.expect
        if got != case.expect and role == TRAIN:
            score.failures.append((case, got))
    return score
