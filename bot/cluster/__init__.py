"""Turning Kubernetes objects (live or from manifests) into findings for the knowledge-base entries.

Names are imported on first use, so the offline path (`check`) does not load the Kubernetes client.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "check_manifests": "inspector",
    "diagnose": "inspector",
    "scan": "inspector",
    "evaluate_entry": "inspector",
    "KubeApi": "kubeapi",
    "connect": "kubeapi",
    "LiveSource": "live",
    "ManifestSource": "manifests",
    "read_manifest_files": "manifests",
    "find_reference": "references",
    "parse_reference": "references",
    "CheckReport": "reports",
    "DiagnosisReport": "reports",
    "EntryMatch": "reports",
    "Problem": "reports",
    "ScanReport": "reports",
    "summary_line": "reports",
    "ClusterCounts": "snapshot",
    "ContainerLog": "snapshot",
    "Unreadable": "snapshot",
    "WorkloadSnapshot": "snapshot",
    "Source": "sources",
    "resolve_target": "targets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"bot.cluster.{_EXPORTS[name]}"), name)
