"""Channel-neutral results: what the doctor found, free of Slack, the CLI and the database."""

from __future__ import annotations

import getpass
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    CONFIRMED = "confirmed"
    RULED_OUT = "ruled_out"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    """What one check says about its condition."""

    HOLDS = "holds"  # the condition the entry needs is present
    FAILS = "fails"  # it is absent: the entry does not apply
    UNKNOWN = "unknown"  # could not tell (data missing, unreadable, or not decisive)


class Channel(StrEnum):
    """Through which interface a person acts."""

    CLI = "cli"
    SLACK = "slack"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks, and through which channel: every use case takes one, and the audit trail names it."""

    id: str  # OS user name for the CLI, Slack user id for Slack
    channel: Channel = Channel.CLI
    usergroups: frozenset[str] = frozenset()
    team: str | None = None  # the Slack workspace (team id)

    @property
    def label(self) -> str:
        """How the audit trail names the actor: Slack ids as they are, CLI users as `cli:name`."""
        return self.id if self.channel is Channel.SLACK else f"cli:{self.id}"


def cli_actor() -> Actor:
    """The person at the terminal: the operating-system user (`unknown` when there is none)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers) and no USER variable
        user = "unknown"
    return Actor(id=user, channel=Channel.CLI)


@dataclass(frozen=True, slots=True)
class WorkloadRef:
    kind: str  # Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, or Cluster for cluster-wide checks
    namespace: str | None
    name: str

    def __str__(self) -> str:
        where = f" in {self.namespace}" if self.namespace else ""
        return f"{self.kind.lower()}/{self.name}{where}"

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    check: str  # the check kind, e.g. "istio_sidecar"
    outcome: Outcome
    evidence: tuple[str, ...] = ()
    #: The check saw the cause itself (e.g. the route table), not a symptom: when it holds, checks
    #: that only look for symptoms (log lines) no longer need to.
    decisive: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    entry_id: str
    workload: WorkloadRef
    verdict: Verdict
    evidence: tuple[str, ...]
    checks: tuple[CheckOutcome, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry_id,
            "workload": self.workload.as_dict(),
            "verdict": self.verdict.value,
            "evidence": list(self.evidence),
            "checks": [
                {"check": c.check, "outcome": c.outcome.value, "evidence": list(c.evidence)} for c in self.checks
            ],
        }


def tally(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per verdict, every verdict present."""
    counts = Counter(f.verdict for f in findings)
    return {verdict.value: counts.get(verdict, 0) for verdict in Verdict}


def summary_line(findings: Iterable[Finding]) -> str:
    """'2 confirmed, 3 ruled out, 1 unknown'."""
    counts = tally(findings)
    return ", ".join(f"{counts[v.value]} {v.value.replace('_', ' ')}" for v in Verdict)
