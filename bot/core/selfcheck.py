"""`eks-doctor selfcheck`: is this installation able to do its job? One line per question, green or red,
each red one with what to do about it.

The config file parses; the database is at the schema this version needs; every configured cluster
answers and grants each permission the bot needs (one SelfSubjectAccessReview per verb and resource,
`patch` only where someone may apply fixes); the cloud credentials may make each read the cloud checks
make (not red when no credentials are configured: those checks are then off). Interfaces add their own
lines (the Slack bot's token) through `extra`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.cloud import Status, check_cloud_access
from bot.config import ClusterConfig, DoctorConfig
from bot.errors import EksDoctorError

RBAC_FIX = "apply deploy/kubernetes/rbac.yaml: its ClusterRole bound to the bot's service account (README, Deploying)"


@dataclass(frozen=True, slots=True)
class Line:
    check: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status.value, "detail": self.detail, "fix": self.fix}


def ok(check: str, detail: str) -> Line:
    return Line(check, Status.OK, detail)


def red(check: str, detail: str, fix: str) -> Line:
    return Line(check, Status.FAILED, detail, fix)


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.status is not Status.FAILED for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [line.as_dict() for line in self.lines]}


def run(doctor: Any, *, extra: Iterable[Callable[[], Sequence[Line]]] = ()) -> Report:
    report = Report()
    config = _config(doctor, report.lines)
    for check in extra:
        report.lines += check()
    report.lines.append(_database(doctor))
    if config is not None:
        for cluster in _clusters(config):
            report.lines += _cluster(doctor, config, cluster)
            report.lines += _cloud(doctor, cluster)
    return report


def _config(doctor: Any, lines: list[Line]) -> DoctorConfig | None:
    path = doctor.settings.config_path
    try:
        config = doctor.config
    except EksDoctorError as exc:
        lines.append(
            red("config", str(exc), "correct the file named above (EKS_DOCTOR_CONFIG); unknown keys are errors")
        )
        return None
    if path is None:
        lines.append(
            ok("config", "EKS_DOCTOR_CONFIG not set: built-in defaults (current kubeconfig context, no fixers)")
        )
    else:
        lines.append(ok("config", f"{path}: {len(config.clusters)} cluster(s), {len(config.fixers)} fixer rule(s)"))
    return config


def _database(doctor: Any) -> Line:
    from bot.core.incidents import schema_revision

    try:
        current, head, url = schema_revision(doctor)
    except EksDoctorError as exc:
        return red("database", str(exc), "check EKS_DOCTOR_DATABASE_URL and that the database server is up")
    if current == head:
        return ok("database", f"{url}: schema at {head} (current)")
    if url.startswith("sqlite"):
        return ok("database", f"{url}: SQLite, created and migrated to {head} on first use")
    return red("database", f"{url}: schema at {current or 'none (empty)'}, this version needs {head}",
               "run `eks-doctor db upgrade` (in a cluster: the eks-doctor-db-upgrade Job)")  # fmt: skip


def _clusters(config: DoctorConfig) -> list[ClusterConfig | None]:
    """The configured clusters; without any, the current kubeconfig context (or the pod's account)."""
    return list(config.clusters) or [None]


def _cluster(doctor: Any, config: DoctorConfig, cluster: ClusterConfig | None) -> list[Line]:
    from bot.cluster.access import review
    from bot.cluster.permissions import FIXES, READS

    name = cluster.name if cluster else None
    try:
        connection = doctor.connect(cluster=name)
    except EksDoctorError as exc:
        return [red(f"cluster {name or '(current context)'}", str(exc), "check KUBECONFIG and the cluster's context")]
    label = f"cluster {connection.name}"
    fixable = _fixes_allowed(config, connection.name)
    needs = [*READS, *(FIXES if fixable else ())]
    missing: list[str] = []
    checked = 0
    try:
        for need in needs:
            for verb in need.verbs:
                answer = review(connection.api, group=need.group, resource=need.resource, verb=verb)
                checked += 1
                if not answer.allowed:
                    missing.append(answer.label)
    except EksDoctorError as exc:
        return [red(label, str(exc), "check the network path and credentials to the API server")]
    lines = [ok(label, f"reachable at {connection.api.host}")]
    scope = "read and patch" if fixable else "read-only: no fixer rule covers this cluster"
    if missing:
        lines.append(red(f"{label} permissions", f"denied: {', '.join(missing)}", RBAC_FIX))
    else:
        lines.append(ok(f"{label} permissions", f"all {checked} access reviews allowed ({scope})"))
    return lines


def _fixes_allowed(config: DoctorConfig, cluster: str) -> bool:
    return any(rule.clusters is None or cluster in rule.clusters for rule in config.fixers)


def _cloud(doctor: Any, cluster: ClusterConfig | None) -> list[Line]:
    if cluster is None or not (cluster.cluster_id or cluster.region):
        return []  # nothing to look up in the cloud for it
    lines = []
    for line in check_cloud_access(doctor.settings, cluster):
        fix = "grant the read-only policy in deploy/cam-policy.json" if line.status is Status.FAILED else ""
        lines.append(Line(f"cloud {cluster.name}: {line.check}", line.status, line.detail, fix))
    return lines
