"""The knowledge base as people browse it: list, show (with suggestions for a mistyped id), validate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.errors import NotFoundError


def list_entries(doctor: Any) -> list[dict[str, str]]:
    kb = doctor.kb
    return [
        {"id": e.id, "title": e.title, "title_zh": e.title_zh, "source": kb.sources[e.id]} for e in kb.entries.values()
    ]


def get_entry(doctor: Any, *, entry_id: str) -> Any:
    """The entry (knowledge.schema.Entry); NotFoundError with the closest ids when there is none."""
    from rapidfuzz import fuzz, process

    kb = doctor.kb
    entry = kb.get(entry_id)
    if entry is None:
        close = [
            c for c, _, _ in process.extract(entry_id, kb.ids(), scorer=fuzz.partial_ratio, limit=3, score_cutoff=75)
        ]
        raise NotFoundError(f"no knowledge entry {entry_id!r}", suggestions=close)
    return entry


def entry_source(doctor: Any, *, entry_id: str) -> str:
    return doctor.kb.sources[entry_id]


@dataclass(frozen=True, slots=True)
class FolderReview:
    """What `kb validate` reports for a folder of entries."""

    folder: Path
    problems: list[str]
    #: knowledge.trust.Finding: what the folder would change in the bundled knowledge
    findings: list[Any]
    entry_files: int
    #: knowledge.platform.AnnotationRule: what EKS_DOCTOR_CONFIG adds to the annotation allow-list
    widened: list[Any]

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "folder": str(self.folder),
            "entries": self.entry_files,
            "valid": self.valid,
            "problems": list(self.problems),
            "findings": [finding.as_dict() for finding in self.findings],
            "widened_annotations": [
                {"key": r.key, "shape": r.shape, "range": r.describe(), "source": r.source} for r in self.widened
            ],
        }


def validate_folder(doctor: Any, *, folder: Path) -> FolderReview:
    """Every problem with file and field, and every change the folder would make to the bundled knowledge,
    checked against the annotation allow-list (with what EKS_DOCTOR_CONFIG widens)."""
    from knowledge.loader import review_folder

    allowed = doctor.allow_list
    review = review_folder(folder, allowed=allowed)
    return FolderReview(folder, review.problems, review.findings, review.entry_files, list(allowed.widened))


@dataclass(frozen=True, slots=True)
class Gap:
    """A query the matcher missed, and the answer people or the cluster finally gave."""

    incident_id: str
    query: str
    matched: tuple[str, ...]
    rejected: tuple[str, ...]
    answer: str  # the entry chosen or confirmed, or "none" when nothing was
    how: str  # "chosen", "confirmed" or "nothing chosen"

    def as_jsonl(self) -> dict[str, object]:
        """The training-set line (`{"q", "expect", "kind"}`) plus where it came from, for review."""
        return {
            "q": self.query,
            "expect": self.answer,
            "kind": "gap",
            "incident": self.incident_id,
            "matched": list(self.matched),
            "rejected": list(self.rejected),
            "how": self.how,
        }


def gaps(doctor: Any, *, since: datetime | None = None, limit: int = 500) -> dict[str, list[Gap]]:
    """Unmatched or rejected queries grouped by what was finally chosen or confirmed (best first)."""
    from bot.store import match_gaps

    grouped: dict[str, list[Gap]] = {}
    for record in match_gaps(doctor.store(), since=since, limit=limit):
        chosen = [e for e in record.chosen if e not in record.rejected]
        if chosen:
            answer, how = chosen[0], "chosen"
        elif record.confirmed:
            answer, how = record.confirmed[0], "confirmed"
        else:
            answer, how = "none", "nothing chosen"
        gap = Gap(record.incident_id, record.symptom, record.matched, record.rejected, answer, how)
        grouped.setdefault(answer, []).append(gap)
    return dict(sorted(grouped.items(), key=lambda item: (item[0] == "none", -len(item[1]), item[0])))
