"""Shared output helpers: rich for people, compact JSON for scripts."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console


def _width() -> int | None:
    # Rich assumes 80 columns when stdout is not a terminal (CI logs, pipes): too narrow for evidence.
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return 120


console = Console(highlight=False, soft_wrap=False, width=_width())
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(payload: Any) -> None:
    """One JSON document on stdout, no colour, no wrapping (scripts parse it)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def print_json_line(payload: Any) -> None:
    """One JSON object per line (batch modes)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
