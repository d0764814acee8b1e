"""The `EKS_DOCTOR_CONFIG` file: clusters, channel defaults, who may apply fixes, and annotations
beyond the platform allow-list.

Unknown keys are errors naming the file and the key, because a typo in `fixers` would otherwise
silently widen or narrow who may patch production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import ConfigError
from knowledge.bounded import why_refused
from knowledge.durations import parse_duration
from knowledge.platform import MAX_DURATION_SECONDS, AllowList, AnnotationRule
from knowledge.schema import ANNOTATION_KEY

DEFAULT_POD_QUOTA = 200
DEFAULT_SECURITY_GROUP_QUOTA = 2000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClusterConfig(_Strict):
    name: str
    context: str | None = None
    region: str | None = None
    cluster_id: str | None = None
    pod_quota: int = Field(default=DEFAULT_POD_QUOTA, gt=0)
    security_group_quota: int = Field(default=DEFAULT_SECURITY_GROUP_QUOTA, gt=0)
    #: The Tencent Cloud project whose default security group pods without the annotation use.
    project_id: int = Field(default=0, ge=0)


class ChannelDefaults(_Strict):
    cluster: str | None = None
    namespace: str | None = None


class FixerRule(_Strict):
    users: list[str] = Field(default_factory=list)
    usergroups: list[str] = Field(default_factory=list)
    clusters: list[str] | None = None
    namespaces: list[str] | None = None

    def covers(self, *, cluster: str | None, namespace: str | None) -> bool:
        if self.clusters is not None and cluster not in self.clusters:
            return False
        return self.namespaces is None or namespace in self.namespaces


class ExtraAnnotation(_Strict):
    """An annotation remedies may write beyond the platform allow-list, or a wider range for one on it.
    Strings need the values they may take (`values`) or a pattern every value must match (`pattern`)."""

    key: str = Field(pattern=ANNOTATION_KEY)
    shape: Literal["duration", "port", "json", "string"]
    #: Durations ("1s") or port numbers; omitted: the shape's own bound.
    minimum: str | int | None = None
    maximum: str | int | None = None
    values: list[str] | None = Field(default=None, min_length=1)
    pattern: str | None = None
    max_length: int = Field(default=256, gt=0, le=65536)

    @field_validator("pattern")
    @classmethod
    def _bounded(cls, value: str | None) -> str | None:
        reason = why_refused(value) if value is not None else None
        if reason is not None:
            raise ValueError(f"pattern {value!r} refused: {reason}")
        return value

    @model_validator(mode="after")
    def _has_a_range(self) -> ExtraAnnotation:
        bounds = [b for b in (self.minimum, self.maximum) if b is not None]
        if self.shape == "string" and not (self.values or self.pattern):
            raise ValueError(f"{self.key}: a string annotation needs `values` or a `pattern` (its range)")
        if self.shape != "string" and (self.values or self.pattern):
            raise ValueError(f"{self.key}: `values` and `pattern` are for string annotations")
        if bounds and self.shape not in ("duration", "port"):
            raise ValueError(f"{self.key}: minimum and maximum are for durations and ports")
        low, high = self._number(self.minimum), self._number(self.maximum)
        if low is not None and high is not None and low > high:
            raise ValueError(f"{self.key}: minimum is above maximum")
        return self

    def _number(self, bound: str | int | None) -> float | None:
        if bound is None:
            return None
        if self.shape == "duration":
            seconds = parse_duration(str(bound))
            if seconds > MAX_DURATION_SECONDS:
                raise ValueError(f"{self.key}: {bound!r} is longer than {MAX_DURATION_SECONDS}s")
            return seconds
        if not str(bound).isdigit() or not 1 <= int(bound) <= 65535:
            raise ValueError(f"{self.key}: {bound!r} is not a port number (1-65535)")
        return float(bound)

    def rule(self, source: str) -> AnnotationRule:
        return AnnotationRule(
            key=self.key,
            shape=self.shape,
            minimum=self._number(self.minimum),
            maximum=self._number(self.maximum),
            values=tuple(self.values or ()),
            pattern=self.pattern,
            max_length=self.max_length,
            source=source,
        )


class DoctorConfig(_Strict):
    clusters: list[ClusterConfig] = Field(default_factory=list)
    default_cluster: str | None = None
    channels: dict[str, ChannelDefaults] = Field(default_factory=dict)
    fixers: list[FixerRule] = Field(default_factory=list)
    #: Annotations remedies may write beyond the platform allow-list (`kb validate` and `fix` show them).
    extra_annotations: list[ExtraAnnotation] = Field(default_factory=list)
    #: Where the file was read from (not a key of the file).
    source: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _references_exist(self) -> DoctorConfig:
        names = [cluster.name for cluster in self.clusters]
        if len(names) != len(set(names)):
            raise ValueError("cluster names must be unique")
        known = set(names)
        if self.default_cluster and self.default_cluster not in known:
            raise ValueError(f"default_cluster {self.default_cluster!r} is not one of the clusters")
        for channel, defaults in self.channels.items():
            if defaults.cluster and defaults.cluster not in known:
                raise ValueError(f"channels.{channel}.cluster {defaults.cluster!r} is not one of the clusters")
        keys = [extra.key for extra in self.extra_annotations]
        if len(keys) != len(set(keys)):
            raise ValueError("extra_annotations: each key may appear once")
        return self

    def allow_list(self) -> AllowList:
        """The annotations remedies may write: the platform's, plus (and widened by) extra_annotations."""
        where = f"EKS_DOCTOR_CONFIG ({self.source})" if self.source else "EKS_DOCTOR_CONFIG"
        return AllowList(extra.rule(where) for extra in self.extra_annotations)

    def cluster(self, name: str | None = None) -> ClusterConfig:
        """The named cluster, else the default one, else an unnamed cluster with default quotas."""
        wanted = name or self.default_cluster
        if wanted is None:
            return self.clusters[0] if len(self.clusters) == 1 else ClusterConfig(name="default")
        for cluster in self.clusters:
            if cluster.name == wanted:
                return cluster
        known = ", ".join(c.name for c in self.clusters) or "none configured"
        raise ConfigError(f"unknown cluster {wanted!r} (known: {known})")

    def may_fix(
        self, *, user: str, usergroups: frozenset[str] = frozenset(), cluster: str | None, namespace: str | None
    ) -> bool:
        """Everyone may triage; only people a fixer rule names may patch, per cluster and namespace."""
        for rule in self.fixers:
            named = user in rule.users or bool(usergroups & set(rule.usergroups))
            if named and rule.covers(cluster=cluster, namespace=namespace):
                return True
        return False


def load_config(path: Path | None) -> DoctorConfig:
    """Read and validate the config file; no file means the built-in defaults."""
    if path is None:
        return DoctorConfig()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (EKS_DOCTOR_CONFIG)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    if "source" in raw:
        raise ConfigError(f"{path}: source: unknown key")
    try:
        return DoctorConfig.model_validate({**raw, "source": str(path)})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            reason = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{key}: {reason}")
        raise ConfigError(f"{path}: " + "; ".join(problems)) from None
