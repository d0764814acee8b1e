"""Shared output helpers: rich for people, compact JSON for scripts.

The consoles are made on first use (importing rich costs time a `--help` should not pay). On a
terminal, text wraps at its width; piped into a file or another program, lines are never broken
(a wrapped phrase cannot be searched for), and tables and rules use 120 columns.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

PIPED_WIDTH = 120


def on_terminal() -> bool:
    return sys.stdout.isatty()


def wraps() -> bool:
    """Whether long lines of text are wrapped for the reader (a terminal, or COLUMNS set)."""
    return on_terminal() or bool(os.environ.get("COLUMNS"))


class _LazyConsole:
    """A rich Console created when first used."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def _make(self) -> Any:
        from rich.console import Console

        if self._stderr:
            return Console(stderr=True, highlight=False, soft_wrap=True)
        if wraps():
            return Console(highlight=False, soft_wrap=False)
        # Rich assumes 80 columns when stdout is not a terminal: tables get 120, text is never broken.
        return Console(highlight=False, soft_wrap=True, width=PIPED_WIDTH)

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
    from rich.console import Console

    needed = console.measure(table, options=console.options.update_width(10_000)).maximum
    Console(highlight=False, soft_wrap=True, width=max(PIPED_WIDTH, needed)).print(table)


def escape(text: str) -> str:
    """Text that rich must print as is (a '[' in a paste is not markup)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def print_json(payload: Any) -> None:
    """One JSON document on stdout, no colour, no wrapping (scripts parse it)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def print_json_line(payload: Any) -> None:
    """One JSON object per line (batch modes)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")


def print_error(message: str, *, exit_code: int, as_json: bool) -> None:
    """An error: one line on stderr; with --json, also `{"error": {...}}` on stdout for scripts."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
    if as_json:
        print_json({"error": {"message": message, "exit_code": exit_code}})
