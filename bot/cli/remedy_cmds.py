"""`eks-doctor fix`, `undo`, `actions list`, and `quota draft|status|list`.

`fix` and `undo` show the exact change first and ask on a terminal; elsewhere they need `--yes` (a
script must say it means it): a write never happens unasked, whatever the channel.
Exit codes: 0 done (or already done, or dry-run passed), 2 refused or bad input, 3 the cluster or the
store failed (including a change that was applied but could not be recorded: the output says what).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from bot.cli.context import cli_context
from bot.cli.options import ClusterOption, ContextOption, JsonOption, NamespaceOption, WorkloadArgument
from bot.cli.output import console, escape, print_error, print_json, print_table
from bot.errors import RefusedError

STATUS_STYLE = {"applied": "green", "already_applied": "green", "dry_run": "cyan", "refused": "red", "failed": "red"}

actions_app = typer.Typer(help="Fixes and undos recorded by EKS Doctor.", no_args_is_help=False)
quota_app = typer.Typer(help="Quota-increase ticket drafts filled from live figures.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `eks-doctor` app."""
    app.command("fix")(fix)
    app.command("undo")(undo)
    app.add_typer(actions_app, name="actions")
    app.add_typer(quota_app, name="quota")


# -- plumbing ---------------------------------------------------------------------------------------


def _raw(text: str, *, style: str | None = None) -> None:
    """Text people copy (commands, tickets): never wrapped, no markup."""
    console.print(text, markup=False, highlight=False, soft_wrap=True, style=style)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _confirm(question: str, *, yes: bool) -> None:
    """Ask on a terminal; elsewhere go on only with --yes."""
    if yes:
        return
    if _interactive():
        if not typer.confirm(question, default=False):
            raise RefusedError("not applied: you answered no")
        return
    raise RefusedError("not applied: no terminal to confirm on", hint="pass --yes to apply, or --dry-run")


def _print_plan(plan: Any, *, title: str, note: str | None = None) -> None:
    console.print(f"[bold]{escape(title)}[/]")
    for line in plan.diff_lines:
        colour = "red" if line.startswith("- ") else "green" if line.startswith("+ ") else None
        _raw(line, style=colour)
    for key, reason in plan.reasons.items():
        if key in plan.changes or key in plan.raise_only:
            _raw(f"  why {key.rsplit('/', 1)[-1]}: {reason}", style="dim")
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if note:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"[bold]consequence:[/] {escape(plan.consequence)}", soft_wrap=True)
    if plan.changes:
        console.print("[dim]the same change with kubectl (GitOps users: put it in the manifest instead):[/]")
        _raw("  " + plan.kubectl_command())


def _finish(result: Any, *, as_json: bool, incident: str | None = None) -> None:
    """The outcome once: on stdout when it went through, as one error line on stderr when it did not
    (with --json the result object is on stdout either way)."""
    action = f" (action {result.action_id})" if result.action_id else ""
    status = result.status.replace("_", " ")
    if as_json:
        print_json(result.as_dict())
    elif not result.exit_code:
        colour = STATUS_STYLE.get(result.status, "white")
        console.print(f"[{colour}]{status}[/]{escape(action)}: {escape(result.message)}", soft_wrap=True)
        if result.status == "applied" and result.kind == "patch" and result.action_id:
            console.print(f"[dim]undo with: eks-doctor undo {result.action_id}[/]")
        if incident and result.kind == "patch" and result.status in ("applied", "already_applied"):
            # Read back and verified: the incident is mitigated; whether the symptom is gone, people say.
            console.print(
                f"incident {escape(incident)} is mitigated; once the problem is gone: "
                f"[cyan]eks-doctor incidents resolve {escape(incident)}[/]"
            )
    if result.exit_code:
        print_error(f"{status}{action}: {result.message}", exit_code=result.exit_code, as_json=False)
        raise typer.Exit(result.exit_code)


# -- fix / undo / actions ---------------------------------------------------------------------------


def fix(
    workload: WorkloadArgument,
    entry: Annotated[str, typer.Option("--entry", "-e", metavar="ID", help="Knowledge entry whose patch to apply.")],
    namespace: NamespaceOption = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="One of the entry's annotations (repeatable)."),
    ] = None,
    symptom: Annotated[
        str | None,
        typer.Option(
            "--symptom", metavar="TEXT", help="What you see; e.g. the client's idle timeout shapes the value."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only the server-side dry-run; change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    context: ContextOption = None,
    cluster: ClusterOption = None,
    incident: Annotated[
        str | None,
        typer.Option("--incident", metavar="ID", help="Incident this fix belongs to (marked mitigated once applied)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply an entry's annotation patch to a Deployment, StatefulSet or DaemonSet (dry-run first, recorded)."""
    from bot.core.fixes import apply_fix, check_fix_request, parse_sets, preview_fix

    ctx = cli_context()
    overrides = parse_sets(sets or [])
    check_fix_request(ctx.doctor, entry_id=entry, overrides=overrides)  # bad input stops before any request
    preview = preview_fix(
        ctx.doctor,
        workload=workload,
        entry_id=entry,
        namespace=namespace,
        overrides=overrides,
        symptom=symptom,
        cluster=cluster,
        context=context,
        incident_id=incident,
    )
    plan = preview.plan
    if not as_json:
        _print_plan(plan, title=f"fix {plan.entry_id} on {plan.workload} (cluster {preview.cluster})")
    if not plan.already_applied and not dry_run:
        _confirm("Apply?", yes=yes)
    result = apply_fix(ctx.doctor, actor=ctx.actor, preview=preview, dry_run=dry_run)
    _finish(result, as_json=as_json, incident=incident)


def undo(
    action_id: Annotated[
        str, typer.Argument(metavar="ACTION_ID", help="The action to undo (from `eks-doctor actions list`).")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Undo without asking.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only the server-side dry-run.")] = False,
    context: Annotated[
        str | None,
        typer.Option("--context", metavar="CONTEXT", help="kubeconfig context (default: the action's cluster)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Restore the annotations a fix changed, exactly as they were (refused if changed since)."""
    from bot.core.fixes import apply_undo, preview_undo

    ctx = cli_context()
    preview = preview_undo(ctx.doctor, action_id=action_id, context=context)
    action = preview.action
    if not as_json:
        title = f"undo {action_id} ({action.entry_id}) on {preview.plan.workload} (cluster {action.cluster})"
        _print_plan(preview.plan, title=title, note=preview.note)
    if preview.plan.changes and not preview.plan.expectation_failures() and not dry_run:
        _confirm("Undo?", yes=yes)
    result = apply_undo(ctx.doctor, actor=ctx.actor, preview=preview, dry_run=dry_run)
    _finish(result, as_json=as_json)


@actions_app.callback(invoke_without_command=True)
def actions_default(typer_ctx: typer.Context) -> None:
    """Without a subcommand: the recent actions (`actions list`)."""
    if typer_ctx.invoked_subcommand is None:
        actions_list(cluster=None, status=None, limit=20, as_json=False)


@actions_app.command("list")
def actions_list(
    cluster: Annotated[str | None, typer.Option("--cluster", metavar="NAME", help="Only this cluster.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", metavar="STATUS", help="applied, failed, refused, dry_run, ...")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", min=1, max=1000, help="At most this many, newest first.")
    ] = 50,
    as_json: JsonOption = False,
) -> None:
    """Fixes and undos, newest first: who, when, what changed, and whether it was undone."""
    from bot.core.fixes import list_actions

    actions = list_actions(cli_context().doctor, cluster=cluster, status=status, limit=limit)
    if as_json:
        print_json([a.as_dict() for a in actions])
        return
    if not actions:
        console.print("no actions recorded")
        return
    for a in actions:
        change = ", ".join(f"{k.rsplit('/', 1)[-1]}={v if v is not None else '(absent)'}" for k, v in a.after.items())
        kind = f"{a.entry_id}" if a.kind == "patch" else f"undo of {a.undo_of}"
        undone = f"  [dim]undone by {a.undone_by}[/]" if a.undone_by else ""
        line = (
            f"{a.id}  {a.created_at:%Y-%m-%d %H:%M}  [{STATUS_STYLE.get(a.status, 'white')}]{a.status:<15}[/]  "
            f"{escape(kind)}  {a.workload_kind.lower()}/{escape(a.workload_name)} in {escape(str(a.namespace))} "
            f"({escape(str(a.cluster))})  {escape(change)}  by {escape(a.actor)}{undone}"
        )
        console.print(line, soft_wrap=True)


# -- quota ------------------------------------------------------------------------------------------


@quota_app.command("draft")
def quota_draft(
    quota_type: Annotated[
        str, typer.Option("--type", "-t", metavar="TYPE", help="pods-per-cluster or security-group-instances.")
    ],
    cluster: ClusterOption = None,
    context: ContextOption = None,
    requested: Annotated[int | None, typer.Option("--requested", metavar="N", help="The new limit to ask for.")] = None,
    security_group: Annotated[
        str | None,
        typer.Option("--security-group", metavar="SG_ID", help="Security group id ('default': the default group)."),
    ] = None,
    contact: Annotated[str | None, typer.Option("--contact", metavar="WHO", help="Who support should contact.")] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", metavar="ID", help="Incident this ticket belongs to.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Draft a quota-increase ticket (English and Chinese) from live usage, and keep it as a draft."""
    from bot.core.quotas import check_quota_type, draft_quota

    check_quota_type(quota_type)  # an unknown type stops before any request
    ctx = cli_context()
    result = draft_quota(
        ctx.doctor,
        actor=ctx.actor,
        quota_type=quota_type,
        cluster=cluster,
        context=context,
        requested=requested,
        security_group=security_group,
        contact=contact,
        incident_id=incident,
    )
    if as_json:
        print_json(result.as_dict())
    else:
        _print_draft(result.draft, result.record, result.notes)
    if result.record is None:
        raise typer.Exit(3)


def _print_draft(draft: Any, record: Any, notes: list[str]) -> None:
    label = f"ticket draft {record.id} (draft)" if record else "ticket draft (not saved)"
    console.print(f"[bold]{escape(label)}: {escape(draft.quota_type)} on cluster {escape(draft.cluster)}[/]")
    share = draft.usage * 100 // max(draft.limit, 1)
    console.print(f"usage {draft.usage} of {draft.limit} ({share}%), pending pods {draft.pending}")
    if draft.requested != draft.suggested_limit:
        console.print(f"asking for {draft.requested} (suggested {draft.suggested_limit}): {escape(draft.reasoning)}")
    else:
        console.print(f"asking for {draft.requested}: {escape(draft.reasoning)}")
    for warning in draft.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    for note in notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if draft.where:
        console.print(f"file it at: {escape(draft.where)}")
    for heading, text in (("English", draft.text_en), ("中文", draft.text_zh)):
        console.rule(heading)
        _raw(text)
    console.rule()
    if record:
        console.print(f"[dim]after filing: eks-doctor quota status {record.id} --set submitted[/]")


@quota_app.command("status")
def quota_status(
    ticket_id: Annotated[str, typer.Argument(metavar="TICKET_ID", help="The draft's id (tkt-...).")],
    new_status: Annotated[
        str | None,
        typer.Option("--set", metavar="STATUS", help="submitted, approved or rejected (or back to draft)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a ticket draft's status, or change it."""
    from bot.core.quotas import get_ticket, set_ticket_status

    ctx = cli_context()
    if new_status is not None:
        record = set_ticket_status(ctx.doctor, actor=ctx.actor, ticket_id=ticket_id, status=new_status)
    else:
        record = get_ticket(ctx.doctor, ticket_id=ticket_id)
    if as_json:
        print_json(record.as_dict())
        return
    figures = record.figures
    console.print(
        f"{escape(record.id)}: [bold]{record.status}[/] — {escape(record.ticket_type)} on "
        f"{escape(str(record.cluster))}, usage {figures.get('usage')} of {figures.get('limit')}, "
        f"requested {figures.get('requested')}"
    )


@quota_app.command("list")
def quota_list(
    status: Annotated[
        str | None, typer.Option("--status", metavar="STATUS", help="draft, submitted, approved, rejected.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, max=1000, help="At most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Ticket drafts, newest first."""
    from bot.core.quotas import list_tickets

    records = list_tickets(cli_context().doctor, status=status, limit=limit)
    if as_json:
        print_json([r.as_dict() for r in records])
        return
    if not records:
        console.print("no ticket drafts" + (f" with status {status}" if status else ""))
        return
    from rich.table import Table

    table = Table("id", "created (UTC)", "status", "type", "cluster", "usage", "limit", "requested", box=None)
    for column in table.columns:
        column.no_wrap = True
    for column in table.columns[5:]:
        column.justify = "right"
    for r in records:
        figures = r.figures
        table.add_row(
            r.id, f"{r.created_at:%Y-%m-%d %H:%M}", r.status, r.ticket_type, escape(str(r.cluster or "-")),
            *(str(figures.get(key, "-")) for key in ("usage", "limit", "requested")),
        )  # fmt: skip
    print_table(table)
