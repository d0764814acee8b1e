"""One error family for everything a user can cause or meet.

Adapters (CLI, Slack) turn an `EksDoctorError` into one clear line and an exit code or an ephemeral
message; anything else is unexpected and gets a reference id so the log line can be found.
"""

from __future__ import annotations

import secrets


class EksDoctorError(Exception):
    """An expected failure with a message meant for the person who asked."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(EksDoctorError):
    """The request itself is wrong: bad syntax, unknown id, value outside the allowed shape."""

    exit_code = 2


class NotFoundError(InputError):
    """Something the user named does not exist; `suggestions` lists close names."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None, hint: str | None = None):
        self.suggestions = list(suggestions or [])
        if self.suggestions and hint is None:
            hint = "did you mean " + ", ".join(self.suggestions) + "?"
        super().__init__(message, hint=hint)


class ConfigError(InputError):
    """A settings or config-file problem; the message names the file and key."""


class KnowledgeBaseError(InputError):
    """One or more knowledge-base files are invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge base: " + "; ".join(problems))


class RefusedError(EksDoctorError):
    """A request we understood but will not carry out (not allowed, not safe)."""

    exit_code = 2


class UnreachableError(EksDoctorError):
    """A dependency (cluster, database) cannot be reached or answered too slowly."""

    exit_code = 3


class ClusterUnreachableError(UnreachableError):
    pass


class ClusterPermissionError(UnreachableError):
    """The cluster denied a request (RBAC); the message names the verb and resource."""


class StoreUnavailableError(UnreachableError):
    pass


def new_reference() -> str:
    """A short id to quote when an unexpected error reaches a user, so the log line can be found."""
    return secrets.token_hex(4)
