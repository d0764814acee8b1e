"""`eks-doctor selfcheck [--json]`: whether this installation can do its job, one line per question."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.context import cli_context
from bot.cli.output import console, print_json

MARKS = {"ok": "[green]✓[/]", "failed": "[bold red]✗[/]", "skipped": "[dim]-[/]"}


def register(app: typer.Typer) -> None:
    app.command("selfcheck")(selfcheck)


def selfcheck(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document: {ok, checks: [...]}.")] = False,
) -> None:
    """Config, Slack token, database schema, each cluster's reachability and permissions, cloud access.

    Exit 0 when nothing is red, 1 otherwise.
    """
    from bot.core.selfcheck import run
    from bot.slack.selfcheck import slack_lines

    doctor = cli_context().doctor
    report = run(doctor, extra=[lambda: slack_lines(doctor.settings)])
    if as_json:
        print_json(report.as_dict())
    else:
        for line in report.lines:
            console.print(f"{MARKS[line.status.value]} [bold]{line.check}[/]: ", end="")
            console.print(line.detail, markup=False)
            if line.fix:
                console.print("    fix: ", style="red", end="")
                console.print(line.fix, markup=False)
    raise typer.Exit(0 if report.ok else 1)
