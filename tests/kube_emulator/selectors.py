"""Label and field selectors with the API server's grammar, so a selector the real server rejects
(an unsupported field, a malformed set) fails here too instead of silently matching everything.

Both parsers return a predicate over a stored object; list handling applies it while walking the
index in key order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.kube_emulator.errors import bad_request
from tests.kube_emulator.resources import FIELD_PATHS, ResourceType

Predicate = Callable[[dict[str, Any]], bool]

_KEY = r"(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET_RE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^()]*)\)\s*$")
_OP_RE = re.compile(rf"^\s*({_KEY})\s*(==|!=|=|>|<)\s*({_VALUE})\s*$")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")
_VALUE_RE = re.compile(rf"^{_VALUE}$")


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside `( )`, as `a in (x,y),b` has two requirements."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _requirement(text: str) -> Predicate:
    if match := _SET_RE.match(text):
        key, op, raw = match.groups()
        values = {v.strip() for v in raw.split(",")}
        if any(not _VALUE_RE.match(v) for v in values) or values == {""}:
            raise bad_request(f"unable to parse requirement: invalid values in set {raw!r}")
        if op == "in":
            return lambda obj: _labels(obj).get(key) in values
        return lambda obj: _labels(obj).get(key) not in values
    if match := _OP_RE.match(text):
        key, op, value = match.groups()
        if op in ("=", "=="):
            return lambda obj: _labels(obj).get(key) == value
        if op == "!=":
            return lambda obj: _labels(obj).get(key) != value
        if not value.lstrip("-").isdigit():
            raise bad_request(
                f"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {text.strip()!r}"
            )
        bound = int(value)
        return lambda obj: _compare(_labels(obj).get(key), op, bound)
    if match := _EXISTS_RE.match(text):
        negate, key = match.groups()
        if negate:
            return lambda obj: key not in _labels(obj)
        return lambda obj: key in _labels(obj)
    raise bad_request(f"unable to parse requirement: found {text.strip()!r}, expected a label requirement")


def _compare(actual: str | None, op: str, bound: int) -> bool:
    if actual is None or not actual.lstrip("-").isdigit():
        return False
    return int(actual) > bound if op == ">" else int(actual) < bound


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def parse_label_selector(text: str | None) -> Predicate | None:
    """`None` for an empty selector (matches everything, and lets listing skip the check)."""
    if not text or not text.strip():
        return None
    requirements = [_requirement(part) for part in _split_top_level(text)]
    return lambda obj: all(req(obj) for req in requirements)


def field_value(obj: dict[str, Any], label: str) -> str:
    """The string the API server compares: missing fields are "", booleans are "true"/"false"."""
    value: Any = obj
    for part in FIELD_PATHS.get(label, label).split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_field_selector(text: str | None, rt: ResourceType) -> Predicate | None:
    if not text or not text.strip():
        return None
    terms: list[tuple[str, bool, str]] = []
    for raw in text.split(","):
        match = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)(.*)$", raw)
        if not match:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{raw}'")
        label, op, value = match.group(1), match.group(2), match.group(3).strip()
        if label not in rt.field_labels:
            raise bad_request(f"field label not supported: {label}")
        terms.append((label, op != "!=", value))
    return lambda obj: all((field_value(obj, label) == value) is equal for label, equal, value in terms)
