"""`eks-doctor kb`: list, read and validate knowledge-base entries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import cli_context
from bot.cli.options import JsonOption
from bot.cli.output import console, err_console, escape, print_json, print_table
from bot.errors import KnowledgeBaseError

kb_app = typer.Typer(help="The knowledge base: list, show and validate entries.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


@kb_app.command("list")
def list_entries(as_json: JsonOption = False) -> None:
    """Every entry, with where it was loaded from."""
    from rich.table import Table

    from bot.core.knowledge import list_entries

    rows = list_entries(cli_context().doctor)
    if as_json:
        print_json([{"id": r["id"], "title": r["title"], "source": r["source"]} for r in rows])
        return
    table = Table("id", "title", "source", box=None, header_style="bold")
    for row in rows:
        table.add_row(row["id"], escape(row["title"]), escape(row["source"]))
    print_table(table)


@kb_app.command("show")
def show(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="An entry id from `eks-doctor kb list`.")],
    as_json: JsonOption = False,
) -> None:
    """One entry for a human: cause, symptoms, checks and remedy."""
    from bot.core.knowledge import entry_source, get_entry

    doctor = cli_context().doctor
    entry = get_entry(doctor, entry_id=entry_id)
    if as_json:
        print_json(entry.model_dump(mode="json") | {"source_file": entry_source(doctor, entry_id=entry.id)})
        return
    from bot.cli.entry_view import render_entry

    console.print(render_entry(entry))


@kb_app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A folder of entry YAML files.")],
    as_json: JsonOption = False,
) -> None:
    """Check a folder of entries the way EKS_DOCTOR_KB_PATH would load it: every problem with file and
    field (exit 2 if any), and every change it makes to the bundled knowledge (a replaced entry, an
    extended concept, a veto for every entry), which is allowed but shown as a finding."""
    from bot.core.knowledge import validate_folder

    review = validate_folder(cli_context().doctor, folder=folder)
    problems = review.problems
    if as_json:
        report = review.as_dict()
        if problems:
            error = KnowledgeBaseError(problems)
            report["error"] = {"message": str(error), "exit_code": error.exit_code}
            err_console.print(f"[bold red]error:[/] {len(problems)} problem(s) in {escape(str(folder))}")
        print_json(report)
        if problems:
            raise typer.Exit(KnowledgeBaseError.exit_code)
        return
    for rule in review.widened:
        console.print(
            f"[yellow]![/] {escape(rule.source)} widens the annotation allow-list: {escape(rule.key)} "
            f"({escape(rule.describe())})",
            soft_wrap=True,
        )
    for finding in review.findings:
        mark = "[yellow]![/]" if finding.warns else "[dim]·[/]"
        console.print(f"{mark} {escape(finding.line())}", soft_wrap=True)
    if problems:
        for problem in problems:
            console.print(f"[red]✗[/] {escape(problem)}", soft_wrap=True)
        raise KnowledgeBaseError(problems)
    count = review.entry_files
    said = f" with {len(review.findings)} finding{'s' if len(review.findings) != 1 else ''}" if review.findings else ""
    console.print(f"[green]✓[/] {count} entr{'y' if count == 1 else 'ies'} in {escape(str(folder))} are valid{said}")


@kb_app.command("gaps")
def gaps(
    since: Annotated[str | None, typer.Option("--since", help="7d, 24h, 2w or an ISO date; default all time.")] = None,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write them as labelled JSONL, for review before training.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Queries the matcher missed (nothing matched, or someone said "not this"), grouped by what was finally
    chosen or confirmed. Nothing is learned from them until a maintainer adds them to the training set."""
    import json

    from bot.cli.store_cmds import _parse_since
    from bot.core.knowledge import gaps as read_gaps

    grouped = read_gaps(cli_context().doctor, since=_parse_since(since))
    lines = [gap.as_jsonl() for group in grouped.values() for gap in group]
    if export is not None:
        with export.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    if as_json:
        print_json({answer: [gap.as_jsonl() for gap in group] for answer, group in grouped.items()})
        return
    if not lines:
        console.print("no gaps: every recorded query matched, and no proposal was rejected")
        return
    for answer, group in grouped.items():
        title = "nothing chosen or confirmed" if answer == "none" else answer
        console.print(f"\n[bold]{escape(title)}[/] ({len(group)})")
        for gap in group[:20]:
            said = f"  [dim]proposed {', '.join(gap.matched)}; not {', '.join(gap.rejected)}[/]" if gap.rejected else ""
            query = " ".join(gap.query.split())
            console.print(f"  {gap.incident_id}  {escape(query[:100])}{said}", soft_wrap=True)
        if len(group) > 20:
            console.print(f"  [dim]… {len(group) - 20} more (--json or --export)[/]")
    if export is not None:
        console.print(f"\n{len(lines)} queries written to {escape(str(export))} for review", soft_wrap=True)
