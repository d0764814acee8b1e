"""The last gate before a write: every value a plan would write must be on the annotation allow-list.

The list itself is knowledge.platform (the platform's keys, in code) plus what EKS_DOCTOR_CONFIG's
`extra_annotations` adds; an entry's remedy can only narrow it. Whatever an entry, a `--set` or a
stored offer asks for, a key or value outside the list is refused here, before any request is made.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import RefusedError
from knowledge.platform import AllowList


def admit(allowed: AllowList | None, values: Mapping[str, str | None]) -> list[str]:
    """Notes for keys a config file let in (shown with the plan); RefusedError for anything outside."""
    try:
        return (allowed or AllowList()).admit(values)
    except ValueError as exc:
        raise RefusedError(str(exc), hint="nothing was written") from None
