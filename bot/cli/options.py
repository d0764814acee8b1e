"""Options several commands share, with the placeholders their help shows."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ContextOption = Annotated[
    str | None, typer.Option("--context", metavar="CONTEXT", help="kubeconfig context (default: current).")
]
ClusterOption = Annotated[
    str | None,
    typer.Option("--cluster", metavar="NAME", help="Cluster name from EKS_DOCTOR_CONFIG (quotas, context)."),
]
NamespaceOption = Annotated[
    str | None, typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Namespace of the workload.")
]
WorkloadArgument = Annotated[
    str,
    typer.Argument(metavar="WORKLOAD", help="kind/name, namespace/name or name (e.g. deploy/checkout)."),
]
