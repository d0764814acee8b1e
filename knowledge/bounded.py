"""Regular expressions from entries and lexicons, run in bounded time on untrusted text.

A pattern RE2 accepts runs in time linear in the text (google-re2), whatever its shape: `(a|a)+$`
or `read udp \\S+->\\S+:53: i/o timeout` on a 64 kB paste cost microseconds. One RE2 cannot run (a
look-around, a back-reference) runs in the `regex` module with a timeout, under a `Budget` the caller
shares between all such patterns for one text, so no text can stall the reader. A pattern neither
engine accepts, or longer than MAX_PATTERN_CHARS, is refused with the reason (`PatternRefused`).

Patterns are written in Python syntax (they are also parsed by `re` for their literals). A group
named `shown` is what an explanation quotes: `(?:^|[^\\d.])(?P<shown>9100)(?:[^\\d.]|$)` is the RE2
form of `(?<![\\d.])9100(?![\\d.])` and still shows "9100".
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import re2

#: Longer patterns are refused: an entry's pattern names an error string, not a grammar.
MAX_PATTERN_CHARS = 500
#: Memory one compiled RE2 pattern (program and DFA cache) may take; past it RE2 refuses the pattern
#: or falls back to its slower, still linear, engine.
RE2_MAX_MEM = 4 << 20
#: Seconds the slow (non-RE2) patterns may take, together, on one text, unless the caller says otherwise.
BUDGET_SECONDS = 0.1
SHOWN = "shown"

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern falls back quietly; RE2 would print to stderr
_RE2_OPTIONS.max_mem = RE2_MAX_MEM


class PatternRefused(ValueError):
    """A pattern that cannot be run in bounded time; the message says why."""


@dataclass
class Budget:
    """Time the slow patterns may still take on one text; `exhausted` once one of them ran out of it."""

    seconds: float = BUDGET_SECONDS
    started: float = field(default_factory=time.monotonic)
    exhausted: bool = False

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)


_SURROGATES = re.compile("[\ud800-\udfff]")
_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)  # the wrapper's own name for it


@dataclass(frozen=True, slots=True)
class Subject:
    """A text encoded once for all the RE2 patterns run on it (the wrapper would encode it for each)."""

    text: str
    data: bytes
    ascii: bool

    def char_offset(self, byte_offset: int) -> int:
        return byte_offset if self.ascii else len(self.data[:byte_offset].decode("utf-8"))


def subject(text: str) -> Subject:
    """`text` ready for searching. Lone surrogates (from undecodable input) become U+FFFD, one character
    for one, so positions stay the same: UTF-8 cannot carry them, and RE2 reads UTF-8."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATES.sub("\ufffd", text)
        data = text.encode("utf-8")
    return Subject(text, data, len(data) == len(text))


@dataclass(frozen=True, slots=True)
class Found:
    """Where a pattern matched, and the text an explanation quotes (the `shown` group, else all of it)."""

    start: int
    text: str


def _regex_module() -> Any:
    import regex  # only for patterns RE2 refuses: most commands never need it

    return regex


class BoundedPattern:
    __slots__ = ("_linear", "_pending", "_raw", "_shown", "_slow", "source")

    def __init__(self, source: str, linear: Any | None, slow: Any | None) -> None:
        self.source = source
        self._pending = False  # an RE2 pattern read from a pickle, compiled when first searched
        self._linear = linear  # a compiled RE2 pattern
        # The RE2 object under the wrapper: matched on bytes encoded once per text, it saves the wrapper's
        # per-call encoding (the matcher runs several patterns on every query). None: use the wrapper.
        self._raw = getattr(linear, "_regexp", None) if _UNANCHORED is not None else None
        self._slow = slow  # a compiled `regex` pattern, always run with a timeout; None until first needed
        index = (linear or slow).groupindex if (linear or slow) is not None else {}
        self._shown = index.get(SHOWN)

    @property
    def linear(self) -> bool:
        """Runs in linear time (RE2); otherwise under a time budget."""
        return self._pending or self._linear is not None

    # Compiled objects are rebuilt from the source (a compiled knowledge base is pickled) when first used:
    # one query runs few of the hundreds of patterns, and compiling them all made every command slower.
    def __getstate__(self) -> tuple[str, bool]:
        return self.source, self.linear

    def __setstate__(self, state: tuple[str, bool]) -> None:
        source, linear = state
        self.source, self._linear, self._raw, self._slow, self._shown = source, None, None, None, None
        self._pending = linear

    def _compile_pending(self) -> None:
        # The source was checked when the pattern was first compiled, so RE2 compiles it directly. Threads
        # may race here: each sets an equivalent compiled pattern, and `_pending` drops last.
        other = BoundedPattern(self.source, re2.compile(self.source, _RE2_OPTIONS), None)
        for name in ("_linear", "_raw", "_shown", "_slow"):
            object.__setattr__(self, name, getattr(other, name))
        self._pending = False

    def _compiled_slow(self) -> Any:
        if self._slow is None:
            self._slow = _regex_module().compile(self.source, _regex_module().VERSION0)
            self._shown = self._slow.groupindex.get(SHOWN)
        return self._slow

    def __repr__(self) -> str:
        return f"BoundedPattern({self.source!r}, {'linear' if self.linear else 'time-budgeted'})"

    def search(self, text: str | Subject, budget: Budget) -> Found | None:
        """The first match in `text`, or None; a slow pattern past the budget is None too, and marks
        the budget exhausted (its caller may say that the search stopped)."""
        if self._pending:
            self._compile_pending()
        found = text if isinstance(text, Subject) else subject(text)
        text = found.text
        if self._raw is not None:
            spans = self._raw.Match(_UNANCHORED, found.data, 0, len(found.data))
            start, end = spans[0] if self._shown is None else spans[self._shown]
            if spans[0][0] < 0:
                return None
            if start < 0:  # the `shown` group took no part
                return Found(found.char_offset(spans[0][0]), "")
            return Found(found.char_offset(start), found.data[start:end].decode("utf-8"))
        if self._linear is not None:
            match = self._linear.search(text)
        else:
            left = budget.remaining()
            if budget.exhausted or left <= 0:
                budget.exhausted = True
                return None
            try:
                match = self._compiled_slow().search(text, timeout=left)
            except TimeoutError:
                budget.exhausted = True
                return None
        if match is None:
            return None
        if self._shown is None:
            return Found(match.start(), match.group(0))
        return Found(match.start(self._shown), match.group(self._shown) or "")

    def finds(self, text: str) -> bool:
        """Whether the pattern matches in `text`, with a budget of its own (for short texts)."""
        return self.search(text, Budget()) is not None

    def matches_whole(self, text: str) -> bool:
        """Whether the pattern matches all of `text` (a slow pattern past its own budget does not)."""
        if self._pending:
            self._compile_pending()
        text = subject(text).text
        if self._linear is not None:
            return self._linear.fullmatch(text) is not None
        try:
            return self._compiled_slow().fullmatch(text, timeout=BUDGET_SECONDS) is not None
        except TimeoutError:
            return False


@lru_cache(maxsize=4096)
def bounded(source: str) -> BoundedPattern:
    """The pattern compiled once: RE2 when it accepts it, else `regex` (Python syntax) under a budget.
    Raises PatternRefused when it is too long or neither engine can run it."""
    if len(source) > MAX_PATTERN_CHARS:
        raise PatternRefused(f"longer than {MAX_PATTERN_CHARS} characters")
    try:
        with warnings.catch_warnings():  # Python's hints about its own future syntax ("[[") are not ours to print
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(source)
    except re.error as exc:
        raise PatternRefused(f"not a valid regular expression: {exc}") from None
    except (RecursionError, OverflowError, MemoryError):  # pathological nesting in Python's own parser
        raise PatternRefused("nested too deeply to compile") from None
    try:
        return BoundedPattern(source, re2.compile(source, _RE2_OPTIONS), None)
    except re2.error:
        pass
    regex = _regex_module()
    try:
        return BoundedPattern(source, None, regex.compile(source, regex.VERSION0))
    except Exception as exc:  # regex.error, or its parser giving up on a pathological pattern
        raise PatternRefused(f"cannot be run in bounded time ({exc})") from None


def why_refused(source: str) -> str | None:
    """The reason `source` cannot be run in bounded time, or None when it can."""
    try:
        bounded(source)
    except PatternRefused as exc:
        return str(exc)
    return None


def literal_alternation(forms: list[str]) -> Any | None:
    """One compiled pattern matching any of `forms`, longest first at each position, for `finditer`:
    RE2 (linear), or Python's engine when there are too many forms for RE2's memory (plain literals
    never backtrack there: the cost stays the text's length times the number of forms)."""
    ordered = sorted({form for form in forms if form}, key=len, reverse=True)
    if not ordered:
        return None
    source = "|".join(map(re.escape, ordered))
    options = re2.Options()
    options.log_errors = False
    options.max_mem = max(RE2_MAX_MEM, 64 * len(source))
    try:
        return re2.compile(source, options)
    except re2.error:
        return re.compile(source)


def find_literals(compiled: Any, found: Subject) -> list[tuple[int, str]]:
    """(character offset, text) of each match of a `literal_alternation` pattern in `found`, left to
    right. RE2 runs on the bytes encoded once for the text: the wrapper's `finditer` would encode the
    text again and map every match's offsets back in Python."""
    raw = getattr(compiled, "_regexp", None) if _UNANCHORED is not None else None
    if raw is None:
        return [(match.start(), match.group(0)) for match in compiled.finditer(found.text)]
    out = []
    data, end = found.data, len(found.data)
    pos = last = chars = 0  # `chars`: the character offset of byte offset `last`
    while pos < end:
        start, stop = raw.Match(_UNANCHORED, data, pos, end)[0]
        if start < 0:
            break
        form = data[start:stop].decode("utf-8")
        if found.ascii:
            out.append((start, form))
        else:
            chars += len(data[last:start].decode("utf-8"))
            out.append((chars, form))
            chars, last = chars + len(form), stop
        pos = stop
    return out
