"""Annotation values: validation against the entry's declared shape, canonical forms, comparison, and
suggestions that follow the mechanism (a TCP timeout must cover the client's idle timeout; the metrics
port must not collide with a container port).

Pure functions: no I/O, no knowledge of the cluster beyond what the caller passes in.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import InputError
from knowledge.durations import format_seconds, parse_duration
from knowledge.platform import MAX_DURATION_SECONDS
from knowledge.schema import AnnotationSpec, Entry, check_value_shape

#: Annotations whose suggested value follows a mechanism (matched by the key's last part).
TCP_TIMEOUT_SUFFIX = "ipvs-tcp-timeout"
METRICS_PORT_SUFFIX = "metrics-port"
PORT_SEARCH_LIMIT = 200  # how far above the default a free metrics port is looked for
# fmt: off
_UNIT_SECONDS = {
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1, "秒钟": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分": 60, "分钟": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "小时": 3600, "个小时": 3600,
}
# fmt: on
_UNIT = r"(milliseconds?|ms|seconds?|secs?|sec|s|minutes?|mins?|min|m|hours?|hrs?|hr|h|个小时|小时|分钟|分|秒钟|秒)"
_AMOUNT = rf"(\d+(?:\.\d+)?)\s*-?\s*{_UNIT}(?![a-z])"
_IDLE = r"(?:idle[\s_-]*time(?:out)?|idletimeout|idle|max[\s_-]*connection[\s_-]*idle|空闲(?:超时|时间)?)"
#: "idle timeout is 60 minutes", "idleTimeout = 1h", "空闲超时 60 分钟"
_IDLE_THEN_AMOUNT = re.compile(rf"{_IDLE}[^0-9\n]{{0,40}}?{_AMOUNT}", re.IGNORECASE)
#: "60 minute idle timeout", "after 45m idle"
_AMOUNT_THEN_IDLE = re.compile(rf"{_AMOUNT}[^0-9\n]{{0,12}}?{_IDLE}", re.IGNORECASE)
#: grpc-java: idleTimeout(60, TimeUnit.MINUTES)
_TIME_UNIT = re.compile(r"idletimeout\s*\(\s*(\d+)\s*(?:L)?\s*,\s*(?:TimeUnit\.)?(SECONDS|MINUTES|HOURS)\s*\)", re.I)
_TIME_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600}


@dataclass(frozen=True, slots=True)
class Suggestion:
    value: str
    reason: str


def short_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def resolve_key(entry: Entry, key: str) -> AnnotationSpec:
    """The allowed annotation a user named, by full key or by its unique short name (`ipvs-tcp-timeout`)."""
    assert entry.remedy.patch is not None
    allowed = entry.remedy.patch.allowed
    exact = [spec for spec in allowed if spec.key == key]
    short = [spec for spec in allowed if short_name(spec.key) == key]
    found = exact or (short if len(short) == 1 else [])
    if not found:
        keys = ", ".join(spec.key for spec in allowed)
        raise InputError(f"{key!r} is not an annotation entry {entry.id} may set (allowed: {keys})")
    return found[0]


def canonical_form(spec: AnnotationSpec, value: str) -> str:
    """The form that is written: full-width characters folded (NFKC), ports as ASCII digits without
    leading zeros ("09110" -> "9110"), whole-second durations as seconds ("2m" -> "120s")."""
    value = unicodedata.normalize("NFKC", value).strip()
    if spec.shape == "port":
        if not (value.isascii() and value.isdigit()):
            raise InputError(f"{spec.key}: {value!r} is not a port number (1-65535)")
        return str(int(value))
    if spec.shape == "duration":
        try:
            seconds = parse_duration(value)
        except ValueError:
            return value  # the shape check says what is wrong
        if not math.isfinite(seconds) or seconds > MAX_DURATION_SECONDS:
            raise InputError(
                f"{spec.key}: {value[:40]!r}{'…' if len(value) > 40 else ''} is longer than "
                f"{format_seconds(MAX_DURATION_SECONDS)}, the longest duration accepted"
            )
        if seconds == round(seconds):
            return format_seconds(seconds)
    return value


def normalise(spec: AnnotationSpec, value: str) -> str:
    """The written form of `value`, validated after normalising, so "09100" or full-width digits meet
    the same forbidden values and ranges as "9100"."""
    canonical = canonical_form(spec, value)
    try:
        check_value_shape(spec, canonical)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return canonical


def same_value(spec: AnnotationSpec, current: str | None, wanted: str | None) -> bool:
    """Equal in meaning: "30m" equals "1800s", JSON compares parsed; absent equals only absent."""
    if current is None or wanted is None:
        return current is wanted
    try:
        if spec.shape == "duration":
            return parse_duration(current) == parse_duration(wanted)
        if spec.shape == "port":
            return int(current) == int(wanted)
        if spec.shape == "json":
            return json.loads(current) == json.loads(wanted)
    except ValueError:
        pass  # an unparsable current value is simply different
    return current == wanted


def covers(spec: AnnotationSpec, current: str | None, wanted: str) -> bool:
    """A duration already at or above the suggested one needs no change (lowering it would harm)."""
    if spec.shape != "duration" or current is None:
        return False
    try:
        return parse_duration(current) >= parse_duration(wanted)
    except ValueError:
        return False


def idle_timeout_seconds(text: str | None) -> float | None:
    """The client idle timeout a person mentions ("idle timeout is 60 minutes"), in seconds; the largest
    one if several are mentioned, since the ipvs timeout must cover all of them."""
    if not text:
        return None
    found: list[float] = []
    for match in _TIME_UNIT.finditer(text):
        found.append(float(match.group(1)) * _TIME_UNIT_SECONDS[match.group(2).lower()])
    for pattern in (_IDLE_THEN_AMOUNT, _AMOUNT_THEN_IDLE):
        for match in pattern.finditer(text):
            found.append(float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()])
    found = [seconds for seconds in found if seconds <= MAX_DURATION_SECONDS]  # no 400-nines timeouts
    return max(found) if found else None


def free_port(start: int, *, used: Iterable[int], forbidden: Iterable[str]) -> int | None:
    taken = {int(p) for p in used} | {int(f) for f in forbidden if f.isdigit()}
    for port in range(start, min(start + PORT_SEARCH_LIMIT, 65536)):
        if port not in taken:
            return port
    return None


def suggest_values(
    entry: Entry, symptom_text: str | None = None, *, used_ports: Iterable[int] = ()
) -> dict[str, Suggestion]:
    """A value for each key the entry applies by default, following the mechanism behind the entry."""
    if entry.remedy.patch is None:
        return {}
    used = sorted({int(p) for p in used_ports})
    suggestions: dict[str, Suggestion] = {}
    for key in entry.remedy.patch.apply:
        spec = entry.remedy.patch.spec(key)
        assert spec is not None  # guaranteed by the schema: applied keys are allowed and have a default
        assert spec.default is not None
        value, reason = normalise(spec, spec.default), "the entry's default"
        if spec.shape == "duration" and key.endswith(TCP_TIMEOUT_SUFFIX):
            idle = idle_timeout_seconds(symptom_text)
            if idle is not None and idle > parse_duration(value):
                value = format_seconds(idle)
                reason = f"covers the client's idle timeout you mentioned ({_human(idle)}); a shorter ipvs timeout "
                reason += "drops idle connections the client still uses"
            elif idle is not None:
                reason = f"the default already covers the client's idle timeout you mentioned ({_human(idle)})"
            else:
                reason = "covers grpc-java's default idle timeout (30 min); raise it if your client idles longer"
        elif spec.shape == "port" and key.endswith(METRICS_PORT_SUFFIX) and int(value) in used:
            port = free_port(int(value), used=used, forbidden=spec.forbidden)
            if port is not None:
                value, reason = str(port), f"the default {spec.default} is used by a container; {port} is free"
        elif spec.shape == "port" and key.endswith(METRICS_PORT_SUFFIX):
            reason = f"no container uses {value}" + (f" (containers use {', '.join(map(str, used))})" if used else "")
        suggestions[key] = Suggestion(value, reason)
    return suggestions


def _human(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds) // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}, {int(seconds)}s"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds) // 60} min, {int(seconds)}s"
    return f"{seconds:g}s"
