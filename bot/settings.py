"""Process settings from the environment, read once at start-up (never at import time)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

#: None: a SQLite file `eks-doctor.db` in the user's data directory (see bot.store.location).
DEFAULT_DATABASE_URL = None


class Settings(BaseSettings):
    """Everything configurable through the environment. Slack settings keep Slack's own names."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")

    database_url: str | None = Field(default=DEFAULT_DATABASE_URL, alias="EKS_DOCTOR_DATABASE_URL")
    kb_path: Annotated[list[Path], NoDecode] = Field(default_factory=list, alias="EKS_DOCTOR_KB_PATH")
    config_path: Path | None = Field(default=None, alias="EKS_DOCTOR_CONFIG")
    #: A signing key for compact references carried in Slack button values (default: derived from the
    #: Slack signing secret, the same on every replica).
    action_secret: SecretStr | None = Field(default=None, alias="EKS_DOCTOR_ACTION_SECRET")
    #: How long a button stays usable, in seconds (a week by default).
    button_ttl_seconds: int = Field(default=7 * 24 * 3600, alias="EKS_DOCTOR_BUTTON_TTL", gt=0)
    #: Diagnoses and fixes running at once in the Slack bot; more wait their turn.
    workers: int = Field(default=16, alias="EKS_DOCTOR_WORKERS", gt=0, le=256)
    #: Bounds on every Kubernetes API call, so a slow cluster yields a partial report, not a hang.
    kube_timeout_seconds: float = Field(default=10.0, alias="EKS_DOCTOR_KUBE_TIMEOUT", gt=0)
    log_tail_lines: int = Field(default=200, alias="EKS_DOCTOR_LOG_TAIL_LINES", ge=0, le=5000)
    quota_warn_ratio: float = Field(default=0.8, alias="EKS_DOCTOR_QUOTA_WARN_RATIO", gt=0, le=1)
    #: Limits on manifests given to `check` (per file) and on pasted text; raise them for unusual inputs.
    max_file_bytes: int = Field(default=64 * 1024 * 1024, alias="EKS_DOCTOR_MAX_FILE_BYTES", gt=0)
    max_documents: int = Field(default=250_000, alias="EKS_DOCTOR_MAX_DOCUMENTS", gt=0)
    max_alias_nodes: int = Field(default=10_000, alias="EKS_DOCTOR_MAX_ALIAS_NODES", ge=0)
    max_depth: int = Field(default=200, alias="EKS_DOCTOR_MAX_DEPTH", gt=0, le=1000)
    max_paste_bytes: int = Field(default=64 * 1024, alias="EKS_DOCTOR_MAX_PASTE_BYTES", gt=0)
    #: The Slack bot's log level (JSON lines on stderr).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="EKS_DOCTOR_LOG_LEVEL")
    #: A CLI diagnosis of a workload that already has an open incident about the same problem, opened
    #: or updated within this many hours, adds to that incident instead of opening another (0: never).
    incident_reuse_hours: float = Field(default=24.0, alias="EKS_DOCTOR_INCIDENT_REUSE_WINDOW", ge=0)
    #: Read-only Tencent Cloud credentials for the cloud checks (the SDK's own names); absent: no cloud call.
    tencentcloud_secret_id: SecretStr | None = Field(default=None, alias="TENCENTCLOUD_SECRET_ID")
    tencentcloud_secret_key: SecretStr | None = Field(default=None, alias="TENCENTCLOUD_SECRET_KEY")
    #: `scheme://host:port` for every Tencent Cloud product instead of the public endpoints.
    tencentcloud_endpoint: str | None = Field(default=None, alias="EKS_DOCTOR_TENCENTCLOUD_ENDPOINT")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("kb_path", mode="before")
    @classmethod
    def _split_path_list(cls, value: object) -> object:
        # Like PATH: several folders separated by os.pathsep.
        if isinstance(value, str):
            return [Path(part) for part in value.split(os.pathsep) if part.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (used by the CLI's flags).

    A bad value is a ConfigError naming the variable, the value and what it should be."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(error) for error in exc.errors())) from None


def _describe(error: dict) -> str:
    variable = ".".join(str(part) for part in error.get("loc", ())) or "a setting"
    reason = str(error.get("msg", "invalid value"))
    reason = reason[0].lower() + reason[1:] if reason else reason
    value = error.get("input")
    shown = f" {value!r}" if isinstance(value, str) and len(value) <= 80 else ""
    return f"{variable}={shown.strip()}: {reason}" if shown else f"{variable}: {reason}"
