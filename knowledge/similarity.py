"""How close a text is to the entries' written passages: a BM25-weighted overlap of search terms.

Passages are the sentences an entry is written in (symptoms, mechanism, summary, error strings), what
still works when it happens, and the look-alike problems it is *not*. Terms are English stems, the
lexicon's concepts (so "stalls" meets "hangs" through ~timeout) and Chinese character bigrams.

A passage's similarity to a query is the share of the query's term weight (inverse document frequency)
that the passage contains, with BM25's length normalisation: 1.0 means every informative term of the
query appears in one short passage. Rare terms weigh most; words no passage uses count as unexplained.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

#: BM25 parameters (Robertson's usual values; passages are single sentences, so b matters little).
K1 = 1.2
B = 0.75
#: Weight of a query term no passage contains, relative to the mean idf: unexplained words dilute.
UNKNOWN_SHARE = 0.5
#: A query's term weight counts as at least this many mean-idf terms: one shared word in a two-word
#: chat line ("thanks, fixed it") is not a resemblance.
MIN_TERMS = 3.0
#: In a large base, terms in more than this share of passages only add to passages that other
#: terms already found: they cannot make a passage a candidate on their own (keeps big bases fast).
COMMON_SHARE = 0.05
COMMON_MIN_PASSAGES = 2_000

SYMPTOM = "symptom"  # what people see, ask and paste; the mechanism and summary
STILL_WORKS = "still_works"  # what keeps working while the problem is present
LOOK_ALIKE = "look_alike"  # problems told alike that are not this entry (owner -1: not ours at all)


@dataclass(frozen=True, slots=True)
class Passage:
    owner: int  # index of the entry, -1 for the lexicon's "not ours" passages
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Closest:
    similarity: float
    passage: Passage
    #: how many of the query's terms the passage contains
    shared: int


class PassageIndex:
    def __init__(self, passages: list[Passage], terms: list[set[str]]) -> None:
        self.passages = passages
        count = max(len(passages), 1)
        frequency = Counter(term for passage_terms in terms for term in passage_terms)
        self._idf = {t: math.log(1 + (count - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}
        mean_idf = sum(self._idf.values()) / len(self._idf) if self._idf else 1.0
        self._unknown = UNKNOWN_SHARE * mean_idf
        self._min_total = MIN_TERMS * mean_idf
        average = sum(len(t) for t in terms) / count or 1.0
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for number, passage_terms in enumerate(terms):
            length = 1 - B + B * len(passage_terms) / average
            saturation = (K1 + 1) / (1 + K1 * length)
            for term in passage_terms:
                self._postings.setdefault(term, []).append((number, self._idf[term] * saturation))
        limit = max(COMMON_MIN_PASSAGES, COMMON_SHARE * count)
        self._common = frozenset(t for t, df in frequency.items() if df > limit)
        # Common terms are applied to the passages already found, so look them up by passage.
        self._common_weights = {t: dict(self._postings[t]) for t in self._common}

    def closest(self, terms: set[str]) -> dict[tuple[int, str], Closest]:
        """(owner, kind) -> the closest passage of that owner and kind, for passages sharing a term."""
        if not terms:
            return {}
        total = 0.0
        scores: dict[int, float] = {}
        shared: dict[int, int] = {}
        common = []
        for term in terms:
            idf = self._idf.get(term)
            if idf is None:
                total += self._unknown
                continue
            total += idf
            if term in self._common:
                common.append(term)
                continue
            for number, weight in self._postings[term]:
                scores[number] = scores.get(number, 0.0) + weight
                shared[number] = shared.get(number, 0) + 1
        for term in common:
            weights = self._common_weights[term]
            for number in scores:
                weight = weights.get(number)
                if weight is not None:
                    scores[number] += weight
                    shared[number] += 1
        total = max(total, self._min_total)
        best: dict[tuple[int, str], Closest] = {}
        for number, score in scores.items():
            passage = self.passages[number]
            key = (passage.owner, passage.kind)
            similarity = min(score / total, 1.0)
            current = best.get(key)
            if current is None or similarity > current.similarity:
                best[key] = Closest(similarity, passage, shared[number])
        return best
