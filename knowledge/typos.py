"""Typo-tolerant reading of single words: 'clsuter' is 'cluster', 'hands' is not 'hangs'.

A typo is a missing, doubled or swapped letter (rapidfuzz Damerau-Levenshtein and Indel distances),
one for words up to eight letters and two beyond; a substituted letter usually makes another real
word, so it does not count. Everyday words are never corrected. Results are cached: logs repeat tokens.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Indel

from knowledge import text as textmod

#: Entries kept in each per-token cache before it is cleared.
CACHE_LIMIT = 200_000
_MISSING = object()


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def _typo_shape(token: str, word: str, max_edits: int) -> bool:
    """Whether `token` differs from `word` only by missing, extra or swapped letters."""
    if Indel.distance(token, word) <= max_edits:
        return True
    # Swapped neighbours ('clsuter'): the same letters, and few positions differ.
    return sorted(token) == sorted(word) and sum(a != b for a, b in zip(token, word, strict=False)) <= 2 * max_edits


class Typos:
    def __init__(self, vocabulary: set[str], *, short_words: frozenset[str]) -> None:
        """`vocabulary`: the words typos are corrected to; `short_words`: three-letter targets."""
        self._short_words = short_words
        # Typo candidates share the first letter and are within two letters in length.
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(w for w in vocabulary if len(w) >= 4 and w.isalpha()):
            for length in range(len(word) - 2, len(word) + 3):
                self._buckets[(word[0], length)].append(word)
        self._cache: dict[str, str | None] = {}

    def correct(self, token: str) -> str | None:
        """The vocabulary word `token` is a small typo of, if any."""
        found = self._cache.get(token, _MISSING)
        if found is not _MISSING:
            return found
        found = None
        if len(token) == 3 and token.isalpha() and token not in textmod.COMMON_SHORT_WORDS:
            # Three letters: only two swapped neighbours ('dsn' for 'dns'), to a word of the lexicon.
            for i in range(2):
                swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
                if swapped in self._short_words:
                    found = swapped
                    break
        elif len(token) >= 4 and token.isalpha() and token not in textmod.COMMON_WORDS:
            max_edits = 1 if len(token) <= 8 else 2
            # Typos rarely change the first letter; requiring it avoids 'post' -> 'port'-style drift.
            choices = self._buckets.get((token[0], len(token)), ())
            close = process.extract(token, choices, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits, limit=8)
            # A substituted letter usually makes another real word ('hands' is not 'hangs', 'interval'
            # not 'internal'): only missing, doubled or swapped letters count as typos.
            close = [c for c in close if _typo_shape(token, c[0], max_edits)]
            if close:
                # Equal distances: prefer the word sharing the longer prefix ('limt' -> 'limit', not 'lift').
                best = min(close, key=lambda c: (c[1], -_common_prefix(token, c[0]), c[0]))
                found = best[0] if best[0] != token else None
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()  # other threads may still read: they use .get, never a test-then-read
        self._cache[token] = found
        return found
