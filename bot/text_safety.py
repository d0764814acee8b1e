"""Text from manifests, clusters and people, made safe to print: no terminal escape sequences.

A manifest field or a pod log may hold ESC, other C0/C1 control characters or bidirectional
overrides; printed raw they could recolour, move the cursor, retitle the terminal or hide text.
Each such character is shown as its escape (`\\x1b`, `\\u202e`) instead, so nothing is hidden either.
"""

from __future__ import annotations

import re

_KEPT = {"\n", "\t"}
_C0_C1 = [chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in _KEPT]
#: Bidirectional embeddings, overrides and isolates: they reorder what the reader sees.
_BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
_TABLE = {ord(ch): (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}") for ch in _C0_C1 + _BIDI}
#: For JSON text: the same characters as JSON escapes (json.dumps already escapes C0 ones).
_JSON_TABLE = {ord(ch): f"\\u{ord(ch):04x}" for ch in _C0_C1 + _BIDI}
#: Whether a text holds any of them: most do not, and a search is much cheaper than a translation.
_UNSAFE = re.compile("[" + "".join(re.escape(ch) for ch in _C0_C1 + _BIDI) + "]")


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with control, escape and bidi characters shown as escapes; newlines and tabs kept."""
    safe = text.translate(_TABLE) if _UNSAFE.search(text) else text
    return safe if keep_newlines else safe.replace("\n", "\\n").replace("\t", "\\t")


def printable_json(document: str) -> str:
    """A JSON document with the characters a terminal would act on written as \\u escapes (still valid JSON)."""
    return document.translate(_JSON_TABLE) if _UNSAFE.search(document) else document


def clip_utf8(text: str, max_bytes: int) -> str:
    """At most `max_bytes` of UTF-8 (a pasted log can be megabytes; the first part says what it is)."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")
