"""Signed references carried in button values and select options.

A button never carries a command or a change: only `kind|id[|id...]|expiry|mac`, where the MAC is an
HMAC-SHA256 under the bot's own key. A tampered or expired reference is refused, and the referenced
offer, action or incident is read from the shared database, so any replica can serve the click.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from bot.errors import RefusedError

SEPARATOR = "|"
MAC_BYTES = 16
#: Slack limits select-option values to 150 characters; references stay well below.
MAX_LENGTH = 150


def derive_key(secret: str) -> bytes:
    """A key for references only, so the Slack signing secret itself never signs anything of ours."""
    return hmac.new(secret.encode(), b"eks-doctor/button-references/v1", hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Reference:
    kind: str
    ids: tuple[str, ...]


class ReferenceSigner:
    def __init__(self, key: bytes, *, ttl_seconds: int) -> None:
        self._key = key
        self.ttl_seconds = ttl_seconds

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, kind: str, *ids: str, now: float | None = None) -> str:
        if any(SEPARATOR in part for part in (kind, *ids)):
            raise ValueError("reference parts must not contain the separator")
        expires = int((now if now is not None else time.time()) + self.ttl_seconds)
        payload = SEPARATOR.join((kind, *ids, str(expires)))
        value = f"{payload}{SEPARATOR}{self._mac(payload)}"
        if len(value) > MAX_LENGTH:
            raise ValueError(f"reference too long ({len(value)} characters)")
        return value

    def verify(self, value: str, *, kind: str, now: float | None = None) -> Reference:
        """The reference, if it is ours, unchanged, of the expected kind and not expired."""
        payload, _, mac = (value or "").rpartition(SEPARATOR)
        if not payload or not hmac.compare_digest(mac, self._mac(payload)):
            raise RefusedError("this button was not made by EKS Doctor or was changed; nothing was done")
        *parts, expires = payload.split(SEPARATOR)
        if not parts or parts[0] != kind:
            raise RefusedError("this button does not do what was asked; nothing was done")
        if not expires.isdigit() or int(expires) < (now if now is not None else time.time()):
            raise RefusedError("this button has expired; ask again for a fresh answer")
        return Reference(kind=parts[0], ids=tuple(parts[1:]))
