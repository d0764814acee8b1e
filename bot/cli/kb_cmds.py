"""`eks-doctor kb`: list, read and validate knowledge-base entries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.context import cli_context
from bot.cli.output import console, print_json
from bot.errors import KnowledgeBaseError, NotFoundError

kb_app = typer.Typer(help="The knowledge base: list, show and validate entries.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


@kb_app.command("list")
def list_entries(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every entry, with where it was loaded from."""
    kb = cli_context().knowledge
    rows = [{"id": e.id, "title": e.title, "source": kb.sources[e.id]} for e in kb.entries.values()]
    if as_json:
        print_json(rows)
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
    from rapidfuzz import fuzz, process

    kb = cli_context().knowledge
    entry = kb.get(entry_id)
    if entry is None:
        close = [
            c for c, _, _ in process.extract(entry_id, kb.ids(), scorer=fuzz.partial_ratio, limit=3, score_cutoff=75)
        ]
        raise NotFoundError(f"no knowledge entry {entry_id!r}", suggestions=close)
    if as_json:
        print_json(entry.model_dump(mode="json") | {"source_file": kb.sources[entry.id]})
        return
    from bot.cli.entry_view import render_entry

    console.print(render_entry(entry))


@kb_app.command("validate")
def validate(folder: Annotated[Path, typer.Argument(metavar="DIR", help="A folder of entry YAML files.")]) -> None:
    """Check a folder of entries; every problem is listed with file and field (exit 2 if any)."""
    from knowledge.loader import validate_folder

    problems = validate_folder(folder)
    if problems:
        for problem in problems:
            console.print(f"[red]✗[/] {escape(problem)}", soft_wrap=True)
        raise KnowledgeBaseError(problems)
    count = len([p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.name != "lexicon.yaml"])
    console.print(f"[green]✓[/] {count} entr{'y' if count == 1 else 'ies'} in {escape(str(folder))} are valid")
