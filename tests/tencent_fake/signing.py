"""TC3-HMAC-SHA256 verification as the API does it, from the raw HTTP request.

Written from the API's signing documentation, independently of the SDK: a canonical request from the
method, path, query, the signed headers and the body's SHA-256; a string to sign with the timestamp
and the credential scope; a signing key derived from the secret key, the date and the service.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ALGORITHM = "TC3-HMAC-SHA256"
MAX_SKEW = 300  # seconds, as the API allows
_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z0-9]+)/tc3_request, "
    r"SignedHeaders=(?P<headers>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


class AuthError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Signed:
    secret_id: str
    service: str


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signature(*, secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, str],
    now: float | None = None,
) -> Signed:
    """The caller's secret id and service, or AuthError with the API's own error code."""
    authorization = headers.get("Authorization") or ""
    match = _AUTH.match(authorization)
    if not match:
        raise AuthError("AuthFailure.InvalidAuthorization", "The Authorization header is missing or malformed.")
    secret_id = match["id"]
    if secret_id not in keys:
        raise AuthError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that it is correct.")
    try:
        timestamp = int(headers.get("X-TC-Timestamp") or "")
    except ValueError:
        raise AuthError("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing or not a number.") from None
    if abs((now if now is not None else time.time()) - timestamp) > MAX_SKEW:
        raise AuthError("AuthFailure.SignatureExpire", "Signature expired, the timestamp is too far from now.")
    if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != match["date"]:
        raise AuthError("AuthFailure.SignatureFailure", "The credential date does not match X-TC-Timestamp.")
    signed_headers = match["headers"].split(";")
    if "content-type" not in signed_headers or "host" not in signed_headers:
        raise AuthError("AuthFailure.SignatureFailure", "content-type and host must be signed.")
    lowered = {name.lower(): value for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{(lowered.get(name) or '').strip().lower()}\n" for name in signed_headers)
    canonical = "\n".join(
        [
            method,
            path or "/",
            query if method == "GET" else "",
            canonical_headers,
            match["headers"],
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{match['date']}/{match['service']}/tc3_request"
    to_sign = "\n".join([ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    expected = signature(
        secret_key=keys[secret_id], date=match["date"], service=match["service"], string_to_sign=to_sign
    )
    if not hmac.compare_digest(expected, match["signature"]):
        raise AuthError(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    return Signed(secret_id=secret_id, service=match["service"])
