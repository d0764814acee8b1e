"""Rank knowledge entries for free text: keywords, pasted logs, paraphrases, Chinese, typos.

Two kinds of evidence, each explained in the answer:

- Concepts (knowledge.recognition): the lexicon's named ideas. An entry is a candidate when one of its
  anchor groups is fully present; its concepts add their weights, look-alike concepts subtract theirs
  ("port 8080 in use" has no 9100; "DEADLINE_EXCEEDED" is not a reset). A concept the text names only
  to say it works counts against the entries it would point at, unless the entry lists it under
  `still_works` ("internal services are fine" is part of the public-egress story).
- Similarity (knowledge.similarity): how much of the text's informative wording appears in one of the
  entry's written passages. It lets wording no rule foresaw land near the right entry, and it makes an
  entry a candidate on its own when strong enough. Being closer to a look-alike passage ("a namespace
  ResourceQuota") than to the entry's own passages counts against the entry.

Scores are 0-100; below MIN_SCORE is "no match". Everything that does not depend on the text is built
once, in `Matcher.__init__`; matching is read-only and safe to call from many threads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge import text as textmod
from knowledge.recognition import Hit, Reading, Recogniser
from knowledge.similarity import LOOK_ALIKE, MECHANISM, STILL_WORKS, SYMPTOM, Closest, Passage, PassageIndex

__all__ = ["MIN_SCORE", "Hit", "Match", "Matcher", "distinguish"]

#: Scores are 0-100; below this a candidate is still "no match".
MIN_SCORE = 40.0
#: Raw evidence weight at which the score reaches 50.
HALF_SCORE_WEIGHT = 5.0
#: Similarity below FLOOR adds nothing; at 1.0 it adds SIMILARITY_WEIGHT.
SIMILARITY_FLOOR = 0.3
SIMILARITY_WEIGHT = 4.0
#: Similarity from which an entry is a candidate without an anchor group, and the least number of
#: terms the text must share with the passage for that.
SIMILARITY_CANDIDATE = 0.55
SIMILARITY_CANDIDATE_TERMS = 3
#: What said-to-work wording adds (matching still_works) or subtracts (matching the entry's symptoms).
WORKS_WEIGHT = 2.0
#: Subtracted, at most, when the text is closer to a look-alike than to the entry's own passages.
LOOK_ALIKE_WEIGHT = 5.0
#: Concept weights of a candidate that no anchor group holds (it came through similarity) count this much.
UNANCHORED_SHARE = 0.5
#: A look-alike concept named as the cause ("because our NetworkPolicy blocks it") counts this many times.
STATED_CAUSE_FACTOR = 2.0
#: A concept said to work counts against an entry when the entry weighs it at least this much
#: (context such as "pod" or "cluster" may well be said to work).
CORE_WEIGHT = 2.0
#: Texts longer than this are pastes: their wording is logs, and similarity is read from the prose
#: around them only up to this many characters.
SIMILARITY_CHARS = 1_500
#: Coverage: the share of the text's informative wording that an entry's own passages hold together
#: (a paraphrase borrows from several of them). Above COVER_FLOOR it adds up to COVER_WEIGHT; from
#: COVER_CANDIDATE, with one passage at least COVER_SIMILARITY alike, the entry is a candidate.
COVER_FLOOR = 0.5
COVER_WEIGHT = 2.0
COVER_CANDIDATE = 0.8
COVER_SIMILARITY = 0.3


@dataclass(frozen=True, slots=True)
class Match:
    entry_id: str
    title: str
    score: float
    explanation: tuple[str, ...]
    #: One line that tells this entry apart from its neighbours (the entry's hallmark, in the text's language).
    tells_apart: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.entry_id,
            "title": self.title,
            "score": self.score,
            "explanation": list(self.explanation),
            "tells_apart": self.tells_apart,
        }


@dataclass(frozen=True, slots=True)
class _CompiledEntry:
    entry_id: str
    title: str
    weights: dict[str, float]
    anchors: tuple[frozenset[str], ...]
    #: the entry's own penalties merged with the lexicon's (the larger weight wins)
    penalties: dict[str, float]
    vetoes: tuple[tuple[str, frozenset[str]], ...]
    still_works: dict[str, float]
    hallmark_en: str
    hallmark_zh: str
    weight_keys: frozenset[str] = frozenset()
    penalty_keys: frozenset[str] = frozenset()
    still_works_keys: frozenset[str] = frozenset()
    weight_order: dict[str, int] = field(default_factory=dict)


def hallmark(entry, *, chinese: bool = False) -> str:
    """The line that tells `entry` apart: its hallmark, else the first sentence of its summary."""
    if entry.hallmark is not None:
        return entry.hallmark.zh if chinese else entry.hallmark.en
    summary = entry.summary_zh if chinese else entry.summary
    return re.split(r"(?<=[.。])\s*", summary.strip(), maxsplit=1)[0]


def distinguish(entry_a, entry_b, *, chinese: bool = False) -> str:
    """The question that tells two close entries apart, from their hallmarks."""
    a, b = hallmark(entry_a, chinese=chinese), hallmark(entry_b, chinese=chinese)
    if chinese:
        return f"是「{entry_a.title_zh}」（{a}），还是「{entry_b.title_zh}」（{b}）？"
    return f"Is it {entry_a.title} ({a}), or {entry_b.title} ({b})?"


def _sentences(text: str) -> list[str]:
    # Block text wraps lines inside sentences: join them (Chinese without a space) before splitting.
    joined = re.sub(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])", "", text.strip())
    joined = " ".join(joined.split())
    return [s for s in re.split(r"(?<=[.;])\s+|(?<=[。；])", joined) if len(s.strip()) > 3]


def _candidate(found: Closest) -> bool:
    return found.similarity >= SIMILARITY_CANDIDATE and found.shared >= SIMILARITY_CANDIDATE_TERMS


def _covers(owner: int, share: float, close: dict) -> bool:
    """Whether an entry's passages together hold enough of the text, and one of them resembles it."""
    if share < COVER_CANDIDATE:
        return False
    alike = (close.get((owner, kind)) for kind in (SYMPTOM, MECHANISM))
    return any(found.similarity >= COVER_SIMILARITY for found in alike if found)


def _ramp(value: float) -> float:
    return max(0.0, (value - SIMILARITY_FLOOR) / (1.0 - SIMILARITY_FLOOR))


class Matcher:
    def __init__(self, kb) -> None:  # kb: knowledge.loader.KnowledgeBase
        lexicon = kb.lexicon
        written: list[Passage] = []
        for index, entry in enumerate(kb.entries.values()):
            explained = [
                entry.title,
                entry.title_zh,
                *_sentences(entry.summary),
                *_sentences(entry.summary_zh),
                *_sentences(entry.mechanism),
                *_sentences(entry.mechanism_zh),
            ]  # error signatures are logs: the concepts read them, wording similarity would not help
            written += [Passage(index, MECHANISM, text) for text in explained]
            written += [Passage(index, SYMPTOM, text) for text in [*entry.symptoms.en, *entry.symptoms.zh]]
            written += [Passage(index, STILL_WORKS, t) for t in [*entry.still_works.en, *entry.still_works.zh]]
            written += [Passage(index, LOOK_ALIKE, t) for t in [*entry.look_alikes.en, *entry.look_alikes.zh]]
        written += [Passage(-1, LOOK_ALIKE, t) for t in [*lexicon.not_ours.en, *lexicon.not_ours.zh]]
        self._recogniser = Recogniser(lexicon)

        # A written passage may itself say what works ("..., internal services work fine"): those
        # clauses are still-works passages of the entry.
        passages: list[Passage] = []
        terms: list[set[str]] = []
        read: dict[str, Reading] = {}  # the same sentence in several entries is read once
        for passage in written:
            reading = read.get(passage.text)
            if reading is None:
                reading = read[passage.text] = self._recogniser.read(passage.text, correct=False)
            if reading.terms:
                passages.append(passage)
                terms.append(reading.terms)
            if reading.works_terms and passage.kind in (SYMPTOM, MECHANISM):
                passages.append(Passage(passage.owner, STILL_WORKS, passage.text))
                terms.append(reading.works_terms)
        self._index = PassageIndex(passages, terms)
        self._recogniser.know({t for passage_terms in terms for t in passage_terms if not t.startswith("~")})

        global_vetoes = tuple((c, frozenset(lifting)) for c, lifting in lexicon.vetoes.items())
        self._platform = frozenset(c for c in ("super_node", "tencent") if c in lexicon.concepts)
        self._entries: list[_CompiledEntry] = []
        self._by_concept: dict[str, list[int]] = {}
        for index, entry in enumerate(kb.entries.values()):
            hints = entry.match
            self._entries.append(
                _CompiledEntry(
                    entry_id=entry.id,
                    title=entry.title,
                    weights=dict(hints.concepts),
                    anchors=tuple(frozenset(group) for group in hints.anchors),
                    penalties={
                        c: max(w, hints.penalties.get(c, 0.0))
                        for c, w in {**hints.penalties, **lexicon.penalties}.items()
                    },
                    vetoes=global_vetoes
                    + tuple((concept, frozenset(lifting)) for concept, lifting in hints.vetoes.items()),
                    still_works=dict(hints.still_works),
                    hallmark_en=hallmark(entry),
                    hallmark_zh=hallmark(entry, chinese=True),
                    weight_keys=frozenset(hints.concepts),
                    penalty_keys=frozenset(hints.penalties) | frozenset(lexicon.penalties),
                    still_works_keys=frozenset(hints.still_works),
                    weight_order={c: n for n, c in enumerate(hints.concepts)},
                )
            )
            # Through concepts, an entry can only become a candidate through an anchor concept.
            for concept in {c for group in hints.anchors for c in group}:
                self._by_concept.setdefault(concept, []).append(index)

    # --- reading ------------------------------------------------------------------------------------

    def recognise(self, text: str) -> dict[str, Hit]:
        """Concepts present in `text` (positive, said to work or negated), each with the text that showed it."""
        return self._recogniser.read(text, terms_from=0).hits

    # --- ranking ------------------------------------------------------------------------------------

    def match(self, text: str, *, top: int = 3) -> list[Match]:
        """Entries ranked by score (0-100); an empty list means no known issue matches."""
        if not text or not text.strip():
            return []
        normal = textmod.normalise(text)
        # A paste: concepts come from all of it, wording only from its head.
        reading = self._recogniser.read(normal, normalised=True, terms_from=SIMILARITY_CHARS)
        close = self._index.closest(reading.terms, floor=SIMILARITY_FLOOR, count_shared_from=SIMILARITY_CANDIDATE)
        works_close = self._index.closest(reading.works_terms, floor=SIMILARITY_FLOOR) if reading.works_terms else {}
        positive, works = reading.positive_and_said_to_work()
        by_concept = self._by_concept
        candidates = {index for concept in positive | works for index in by_concept.get(concept, ())}
        # A bare question about how something works ("what is the default conntrack timeout?") becomes
        # ours through its wording only when it names the platform; and only the way people describe a
        # problem (symptoms), not the technical explanation, makes a candidate on its own.
        by_wording = not reading.only_asks or bool(positive & self._platform)
        if by_wording:
            candidates.update(owner for (owner, kind), found in close.items() if kind == SYMPTOM and _candidate(found))
        cover = self._index.coverage(reading.terms) if by_wording else {}
        candidates.update(owner for owner, share in cover.items() if _covers(owner, share, close))
        if not candidates:
            return []
        scored = []
        for index in candidates:
            result = self._score(
                index, positive, works, close, works_close, reading.causes, by_wording, cover, reading.ever_works
            )
            if result is not None:
                scored.append(result)
        scored.sort(key=lambda item: (-item[0], self._entries[item[1]].entry_id))
        return [
            self._explain(score, index, reasons, reading.hits, reading.chinese)
            for score, index, reasons in scored[:top]
        ]

    def _score(
        self, index, positive, works, close, works_close, causes, by_wording, cover, ever_works
    ) -> tuple[float, int, list] | None:
        """(score, entry index, reasons) or None; reasons are rendered only for the answers shown."""
        entry = self._entries[index]
        for concept, lifting in entry.vetoes:
            if concept in positive and lifting.isdisjoint(positive):
                return None
        still_works = entry.still_works
        # In an anchor, a still-works concept counts only where the text says it works.
        present = (positive - entry.still_works_keys) | (works & entry.still_works_keys) if still_works else positive
        anchored = any(group <= present for group in entry.anchors)
        said = close.get((index, SYMPTOM))
        covered = cover.get(index, 0.0)
        if not anchored and not (by_wording and said and _candidate(said)) and not _covers(index, covered, close):
            return None
        explained = close.get((index, MECHANISM))
        own = said if not explained or (said and said.similarity >= explained.similarity) else explained
        weights = entry.weights
        named = entry.weight_keys & positive
        raw = sum(weights[c] for c in named) * (1.0 if anchored else UNANCHORED_SHARE)
        reasons: list[tuple[str, object]] = [("hit", c) for c in named]
        # Sorted: set order follows the hash seed, and the explanation lists these in this order.
        for concept in sorted(works - positive) if works else ():
            if concept in still_works:
                raw += still_works[concept]
                reasons.append(("works_fits", concept))
            elif weights.get(concept, 0.0) >= CORE_WEIGHT:
                raw -= weights[concept]
                reasons.append(("works_against", concept))
        for concept in sorted(entry.penalty_keys & positive):
            if concept in ever_works and concept in still_works:
                # Said to work in one place and named again in another ("everything internal works:
                # the database, the Redis"): part of the entry's own story, not the look-alike.
                continue
            raw -= entry.penalties[concept] * (STATED_CAUSE_FACTOR if concept in causes else 1.0)
            reasons.append(("penalty", concept))
        similarity = _ramp(own.similarity) if own else 0.0
        if similarity > 0:
            raw += SIMILARITY_WEIGHT * similarity
            reasons.append(("reads", own))
        look = close.get((index, LOOK_ALIKE))
        not_ours = close.get((-1, LOOK_ALIKE))
        if not_ours and (not look or not_ours.similarity > look.similarity):
            look = not_ours
        # Wording spread over the entry's passages supports it, unless one look-alike says it better.
        if covered > COVER_FLOOR and not (look and (not own or look.similarity > own.similarity)):
            raw += COVER_WEIGHT * (covered - COVER_FLOOR) / (1.0 - COVER_FLOOR)
            reasons.append(("cover", covered))
        if look and _ramp(look.similarity) > similarity:
            raw -= LOOK_ALIKE_WEIGHT * (_ramp(look.similarity) - similarity)
            reasons.append(("look", look))
        if works_close:
            support = works_close.get((index, STILL_WORKS))
            if support and _ramp(support.similarity) > 0:
                raw += WORKS_WEIGHT * _ramp(support.similarity)
                reasons.append(("support", support))
            against = max(
                (found for kind in (SYMPTOM, MECHANISM) if (found := works_close.get((index, kind)))),
                key=lambda found: found.similarity,
                default=None,
            )
            if against and _ramp(against.similarity) > 0 and (not support or against.similarity > support.similarity):
                raw -= WORKS_WEIGHT * _ramp(against.similarity)
                reasons.append(("against", against))
        if raw <= 0:
            return None
        score = round(100.0 * raw / (raw + HALF_SCORE_WEIGHT), 1)
        return (score, index, reasons) if score >= MIN_SCORE else None

    def _explain(self, score: float, index: int, reasons: list, hits: dict[str, Hit], chinese: bool) -> Match:
        entry = self._entries[index]
        order = entry.weight_order
        reasons = sorted(reasons, key=lambda r: (r[0] != "hit", order.get(r[1], 0) if r[0] == "hit" else 0))
        lines = []
        for kind, what in reasons:
            if kind == "hit":
                lines.append(hits[what].describe())
            elif kind == "works_fits":
                lines.append(f"said to work, which fits: {hits[what].describe()}")
            elif kind == "works_against":
                lines.append(f"counts against, said to work: {hits[what].describe()}")
            elif kind == "penalty":
                lines.append(f"counts against: {hits[what].describe()}")
            elif kind == "reads":
                lines.append(_reads_like(what))
            elif kind == "look":
                lines.append(f"counts against: {_reads_like(what)}, another problem")
            elif kind == "cover":
                lines.append(f"its own passages hold {100 * what:.0f}% of the wording")
            elif kind == "support":
                lines.append(f"what still works fits: {_reads_like(what)}")
            elif kind == "against":
                lines.append(f"counts against, said to work: {_reads_like(what)}")
        tells = entry.hallmark_zh if chinese else entry.hallmark_en
        return Match(entry.entry_id, entry.title, score, tuple(lines), tells)


def _reads_like(found: Closest) -> str:
    text = found.passage.text
    shown = text if len(text) <= 90 else text[:89] + "…"
    return f"reads like '{shown}' ({100 * found.similarity:.0f}% of the wording)"
