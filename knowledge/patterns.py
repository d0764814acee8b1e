"""Which of the lexicon's regular expressions can match a text, found in one pass.

Each pattern is reduced to plain substrings one of which any match must contain ("i/o timeout",
or one word of a group of alternatives). An Aho-Corasick automaton (pyahocorasick) finds all of them
in one pass over the text; only the patterns whose substring occurs are run. A pattern that cannot
match without a digit ("\\b[12]\\s*hours?\\b") is not run on a text without one: most questions have none.
"""

from __future__ import annotations

import re
import re._constants as re_constants
import re._parser as re_parser
from collections import defaultdict

import ahocorasick


def required_literals(pattern: str) -> tuple[str, ...]:
    """Plain substrings one of which every match of `pattern` contains (() when none is known).

    A run of plain characters is one such set of one; a group of alternatives gives one substring
    per alternative ("(?:pods|replicas)"). The set whose shortest member is longest wins.
    """
    try:
        parsed = re_parser.parse(pattern)
    except re.error:
        return ()
    return _literals_of(list(parsed))


#: Any digit, as either engine reads `\\d` (RE2: ASCII; the `regex` module: any Unicode digit).
_DIGIT = re.compile(r"\d")
_DIGITS = frozenset("0123456789")


def requires_digit(pattern: str) -> bool:
    """Whether every match of `pattern` contains a digit (False when unsure)."""
    try:
        parsed = re_parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return _needs_digit(list(parsed))


def _needs_digit(items: list) -> bool:
    for op, value in items:
        if op is re_constants.LITERAL and chr(value) in _DIGITS:
            return True
        if op is re_constants.IN and _digit_class(value):
            return True
        if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT) and value[0] >= 1 and _needs_digit(list(value[2])):
            return True
        if op is re_constants.SUBPATTERN and _needs_digit(list(value[-1])):
            return True
        if op is re_constants.BRANCH and all(_needs_digit(list(branch)) for branch in value[1]):
            return True
    return False


def _digit_class(members: list) -> bool:
    """A character class every member of which is a digit ("[0-9]", "\\d", "[12]")."""
    for op, value in members:
        if op is re_constants.LITERAL and chr(value) in _DIGITS:
            continue
        if op is re_constants.RANGE and ord("0") <= value[0] <= value[1] <= ord("9"):
            continue
        if op is re_constants.CATEGORY and value is re_constants.CATEGORY_DIGIT:
            continue
        return False
    return bool(members)


def literal_sets(pattern: str) -> list[tuple[str, ...]]:
    """Every set of plain substrings found one of which each match of `pattern` contains (not only
    the best one, as `required_literals` gives)."""
    try:
        parsed = re_parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return []
    found: list[tuple[str, ...]] = []
    _literals_of(list(parsed), every=found)
    return found


def _useful(literals: tuple[str, ...]) -> bool:
    # One ASCII letter occurs everywhere; one Chinese character is rare enough to look for.
    return bool(literals) and all(len(x) >= 2 or (x and not x.isascii()) for x in literals)


def _rarity(literal: str) -> int:
    # Its length, a Chinese character counting twice: "集群" is rarer in text than "pod".
    return len(literal) + sum(not char.isascii() for char in literal)


def _literals_of(items: list, every: list[tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The best set of required substrings of a parsed pattern; each one considered is added to `every`."""
    best: tuple[str, ...] = ()

    def consider(candidate: tuple[str, ...]) -> None:
        nonlocal best
        if every is not None and candidate and all(candidate):
            every.append(candidate)
        if _useful(candidate) and (
            not best or (min(map(_rarity, candidate)), -len(candidate)) > (min(map(_rarity, best)), -len(best))
        ):
            best = candidate

    run: list[str] = []
    for op, value in [*items, (None, None)]:
        if op is re_constants.LITERAL:
            run.append(chr(value))
            continue
        # Anything but a plain character (a class, a group, a repeat) ends the current run.
        before = "".join(run)
        consider((before,))
        run = []
        branches = None
        if op is re_constants.BRANCH:
            branches = value[1]
        elif op is re_constants.SUBPATTERN:
            inner = list(value[-1])
            if len(inner) == 1 and inner[0][0] is re_constants.BRANCH:
                branches = inner[0][1][1]
            else:
                consider(_literals_of(inner))
        if branches:
            found = [_literals_of(list(branch)) for branch in branches]
            if all(found):
                consider(tuple(sorted({x for alternatives in found for x in alternatives})))
            # The plain characters right before a group, joined to each alternative's opening ones:
            # "\\.(?:com|org)" needs ".com" or ".org".
            heads = [_head(list(branch)) for branch in branches]
            if before and all(heads):
                consider(tuple(sorted({before + head for head in heads})))
        elif op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT) and value[0] >= 1:
            # A repeat that runs at least once ends with its last plain characters, right before what
            # follows: "(?:[a-z]+\\.)+(?:com|org)" needs ".com" or ".org".
            run = _tail(list(value[2]))
    return best


def _head(items: list) -> str:
    """The plain characters a parsed sequence starts with."""
    head = []
    for op, value in items:
        if op is not re_constants.LITERAL:
            break
        head.append(chr(value))
    return "".join(head)


def _tail(items: list) -> list[str]:
    """The plain characters a parsed sequence ends with."""
    tail: list[str] = []
    for op, value in reversed(items):
        if op is not re_constants.LITERAL:
            break
        tail.append(chr(value))
    return tail[::-1]


class Prefilter:
    def __init__(self, literals: list[tuple[str, ...]], digits: list[bool] | None = None) -> None:
        """`literals[n]`: the substrings one of which pattern n needs (() when none is known);
        `digits[n]`: whether pattern n needs a digit."""
        self._unconditional = tuple(n for n, options in enumerate(literals) if not options)
        self._needs_digit = frozenset(n for n, needed in enumerate(digits or ()) if needed)
        by_literal: dict[str, list[int]] = defaultdict(list)
        for number, options in enumerate(literals):
            for literal in options:
                by_literal[literal].append(number)
        self._groups = list(by_literal.values())
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for number, literal in enumerate(by_literal):
            self._automaton.add_word(literal, number)
        if by_literal:
            self._automaton.make_automaton()

    def candidates(self, text: str) -> list[int]:
        """Patterns whose substring occurs in `text` (and those without one), in their order."""
        numbers = set(self._unconditional)
        if len(self._automaton):
            groups = self._groups
            for literal in {value for _end, value in self._automaton.iter(text)}:
                numbers.update(groups[literal])
        if self._needs_digit and _DIGIT.search(text) is None:
            numbers -= self._needs_digit
        return sorted(numbers)
