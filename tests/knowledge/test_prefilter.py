"""Patterns are run only when the text could hold a match: the shortcuts never hide a concept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import load_knowledge_base
from knowledge import text as textmod
from knowledge.bounded import Budget, subject
from knowledge.patterns import required_literals, requires_digit

DATA = Path(__file__).resolve().parent.parent / "data" / "train"


@pytest.fixture(scope="module")
def recogniser():
    return load_knowledge_base().matcher._recogniser


def _missed(recogniser, text: str) -> list[str]:
    """Patterns that match `text` but that the prefilter would not run."""
    normal = textmod.normalise(text)
    run = set(recogniser._prefilter.candidates(normal))
    searched = subject(normal)
    return [
        pattern.source
        for number, (_literals, pattern, _concept) in enumerate(recogniser._patterns)
        if number not in run and pattern.search(searched, Budget(seconds=1.0))
    ]


def test_no_pattern_that_matches_a_training_query_is_skipped(recogniser):
    queries = [json.loads(line)["q"] for path in sorted(DATA.glob("*.jsonl")) for line in path.open(encoding="utf-8")]
    assert len(queries) > 1000
    assert [(q, m) for q in queries if (m := _missed(recogniser, q))] == []


# Fragments of the bundled patterns' own words, digits and separators: texts near what they look for.
_PIECES = st.sampled_from(
    ["pods", "pod", "200", "190", "9100", "15m", "2 hours", "1800s", ".com", "api.", "github", "in", "1", " ", ".",
     "集群", "pod上限", "个", "port", "already", "github.com", "http://x.io", "one in 100", "%", "of the time"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_no_pattern_that_matches_a_made_up_text_is_skipped(recogniser, text):
    assert _missed(recogniser, text) == []


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"\b[12]\s*hours?\b", True),
        (r"(?:^|[^\d.])(?P<shown>(?:900|1800)\s*s)\b", True),
        (r"\b(?:1|one) in (?:\d+|a hundred)", False),  # "one in a hundred" holds no digit
        (r"[^\d]timeout", False),
        (r"(?:\d+)?ms", False),
    ],
)
def test_a_pattern_needs_a_digit_only_when_every_match_holds_one(pattern, needs):
    assert requires_digit(pattern) is needs


def test_plain_characters_before_a_group_join_its_alternatives():
    # "github.com" and "pypi.org" hold ".com" / ".org"; a bare "com" in "compute" is no host.
    assert required_literals(r"(?:[a-z0-9-]+\.)+(?:com|org)\b") == (".com", ".org")
    assert required_literals(r"insufficient (cpu|memory)") == ("insufficient cpu", "insufficient memory")
