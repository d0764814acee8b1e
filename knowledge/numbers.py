"""Numbers written as words, turned into digits: "two hundred pods", "fifteen minutes", "两百个", "半小时".

People describe scale and time loosely; the lexicon's patterns read digits. Only what changes meaning
here is converted: multi-word and teen/ten numbers, digit words before a unit of time, spoken digit
sequences ("nine-one-hundred"), "2k", and common durations ("half an hour", "一刻钟"). A lone "one" or
"two" stays a word ("one of the pods").
"""

from __future__ import annotations

import re

import ahocorasick

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORDS = {**_UNITS, **_TENS, **_SCALES}
_DIGIT_WORDS = {word for word, value in _UNITS.items() if value < 10}

_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
# A run of number words joined by spaces, hyphens or "and" ("two hundred and fifty", "nine-one-hundred").
_RUN = re.compile(rf"\b(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*\b")
_TIME_UNIT = re.compile(r"\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)\b")
# Cheap test first, in one pass over the text: most texts hold no number word at all.
_TRIGGERS = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
for _word in (*_NUMBER_WORDS, "couple", "half", "quarter", "hour"):
    _TRIGGERS.add_word(_word)
for _digit in "0123456789":
    _TRIGGERS.add_word(_digit + "k")
_TRIGGERS.make_automaton()


def _has_trigger(text: str) -> bool:
    size = len(text)
    for end, length in _TRIGGERS.iter(text):
        start = end - length + 1
        # A whole word only ("one", not the end of "none"); "2k" starts with its digit.
        if (start == 0 or not text[start - 1].isalpha()) and (end + 1 == size or not text[end + 1].isalnum()):
            return True
    return False


# Each with a word it cannot match without, looked for first (a substring test is far cheaper than a search).
_IDIOMS = (
    ("hour", re.compile(r"\b(?:an? )?hour and a half\b"), "90 minutes"),
    ("half", re.compile(r"\bhalf (?:an )?hour\b"), "30 minutes"),
    ("quarter", re.compile(r"\b(?:a )?quarter(?: of an?)? hour\b"), "15 minutes"),
    ("hour", re.compile(r"\b(?:an|one) hour\b"), "60 minutes"),
    ("couple", re.compile(r"\b(?:a )?couple(?: of)? hundred\b"), "200"),
    ("couple", re.compile(r"\b(?:a )?couple(?: of)? thousand\b"), "2000"),
    ("", re.compile(r"\b(?:a )?(?:few|several) (hundred|thousand)\b"), r"\1s"),
    ("a ", re.compile(r"\ba (hundred|thousand)\b"), r"one \1"),
    ("k", re.compile(r"\b(\d+(?:\.\d+)?)k\b"), lambda m: str(round(float(m.group(1)) * 1000))),
)


def _value(words: list[str]) -> int:
    total = current = 0
    for word in words:
        if word in _SCALES:
            current = (current or 1) * _SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
        else:
            current += _NUMBER_WORDS[word]
    return total + current


def _convert_run(match: re.Match[str]) -> str:
    text = match.group(0)
    words = [w for w in re.split(r"[\s-]+", text) if w != "and"]
    # Spoken digits: "nine-one-hundred", "nine one zero zero" (digit words, optionally ending in hundred).
    if "-" in text or len(words) >= 3:
        body = words[:-1] if words[-1] == "hundred" else words
        if len(body) >= 2 and all(w in _DIGIT_WORDS for w in body):
            digits = "".join(str(_UNITS[w]) for w in body)
            return digits + ("00" if words[-1] == "hundred" else "")
    value = _value(words)
    lone_small = len(words) == 1 and value < 10
    if lone_small and not _TIME_UNIT.match(match.string, match.end()):
        return text  # "one of the pods", "two issues": not a quantity worth reading
    return str(value)


# Digits spoken with hyphens ("the nine-one-zero-zero one") end where the hyphens end: a word after a
# space is the sentence's own ("one", "ones").
_DIGIT_WORD = "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True))
_HYPHENATED = re.compile(rf"\b(?:{_DIGIT_WORD})(?:-(?:{_DIGIT_WORD}))+(?:-hundred)?\b")


def english_numbers(text: str) -> str:
    """Lower-case English text with number words and common durations as digits."""
    if not _has_trigger(text):
        return text
    for needed, pattern, replacement in _IDIOMS:
        if needed in text:
            text = pattern.sub(replacement, text)
    if "-" in text:
        text = _HYPHENATED.sub(_convert_run, text)
    return _RUN.sub(_convert_run, text)


_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ZH_RUN = re.compile(r"[零一二两三四五六七八九十百千万]+")
_ZH_UNIT = re.compile(r"(?:个|分钟|秒|小时|台|条|多个|来个|实例|pod)", re.IGNORECASE)
_ZH_TIME = re.compile(r"(?:分钟|秒|小时)")
_ZH_IDIOMS = (
    (re.compile(r"一个半小时"), "90分钟"),
    (re.compile(r"半个?小时"), "30分钟"),
    (re.compile(r"一刻钟"), "15分钟"),
    (re.compile(r"一个?小时"), "60分钟"),
)


def _zh_value(text: str) -> int | None:
    total = section = digit = 0
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char == "万":
            total, section, digit = (total + section + digit) * 10000, 0, 0
        else:
            section += (digit or 1) * _ZH_SCALES[char]
            digit = 0
    return total + section + digit


def chinese_numbers(text: str) -> str:
    """Chinese numerals that state a quantity (两百个, 十五分钟, 两千) as digits; 一直 and 一段 stay."""
    for pattern, replacement in _ZH_IDIOMS:
        text = pattern.sub(replacement, text)

    def convert(match: re.Match[str]) -> str:
        run = match.group(0)
        before = match.string[match.start() - 1 : match.start()]
        if run[0] in "百千万" or (len(run) == 1 and run in _ZH_SCALES):
            return run  # 百度, 千万 (by all means), 万一 (in case): words, not numbers
        has_scale = any(char in _ZH_SCALES for char in run)
        unit_follows = _ZH_UNIT.match(match.string, match.end()) is not None
        time_follows = _ZH_TIME.match(match.string, match.end()) is not None
        if not has_scale and len(run) >= 3 and before != "第":
            # Digits read one by one ("九一零零" is 9100), as people say ports and codes.
            return "".join(str(_ZH_DIGITS[char]) for char in run)
        if before == "第" or not (has_scale or time_follows or (unit_follows and len(run) > 1)):
            return run
        return str(_zh_value(run))

    return _ZH_RUN.sub(convert, text)
