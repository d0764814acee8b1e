"""`eks-doctor incidents list|show|resolve`, `eks-doctor stats`, `eks-doctor db upgrade|current`.

The database comes from EKS_DOCTOR_DATABASE_URL. The default SQLite file is created and migrated on
first use; a PostgreSQL schema that is behind stops the command with the fix (`eks-doctor db upgrade`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from bot.cli.context import cli_context
from bot.cli.options import JsonOption
from bot.cli.output import console, print_json, print_table
from bot.errors import InputError

incidents_app = typer.Typer(help="Incidents recorded from Slack and the CLI.", no_args_is_help=False)
db_app = typer.Typer(help="The incident database's schema.", no_args_is_help=True)

JsonFlag = JsonOption


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _list_row(summary: Any) -> dict[str, Any]:
    data = summary.as_dict()
    return {
        key: data[key]
        for key in (
            "id",
            "status",
            "entries",
            "created_at",
            "source",
            "cluster",
            "namespace",
            "workload",
            "symptom",
            "reporter",
            "mitigated_at",
            "resolved_at",
        )
    }


@incidents_app.callback(invoke_without_command=True)
def incidents_default(ctx: typer.Context) -> None:
    """Without a subcommand: the open and recent incidents (`incidents list`)."""
    if ctx.invoked_subcommand is None:
        list_cmd(status=None, limit=20, as_json=False)


@incidents_app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option("--status", help="open, mitigated or resolved.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List incidents, newest first."""
    from rich.table import Table
    from rich.text import Text

    from bot.core.incidents import list_incidents

    incidents = list_incidents(cli_context().doctor, status=status, limit=limit)
    if as_json:
        print_json([_list_row(i) for i in incidents])
        return
    if not incidents:
        console.print("no incidents recorded" + (f" with status {status}" if status else ""))
        return
    table = Table("id", "status", "created (UTC)", "entries", "where", "symptom")
    for column in table.columns[:3]:
        column.no_wrap = True  # ids are copied into the next command; they must stay on one line
    table.columns[3].overflow = "fold"  # entry ids wrap on a narrow terminal, never end in "…"
    for i in incidents:
        where = "/".join(part for part in (i.cluster, i.namespace, i.workload) if part) or "-"
        symptom = i.symptom if len(i.symptom) <= 60 else i.symptom[:59] + "…"
        # User text goes in as Text: a '[...]' in a paste is not rich markup.
        table.add_row(i.id, i.status, _when(i.created_at), ", ".join(i.entries) or "-", Text(where), Text(symptom))
    print_table(table)


@incidents_app.command("show")
def show_cmd(
    incident_id: Annotated[str, typer.Argument(help="An id from `incidents list`.")], as_json: JsonFlag = False
) -> None:
    """One incident: what was reported, matched, found and done, as a timeline."""
    from rich.table import Table
    from rich.text import Text

    from bot.core.incidents import show_incident

    detail = show_incident(cli_context().doctor, incident_id=incident_id)
    if as_json:
        print_json(detail.as_dict())
        return
    i = detail.incident
    console.print(
        Text.assemble(
            (i.id, "bold"),
            f"  {i.status}  opened {_when(i.created_at)} UTC via {i.source}"
            + (f" by {i.reporter}" if i.reporter else ""),
        )
    )
    where = ", ".join(
        f"{k} {v}" for k, v in (("cluster", i.cluster), ("namespace", i.namespace), ("workload", i.workload)) if v
    )
    if where:
        console.print(where, markup=False)
    console.print(f"symptom: {i.symptom}", markup=False)
    if detail.matches:
        console.print("matches: " + ", ".join(f"{m.entry_id} ({m.score:.0f})" for m in detail.matches))
    table = Table("when (UTC)", "what", "who", "details")
    table.columns[0].no_wrap = True
    for event in detail.timeline:
        table.add_row(_when(event.at), event.kind, Text(event.actor or "-"), Text(event.message or ""))
    print_table(table)


@incidents_app.command("resolve")
def resolve_cmd(
    incident_id: Annotated[str, typer.Argument(help="An id from `incidents list`.")],
    note: Annotated[str | None, typer.Option("--note", help="Why or how it was resolved.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mark an incident resolved (stamps the time; resolving twice changes nothing)."""
    from bot.core.incidents import resolve_incident

    ctx = cli_context()
    summary = resolve_incident(ctx.doctor, actor=ctx.actor, incident_id=incident_id, note=note)
    if as_json:
        print_json(_list_row(summary))
    else:
        console.print(f"{summary.id} resolved at {_when(summary.resolved_at)} UTC")


def _parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    match = re.fullmatch(r"(\d+)([hdw])", text.strip())
    if match:
        hours = int(match[1]) * {"h": 1, "d": 24, "w": 168}[match[2]]
        return datetime.now(UTC) - timedelta(hours=hours)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since {text!r} is neither a duration like 7d/24h/2w nor an ISO date") from None


def stats_cmd(
    since: Annotated[str | None, typer.Option("--since", help="7d, 24h, 2w or an ISO date; default all time.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Incidents per entry, time to mitigate, fixes applied and undone."""
    from rich.table import Table

    from bot.core.incidents import statistics

    start = _parse_since(since)
    figures = statistics(cli_context().doctor, since=start)
    if as_json:
        print_json(figures.as_dict())
        return
    n = figures.incidents
    console.print(
        f"incidents: {n['total']} ({n['open']} open, {n['mitigated']} mitigated, {n['resolved']} resolved)"
        + (f" since {start:%Y-%m-%d %H:%M} UTC" if start else "")
    )
    ttm = figures.time_to_mitigate
    if ttm["count"]:
        console.print(
            f"time to mitigate: median {_duration(ttm['median_seconds'])}, "
            f"p90 {_duration(ttm['p90_seconds'])} over {ttm['count']} incidents"
        )
    f = figures.fixes
    console.print(f"fixes: {f['applied']} applied, {f['undone']} undone, {f['failed']} failed, {f['dry_run']} dry runs")
    if figures.entries:
        table = Table("entry", "incidents", "confirmed", "fixes", "undone", "helped", "not this")
        table.columns[0].no_wrap = True
        for e in figures.entries:
            table.add_row(
                e.entry_id,
                *(str(v) for v in (e.incidents, e.confirmed, e.fixes_applied, e.fixes_undone, e.helped, e.not_this)),
            )
        print_table(table)


def _duration(seconds: Any) -> str:
    seconds = float(seconds or 0)
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


@db_app.command("upgrade")
def db_upgrade(as_json: JsonFlag = False) -> None:
    """Migrate the database to the schema this version needs (safe to repeat)."""
    from bot.core.incidents import schema_upgrade

    before, after, url = schema_upgrade(cli_context().doctor)
    if as_json:
        print_json({"database": url, "from": before, "to": after, "changed": before != after})
    elif before == after:
        console.print(f"schema already at {after} ({url})")
    else:
        console.print(f"schema upgraded from {before or 'empty'} to {after} ({url})")


@db_app.command("current")
def db_current(as_json: JsonFlag = False) -> None:
    """Show the database's schema revision and whether it is up to date."""
    from bot.core.incidents import schema_revision

    current, head, url = schema_revision(cli_context().doctor)
    if as_json:
        print_json({"database": url, "current": current, "head": head, "up_to_date": current == head})
    elif current == head:
        console.print(f"{current} (up to date) ({url})")
    else:
        console.print(f"{current or 'empty'}: behind {head}; run `eks-doctor db upgrade` ({url})", markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `eks-doctor` app."""
    app.add_typer(incidents_app, name="incidents")
    app.command("stats")(stats_cmd)
    app.add_typer(db_app, name="db")
