"""`eks-doctor check`, `diagnose` and `scan`: findings for manifests, one workload, or many."""

from __future__ import annotations

import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from bot.cli.context import cli_context
from bot.cli.options import ClusterOption, ContextOption, JsonOption, NamespaceOption, WorkloadArgument
from bot.cli.output import console, err_console, escape, print_json, wraps
from bot.domain import Finding, Outcome, Verdict, summary_line
from bot.errors import InputError

EXIT_CONFIRMED = 1
EXIT_UNREACHABLE = 3
#: A scan of more workloads than this shows only those with a confirmed finding (the rest is in --json).
DETAIL_LIMIT = 20
STYLE = {
    Verdict.CONFIRMED: ("red", "✖", "confirmed"),
    Verdict.UNKNOWN: ("yellow", "?", "unknown"),
    Verdict.RULED_OUT: ("green", "✔", "ruled out"),
}


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("diagnose")(diagnose)
    app.command("scan")(scan)


# -- commands ---------------------------------------------------------------------------------------


def check(
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Manifest files or folders; '-' reads stdin.")],
    as_json: JsonOption = False,
) -> None:
    """Check manifests offline against every known issue. Exit 1 when something is confirmed."""
    from bot.core.inspection import check as check_files

    ctx = cli_context()
    report = check_files(ctx.doctor, paths=paths)
    for problem in report.problems:
        err_console.print(f"[yellow]warning:[/] {escape(str(problem))}")
    if report.files_read == 0 or report.workloads == 0:
        what = "no file could be read" if report.files_read == 0 else "no workloads in the given files"
        raise InputError(
            f"nothing to check: {what}", hint="Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods"
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _print_findings(report.findings, ctx.knowledge, mode="compact")
        _print_notes(report.warnings, [])
        scope = f"{_count(report.workloads, 'workload')} in {_count(report.files_read, 'file')}"
        console.print(_closing(report.findings, scope), soft_wrap=True)
    raise typer.Exit(EXIT_CONFIRMED if report.confirmed else 0)


def diagnose(
    workload: WorkloadArgument,
    namespace: NamespaceOption = None,
    context: ContextOption = None,
    cluster: ClusterOption = None,
    symptom: Annotated[
        str | None, typer.Option("--symptom", metavar="TEXT", help="What people see; matching issues first.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check one live workload against every known issue. Exit 1 when something is confirmed."""
    from bot.core.inspection import diagnose as run_diagnose

    ctx = cli_context()
    with _progress(f"reading {workload}"):
        diagnosis = run_diagnose(
            ctx.doctor,
            actor=ctx.actor,
            workload=workload,
            namespace=namespace,
            cluster=cluster,
            context=context,
            symptom=symptom,
        )
    report = diagnosis.report
    if as_json:
        print_json(diagnosis.as_dict())
    else:
        if report.matches:
            best = ", ".join(f"{m.entry_id} ({m.score:.0f})" for m in report.matches[:3])
            console.print(f"[dim]symptom matches: {escape(best)}[/]")
        _print_findings(report.findings, ctx.knowledge, mode="full")
        _print_notes(report.warnings, report.unreadable)
        console.print(_closing(report.findings, f"{report.workload} on cluster {report.cluster}"), soft_wrap=True)
        for offer in diagnosis.offers:
            console.print(f"  fix: [cyan]{escape(offer.command())}[/]  ({escape(offer.label)})", soft_wrap=True)
        _print_recording(diagnosis.recording)
    raise typer.Exit(_exit_code(report))


def _print_recording(recording) -> None:
    if recording.incident_id and recording.created:
        err_console.print(f"[dim]recorded as incident {recording.incident_id}[/]")
    elif recording.incident_id:
        err_console.print(f"[dim]added to incident {recording.incident_id}, already open about this workload[/]")
    elif recording.error:
        err_console.print(f"[yellow]note:[/] the incident could not be recorded ({escape(recording.error)})")


def scan(
    namespace: Annotated[
        str | None, typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Only this namespace.")
    ] = None,
    all_namespaces: Annotated[bool, typer.Option("--all-namespaces", "-A", help="Every namespace.")] = False,
    context: ContextOption = None,
    cluster: ClusterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check every workload of a namespace (default: the context's) or the whole cluster."""
    from bot.core.inspection import scan as run_scan

    if namespace and all_namespaces:
        raise InputError("give either --namespace or --all-namespaces, not both")
    ctx = cli_context()
    with _progress("scanning " + (f"namespace {namespace}" if namespace else "the cluster")) as update:
        result = run_scan(
            ctx.doctor,
            actor=ctx.actor,
            namespace=namespace,
            all_namespaces=all_namespaces,
            cluster=cluster,
            context=context,
            progress=update,
        )
    report, scope = result.report, result.namespace
    if as_json:
        print_json(report.as_dict())
    else:
        _print_findings(
            report.findings, ctx.knowledge, mode="compact" if report.workloads <= DETAIL_LIMIT else "confirmed"
        )
        _print_notes(report.warnings, report.unreadable)
        where = f"namespace {scope}" if scope else "all namespaces"
        scanned = f"{_count(report.workloads, 'workload')} in {where} on cluster {report.cluster}"
        console.print(_closing(report.findings, scanned), soft_wrap=True)
    raise typer.Exit(_exit_code(report))


# -- helpers ----------------------------------------------------------------------------------------


def _exit_code(report) -> int:
    """1 when something is confirmed (it is printed either way), else 3 when the cluster or the cloud
    stopped answering."""
    cloud_down = getattr(report, "cloud_unreachable", False)
    if report.unreachable:
        err_console.print("[bold red]error:[/] the cluster stopped answering; the report above is partial")
    if cloud_down:
        err_console.print(
            "[bold red]error:[/] the Tencent Cloud API did not answer; cloud checks fell back to the cluster's view"
        )
    if report.confirmed:
        return EXIT_CONFIRMED
    return EXIT_UNREACHABLE if report.unreachable or cloud_down else 0


@contextmanager
def _progress(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while the cluster is read, only when a person is watching."""
    if not sys.stderr.isatty():
        yield lambda _message: None
        return
    with err_console.status(escape(text)) as status:
        yield lambda message: status.update(escape(message))


def _print_findings(findings: list[Finding], kb, *, mode: str) -> None:
    """Grouped by workload. `full`: every finding with evidence (one workload); `compact`: confirmed
    ones in full, the rest as one line each; `confirmed`: only workloads with a confirmed finding."""
    by_workload: dict[object, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_workload[finding.workload].append(finding)
    order = {Verdict.CONFIRMED: 0, Verdict.UNKNOWN: 1, Verdict.RULED_OUT: 2}
    quiet = 0
    for workload, group in by_workload.items():
        confirmed = [f for f in group if f.verdict is Verdict.CONFIRMED]
        if mode == "confirmed" and not confirmed:
            quiet += 1
            continue
        console.print(f"\n[bold]{escape(str(workload))}[/]")
        if mode == "full":
            for finding in sorted(group, key=lambda f: order[f.verdict]):
                _print_finding(finding, kb)
            continue
        for finding in confirmed:
            _print_finding(finding, kb)
        for verdict in (Verdict.UNKNOWN, Verdict.RULED_OUT):
            ids = [f.entry_id for f in group if f.verdict is verdict]
            if ids:
                colour, icon, label = STYLE[verdict]
                console.print(f"  [{colour}]{icon} {label:<9}[/] [dim]{escape(', '.join(ids))}[/]")
    if quiet:
        console.print(f"\n[dim]{_count(quiet, 'workload')} with nothing confirmed not shown.[/]")
    if mode != "full":
        console.print("[dim]The evidence for every finding: --json, or `eks-doctor diagnose WORKLOAD`.[/]")


def _print_finding(finding: Finding, kb) -> None:
    colour, icon, label = STYLE[finding.verdict]
    entry = kb.get(finding.entry_id)
    title = f" — {escape(entry.title)}" if entry else ""
    console.print(f"  [{colour}]{icon} {label:<9}[/] [bold]{escape(finding.entry_id)}[/]{title}")
    if finding.verdict is Verdict.RULED_OUT:  # what ruled it out: the failing checks' evidence
        for check in finding.checks:
            if check.outcome is Outcome.FAILS:
                for line in check.evidence:
                    _indented(f"· {line}", style="dim")
        return
    for line in finding.evidence:
        _indented(f"· {line}")
    if finding.verdict is Verdict.CONFIRMED and entry:
        _indented(f"→ {' '.join(entry.remedy.summary.split())}", style="cyan")


def _indented(text: str, *, style: str = "", indent: int = 6) -> None:
    """On a terminal, evidence wraps under its own text (after the bullet), not under the verdict
    column; piped, each piece of evidence stays on one line."""
    from rich.text import Text

    if wraps():
        width = max(40, console.width - indent)
        text = textwrap.fill(text, width=width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2))
    else:
        text = " " * indent + text
    console.print(Text(text, style=style), soft_wrap=True)


def _print_notes(warnings: list[str], unreadable: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if unreadable:
        console.print("[yellow]could not read:[/]")
        for line in unreadable:
            _indented(f"· {line}", indent=2)


def _closing(findings: list[Finding], scope: str) -> str:
    return f"\n[bold]{summary_line(findings)}[/] [dim]({escape(scope)})[/]"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
