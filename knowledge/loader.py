"""Load and validate knowledge-base folders: the bundled entries plus any user folders.

Every problem is reported with its file and field, all at once, so a broken user entry can be fixed
in one pass. A user folder is untrusted input: its files are read within limits (knowledge.files),
its patterns must run in bounded time (knowledge.bounded), its remedies may only write what the
annotation allow-list admits (knowledge.platform), and nothing it adds may match ordinary text
(knowledge.ordinary). What it changes in the bundled knowledge (a replaced entry, an extended
concept, a veto for every entry) is allowed but reported as a finding (knowledge.trust).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge import files, trust
from knowledge.lexicon import Lexicon
from knowledge.platform import AllowList
from knowledge.schema import Entry
from knowledge.trust import Contribution, Finding

BUNDLED_DIR = Path(__file__).resolve().parent
BUNDLED_ENTRIES = BUNDLED_DIR / "entries"
LEXICON_FILE = "lexicon.yaml"
BUNDLED = "bundled"


class KnowledgeBaseInvalid(Exception):
    """Raised with every problem found; each problem is one line naming file and field."""

    def __init__(self, problems: list[str], findings: list[Finding] | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        #: what the folders would change in the bundled knowledge, as far as they were read
        self.findings = list(findings or [])


@dataclass
class KnowledgeBase:
    entries: dict[str, Entry]
    lexicon: Lexicon
    #: entry id -> "bundled" or the file it was loaded from
    sources: dict[str, str] = field(default_factory=dict)
    #: entry ids a user folder replaced, with the replacing file
    replaced: dict[str, str] = field(default_factory=dict)
    #: what user folders change in the bundled knowledge (knowledge.trust), in the order found
    findings: list[Finding] = field(default_factory=list)
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

    def warnings(self) -> list[str]:
        """One line per change a user folder makes to the bundled knowledge, for every command to print."""
        return [finding.line() for finding in self.findings if finding.warns]

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


def _describe_validation(path: Path, exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        reason = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{path}: {where}: {reason}")
    return problems


def _read_yaml(path: Path, problems: list[str]) -> object | None:
    try:
        return files.load_yaml(path)
    except files.Unreadable as exc:
        problems.append(f"{path}: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problems.append(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})")
    return None


def _load_lexicon(folder: Path, problems: list[str]) -> Lexicon | None:
    path = folder / LEXICON_FILE
    if not path.exists():
        return None
    raw = _read_yaml(path, problems)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(f"{path}: expected a mapping with the lexicon's fields")
        return None
    try:
        return Lexicon.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_describe_validation(path, exc))
        return None


def _load_folder(folder: Path, problems: list[str], allowed: AllowList) -> list[tuple[Entry, Path]]:
    if not folder.is_dir():
        problems.append(f"{folder}: not a folder")
        return []
    try:
        paths = files.yaml_files(folder, skip=LEXICON_FILE)
    except files.Unreadable as exc:
        problems.append(f"{folder}: {exc}")
        return []
    loaded: list[tuple[Entry, Path]] = []
    seen: dict[str, Path] = {}
    for path in paths:
        raw = _read_yaml(path, problems)
        if raw is None:  # unreadable (said) or empty
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
        outside = _outside_allow_list(entry, path, allowed)
        if outside:
            problems.extend(outside)
            continue
        seen[entry.id] = path
        loaded.append((entry, path))
    return loaded


def _outside_allow_list(entry: Entry, path: Path, allowed: AllowList) -> list[str]:
    """An entry's remedy may narrow the annotation allow-list, never widen it."""
    if entry.remedy.patch is None:
        return []
    return [
        f"{path}: remedy.patch.allowed.{index}.{where}: {problem}"
        for index, spec in enumerate(entry.remedy.patch.allowed)
        for where, problem in allowed.spec_problems(spec)
    ]


def _lexicon_references(lexicon: Lexicon) -> dict[str, set[str]]:
    """Field -> the concept names a lexicon refers to there."""
    named: dict[str, set[str]] = {}
    for name, concept in lexicon.concepts.items():
        if concept.negated_as:
            named[f"concepts.{name}.negated_as"] = {concept.negated_as}
    if lexicon.polarity.works:
        named["polarity.works"] = {lexicon.polarity.works}
    for where, names in (("polarity.fails", lexicon.polarity.fails), ("penalties", lexicon.penalties)):
        if names:
            named[where] = set(names)
    for field_name, mapping in (("vetoes", lexicon.vetoes), ("cancels", lexicon.cancels)):
        for concept, others in mapping.items():
            named[f"{field_name}.{concept}"] = {concept, *others}
    return named


def _check_concepts(
    entries: Iterable[tuple[Entry, Path]],
    lexicons: Iterable[tuple[Path, Lexicon]],
    known: set[str],
    problems: list[str],
) -> None:
    """Every concept a lexicon or an entry names must be defined somewhere, said with the file that names it."""
    for path, lexicon in lexicons:
        for where, names in _lexicon_references(lexicon).items():
            unknown = sorted(names - known)
            if unknown:
                problems.append(f"{path}: {where}: unknown concept(s) {', '.join(unknown)}")
    for entry, path in entries:
        unknown = sorted(entry.match.referenced_concepts() - known)
        if unknown:
            problems.append(f"{path}: match: unknown concept(s) {', '.join(unknown)} (not in any lexicon.yaml)")


@dataclass
class _Added:
    """What the user folders bring: the forms they add to concepts, and what they change in the bundled ones."""

    contributions: list[Contribution] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _with_terms(lexicon: Lexicon, entries: Iterable[Entry]) -> Lexicon:
    for entry in entries:
        if entry.match.terms:
            lexicon = lexicon.merged(Lexicon(concepts=dict(entry.match.terms)))
    return lexicon


def load_knowledge_base(
    *, extra_paths: Iterable[Path] = (), include_bundled: bool = True, allowed: AllowList | None = None
) -> KnowledgeBase:
    """Bundled entries, then each extra folder in order; raises KnowledgeBaseInvalid listing every problem.
    `allowed`: the annotations remedies may write (default: the platform's allow-list)."""
    allowed = allowed or AllowList()
    problems: list[str] = []
    bundled_lexicon = _load_lexicon(BUNDLED_DIR, problems) or Lexicon(concepts={})
    lexicon_broken = bool(problems)
    entries: dict[str, Entry] = {}
    sources: dict[str, str] = {}
    replaced: dict[str, str] = {}
    all_loaded: list[tuple[Entry, Path]] = []
    if include_bundled:
        for entry, path in _load_folder(BUNDLED_ENTRIES, problems, allowed):
            entries[entry.id] = entry
            sources[entry.id] = BUNDLED
            all_loaded.append((entry, path))
    # What counts as bundled: the lexicon plus the concepts bundled entries bring themselves.
    bundled = _with_terms(bundled_lexicon, (entry for entry, _path in all_loaded))
    lexicon = bundled
    lexicons: list[tuple[Path, Lexicon]] = [(BUNDLED_DIR / LEXICON_FILE, bundled_lexicon)]
    added = _Added()
    for folder in (Path(p) for p in extra_paths):
        extra_lexicon = _load_lexicon(folder, problems)
        if extra_lexicon is not None:
            where = str(folder / LEXICON_FILE)
            found, extends = trust.contributions(extra_lexicon.concepts, bundled, path=where, field="concepts")
            added.contributions += found
            added.findings += extends + trust.lexicon_findings(extra_lexicon, bundled, path=where)
            lexicon = lexicon.merged(extra_lexicon)
            lexicons.append((folder / LEXICON_FILE, extra_lexicon))
        for entry, path in _load_folder(folder, problems, allowed):
            if entry.id in entries:
                if sources[entry.id] != BUNDLED:
                    problems.append(f"{path}: id: duplicate id {entry.id!r} (also in {sources[entry.id]})")
                    continue
                replaced[entry.id] = str(path)
                says = f"replaces the bundled entry {entry.id}"
                added.findings.append(Finding(trust.REPLACES_ENTRY, str(path), says))
            entries[entry.id] = entry
            sources[entry.id] = str(path)
            all_loaded.append((entry, path))
            problems += trust.check_pattern_problems(entry, str(path))
            found, extends = trust.contributions(dict(entry.match.terms), bundled, path=str(path), field="match.terms")
            added.contributions += found
            added.findings += extends
            lexicon = _with_terms(lexicon, [entry])
    if not lexicon_broken:  # with no lexicon every concept would look unknown: one problem is enough
        _check_concepts(all_loaded, lexicons, set(lexicon.concepts), problems)
    for contribution in added.contributions:
        wrong, notes = trust.check_forms(contribution)
        problems += wrong
        added.findings += notes
    if problems:
        raise KnowledgeBaseInvalid(problems, added.findings)
    kb = KnowledgeBase(entries=entries, lexicon=lexicon, sources=sources, replaced=replaced, findings=added.findings)
    if any(source != BUNDLED for source in sources.values()) or added.contributions or added.findings:
        problems = trust.ordinary_match_problems(kb, added.contributions, added.findings)
        if problems:
            raise KnowledgeBaseInvalid(problems, added.findings)
    return kb


@dataclass(frozen=True, slots=True)
class Review:
    """What `kb validate` says about a folder: its problems, its findings, and how many entry files it has."""

    problems: list[str]
    findings: list[Finding]
    entry_files: int
    #: the knowledge base with the folder loaded, when it is valid
    kb: KnowledgeBase | None = None


def review_folder(folder: Path, *, allowed: AllowList | None = None) -> Review:
    """Every problem in one folder of entries, and what it would change in the bundled knowledge,
    checked the way EKS_DOCTOR_KB_PATH loads it: on top of the bundled entries and lexicon."""
    try:
        count = len(files.yaml_files(folder, skip=LEXICON_FILE)) if folder.is_dir() else 0
    except files.Unreadable:
        count = 0
    bundled_itself = folder.resolve() == BUNDLED_ENTRIES
    try:
        kb = load_knowledge_base(extra_paths=[] if bundled_itself else [folder], allowed=allowed)
    except KnowledgeBaseInvalid as exc:
        return Review(exc.problems, exc.findings, count)
    return Review([], kb.findings, count, kb)


def validate_folder(folder: Path, *, allowed: AllowList | None = None) -> list[str]:
    """Every problem in one folder of entries (see `review_folder`)."""
    return review_folder(folder, allowed=allowed).problems
