"""`eks-doctor fix`, `undo`, `actions list`, and `quota draft|status|list`.

`fix` shows the exact change first and asks `Apply? [y/N]` on a terminal; elsewhere it needs `--yes`
(a script must say it means it). `undo` names one recorded action, so it only asks on a terminal.
Exit codes: 0 done (or already done, or dry-run passed), 2 refused or bad input, 3 the cluster or the
store failed (including a change that was applied but could not be recorded: the output says what).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape

from bot.cli.context import cli_context
from bot.cli.output import console, err_console, print_json
from bot.errors import InputError, RefusedError

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ContextOption = Annotated[str | None, typer.Option("--context", help="kubeconfig context (default: current).")]
ClusterOption = Annotated[
    str | None, typer.Option("--cluster", help="Cluster name from EKS_DOCTOR_CONFIG (quotas, context).")
]
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


@contextmanager
def _store() -> Iterator[Any]:
    from bot.store import open_checked_store

    store = open_checked_store(cli_context().settings.database_url)
    try:
        yield store
    finally:
        store.dispose()


def _connect(*, cluster: str | None, context: str | None) -> tuple[Any, Any, str]:
    """(cluster config, api, the cluster name recorded with actions and drafts)."""
    from bot.cluster.kubeapi import connect
    from bot.cluster.targets import resolve_target

    ctx = cli_context()
    target, kube_context = resolve_target(ctx.config, cluster=cluster, context=context)
    api = connect(context=kube_context, timeout=ctx.settings.kube_timeout_seconds)
    configured = {c.name for c in ctx.config.clusters}
    # An unconfigured cluster is recorded by its kubeconfig context, so `undo` can find it again.
    name = target.name if target.name in configured or context or cluster else api.context_name
    return target, api, name


def _raw(text: str, *, style: str | None = None) -> None:
    """Text people copy (commands, tickets): never wrapped, no markup."""
    console.print(text, markup=False, highlight=False, soft_wrap=True, style=style)


def _parse_sets(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {pair!r}: expected KEY=VALUE, e.g. ipvs-tcp-timeout=3600s")
        values[key.strip()] = value
    return values


def _interactive() -> bool:
    return sys.stdin.isatty()


def _confirm(question: str, *, yes: bool, required: bool) -> None:
    """Ask on a terminal; elsewhere go on only with --yes when `required`."""
    if yes:
        return
    if _interactive():
        if not typer.confirm(question, default=False):
            raise RefusedError("not applied: you answered no")
        return
    if required:
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


def _finish(result: Any, *, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
    else:
        colour = STATUS_STYLE.get(result.status, "white")
        action = f" (action {result.action_id})" if result.action_id else ""
        status = result.status.replace("_", " ")
        console.print(f"[{colour}]{status}[/]{escape(action)}: {escape(result.message)}", soft_wrap=True)
        if result.status == "applied" and result.kind == "patch" and result.action_id:
            console.print(f"[dim]undo with: eks-doctor undo {result.action_id}[/]")
    if result.exit_code:
        err_console.print(f"[bold red]error:[/] {escape(result.message)}")
        raise typer.Exit(result.exit_code)


# -- fix / undo / actions ---------------------------------------------------------------------------


def fix(
    workload: Annotated[str, typer.Argument(help="kind/name, namespace/name or name (e.g. deploy/checkout).")],
    entry: Annotated[str, typer.Option("--entry", "-e", help="Knowledge entry whose patch to apply.")],
    namespace: Annotated[str | None, typer.Option("--namespace", "-n", help="Namespace of the workload.")] = None,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE for one of the entry's annotations (repeatable).")
    ] = None,
    symptom: Annotated[
        str | None, typer.Option("--symptom", help="What you see; e.g. the client's idle timeout shapes the value.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only the server-side dry-run; change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    context: ContextOption = None,
    cluster: ClusterOption = None,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Incident this fix belongs to (marked mitigated once applied).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply an entry's annotation patch to a Deployment, StatefulSet or DaemonSet (dry-run first, recorded)."""
    from bot.cluster.references import parse_reference
    from bot.remedies.policy import cli_actor
    from bot.remedies.service import apply_fix, check_request, find_entry, prepare_fix

    ctx = cli_context()
    overrides = _parse_sets(sets or [])
    check_request(find_entry(ctx.knowledge, entry), overrides)  # bad input stops before any request
    with _store() as store:
        _target, api, cluster_name = _connect(cluster=cluster, context=context)
        ref = parse_reference(workload, namespace=namespace, default_namespace=api.default_namespace)
        plan = prepare_fix(
            kb=ctx.knowledge, api=api, workload=ref, entry_id=entry, overrides=overrides, symptom_text=symptom
        )
        if not as_json:
            _print_plan(plan, title=f"fix {plan.entry_id} on {plan.workload} (cluster {cluster_name})")
        if not plan.already_applied and not dry_run:
            _confirm("Apply?", yes=yes, required=True)
        result = apply_fix(
            store=store,
            api=api,
            config=ctx.config,
            plan=plan,
            actor=cli_actor(),
            cluster=cluster_name,
            dry_run_only=dry_run,
            incident_id=incident,
        )
    _finish(result, as_json=as_json)


def undo(
    action_id: Annotated[str, typer.Argument(help="The action to undo (from `eks-doctor actions list`).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask on a terminal.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only the server-side dry-run.")] = False,
    context: Annotated[
        str | None, typer.Option("--context", help="kubeconfig context (default: the action's cluster).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Restore the annotations a fix changed, exactly as they were (refused if changed since)."""
    from bot.remedies.policy import cli_actor
    from bot.remedies.service import apply_undo, prepare_undo
    from bot.store import get_action

    ctx = cli_context()
    with _store() as store:
        action = get_action(store, action_id=action_id)
        names = {c.name for c in ctx.config.clusters}
        recorded = action.cluster if action.cluster not in (None, "in-cluster", "current", "default") else None
        by_name = recorded if recorded in names else None
        by_context = context or (recorded if recorded not in names else None)
        _target, api, _name = _connect(cluster=by_name, context=by_context)
        preview = prepare_undo(store=store, kb=ctx.knowledge, api=api, action_id=action_id)
        if not as_json:
            title = f"undo {action_id} ({action.entry_id}) on {preview.plan.workload} (cluster {action.cluster})"
            _print_plan(preview.plan, title=title, note=preview.note)
        if preview.plan.changes and not preview.plan.expectation_failures() and not dry_run:
            _confirm("Undo?", yes=yes, required=False)
        result = apply_undo(
            store=store, api=api, config=ctx.config, preview=preview, actor=cli_actor(), dry_run_only=dry_run
        )
    _finish(result, as_json=as_json)


@actions_app.callback(invoke_without_command=True)
def actions_default(typer_ctx: typer.Context) -> None:
    """Without a subcommand: the recent actions (`actions list`)."""
    if typer_ctx.invoked_subcommand is None:
        actions_list(cluster=None, status=None, limit=20, as_json=False)


@actions_app.command("list")
def actions_list(
    cluster: Annotated[str | None, typer.Option("--cluster", help="Only this cluster.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="applied, failed, refused, dry_run, ...")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Fixes and undos, newest first: who, when, what changed, and whether it was undone."""
    from bot.remedies.service import list_fix_actions

    with _store() as store:
        actions = list_fix_actions(store=store, cluster=cluster, status=status, limit=limit)
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
    quota_type: Annotated[str, typer.Option("--type", "-t", help="pods-per-cluster or security-group-instances.")],
    cluster: ClusterOption = None,
    context: ContextOption = None,
    requested: Annotated[int | None, typer.Option("--requested", help="The new limit to ask for.")] = None,
    security_group: Annotated[
        str | None, typer.Option("--security-group", help="Security group id ('default': the default group).")
    ] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Who support should contact.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Draft a quota-increase ticket (English and Chinese) from live usage, and keep it as a draft."""
    from bot.remedies.policy import cli_actor
    from bot.remedies.quota import draft_ticket
    from bot.remedies.tickets import quota_kind

    quota_kind(quota_type)  # an unknown type stops before any request
    ctx = cli_context()
    actor = cli_actor()
    with _store() as store:
        target, api, _name = _connect(cluster=cluster, context=context)
        draft, record, notes = draft_ticket(
            store=store,
            api=api,
            kb=ctx.knowledge,
            cluster_config=target,
            quota_type=quota_type,
            requested=requested,
            contact=contact or actor.id,
            actor=actor.label,
            warn_ratio=ctx.settings.quota_warn_ratio,
            security_group=security_group,
        )
    if as_json:
        data = draft.as_dict()
        data.update(id=record.id if record else None, status="draft", notes=notes)
        print_json(data)
    else:
        _print_draft(draft, record, notes)
    if record is None:
        raise typer.Exit(3)


def _print_draft(draft: Any, record: Any, notes: list[str]) -> None:
    label = f"ticket draft {record.id} (draft)" if record else "ticket draft (not saved)"
    console.print(f"[bold]{escape(label)}: {escape(draft.quota_type)} on cluster {escape(draft.cluster)}[/]")
    share = draft.usage * 100 // max(draft.limit, 1)
    console.print(f"usage {draft.usage} of {draft.limit} ({share}%), pending pods {draft.pending}")
    console.print(f"suggested new limit {draft.suggested_limit}: {escape(draft.reasoning)}")
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
    ticket_id: Annotated[str, typer.Argument(help="The draft's id (tkt-...).")],
    new_status: Annotated[
        str | None, typer.Option("--set", help="submitted, approved or rejected (or back to draft).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a ticket draft's status, or change it."""
    from bot.remedies.policy import cli_actor
    from bot.remedies.quota import set_ticket_status, ticket_dict
    from bot.store import get_ticket_draft

    with _store() as store:
        if new_status is not None:
            record = set_ticket_status(store=store, ticket_id=ticket_id, status=new_status, actor=cli_actor().label)
        else:
            record = get_ticket_draft(store, ticket_id=ticket_id)
    if as_json:
        print_json(ticket_dict(record))
        return
    figures = record.figures
    console.print(
        f"{escape(record.id)}: [bold]{record.status}[/] — {escape(record.ticket_type)} on "
        f"{escape(str(record.cluster))}, usage {figures.get('usage')} of {figures.get('limit')}, "
        f"requested {figures.get('requested')}"
    )


@quota_app.command("list")
def quota_list(
    status: Annotated[str | None, typer.Option("--status", help="draft, submitted, approved, rejected.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """Ticket drafts, newest first."""
    from bot.remedies.quota import list_tickets, ticket_dict

    with _store() as store:
        records = list_tickets(store=store, status=status, limit=limit)
    if as_json:
        print_json([ticket_dict(r) for r in records])
        return
    if not records:
        console.print("no ticket drafts")
    for r in records:
        console.print(
            f"{escape(r.id)}  {r.created_at:%Y-%m-%d %H:%M}  {r.status:<9}  {escape(r.ticket_type)}  "
            f"{escape(str(r.cluster))}  usage {r.figures.get('usage')}/{r.figures.get('limit')} -> "
            f"{r.figures.get('requested')}"
        )
