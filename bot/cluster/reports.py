"""The results of diagnose, scan and check: plain data any renderer (CLI, Slack) can use."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain import Finding, Verdict, WorkloadRef, summary_line, tally

__all__ = ["CheckReport", "DiagnosisReport", "EntryMatch", "Problem", "ScanReport", "summary_line", "tally"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A manifest that could not be (fully) read; `line` is 1-based when known."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class EntryMatch:
    entry_id: str
    score: float


@dataclass
class _Report:
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict is Verdict.CONFIRMED]

    def _base_dict(self) -> dict[str, object]:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "unreadable": list(self.unreadable),
            "warnings": list(self.warnings),
            "summary": tally(self.findings),
        }


@dataclass
class DiagnosisReport(_Report):
    workload: WorkloadRef | None = None
    cluster: str | None = None
    #: Entries the symptom matched, best first (empty without a symptom).
    matches: list[EntryMatch] = field(default_factory=list)
    #: Some piece could not be read; `unreachable` when the cluster stopped answering midway.
    partial: bool = False
    unreachable: bool = False
    #: The Tencent Cloud API did not answer (the cluster may be fine); its checks fell back.
    cloud_unreachable: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            **self._base_dict(),
            "workload": self.workload.as_dict() if self.workload else None,
            "cluster": self.cluster,
            "matches": [{"id": m.entry_id, "score": m.score} for m in self.matches],
            "partial": self.partial,
            "cloud_unreachable": self.cloud_unreachable,
        }


@dataclass
class ScanReport(_Report):
    namespace: str | None = None  # None: all namespaces
    cluster: str | None = None
    workloads: int = 0
    partial: bool = False
    unreachable: bool = False
    cloud_unreachable: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            **self._base_dict(),
            "namespace": self.namespace,
            "cluster": self.cluster,
            "workloads": self.workloads,
            "partial": self.partial,
            "cloud_unreachable": self.cloud_unreachable,
        }


@dataclass
class CheckReport(_Report):
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    workloads: int = 0
    #: Where each workload was defined ("path:line"), for the renderer.
    origins: dict[WorkloadRef, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        findings = []
        for finding in self.findings:
            item = finding.as_dict()
            if finding.workload in self.origins:
                item["file"] = self.origins[finding.workload]
            findings.append(item)
        return {
            **self._base_dict(),
            "findings": findings,
            "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in self.problems],
            "files_read": self.files_read,
            "workloads": self.workloads,
        }
