"""Tencent Cloud SDK errors mapped to one clear line each, in the project's error family.

Messages name the action and what to do; they never carry the credentials or the raw request.
"""

from __future__ import annotations

from bot.cloud.facts import CloudGap, GapKind
from bot.errors import ConfigError, EksDoctorError, UnreachableError

CREDENTIAL_VARIABLES = "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
POLICY_FILE = "deploy/cam-policy.json"


class CloudCredentialsError(ConfigError):
    """The API rejected the credentials (AuthFailure.*)."""

    gap_kind = GapKind.CREDENTIALS


class CloudPermissionError(UnreachableError):
    """The credentials may not call an action (UnauthorizedOperation)."""

    gap_kind = GapKind.DENIED

    def __init__(self, message: str, *, action: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.action = action


class CloudUnreachableError(UnreachableError):
    """Timeout, connection failure, HTTP error, or throttling past the retries: a cloud outage."""

    gap_kind = GapKind.UNREACHABLE


class CloudRequestError(UnreachableError):
    """The API answered with an error about the request itself (unknown cluster, bad parameter)."""

    gap_kind = GapKind.FAILED

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


def is_throttled(code: str) -> bool:
    return code.startswith("RequestLimitExceeded")


def map_sdk_error(exc: object, *, action: str, host: str, timeout: float) -> EksDoctorError:
    """One error for one SDK exception (a `TencentCloudSDKException`); `action` as CAM names it."""
    code = str(getattr(exc, "code", "") or "")
    message = " ".join(str(getattr(exc, "message", "") or "").split())
    if code.startswith("AuthFailure.UnauthorizedOperation") or code.startswith("UnauthorizedOperation"):
        return CloudPermissionError(
            f"the Tencent Cloud credentials may not call {action} ({code})",
            action=action,
            hint=f"grant the read-only policy in {POLICY_FILE}",
        )
    if code.startswith("AuthFailure") or code == "InvalidCredential":
        return CloudCredentialsError(
            f"Tencent Cloud rejected the credentials ({code}) calling {action}",
            hint=_credentials_hint(code),
        )
    if code == "ClientNetworkError":
        lowered = message.lower()
        if "timed out" in lowered or "timeout" in lowered:
            why = f"did not answer within {timeout:g} s"
        elif "refused" in lowered:
            why = "refused the connection"
        else:
            why = "could not be reached"
        return CloudUnreachableError(f"the Tencent Cloud API at {host} {why} ({action})")
    if code == "ServerNetworkError":
        return CloudUnreachableError(f"the Tencent Cloud API at {host} answered with an HTTP error ({action})")
    if is_throttled(code):
        return CloudUnreachableError(f"the Tencent Cloud API kept throttling {action} ({code}) after retries")
    if code.endswith("NotFound"):  # e.g. InternalError.ClusterNotFound: about the request, not an outage
        return CloudRequestError(f"Tencent Cloud refused {action}: {code}: {message[:200]}", code=code)
    if code in ("InternalError", "ServiceUnavailable") or code.startswith("InternalError"):
        return CloudUnreachableError(f"the Tencent Cloud API failed inside ({code}) on {action}")
    short = message[:200] if message else "no message"
    return CloudRequestError(f"Tencent Cloud refused {action}: {code}: {short}", code=code)


def _credentials_hint(code: str) -> str:
    if code == "AuthFailure.SignatureExpire":
        return "this machine's clock is off by more than five minutes"
    if code == "AuthFailure.SecretIdNotFound":
        return f"the secret id does not exist or is disabled; check {CREDENTIAL_VARIABLES}"
    return f"check {CREDENTIAL_VARIABLES}"


def gap_from(error: EksDoctorError, what: str) -> CloudGap:
    """A cloud error as a gap in the report, keeping its kind (outage, denied, credentials, ...)."""
    kind = getattr(error, "gap_kind", GapKind.FAILED)
    return CloudGap(what=what, why=str(error), kind=kind)
