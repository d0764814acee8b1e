"""Kubernetes-style durations ("120s", "2m", "1h30m") compared as numbers of seconds."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in `text`; a bare number counts as seconds. Raises ValueError on anything else."""
    value = str(text).strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    parts = _PART.findall(value)
    if not parts or "".join(number + unit for number, unit in parts) != value:
        raise ValueError(f"{text!r} is not a duration like '120s', '2m' or '1h30m'")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def format_seconds(seconds: float) -> str:
    """The canonical form the annotations use: whole seconds with an `s`."""
    return f"{round(seconds)}s"
