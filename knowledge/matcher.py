"""Rank knowledge entries for free text: keywords, pasted logs, paraphrases, Chinese, typos.

The text is turned into *concepts* (lexicon.yaml) by exact words, typo-tolerant words (rapidfuzz
Damerau-Levenshtein), word sequences, Chinese substrings and regular expressions. An entry is a
candidate only when one of its anchor groups is fully present, which is what keeps near misses out
("port 8080 in use" has no 9100; "DEADLINE_EXCEEDED" is not a reset). Candidates are scored by the
weights of their concepts, minus penalties, plus a small bonus for similarity to a written symptom.
Everything that does not depend on the query is compiled once, in `Matcher.__init__`.
"""

from __future__ import annotations

import re
import re._constants as re_constants
import re._parser as re_parser
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from knowledge import text as textmod

#: Scores are 0-100; below this an anchored candidate is still "no match".
MIN_SCORE = 40.0
#: raw evidence weight at which the score reaches 50.
HALF_SCORE_WEIGHT = 5.0
#: Similarity (0-100) to a written symptom from which a bonus is added, and the bonus at 100.
SIMILARITY_FLOOR = 70.0
SIMILARITY_BONUS = 2.0
_TYPO_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Hit:
    """Why a concept was recognised: the text that matched and how."""

    concept: str
    form: str
    how: str  # word | typo | phrase | pattern | zh

    def describe(self) -> str:
        label = self.concept.replace("_", " ")
        if self.how == "typo":
            return f"{label}: '{self.form}' (typo-tolerant match)"
        if self.how == "pattern":
            # Patterns run on normalised text; say which kind of address stood there, not the placeholder.
            shown = self.form.replace("ipv4private", "<private IP>").replace("ipv4public", "<public IP>")
            return f"{label}: error text '{shown}'"
        return f"{label}: '{self.form}'"


@dataclass(frozen=True, slots=True)
class Match:
    entry_id: str
    title: str
    score: float
    explanation: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.entry_id,
            "title": self.title,
            "score": self.score,
            "explanation": list(self.explanation),
        }


@dataclass(frozen=True, slots=True)
class _CompiledEntry:
    entry_id: str
    title: str
    weights: dict[str, float]
    anchors: tuple[frozenset[str], ...]
    penalties: dict[str, float]
    vetoes: tuple[tuple[str, frozenset[str]], ...]
    symptoms_en: tuple[str, ...]
    symptoms_zh: tuple[str, ...]


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def required_literal(pattern: str) -> str:
    """The longest plain substring every match of `pattern` must contain ("" when there is none)."""
    try:
        parsed = re_parser.parse(pattern)
    except re.error:
        return ""
    best, run = "", []
    for op, value in [*parsed, (None, None)]:
        if op is re_constants.LITERAL:
            run.append(chr(value))
            continue
        # Anything but a plain character (a class, a group, a repeat) ends the current run.
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best if len(best) >= 2 else ""


class Matcher:
    def __init__(self, kb) -> None:  # kb: knowledge.loader.KnowledgeBase
        self._words: dict[str, set[str]] = defaultdict(set)
        self._exact_only: set[str] = set()
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self._zh: list[tuple[str, str]] = []
        self._patterns: list[tuple[str, re.Pattern[str], str]] = []
        self._global_penalties = dict(kb.lexicon.penalties)
        global_vetoes = tuple((c, frozenset(lifting)) for c, lifting in kb.lexicon.vetoes.items())
        self._cancels = {name: tuple(cancelled) for name, cancelled in kb.lexicon.cancels.items()}
        self._negatable = {name for name, concept in kb.lexicon.concepts.items() if concept.negatable}
        for name, concept in kb.lexicon.concepts.items():
            self._add_concept(name, concept)
        fuzzy = {w for w in self._words if len(w) >= 4 and w.isalpha() and w not in self._exact_only}
        for phrase_list in self._phrases.values():
            for words, _ in phrase_list:
                fuzzy.update(w for w in words if len(w) >= 4 and w.isalpha())
        # Typo candidates share the first letter and are within two letters in length.
        self._fuzzy_buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(fuzzy):
            for length in range(len(word) - 2, len(word) + 3):
                self._fuzzy_buckets[(word[0], length)].append(word)
        self._typo_cache: dict[str, str | None] = {}

        self._entries: list[_CompiledEntry] = []
        self._by_concept: dict[str, list[int]] = defaultdict(list)
        for entry in kb.entries.values():
            index = len(self._entries)
            hints = entry.match
            self._entries.append(
                _CompiledEntry(
                    entry_id=entry.id,
                    title=entry.title,
                    weights=dict(hints.concepts),
                    anchors=tuple(frozenset(group) for group in hints.anchors),
                    penalties=dict(hints.penalties),
                    vetoes=global_vetoes
                    + tuple((concept, frozenset(lifting)) for concept, lifting in hints.vetoes.items()),
                    symptoms_en=tuple(textmod.normalise(s) for s in entry.symptoms.en),
                    symptoms_zh=tuple(textmod.normalise(s) for s in entry.symptoms.zh),
                )
            )
            # An entry can only become a candidate through an anchor concept.
            for concept in {c for group in hints.anchors for c in group}:
                self._by_concept[concept].append(index)

    # --- compilation --------------------------------------------------------------------------------

    def _add_concept(self, name: str, concept) -> None:
        for form in concept.en:
            words = tuple(textmod.tokens(textmod.normalise(form)))
            if len(words) == 1:
                self._words[words[0]].add(name)
            elif words:
                self._phrases[words[0]].append((words, name))
        for word in concept.exact:
            self._words[word.lower()].add(name)
            self._exact_only.add(word.lower())
        self._zh.extend((form.lower(), name) for form in concept.zh)
        for pattern in concept.patterns:
            self._patterns.append((required_literal(pattern), re.compile(pattern), name))

    # --- recognition --------------------------------------------------------------------------------

    def _correct(self, token: str) -> str | None:
        """The vocabulary word `token` is a small typo of, if any (cached: logs repeat tokens)."""
        if token in self._typo_cache:
            return self._typo_cache[token]
        found = None
        if len(token) >= 4 and token.isalpha() and token not in textmod.COMMON_WORDS:
            max_edits = 1 if len(token) <= 8 else 2
            # Typos rarely change the first letter; requiring it avoids 'post' -> 'port'-style drift.
            choices = self._fuzzy_buckets.get((token[0], len(token)), ())
            close = process.extract(token, choices, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits, limit=8)
            if len(token) <= 4:
                # In short words a substituted letter is usually another word ('smtp' vs 'sftp'):
                # only swapped or missing letters count as typos there.
                close = [c for c in close if len(c[0]) != len(token) or sorted(c[0]) == sorted(token)]
            if close:
                # Equal distances: prefer the word sharing the longer prefix ('limt' -> 'limit', not 'lift').
                best = min(close, key=lambda c: (c[1], -_common_prefix(token, c[0]), c[0]))
                found = best[0] if best[0] != token else None
        if len(self._typo_cache) > _TYPO_CACHE_LIMIT:
            self._typo_cache.clear()
        self._typo_cache[token] = found
        return found

    def recognise(self, text: str, *, normalised: bool = False) -> dict[str, Hit]:
        """Concepts present in `text`, each with the first piece of text that showed it."""
        normal = text if normalised else textmod.normalise(text)
        hits: dict[str, Hit] = {}

        def add(concept: str, form: str, how: str) -> None:
            if concept not in hits:
                hits[concept] = Hit(concept, form, how)

        def add_unless_negated(negated: bool):
            if not negated:
                return add
            return lambda concept, form, how: None if concept in self._negatable else add(concept, form, how)

        stream: list[str] = []
        for token in textmod.tokens(normal):
            adder = add_unless_negated(textmod.negated(stream))
            if token in self._words or token.isalnum():
                stream.append(self._canonical(token, adder))
                continue
            # A compound (istio-proxy, security-group-id, i/o): whole-word concepts first, then its
            # parts, which also join the word stream so phrases like "security group" still match.
            self._canonical(token, adder)
            stream.extend(self._canonical(part, adder) for part in textmod.split_compound(token))
        for i, word in enumerate(stream):
            for words, concept in self._phrases.get(word, ()):
                if tuple(stream[i : i + len(words)]) == words:
                    add_unless_negated(textmod.negated(stream[:i]))(concept, " ".join(words), "phrase")
        if textmod.has_cjk(normal):
            for form, concept in self._zh:
                if concept not in hits and form in normal:
                    at = normal.find(form)
                    add_unless_negated(textmod.negated_zh(normal[max(0, at - 4) : at]))(concept, form, "zh")
        for literal, pattern, concept in self._patterns:
            # The substring test is far cheaper than the regex and rules most patterns out.
            if concept not in hits and literal in normal:
                found = pattern.search(normal)
                if found:
                    text = found.group(0)
                    add(concept, text if len(text) <= 100 else text[:99] + "…", "pattern")
        for concept, cancelled in self._cancels.items():
            if concept in hits:
                for name in cancelled:
                    hits.pop(name, None)
        return hits

    def _canonical(self, token: str, add) -> str:
        """Record the concepts of one token and return the word used for phrase matching."""
        concepts = self._words.get(token)
        if concepts:
            for concept in concepts:
                add(concept, token, "word")
            return token
        for stem in textmod.stems(token):
            if stem in self._words:
                for concept in self._words[stem]:
                    add(concept, token, "word")
                return stem
        corrected = self._correct(token)
        if corrected is not None:
            for concept in self._words.get(corrected, ()):
                add(concept, f"{token} ≈ {corrected}", "typo")
            return corrected
        return token

    # --- ranking ------------------------------------------------------------------------------------

    def match(self, text: str, *, top: int = 3) -> list[Match]:
        """Entries ranked by score (0-100); an empty list means no known issue matches."""
        if not text or not text.strip():
            return []
        normal = textmod.normalise(text)
        hits = self.recognise(normal, normalised=True)
        candidates = {index for concept in hits for index in self._by_concept.get(concept, ())}
        if not candidates:
            return []
        results = []
        for index in candidates:
            result = self._score(self._entries[index], hits, normal)
            if result is not None:
                results.append(result)
        results.sort(key=lambda m: (-m.score, m.entry_id))
        return results[: max(top, 0)]

    def _score(self, entry: _CompiledEntry, hits: dict[str, Hit], normal: str) -> Match | None:
        present = hits.keys()
        anchor = next((group for group in entry.anchors if group <= present), None)
        if anchor is None:
            return None
        for concept, lifting in entry.vetoes:
            if concept in present and not (lifting & present):
                return None
        explanation = [hits[c].describe() for c in entry.weights if c in present]
        raw = sum(weight for concept, weight in entry.weights.items() if concept in present)
        penalties = dict(self._global_penalties)
        for concept, weight in entry.penalties.items():
            penalties[concept] = max(weight, penalties.get(concept, 0.0))
        for concept, weight in penalties.items():
            if concept in present:
                raw -= weight
                explanation.append(f"counts against: {hits[concept].describe()}")
        similarity, symptom = self._similarity(entry, normal)
        if similarity >= SIMILARITY_FLOOR:
            raw += SIMILARITY_BONUS * (similarity - SIMILARITY_FLOOR) / (100 - SIMILARITY_FLOOR)
            explanation.append(f"reads like the symptom '{symptom}' ({similarity:.0f}% similar)")
        if raw <= 0:
            return None
        score = round(100.0 * raw / (raw + HALF_SCORE_WEIGHT), 1)
        if score < MIN_SCORE:
            return None
        return Match(entry.entry_id, entry.title, score, tuple(explanation))

    @staticmethod
    def _similarity(entry: _CompiledEntry, normal: str) -> tuple[float, str]:
        if len(normal) > 400:  # long pastes are logs, not sentences: similarity says nothing
            return 0.0, ""
        if textmod.has_cjk(normal):
            choices, scorer = entry.symptoms_zh, fuzz.partial_ratio
        else:
            choices, scorer = entry.symptoms_en, fuzz.token_set_ratio
        best = process.extractOne(normal, choices, scorer=scorer)
        return (best[1], best[0]) if best else (0.0, "")
