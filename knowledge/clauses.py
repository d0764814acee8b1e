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

# Words that state a cause: such a clause starts a clause of its own and weighs double.
_CAUSES_EN = ("because", "due to", "caused by", "as a result of", "turned out", "turns out", "the root cause")
_CAUSES_ZH = ("因为", "由于", "原因是")
_BOUNDARY = re.compile(
    # Every boundary starts at one of these characters: checked first, it lets most positions be
    # skipped at once (the zero-width alternatives below would otherwise be tried at every character).
    r"(?=[.;!?\n,，。；！？\s但可不然却而因由原])(?:"
    r"[.;!?](?=\s|$|[^\x00-\x7f])|[\n;!?]|,(?!\d)|[，。；！？]"
    r"|\s(?:but|however|while|whereas|though|although|yet|except)\s"
    r"|\sand (?=(?:it|they|that|this|everything|all|we|the same)\b)"
    r"|但是|可是|不过|然而|但|却|而"
    # A stated cause starts a clause of its own: "... because our NetworkPolicy blocks it".
    rf"|(?=\s(?:{'|'.join(_CAUSES_EN)})\b)|(?={'|'.join(_CAUSES_ZH)}))"
)
# A clause that asks ("does DNS work differently on super nodes?") states nothing about what works.
_QUESTION_START = re.compile(
    r"^\s*(?:how|why|what|which|does|do|did|is|are|can|could|should|would|will|whether|if|when)\b"
    # ... or a question inside a request ("kindly confirm what is the maximum ...")
    r"|\b(?:what(?:'s| is| are)|how (?:many|much|do|does|can|to)|which|whether|is there|are there|can (?:i|we|you)"
    r"|do (?:i|we)|should (?:i|we))\b"
)
_QUESTION_ZH = re.compile(r"吗|怎么|如何|是否|为什么|能不能|可不可以|有没有|多少")
_QUESTION_MARKS = ("?", "？")


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of normalised text, in order; empty clauses dropped."""
    out = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.start()
        if end > start and not text[start:end].isspace():
            out.append((start, boundary.end() if boundary.group(0) in _QUESTION_MARKS else end))
        start = boundary.end()
    if len(text) > start and not text[start:].isspace():
        out.append((start, len(text)))
    return out


_CAUSE = re.compile(rf"^\s*(?:{'|'.join(_CAUSES_EN)})\b|^\s*(?:{'|'.join(_CAUSES_ZH)})")


def mentions_cause(text: str) -> bool:
    """A cheap test before looking for cause clauses clause by clause."""
    return any(word in text for word in _CAUSES_EN + _CAUSES_ZH)


def states_cause(clause: str) -> bool:
    """Whether a clause gives the cause ("because our NetworkPolicy blocks egress", "因为…")."""
    return _CAUSE.match(clause) is not None


_PRONOUN = re.compile(r"^\s*(?:it|they|that|this|these|those|everything|all)\b")


def starts_with_pronoun(clause: str) -> bool:
    return _PRONOUN.match(clause) is not None


def is_question(clause: str) -> bool:
    """Whether a clause asks rather than states (a clause keeps its question mark, if any)."""
    return (
        clause.rstrip().endswith(_QUESTION_MARKS)
        or _QUESTION_START.search(clause) is not None
        or _QUESTION_ZH.search(clause) is not None
    )


# "DNS works 99% of the time", "it usually works": a success qualified by how often is an intermittent
# failure told from its good side, not a statement that something works.
_NOT_ALWAYS = re.compile(
    r"\b(?:most of the time|mostly|usually|almost always|nearly always|\d{1,2}(?:\.\d+)?\s*% of the time)\b"
    r"|大部分时间|大多数时候|一般情况下"
)


# "a lookup that normally takes a millisecond": "normally" before its verb states the rule, which people
# give to contrast with what happens now; after it ("resolves normally") it says that something works.
_HABITUAL = re.compile(
    r"\b(?:normally|typically|ordinarily)\s+(?!(?:and|but|or|so|then|again|now|too|as|from|on|in|at|with|within"
    r"|without|for|since|after|before|until|once|when|if|there|here)\b)[a-z]"
)


# "it worked for months", "used to work": a success in the past says what changed, not what works now.
_USED_TO = re.compile(
    r"\bused to\b|\b(?:worked|was fine|were fine|ran fine)\b[^.;]{0,25}\b(?:for (?:months|years|weeks|ages|a long time)"
    r"|until|before|previously|at first)\b|以前|之前一直|原来一直"
)


def polarity(clause: str, *, fails: bool, works: bool) -> str:
    if fails:
        return FAILS
    if (
        works
        and not is_question(clause)
        and _NOT_ALWAYS.search(clause) is None
        and _USED_TO.search(clause) is None
        and _HABITUAL.search(clause) is None
    ):
        return WORKS
    return NEUTRAL
