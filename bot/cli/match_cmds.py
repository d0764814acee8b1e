"""`eks-doctor match`: which known issue does this text describe?"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bot.cli.context import cli_context
from bot.cli.output import console, escape, print_json, print_json_line

NO_MATCH = "No known issue matches."


def match_text(doctor, *, text: str, top: int):
    from bot.core.triage import match_text as ranked

    return ranked(doctor, text=text, top=top)


def register(app: typer.Typer) -> None:
    app.command("match")(match)


def match(
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT", help="A symptom, keyword or pasted log; '-' reads one query per line from stdin."
        ),
    ],
    top: Annotated[int, typer.Option("--top", "-t", metavar="N", min=1, max=20, help="How many entries to show.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Rank the known issues for TEXT, with the reason for each match."""
    doctor = cli_context().doctor
    if text == "-":
        _match_stream(doctor, top=top, as_json=as_json)
        return
    matches = match_text(doctor, text=text, top=top)
    if as_json:
        print_json({"query": text, "matches": [m.as_dict() for m in matches]})
        return
    _print_matches(matches)


def _match_stream(doctor, *, top: int, as_json: bool) -> None:
    # The answer column is as wide as the longest "id (score)", so the queries line up.
    width = max((len(entry_id) for entry_id in cli_context().knowledge.ids()), default=4) + len(" (100)")
    for line in sys.stdin:
        query = line.rstrip("\n")
        if not query.strip():
            continue
        matches = match_text(doctor, text=query, top=top)
        if as_json:
            print_json_line({"query": query, "matches": [m.as_dict() for m in matches]})
        else:
            best = f"{matches[0].entry_id} ({matches[0].score:.0f})" if matches else "none"
            console.print(f"{escape(best):<{width}}  {escape(query[:100])}")


def _print_matches(matches) -> None:
    if not matches:
        console.print(f"[bold]{NO_MATCH}[/] Run [cyan]eks-doctor kb list[/] to see what the knowledge base covers.")
        return
    for rank, found in enumerate(matches, start=1):
        console.print(f"[bold]{rank}. {found.entry_id}[/]  [green]{found.score:.0f}[/]/100  {escape(found.title)}")
        for reason in found.explanation:
            console.print(f"     [dim]·[/] {escape(reason)}")
    console.print(f"\nDetails and remedy: [cyan]eks-doctor kb show {matches[0].entry_id}[/]")
