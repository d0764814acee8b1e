"""Short, URL-safe, typeable ids: a kind prefix and random lowercase base32 ('inc-7k2m9q4x3z')."""

from __future__ import annotations

import hashlib
import secrets

# Crockford's alphabet without i, l, o, u: nothing to misread when someone types an id from a screenshot.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_LENGTH = 10  # 50 bits: a collision stays unlikely (~1e-3) even after a million incidents

INCIDENT = "inc"
ACTION = "act"
TICKET = "tkt"
OFFER = "off"

MAX_KEY_LENGTH = 200


def new_id(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))


def idempotency_key(value: str) -> str:
    """A delivery or request key that fits its column; longer keys keep their identity via a hash."""
    if len(value) <= MAX_KEY_LENGTH:
        return value
    return value[:100] + "#sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
