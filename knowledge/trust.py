"""What a knowledge folder changes in the bundled knowledge, said out loud.

A folder on EKS_DOCTOR_KB_PATH may replace a bundled entry, add forms to a bundled concept, or, in its
lexicon.yaml, veto, penalise or cancel concepts for every entry. All of that is allowed (a team knows
its own words best) but never silent: each is a `Finding` that `kb validate` lists and every command
prints as one warning line. What is not allowed at all is making ordinary text match: every form a
folder adds is checked against knowledge/ordinary.yaml, and so is the knowledge base it produces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from knowledge import ordinary
from knowledge.bounded import bounded
from knowledge.lexicon import Lexicon
from knowledge.schema import Concept

REPLACES_ENTRY = "replaces_entry"
EXTENDS_CONCEPT = "extends_concept"
CHANGES_MATCHING = "changes_matching"
TIME_BUDGETED = "time_budgeted"
#: Findings every command warns about (the others are notes for `kb validate`).
WARNINGS = frozenset({REPLACES_ENTRY, EXTENDS_CONCEPT, CHANGES_MATCHING})
_FORM_KINDS = ("en", "exact", "zh", "patterns")


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    path: str
    #: What it does, after the file name ("replaces the bundled entry port-9100-conflict").
    says: str

    @property
    def warns(self) -> bool:
        return self.kind in WARNINGS

    def line(self) -> str:
        return f"{self.path} {self.says}"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "file": self.path, "message": self.line()}


@dataclass(frozen=True, slots=True)
class Contribution:
    """Forms a folder adds to one concept (new, or bundled), and where."""

    path: str
    field: str  # e.g. "concepts.port_9100" or "match.terms.statsd_port"
    concept: str
    #: kind (en, exact, zh, patterns) -> (index in the folder's list, form) for each added form
    forms: dict[str, tuple[tuple[int, str], ...]]


def quoted(form: str) -> str:
    """A form as its author wrote it, in quotes (a pattern's backslashes are not doubled)."""
    return "'" + form.replace("\n", "\\n") + "'"


def _sample(forms: Iterable[str], limit: int = 3) -> str:
    items = list(forms)
    shown = ", ".join(quoted(f) for f in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def added_forms(base: Concept | None, concept: Concept) -> dict[str, tuple[tuple[int, str], ...]]:
    """The forms `concept` has that `base` does not, per kind, with their index in `concept`."""
    added = {}
    for kind in _FORM_KINDS:
        have = set(getattr(base, kind)) if base is not None else set()
        new = tuple((i, f) for i, f in enumerate(getattr(concept, kind)) if f not in have)
        if new:
            added[kind] = new
    return added


def contributions(
    concepts: dict[str, Concept], bundled: Lexicon, *, path: str, field: str
) -> tuple[list[Contribution], list[Finding]]:
    """What a folder's concepts add, and a finding for each bundled concept it extends."""
    found, findings = [], []
    for name, concept in concepts.items():
        base = bundled.concepts.get(name)
        forms = added_forms(base, concept)
        changes_flags = base is not None and (
            (concept.negatable and not base.negatable) or (concept.negated_as not in (None, base.negated_as))
        )
        if forms:
            found.append(Contribution(path, f"{field}.{name}", name, forms))
        if base is not None and (forms or changes_flags):
            what = [f"{kind}: {_sample(f for _i, f in items)}" for kind, items in forms.items()]
            if changes_flags:
                what.append("how negation reads it")
            findings.append(Finding(EXTENDS_CONCEPT, path, f"extends the bundled concept {name} ({'; '.join(what)})"))
    return found, findings


def lexicon_findings(user: Lexicon, bundled: Lexicon, *, path: str) -> list[Finding]:
    """The parts of a folder's lexicon.yaml that act on every entry, bundled ones included."""
    findings = []

    def changes(says: str) -> None:
        findings.append(Finding(CHANGES_MATCHING, path, says))

    for concept, lifting in user.vetoes.items():
        if bundled.vetoes.get(concept) == lifting:
            continue
        unless = f" unless {', '.join(lifting)} is named too" if lifting else ""
        changes(f"vetoes every entry, bundled ones included, when {concept} is named{unless} (vetoes.{concept})")
    for concept, weight in user.penalties.items():
        if bundled.penalties.get(concept) != weight:
            changes(f"counts {concept} against every entry, bundled ones included (penalties.{concept}: {weight:g})")
    for concept, cancelled in user.cancels.items():
        new = sorted(set(cancelled) - set(bundled.cancels.get(concept, [])))
        if new:
            changes(f"makes {concept} cancel {', '.join(new)} for every entry (cancels.{concept})")
    known = {*bundled.not_ours.en, *bundled.not_ours.zh}
    phrases = [p for p in (*user.not_ours.en, *user.not_ours.zh) if p not in known]
    if phrases:
        changes(f"adds {len(phrases)} not-ours phrase(s) that count against every entry (not_ours: {_sample(phrases)})")
    if (user.polarity.works or bundled.polarity.works) != bundled.polarity.works or set(user.polarity.fails) - set(
        bundled.polarity.fails
    ):
        changes("changes which concepts say that something works or fails (polarity)")
    return findings


def check_forms(contribution: Contribution) -> tuple[list[str], list[Finding]]:
    """One problem per added form that would fire on ordinary text or cannot be bounded, and a note per
    (otherwise fine) pattern that RE2 cannot run, so it runs under a time budget."""
    problems, notes = [], []
    where = f"{contribution.path}: {contribution.field}"
    for kind, forms in contribution.forms.items():
        for index, form in forms:
            if kind == "patterns":
                reason = ordinary.pattern_problem(bounded(form))
            elif kind == "zh":
                reason = ordinary.chinese_problem(form)
            else:  # `exact` words are never read as typos
                reason = ordinary.word_problem(form, typos=kind == "en")
            if reason is not None:
                problems.append(f"{where}.{kind}.{index}: {quoted(form)} {reason}")
            elif kind == "patterns" and not bounded(form).linear:
                notes.append(
                    Finding(
                        TIME_BUDGETED,
                        contribution.path,
                        f"{contribution.field}.patterns.{index}: {quoted(form)} runs under a time budget, not in "
                        "linear time (RE2 cannot run look-arounds or back-references); a long paste may cut it short",
                    )
                )
    return problems, notes


def check_pattern_problems(entry, path: str) -> list[str]:  # entry: knowledge.schema.Entry
    """A check pattern that matches empty text would hold on every log line and event: refused."""
    return [
        f"{path}: checks.items.{i}.patterns.{j}: {quoted(pattern)} matches empty text, so every log line and event"
        for i, check in enumerate(entry.checks.items)
        for j, pattern in enumerate(getattr(check, "patterns", ()))
        if bounded(pattern).finds("")
    ]


def ordinary_match_problems(kb, added: list[Contribution], findings: list[Finding]) -> list[str]:
    """With the folders loaded, no entry may match ordinary text: one problem per file to blame."""
    from knowledge.loader import BUNDLED

    problems: list[str] = []
    for sentence, results in ordinary.matches(kb.matcher):
        for match in results:
            why = "; ".join(match.explanation[:2])
            source = kb.sources[match.entry_id]
            if source != BUNDLED:
                problems.append(
                    f"{source}: match: ordinary text {sentence!r} matches this entry ({why}); "
                    "anchor it on concepts specific to the problem"
                )
                continue
            named = set(kb.matcher.recognise(sentence))
            blamed = sorted({c.path for c in added if c.concept in named})
            blamed = blamed or sorted({f.path for f in findings if f.kind == CHANGES_MATCHING})
            blamed = blamed or sorted({f.path for f in findings})
            problems.extend(
                f"{path}: makes ordinary text {sentence!r} match the bundled entry {match.entry_id} ({why})"
                for path in blamed
            )
    return list(dict.fromkeys(problems))
