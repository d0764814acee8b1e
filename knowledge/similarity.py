"""How close a text is to the entries' written passages: a BM25-weighted overlap of search terms.

Passages are the sentences an entry is written in (symptoms, mechanism, summary, error strings), what
still works when it happens, and the look-alike problems it is *not*. Terms are English stems, the
lexicon's concepts (so "stalls" meets "hangs" through ~timeout) and Chinese character bigrams.

A passage's similarity to a query combines the share of the query's term weight (inverse document
frequency) that the passage contains, with BM25's length normalisation, and the share of the
passage's own term weight that the query contains: 1.0 means the query and a short passage say the
same informative things. Rare terms weigh most; words no passage uses count as unexplained.
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
#: Similarity is a weighted geometric mean of the share of the query's term weight a passage holds
#: and the share of the passage's term weight the query holds; this is the query's exponent.
QUERY_SHARE = 0.6
#: Terms in more than this share of the passages say nothing about which passage is meant ("pod"):
#: they are left out of the index and of the query's weight (bases of STOP_MIN_PASSAGES or more).
STOP_SHARE = 0.2
STOP_MIN_PASSAGES = 100
#: In a large base, terms in more than this share of passages only add to passages that other
#: terms already found: they cannot make a passage a candidate on their own (keeps big bases fast).
COMMON_SHARE = 0.01
COMMON_MIN_PASSAGES = 500
#: Up to this many passages the scores are summed in a list, beyond it in a dict (no large allocation).
DENSE_LIMIT = 20_000

SYMPTOM = "symptom"  # what people see and ask, in their words
MECHANISM = "mechanism"  # how the entry explains itself: title, summary, mechanism
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
        self._count = len(passages)
        self._keys = [(p.owner, p.kind) for p in passages]
        count = max(len(passages), 1)
        frequency = Counter(term for passage_terms in terms for term in passage_terms)
        if count >= STOP_MIN_PASSAGES:
            self.stopped = frozenset(t for t, df in frequency.items() if df > STOP_SHARE * count)
            terms = [t - self.stopped for t in terms]
            frequency = Counter({t: df for t, df in frequency.items() if t not in self.stopped})
        else:
            self.stopped = frozenset()
        self._terms = [frozenset(t) for t in terms]
        self._idf = {t: math.log(1 + (count - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}
        mean_idf = sum(self._idf.values()) / len(self._idf) if self._idf else 1.0
        self._unknown = UNKNOWN_SHARE * mean_idf
        self._min_total = MIN_TERMS * mean_idf
        average = sum(len(t) for t in terms) / count or 1.0
        # Passages are short and hold each term once: BM25's term-frequency part reduces to a factor of
        # the passage's length, and a passage's score to that factor times the idf of the shared terms.
        self._saturation = [(K1 + 1) / (1 + K1 * (1 - B + B * len(t) / average)) for t in terms]
        # How much of a passage the text covers, too: "pods on super nodes cannot mount a volume" shares
        # the platform words of "pods on super nodes cannot access the internet", not its point.
        self._mass = [sum(self._idf[t] for t in passage_terms) or 1.0 for passage_terms in terms]
        postings: dict[str, list[int]] = {}
        for number, passage_terms in enumerate(terms):
            for term in passage_terms:
                postings.setdefault(term, []).append(number)
        self._postings = {t: tuple(numbers) for t, numbers in postings.items()}
        limit = max(COMMON_MIN_PASSAGES, COMMON_SHARE * count)
        self._common = frozenset(t for t, df in frequency.items() if df > limit)
        # Each owner's vocabulary, its own passages together (what it says happens and how it explains
        # itself): a paraphrase takes its words from several passages at once.
        owners: dict[str, set[int]] = {}
        for passage, passage_terms in zip(passages, terms, strict=True):
            if passage.owner >= 0 and passage.kind in (SYMPTOM, MECHANISM):
                for term in passage_terms:
                    owners.setdefault(term, set()).add(passage.owner)
        self._owners = {t: tuple(sorted(o)) for t, o in owners.items()}
        self._common_owners = {t: frozenset(self._owners[t]) for t in self._common if t in self._owners}
        self._common_postings = {t: frozenset(self._postings[t]) for t in self._common}

    def coverage(self, terms: set[str]) -> dict[int, float]:
        """owner -> the share of the query's term weight that the owner's own passages (symptoms and
        explanation) hold together. Common terms add only to owners that rarer terms found."""
        total = 0.0
        sums: dict[int, float] = {}
        idf_of, owners_of, common = self._idf.get, self._owners.get, self._common
        later = []
        for term in terms:
            idf = idf_of(term)
            if idf is None:
                if term not in self.stopped:
                    total += self._unknown
                continue
            total += idf
            if term in common:
                later.append((term, idf))
                continue
            for owner in owners_of(term, ()):
                sums[owner] = sums.get(owner, 0.0) + idf
        for term, idf in later:
            owners = self._common_owners.get(term, frozenset())
            for owner in owners if len(owners) < len(sums) else list(sums):
                if owner in sums and owner in owners:
                    sums[owner] += idf
        total = max(total, self._min_total)
        return {owner: value / total for owner, value in sums.items()}

    def closest(
        self, terms: set[str], *, floor: float = 0.0, count_shared_from: float = 0.0
    ) -> dict[tuple[int, str], Closest]:
        """(owner, kind) -> the closest passage of that owner and kind, for passages whose similarity
        reaches `floor`. `shared` is counted only from `count_shared_from` (it costs a set
        intersection per passage, and only candidates need it)."""
        if not terms:
            return {}
        total = 0.0
        sums: list[float] | dict[int, float] = [0.0] * self._count if self._count <= DENSE_LIMIT else {}
        dense = isinstance(sums, list)
        touched: list[tuple[int, ...]] = []
        idf_of = self._idf.get
        common = []
        stopped = self.stopped
        for term in terms:
            idf = idf_of(term)
            if idf is None:
                if term not in stopped:
                    total += self._unknown
                continue
            total += idf
            if term in self._common:
                common.append((term, idf))
                continue
            postings = self._postings[term]
            touched.append(postings)
            if dense:
                for number in postings:
                    sums[number] += idf
            else:
                get = sums.get
                for number in postings:
                    sums[number] = get(number, 0.0) + idf
        found = set().union(*touched)
        for term, idf in common:
            # Applied to the passages already found only: a common term alone makes no candidate.
            postings = self._common_postings[term]
            smaller, larger = (postings, found) if len(postings) < len(found) else (found, postings)
            for number in smaller:
                if number in larger:
                    sums[number] += idf  # found passages always have a sum already
        total = max(total, self._min_total)
        # The query's share dominates; a floor on it alone rules most passages out cheaply.
        cutoff = floor * total
        best: dict[tuple[int, str], tuple[float, int]] = {}
        keys, saturation, mass = self._keys, self._saturation, self._mass
        for number in [n for n in found if sums[n] * saturation[n] >= cutoff]:
            covered = sums[number] * saturation[number]
            query_share = min(covered / total, 1.0)
            similarity = query_share**QUERY_SHARE * min(sums[number] / mass[number], 1.0) ** (1.0 - QUERY_SHARE)
            if similarity < floor:
                continue
            key = keys[number]
            current = best.get(key)
            if current is None or similarity > current[0]:
                best[key] = (similarity, number)
        out = {}
        for key, (similarity, number) in best.items():
            shared = len(terms & self._terms[number]) if similarity >= count_shared_from else 0
            out[key] = Closest(similarity, self.passages[number], shared)
        return out
