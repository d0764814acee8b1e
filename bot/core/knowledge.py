"""The knowledge base as people browse it: list, show (with suggestions for a mistyped id), validate."""

from __future__ import annotations

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


def validate_folder(folder: Path) -> tuple[list[str], int]:
    """(every problem with file and field, number of entry files)."""
    from knowledge.loader import validate_folder as validate

    problems = validate(folder)
    count = len([p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.name != "lexicon.yaml"])
    return problems, count
