"""Clauses of a query and what each one says: that something fails, that something works, or neither.

"Names resolve fine and internal calls work, but calls to stripe hang" names DNS and internal services
only to say they work: that is evidence against a DNS problem, and for a problem with the way out.
The text is cut at sentence ends, commas and contrast words ("but", "while", "但是", "而"), and each clause
gets a polarity from the concepts found in it (see Recogniser).
"""

from __future__ import annotations

import re

#: The clause reports a failure (or mixes both: a failure report wins).
FAILS = "fails"
#: The clause says something works ("internal services are fine", "内网正常").
WORKS = "works"
NEUTRAL = "neutral"

_BOUNDARY = re.compile(
    r"[.;!?](?=\s|$|[^\x00-\x7f])|[\n;!?]|,(?!\d)|[，。；！？]"
    r"|\s(?:but|however|while|whereas|though|although|yet|except|only)\s"
    r"|\sand (?=(?:it|they|that|this|everything|all|we|the same)\b)"
    r"|但是|可是|不过|然而|但|却|而"
)
# A clause that asks ("does DNS work differently on super nodes?") states nothing about what works.
_QUESTION_START = re.compile(
    r"^\s*(?:how|why|what|which|does|do|did|is|are|can|could|should|would|will|whether|if|when)\b"
)
_QUESTION_ZH = re.compile(r"吗|怎么|如何|是否|为什么|能不能|可不可以|有没有")


def spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_question) of each clause of normalised text, in order; empty clauses dropped."""
    out = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        _add(text, start, boundary.start(), out, question_mark=boundary.group(0).strip() in ("?", "？"))
        start = boundary.end()
    _add(text, start, len(text), out, question_mark=False)
    return out


def _add(text: str, start: int, end: int, out: list, *, question_mark: bool) -> None:
    if end <= start or not text[start:end].strip():
        return
    clause = text[start:end]
    question = question_mark or bool(_QUESTION_START.match(clause)) or bool(_QUESTION_ZH.search(clause))
    out.append((start, end, question))


def polarity(*, fails: bool, works: bool, question: bool) -> str:
    if fails:
        return FAILS
    if works and not question:
        return WORKS
    return NEUTRAL
