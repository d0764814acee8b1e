"""Load and validate knowledge-base folders: the bundled entries plus any user folders.

Every problem is reported with its file and field, all at once, so a broken user entry can be fixed
in one pass. A user entry with a bundled id replaces the bundled one (and the caller is told).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.lexicon import Lexicon
from knowledge.schema import Entry

BUNDLED_DIR = Path(__file__).resolve().parent
BUNDLED_ENTRIES = BUNDLED_DIR / "entries"
LEXICON_FILE = "lexicon.yaml"
BUNDLED = "bundled"
# libyaml parses several times faster; the pure-Python loader is the fallback where it is missing.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeBaseInvalid(Exception):
    """Raised with every problem found; each problem is one line naming file and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class KnowledgeBase:
    entries: dict[str, Entry]
    lexicon: Lexicon
    #: entry id -> "bundled" or the file it was loaded from
    sources: dict[str, str] = field(default_factory=dict)
    #: entry ids a user folder replaced, with the replacing file
    replaced: dict[str, str] = field(default_factory=dict)
    _matcher: object | None = field(default=None, repr=False)
    _matcher_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_matcher_lock"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._matcher_lock = threading.Lock()

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def ids(self) -> list[str]:
        return list(self.entries)

    @property
    def matcher(self):  # -> knowledge.matcher.Matcher, built once on first use
        # Many server threads may ask at once: build under a lock, once; later reads take no lock.
        matcher = self._matcher
        if matcher is None:
            with self._matcher_lock:
                if self._matcher is None:
                    from knowledge.matcher import Matcher

                    self._matcher = Matcher(self)
                matcher = self._matcher
        return matcher


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.name != LEXICON_FILE)


def _describe_validation(path: Path, exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        reason = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{path}: {where}: {reason}")
    return problems


def _read_yaml(path: Path, problems: list[str]) -> object | None:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problems.append(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})")
    except OSError as exc:
        problems.append(f"{path}: cannot read ({exc.strerror})")
    return None


def _load_lexicon(folder: Path, problems: list[str]) -> Lexicon | None:
    path = folder / LEXICON_FILE
    if not path.exists():
        return None
    raw = _read_yaml(path, problems)
    if raw is None:
        return None
    try:
        return Lexicon.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_describe_validation(path, exc))
        return None


def _load_folder(folder: Path, problems: list[str]) -> list[tuple[Entry, Path]]:
    if not folder.is_dir():
        problems.append(f"{folder}: not a folder")
        return []
    loaded: list[tuple[Entry, Path]] = []
    seen: dict[str, Path] = {}
    for path in _yaml_files(folder):
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(f"{path}: expected a mapping with the entry's fields")
            continue
        try:
            entry = Entry.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_describe_validation(path, exc))
            continue
        if entry.id in seen:
            problems.append(f"{path}: id: duplicate id {entry.id!r} (also in {seen[entry.id]})")
            continue
        seen[entry.id] = path
        loaded.append((entry, path))
    return loaded


def _check_concepts(entries: Iterable[tuple[Entry, Path]], lexicon: Lexicon, problems: list[str]) -> None:
    known = set(lexicon.concepts)
    named = {name: c.negated_as for name, c in lexicon.concepts.items() if c.negated_as}
    named["polarity.works"] = lexicon.polarity.works
    named.update({f"polarity.fails.{i}": name for i, name in enumerate(lexicon.polarity.fails)})
    for where, name in named.items():
        if name is not None and name not in known:
            problems.append(f"lexicon: {where}: unknown concept {name!r}")
    for entry, path in entries:
        unknown = sorted(entry.match.referenced_concepts() - set(lexicon.concepts))
        if unknown:
            problems.append(f"{path}: match: unknown concept(s) {', '.join(unknown)} (not in any lexicon.yaml)")


def load_knowledge_base(*, extra_paths: Iterable[Path] = (), include_bundled: bool = True) -> KnowledgeBase:
    """Bundled entries, then each extra folder in order; raises KnowledgeBaseInvalid listing every problem."""
    problems: list[str] = []
    folders: list[tuple[Path, str | None]] = []
    if include_bundled:
        folders.append((BUNDLED_ENTRIES, BUNDLED))
    folders.extend((Path(p), None) for p in extra_paths)

    lexicon = _load_lexicon(BUNDLED_DIR, problems) or Lexicon(concepts={})
    lexicon_broken = bool(problems)
    entries: dict[str, Entry] = {}
    sources: dict[str, str] = {}
    replaced: dict[str, str] = {}
    all_loaded: list[tuple[Entry, Path]] = []
    for folder, label in folders:
        extra_lexicon = _load_lexicon(folder, problems) if label is None else None
        if extra_lexicon is not None:
            lexicon = lexicon.merged(extra_lexicon)
        for entry, path in _load_folder(folder, problems):
            if entry.id in entries:
                if sources[entry.id] != BUNDLED:
                    problems.append(f"{path}: id: duplicate id {entry.id!r} (also in {sources[entry.id]})")
                    continue
                replaced[entry.id] = str(path)
            entries[entry.id] = entry
            sources[entry.id] = label or str(path)
            all_loaded.append((entry, path))
    for entry, _path in all_loaded:
        if entry.match.terms:
            lexicon = lexicon.merged(Lexicon(concepts=dict(entry.match.terms)))
    if not lexicon_broken:  # with no lexicon every concept would look unknown: one problem is enough
        _check_concepts(all_loaded, lexicon, problems)
    if problems:
        raise KnowledgeBaseInvalid(problems)
    return KnowledgeBase(entries=entries, lexicon=lexicon, sources=sources, replaced=replaced)


def validate_folder(folder: Path) -> list[str]:
    """Every problem in one folder of entries, checked against the bundled lexicon plus its own."""
    try:
        load_knowledge_base(extra_paths=[folder], include_bundled=False)
    except KnowledgeBaseInvalid as exc:
        return exc.problems
    return []
