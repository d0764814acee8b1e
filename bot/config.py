"""The `EKS_DOCTOR_CONFIG` file: clusters, channel defaults and who may apply fixes.

Unknown keys are errors naming the file and the key, because a typo in `fixers` would otherwise
silently widen or narrow who may patch production.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.errors import ConfigError

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


class DoctorConfig(_Strict):
    clusters: list[ClusterConfig] = Field(default_factory=list)
    default_cluster: str | None = None
    channels: dict[str, ChannelDefaults] = Field(default_factory=dict)
    fixers: list[FixerRule] = Field(default_factory=list)

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
        return self

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
    try:
        return DoctorConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            reason = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{key}: {reason}")
        raise ConfigError(f"{path}: " + "; ".join(problems)) from None
