"""Reading one piece of a live snapshot, turning a refusal or a dead connection into a marker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.cluster.kubeapi import ApiRefused
from bot.cluster.snapshot import Unreadable
from bot.errors import ClusterPermissionError, ClusterUnreachableError, EksDoctorError

T = TypeVar("T")


def piece(what: str, read: Callable[[], T]) -> T | Unreadable:
    """Read one piece; a refusal or a dead connection becomes a marker saying why."""
    try:
        return read()
    except ClusterPermissionError as exc:
        return Unreadable(what, str(exc))
    except ClusterUnreachableError as exc:
        return Unreadable(what, str(exc), unreachable=True)
    except (EksDoctorError, ApiRefused) as exc:
        return Unreadable(what, str(exc))
