"""Shared output helpers: rich for people, compact JSON for scripts."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.segment import Segment

from bot.text_safety import printable, printable_json


def _width() -> int | None:
    # Rich assumes 80 columns when stdout is not a terminal (CI logs, pipes): too narrow for evidence.
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return 120


class SafeConsole(Console):
    """A console that never passes escape or control characters from the text it prints to the terminal
    (manifest fields, logs and user text may carry them); rich's own styling is unaffected."""

    def _render_buffer(self, buffer: Any) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style) for segment in buffer
        )


console = SafeConsole(highlight=False, soft_wrap=False, width=_width())
err_console = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def print_json(payload: Any) -> None:
    """One JSON document on stdout, no colour, no wrapping (scripts parse it)."""
    sys.stdout.write(printable_json(json.dumps(payload, ensure_ascii=False, default=str)) + "\n")
    sys.stdout.flush()


def print_json_line(payload: Any) -> None:
    """One JSON object per line (batch modes)."""
    line = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    sys.stdout.write(printable_json(line) + "\n")
