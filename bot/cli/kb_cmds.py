"""`eks-doctor kb`: list, read and validate knowledge-base entries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.context import cli_context
from bot.cli.output import console, print_json
from bot.errors import KnowledgeBaseError

kb_app = typer.Typer(help="The knowledge base: list, show and validate entries.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


@kb_app.command("list")
def list_entries(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every entry, with where it was loaded from."""
    from bot.core.knowledge import list_entries

    rows = list_entries(cli_context().doctor)
    if as_json:
        print_json([{"id": r["id"], "title": r["title"], "source": r["source"]} for r in rows])
        return
    table = Table("id", "title", "source", box=None, header_style="bold")
    for row in rows:
        table.add_row(row["id"], escape(row["title"]), escape(row["source"]))
    console.print(table)


@kb_app.command("show")
def show(
    entry_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
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
def validate(folder: Annotated[Path, typer.Argument(metavar="DIR", help="A folder of entry YAML files.")]) -> None:
    """Check a folder of entries; every problem is listed with file and field (exit 2 if any)."""
    from bot.core.knowledge import validate_folder

    problems, count = validate_folder(folder)
    if problems:
        for problem in problems:
            console.print(f"[red]✗[/] {escape(problem)}", soft_wrap=True)
        raise KnowledgeBaseError(problems)
    console.print(f"[green]✓[/] {count} entr{'y' if count == 1 else 'ies'} in {escape(str(folder))} are valid")
