"""Block Kit's limits, applied before Slack would reject a message: long text is cut with a marker."""

from __future__ import annotations

from typing import Any

from bot.text_safety import printable

SECTION_TEXT = 3000
CONTEXT_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
OPTION_TEXT = 75
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
FALLBACK_TEXT = 3000
MARKER = "… (truncated)"


def fit(text: str, limit: int) -> str:
    """`text` within `limit` characters; a cut says so."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(MARKER))].rstrip() + MARKER


def code(text: str, limit: int = SECTION_TEXT) -> str:
    """A code block that stays one, even when cut: the fences survive the truncation."""
    body = text.replace("```", "'''")
    return "```" + fit(body, limit - 6) + "```"


def escape(text: str) -> str:
    """Text from people or clusters, shown as text: no accidental mentions, links, formatting or control
    characters."""
    return printable(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cap_blocks(blocks: list[Any], *, limit: int = MESSAGE_BLOCKS, note: Any = None) -> list[Any]:
    """At most `limit` blocks; when some are dropped, the last one says where to read the rest."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    if note is not None:
        kept.append(note)
    return kept
