"""Read free text into concepts (lexicon.yaml) and search terms, clause by clause.

Concepts are found by exact words, typo-tolerant words (rapidfuzz Damerau-Levenshtein), word
sequences, Chinese substrings and regular expressions. Each clause is then classified (knowledge.clauses):
a concept named only where the text says it works ("DNS resolves fine") is *said to work*, which counts
against the entries it would otherwise point at; a context concept right after a negation ("no istio
here") is *negated*. Everything that does not depend on the text is compiled once, in `__init__`.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import Stemmer

from knowledge import clauses, typos
from knowledge import text as textmod
from knowledge.bounded import BoundedPattern, Budget, bounded, find_literals, literal_alternation, subject
from knowledge.patterns import Prefilter, required_literals, requires_digit
from knowledge.typos import Typos

#: How a concept stands in the text, strongest first.
POSITIVE = "positive"  # named as part of the problem, or in a clause that says nothing either way
SAID_TO_WORK = "works"  # named only in clauses that say it works
NEGATED = "negated"  # a context concept right after a negation ("without istio")
_RANK = {POSITIVE: 0, SAID_TO_WORK: 1, NEGATED: 2}
#: Brackets around an aside: phrases and negations do not reach across them.
_BRACKET = re.compile(r"[()]")


#: Words that carry no meaning for similarity (English function words and chatter).
STOPWORDS = frozenset(
    """
    a about after again all also am an and any are as at be been before being but by can could did do
    does doing each even ever for from further get gets got had has have having he her here hers him his
    how i if in into is it its it's just let me more most my myself no nor not now of off on once only or
    other our ours out over own same she should so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourselves please kindly thanks thank hi hello team anyone guys
    help advise seems seem really still already something anything everything someone somebody us i'm
    we're it's there's that's what's don't
    """.split()
)


@dataclass(frozen=True, slots=True)
class Hit:
    """Why a concept was recognised: the text that matched, how, and how the text stands to it."""

    concept: str
    form: str
    how: str  # word | typo | phrase | pattern | zh
    polarity: str = POSITIVE

    def describe(self) -> str:
        label = self.concept.replace("_", " ")
        if self.how == "typo":
            return f"{label}: '{self.form}' (typo-tolerant match)"
        if self.how == "pattern":
            # Patterns run on normalised text; say which kind of address stood there, not the placeholder.
            shown = self.form.replace("ipv4private", "<private IP>").replace("ipv4public", "<public IP>")
            return f"{label}: error text '{shown}'"
        return f"{label}: '{self.form}'"


@dataclass(slots=True)
class Reading:
    """What the recogniser read in one text."""

    normal: str
    chinese: bool = False
    #: concept -> its strongest occurrence (positive before said-to-work before negated)
    hits: dict[str, Hit] = field(default_factory=dict)
    #: search terms (stems, ~concepts, Chinese bigrams) of the clauses that report a problem or ask
    terms: set[str] = field(default_factory=set)
    #: search terms of the clauses that say something works
    works_terms: set[str] = field(default_factory=set)
    #: concepts named in a clause that states a cause ("because our NetworkPolicy blocks it")
    causes: set[str] = field(default_factory=set)
    #: every clause of the text is a question
    only_asks: bool = False
    #: concepts said to work somewhere in the text, even where a stronger occurrence names them too
    ever_works: set[str] = field(default_factory=set)

    def positive_and_said_to_work(self) -> tuple[set[str], set[str]]:
        positive, works = set(), set()
        for name, hit in self.hits.items():
            if hit.polarity == POSITIVE:
                positive.add(name)
            elif hit.polarity == SAID_TO_WORK:
                works.add(name)
        return positive, works


def zh_bigrams(text: str) -> list[str]:
    """Character bigrams of each run of Chinese characters (a lone character stands for itself)."""
    out = []
    for run in textmod.CJK_RUN.findall(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


class Recogniser:
    def __init__(self, lexicon) -> None:
        self._words: dict[str, set[str]] = defaultdict(set)
        self._exact_only: set[str] = set()
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self._zh: list[tuple[str, str]] = []
        self._patterns: list[tuple[tuple[str, ...], BoundedPattern, str]] = []
        self._cancels = {name: tuple(cancelled) for name, cancelled in lexicon.cancels.items()}
        self._stemmer = Stemmer.Stemmer("english")
        self._stem_lock = threading.Lock()
        self._stem_cache: dict[str, str] = {}
        self._negatable = frozenset(name for name, concept in lexicon.concepts.items() if concept.negatable)
        self._negated_as = {name: c.negated_as for name, c in lexicon.concepts.items() if c.negated_as}
        self._works_marker = lexicon.polarity.works
        self._fail_markers = frozenset(lexicon.polarity.fails)
        for name, concept in lexicon.concepts.items():
            self._add_concept(name, concept)
        self._prefilter = Prefilter(
            [literals for literals, _pattern, _concept in self._patterns],
            [requires_digit(pattern.source) for _literals, pattern, _concept in self._patterns],
        )
        self._zh_forms: dict[str, list[str]] = defaultdict(list)
        for form, name in self._zh:
            if form and name not in self._zh_forms[form]:
                self._zh_forms[form].append(name)
        # One pass, longest form first at each position, in linear time however many forms there are.
        self._zh_regex = literal_alternation(list(self._zh_forms))
        fuzzy = {w for w in self._words if w not in self._exact_only}
        for phrase_list in self._phrases.values():
            for words, _ in phrase_list:
                fuzzy.update(words)
        self._typos = Typos(fuzzy, short_words=frozenset(self._words))
        # Stems of words the entries are written in: a word the base uses is not a typo ('subnet').
        self._known_stems: frozenset[str] = frozenset()
        # token -> what _lookup found: most tokens recur from query to query (and in logs).
        self._token_cache: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {}
        self._phrase_firsts = frozenset(self._phrases)
        # Phrases match on stems, so that "peer resets" meets the phrase "peer reset".
        # Keyed by their first two stems (every phrase has two words or more): most positions of a
        # text start no phrase, and those that do are checked against few candidates.
        self._stemmed_phrases: dict[str, dict[str, list[tuple[tuple[str, ...], str, str]]]] = {}
        for phrase_list in self._phrases.values():
            for words, name in phrase_list:
                stems = tuple(self.stem(w) for w in words)
                seconds = self._stemmed_phrases.setdefault(stems[0], {})
                seconds.setdefault(stems[1], []).append((stems[2:], " ".join(words), name))

    # --- compilation --------------------------------------------------------------------------------

    # The stemmer and its lock are not picklable; a cached, compiled knowledge base makes new ones.
    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_stemmer", "_stem_lock")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._stemmer = Stemmer.Stemmer("english")
        self._stem_lock = threading.Lock()

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
        self._zh.extend((textmod.normalise(form), name) for form in concept.zh)
        for pattern in concept.patterns:
            # Linear (RE2) or time-budgeted: a pattern the schema let through can always be bounded.
            self._patterns.append((required_literals(pattern), bounded(pattern), name))

    # --- words --------------------------------------------------------------------------------------

    def correct(self, token: str) -> str | None:
        """The lexicon word `token` is a small typo of, if any."""
        return self._typos.correct(token)

    def stem(self, word: str) -> str:
        found = self._stem_cache.get(word)
        if found is None:
            with self._stem_lock:  # a Snowball stemmer keeps state between calls: one thread at a time
                found = self._stemmer.stemWord(word)
            if len(self._stem_cache) > typos.CACHE_LIMIT:
                self._stem_cache.clear()
            self._stem_cache[word] = found
        return found

    # --- reading ------------------------------------------------------------------------------------

    def read(
        self, text: str, *, normalised: bool = False, terms_from: int | None = None, correct: bool = True
    ) -> Reading:
        """Concepts of the whole text; search terms from the clauses starting before `terms_from`
        characters (all of them when None, none when 0: long pastes are logs, not wording).
        `correct`: read typos as the words they stand for (not for the entries' own curated text)."""
        # Encoded once for every pattern; lone surrogates (undecodable input) become U+FFFD.
        searched = subject(text if normalised else textmod.normalise(text))
        normal = searched.text
        cjk = textmod.has_cjk(normal)
        reading = Reading(normal, cjk)
        spans = clauses.spans(normal)
        starts = [start for start, _end in spans]
        # occurrences: (concept, form, how, clause index, negated)
        found: list[tuple[str, str, str, int, bool]] = []
        zh_negation = textmod.zh_negation
        negators = textmod.ALL_NEGATORS
        words = self._words
        canonical = self._canonical
        # One pass over the words of the whole text; each word knows its clause, and neither negation
        # nor a phrase reaches across a clause boundary.
        stream: list[str] = []
        stream_clause: list[int] = []
        stream_negated: list[str | bool] = []  # how each word is negated by the words before it
        # An aside in brackets ("two pods (limits too tight)") joins no phrase with the words around it,
        # and a negation does not reach across it; it stays part of its clause.
        stream_segment: list[int] = []
        brackets = [m.start() for m in _BRACKET.finditer(normal)] if "(" in normal or ")" in normal else []
        segment, next_bracket = 0, 0
        clause, next_start = -1, 0
        last_negator = -9  # position in `stream` of the last negating word
        negation: str | bool = True  # what kind of negation it was
        reach = 3  # how many words it covers
        # Words inside a URL are a path, not prose ("/v1/charges" is no bill); patterns still see them.
        urls = [(m.start(), m.end()) for m in textmod.URL.finditer(normal)] if "://" in normal else []
        url_index = 0
        for match in textmod.TOKEN.finditer(normal):
            at = match.start()
            if urls:
                while url_index < len(urls) and urls[url_index][1] <= at:
                    url_index += 1
                if url_index < len(urls) and urls[url_index][0] <= at:
                    continue
            if at >= next_start:
                clause = bisect.bisect_right(starts, at) - 1
                next_start = starts[clause + 1] if clause + 1 < len(starts) else len(normal) + 1
                last_negator = -9
            token = match.group()
            if brackets and next_bracket < len(brackets) and brackets[next_bracket] < at:
                while next_bracket < len(brackets) and brackets[next_bracket] < at:
                    next_bracket += 1
                segment += 1
                last_negator = -9
            if len(stream) - last_negator <= reach:
                negated = negation
            else:  # the Chinese test only for words that name something
                negated = cjk and (token in words or token in self._phrase_firsts) and zh_negation(normal, at, 0)
            if token in negators:
                last_negator = len(stream)
                negation = textmod.negation_kind(token)
                # "none of our serverless workloads can talk to ...": a denied subject reaches its verb.
                reach = 8 if token in textmod.SUBJECT_NEGATORS else 3
            if token in words or token.isalnum():
                stream.append(canonical(token, found, clause, negated, correct))
                stream_clause.append(clause)
                stream_negated.append(negated)
                stream_segment.append(segment)
                continue
            # A compound (istio-proxy, security-group-id, i/o): whole-word concepts first, then its
            # parts, which also join the word stream so phrases like "security group" still match.
            # A dotted name (orders.shop.svc.cluster.local, certificates.cert-manager.io) is one name:
            # only its first label reads as words ("cluster" in a Service's address is not a cluster).
            canonical(token, found, clause, negated, correct)
            if token.count(".") >= 2:
                token = token.split(".", 1)[0]
            for part in textmod.split_compound(token):
                stream.append(canonical(part, found, clause, negated, correct))
                stream_clause.append(clause)
                stream_negated.append(negated)
                stream_segment.append(segment)
        stem, known_stems = self.stem, self._stem_cache.get
        stems = [known_stems(word) or stem(word) for word in stream]
        phrases = self._stemmed_phrases
        length = len(stems)
        for i in range(length - 1):
            seconds = phrases.get(stems[i])
            if seconds is None:
                continue
            entries = seconds.get(stems[i + 1])
            if entries is None:
                continue
            for rest, shown, concept in entries:
                last = i + 1 + len(rest)
                if (
                    last < length
                    and stream_clause[last] == stream_clause[i]
                    and stream_segment[last] == stream_segment[i]
                    and (not rest or tuple(stems[i + 2 : last + 1]) == rest)
                ):
                    found.append((concept, shown, "phrase", stream_clause[i], stream_negated[i]))
        if cjk and self._zh_regex is not None:
            # One pass, longest form first at each position: "没问题" (fine) is not also "问题".
            for at, form in find_literals(self._zh_regex, searched):
                index = bisect.bisect_right(starts, at) - 1
                negated = zh_negation(normal, at, starts[index])
                for concept in self._zh_forms[form]:
                    found.append((concept, form, "zh", index, negated))
        budget: Budget | None = None  # shared by the patterns RE2 cannot run, made when one is needed
        for number in self._prefilter.candidates(normal):
            _literal, pattern, concept = self._patterns[number]
            if budget is None and not pattern.linear:
                budget = Budget()
            match = pattern.search(searched, budget)  # type: ignore[arg-type]  (unused by linear patterns)
            if match:
                shown = match.text if len(match.text) <= 100 else match.text[:99] + "…"
                index = max(0, bisect.bisect_right(starts, match.start) - 1)
                # A pattern of a context concept is denied by a negation before it, as its words are.
                negated = (
                    textmod.negation_before(normal, match.start, starts[index] if starts else 0)
                    if concept in self._negatable
                    else False
                )
                found.append((concept, shown, "pattern", index, negated))
        if self._negated_as:
            renamed = self._negated_as
            found = [
                (renamed[c], form, how, index, False) if negated and c in renamed else (c, form, how, index, negated)
                for c, form, how, index, negated in found
            ]
        verdicts = self._clause_verdicts(normal, spans, found)
        self._resolve(reading, found, verdicts)
        cause_clauses = (
            {i for i, (start, end) in enumerate(spans) if clauses.states_cause(normal[start:end])}
            if clauses.mentions_cause(normal)
            else ()
        )
        if cause_clauses:
            reading.causes = {
                c for c, _f, _h, i, negated in found if i in cause_clauses and not textmod.denies_thing(negated)
            }
        reading.only_asks = bool(spans) and all(clauses.is_question(normal[start:end]) for start, end in spans)
        if terms_from != 0:
            limit = len(normal) if terms_from is None else terms_from
            self._collect_terms(reading, spans, stream, stems, stream_clause, verdicts, cjk, limit)
        return reading

    def _clause_verdicts(self, normal: str, spans, found) -> list[str]:
        fails = [False] * len(spans)
        works = [False] * len(spans)
        for concept, _form, _how, index, negated in found:
            if concept == self._works_marker:
                # "not working", "不正常": a denied success is a failure.
                (fails if negated else works)[index] = True
            elif concept in self._fail_markers:
                # "never fails", "no errors": a denied failure says it works.
                (works if textmod.denies_thing(negated) else fails)[index] = True
        verdicts = [
            clauses.polarity(normal[start:end], fails=fails[i], works=works[i])
            if works[i] and not fails[i]
            else (clauses.FAILS if fails[i] else clauses.NEUTRAL)
            for i, (start, end) in enumerate(spans)
        ]
        # "port 9100 is used by our exporter and it works": a bare "it works" speaks of the clause before.
        named = {index for concept, _f, _h, index, _n in found if concept != self._works_marker}
        for i in range(1, len(spans)):
            if (
                verdicts[i] == clauses.WORKS
                and i not in named
                and verdicts[i - 1] == clauses.NEUTRAL
                and clauses.starts_with_pronoun(normal[spans[i][0] : spans[i][1]])
            ):
                verdicts[i - 1] = clauses.WORKS
        return verdicts

    def _resolve(self, reading: Reading, found, verdicts: list[str]) -> None:
        hits = reading.hits
        for concept, form, how, index, negated in found:
            negatable = concept in self._negatable and textmod.denies_thing(negated)
            if verdicts[index] == clauses.WORKS and concept != self._works_marker:
                # "pods without the sidecar are fine": what is absent where it works is the suspect;
                # "there is no ResourceQuota and nodes are fine" simply rules it out.
                polarity = SAID_TO_WORK
                if negatable:
                    polarity = POSITIVE if negated == textmod.WITHOUT else NEGATED
            else:
                polarity = NEGATED if negatable else POSITIVE
            if polarity == SAID_TO_WORK:
                reading.ever_works.add(concept)
            current = hits.get(concept)
            if current is None or _RANK[polarity] < _RANK[current.polarity]:
                hits[concept] = Hit(concept, form, how, polarity)
        for concept, cancelled in self._cancels.items():
            if concept in hits and hits[concept].polarity == POSITIVE:
                for name in cancelled:
                    if name in hits and hits[name].polarity == POSITIVE:
                        del hits[name]

    def _collect_terms(self, reading: Reading, spans, stream, stems, stream_clause, verdicts, cjk, limit) -> None:
        works = clauses.WORKS
        kept = reading.terms
        said = reading.works_terms
        for word, stem, clause in zip(stream, stems, stream_clause, strict=True):
            if spans[clause][0] >= limit:
                break
            if word not in STOPWORDS and len(word) > 1:
                (said if verdicts[clause] == works else kept).add(stem)
        if cjk:
            for index, (start, end) in enumerate(spans):
                if start >= limit:
                    break
                (said if verdicts[index] == works else kept).update(zh_bigrams(reading.normal[start:end]))
        for name, hit in reading.hits.items():
            if name == self._works_marker:
                continue  # says how a clause stands, not what it is about
            if hit.polarity == POSITIVE:
                reading.terms.add("~" + name)
            elif hit.polarity == SAID_TO_WORK:
                reading.works_terms.add("~" + name)

    def know(self, stems: set[str]) -> None:
        """Words of the entries' text (as stems) that are never corrected as typos."""
        self._known_stems = frozenset(stems)
        self._token_cache.clear()

    def _canonical(self, token: str, found: list, index: int, negated: bool, correct: bool = True) -> str:
        """Record the concepts of one token in `found` and return the word used for phrases and terms."""
        known = self._token_cache.get(token) if correct else None
        if known is None:
            known = self._lookup(token, correct)
            if correct:
                if len(self._token_cache) > typos.CACHE_LIMIT:
                    self._token_cache.clear()
                self._token_cache[token] = known
        word, named = known
        for concept, form, how in named:
            found.append((concept, form, how, index, negated))
        return word

    def _lookup(self, token: str, correct: bool) -> tuple[str, tuple[tuple[str, str, str], ...]]:
        """(the word used for phrases and terms, ((concept, form, how), ...)) for one token."""
        concepts = self._words.get(token)
        if concepts:
            return token, tuple((concept, token, "word") for concept in sorted(concepts))
        for stem in textmod.stems(token):  # cheap stems, so that "peer resets" meets the phrase "peer reset"
            if stem in self._words:
                return stem, tuple((concept, token, "word") for concept in sorted(self._words[stem]))
        if not correct or self.stem(token) in self._known_stems:
            return token, ()
        corrected = self.correct(token)
        if corrected is not None:
            shown = f"{token} ≈ {corrected}"
            return corrected, tuple((concept, shown, "typo") for concept in sorted(self._words.get(corrected, ())))
        return token, ()
