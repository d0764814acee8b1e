"""Shared output helpers: rich for people, compact JSON for scripts.

The consoles are made on first use (importing rich costs time a `--help` should not pay). On a
terminal, text wraps at its width; piped into a file or another program, lines are never broken
(a wrapped phrase cannot be searched for), and tables and rules use 120 columns.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import Any

from bot.text_safety import printable, printable_json

PIPED_WIDTH = 120


def on_terminal() -> bool:
    return sys.stdout.isatty()


def wraps() -> bool:
    """Whether long lines of text are wrapped for the reader (a terminal, or COLUMNS set)."""
    return on_terminal() or bool(os.environ.get("COLUMNS"))


@cache
def _safe_console_class() -> Any:
    """A rich Console that never passes escape or control characters from the text it prints to the
    terminal (manifest fields, logs and pastes may carry them); rich's own styling is unaffected."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def _render_buffer(self, buffer: Any) -> str:
            return super()._render_buffer(
                segment if segment.control else Segment(printable(segment.text), segment.style) for segment in buffer
            )

    return SafeConsole


class _LazyConsole:
    """A rich Console created when first used."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def _make(self) -> Any:
        console_class = _safe_console_class()
        if self._stderr:
            return console_class(stderr=True, highlight=False, soft_wrap=True)
        if wraps():
            return console_class(highlight=False, soft_wrap=False)
        # Rich assumes 80 columns when stdout is not a terminal: tables get 120, text is never broken.
        return console_class(highlight=False, soft_wrap=True, width=PIPED_WIDTH)

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = self._make()
        return getattr(self._console, name)

    def reset(self) -> None:
        """Forget the console (a new invocation in the same process may run elsewhere)."""
        self._console = None


console: Any = _LazyConsole(stderr=False)
err_console: Any = _LazyConsole(stderr=True)


def print_table(table: Any) -> None:
    """A table: on a terminal, as wide as the terminal; piped, as wide as its content needs, so no
    cell is cut short with an ellipsis."""
    if wraps():
        console.print(table)
        return
    needed = console.measure(table, options=console.options.update_width(10_000)).maximum
    _safe_console_class()(highlight=False, soft_wrap=True, width=max(PIPED_WIDTH, needed)).print(table)


def escape(text: str) -> str:
    """Text that rich must print as is (a '[' in a paste is not markup)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def print_json(payload: Any) -> None:
    """One JSON document on stdout, no colour, no wrapping (scripts parse it)."""
    sys.stdout.write(printable_json(json.dumps(payload, ensure_ascii=False, default=str)) + "\n")
    sys.stdout.flush()


#: Made once: batch modes write thousands of lines, and json.dumps with options builds an encoder per call.
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def print_json_line(payload: Any) -> None:
    """One JSON object per line (batch modes)."""
    line = _LINE_ENCODER.encode(payload)
    sys.stdout.write(printable_json(line) + "\n")


def print_error(message: str, *, exit_code: int, as_json: bool) -> None:
    """An error: one line on stderr; with --json, also `{"error": {...}}` on stdout for scripts."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
    if as_json:
        print_json({"error": {"message": message, "exit_code": exit_code}})
