"""Ordinary text no knowledge may match: what keeps a knowledge folder from making junk look like a problem.

`ordinary.yaml` holds everyday sentences in English and Chinese; PROBES add short strings of every
kind of character. A knowledge folder may add concepts or forms to bundled ones, but each form must
name something specific: a word or phrase that ordinary text does not use (nor misspells, as the
typo-tolerant reader would see it), a Chinese phrase it does not contain, a pattern every match of
which holds three letters or digits in a row (or Chinese) that ordinary text never does. And with the
folder loaded, no entry may match an ordinary sentence. A pattern that matches empty text matches
everything, and one that cannot finish the ordinary texts within a time budget cannot be bounded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge import text as textmod
from knowledge.bounded import BoundedPattern, Budget
from knowledge.patterns import literal_sets
from knowledge.typos import Typos

ORDINARY_FILE = Path(__file__).resolve().parent / "ordinary.yaml"
#: Short strings of each kind of character a careless pattern catches: letters, digits, space,
#: punctuation, Chinese.
PROBES = ("a", "z", "x y z", "0", "7", "42", "1234", " ", "\t", ".", "-", ",", ":", "!?", "#", "_", "中", "你好")
_SPECIFIC = "; a concept's forms must name something specific"
#: What makes a piece of text specific: three letters or digits in a row, or Chinese characters.
_SPECIFIC_RUN = re.compile(r"[a-z0-9_]{3,}|[\u3400-\u9fff\uf900-\ufaff]+")
#: Seconds a time-budgeted pattern may take on all the ordinary texts together.
PATTERN_BUDGET_SECONDS = 0.5


@lru_cache(maxsize=1)
def sentences() -> tuple[str, ...]:
    """The ordinary sentences, as written."""
    data = yaml.safe_load(ORDINARY_FILE.read_text(encoding="utf-8"))
    return tuple(data["en"]) + tuple(data["zh"])


@lru_cache(maxsize=1)
def _normalised() -> tuple[tuple[str, str], ...]:
    """(normalised text, as written) for the sentences and probes: what concept patterns see."""
    return tuple((textmod.normalise(text), text) for text in (*sentences(), *PROBES))


@lru_cache(maxsize=1)
def _token_runs() -> tuple[tuple[tuple[str, ...], str], ...]:
    """Each ordinary sentence's words, for word and phrase forms."""
    return tuple((tuple(textmod.tokens(normal)), written) for normal, written in _normalised())


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    """Every word of ordinary text -> a sentence it is in."""
    return {word: written for words, written in _token_runs() for word in words}


def specific(literal: str) -> bool:
    """Whether `literal` holds three letters or digits in a row, or Chinese characters, that no ordinary
    text contains."""
    texts = [text for text, _written in _normalised()]
    return any(all(run not in text for text in texts) for run in _SPECIFIC_RUN.findall(literal.lower()))


def pattern_problem(pattern: BoundedPattern) -> str | None:
    """Why `pattern` would make ordinary text look like a problem, or cannot be bounded; None when neither."""
    if pattern.finds(""):
        return "matches empty text, so it matches every text"
    budget = Budget(seconds=PATTERN_BUDGET_SECONDS)
    for normal, written in _normalised():
        if pattern.search(normal, budget) is not None:
            return f"matches ordinary text ({written!r}){_SPECIFIC}"
        if budget.exhausted:
            return (
                f"takes more than {PATTERN_BUDGET_SECONDS:g}s on a few short ordinary sentences, so it cannot be "
                "bounded; write it without look-arounds or back-references so that RE2 runs it in linear time"
            )
    if not any(all(specific(literal) for literal in options) for options in literal_sets(pattern.source)):
        return (
            "names nothing specific: every match must contain three letters or digits in a row (or Chinese) "
            "that ordinary text does not, such as 'eaddrinuse' or '8125'"
        )
    return None


def _word_forms(word: str) -> set[str]:
    return {word, *textmod.stems(word)}


def word_problem(form: str, *, typos: bool = True) -> str | None:
    """Why an English word or phrase form would fire on ordinary text, or None. `typos`: the form is
    read typo-tolerantly, so an ordinary word one slip away from it fires it too."""
    wanted = textmod.tokens(textmod.normalise(form))
    if not any(_SPECIFIC_RUN.search(word) for word in wanted):
        return f"has no word of three letters or more{_SPECIFIC}"
    corrector = Typos(set(wanted), short_words=frozenset(w for w in wanted if len(w) == 3)) if typos else None

    def spelled(word: str, target: str) -> bool:
        return bool(_word_forms(word) & _word_forms(target))

    def misspelled(word: str, target: str) -> bool:
        return corrector is not None and corrector.correct(word) == target

    width = len(wanted)
    for words, written in _token_runs():
        for start in range(len(words) - width + 1):
            pairs = list(zip(words[start : start + width], wanted, strict=True))
            if all(spelled(w, x) or misspelled(w, x) for w, x in pairs):
                slips = [repr(w) for w, x in pairs if not spelled(w, x)]
                how = f"would read {', '.join(slips)} as a typo of it" if slips else "occurs"
                return f"{how} in ordinary text ({written!r}){_SPECIFIC}"
    return None


def chinese_problem(form: str) -> str | None:
    """Why a Chinese form (matched as a substring) would fire on ordinary text, or None."""
    normal = textmod.normalise(form)
    if not _SPECIFIC_RUN.search(normal):
        return f"has no Chinese character, or three letters or digits, in it{_SPECIFIC}"
    for text, written in _normalised():
        if normal in text:
            return f"occurs in ordinary text ({written!r}){_SPECIFIC}"
    return None


def matches(matcher) -> list[tuple[str, list]]:  # matcher: knowledge.matcher.Matcher
    """(sentence, its matches) for every ordinary sentence some entry matches."""
    found = []
    for sentence in sentences():
        result = matcher.match(sentence)
        if result:
            found.append((sentence, result))
    return found
