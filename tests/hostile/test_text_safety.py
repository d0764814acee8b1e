"""What reaches a terminal or a JSON reader from text we do not control."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.text_safety import clip_utf8, printable, printable_json


def test_escape_sequences_and_bidi_overrides_are_shown_not_acted_on():
    assert printable("evil\x1b]0;pwned\x07\x1b[2J") == "evil\\x1b]0;pwned\\x07\\x1b[2J"
    assert printable("\x9b31m") == "\\x9b31m"  # the one-byte CSI
    assert printable("abc\u202edef") == "abc\\u202edef"
    assert printable("two\nlines\tok") == "two\nlines\tok"
    assert printable("two\nlines", keep_newlines=False) == "two\\nlines"


@given(st.text())
def test_printable_leaves_no_control_character_but_newline_and_tab(text):
    shown = printable(text)
    assert all(ch in "\n\t" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) for ch in shown)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in shown)


@given(st.recursive(st.text(), lambda inner: st.lists(inner, max_size=3), max_leaves=5))
def test_printable_json_is_the_same_json(value):
    document = json.dumps(value, ensure_ascii=False)
    safe = printable_json(document)
    assert json.loads(safe) == value
    assert not any(0x80 <= ord(ch) < 0xA0 or ord(ch) == 0x7F for ch in safe)


@given(st.text(), st.integers(0, 64))
def test_clip_keeps_whole_characters_within_the_limit(text, limit):
    clipped = clip_utf8(text, limit)
    assert len(clipped.encode("utf-8")) <= limit
    assert clipped == text or len(text.encode("utf-8")) > limit
    assert text.startswith(clipped)
