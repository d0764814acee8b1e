"""Which language a question was asked in, so the answer can follow it."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def question_language(text: str) -> str:
    """'zh' when the text is written mostly in Chinese (English error strings inside are common), else 'en'."""
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    words = len(_LATIN_WORD.findall(text))
    # A Chinese sentence around a pasted English error still reads as Chinese: count a Han character as a word.
    return "zh" if han >= 2 and han * 1.0 >= words * 0.5 else "en"
