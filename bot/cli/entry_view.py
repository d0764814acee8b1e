"""A knowledge entry rendered for a terminal."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from knowledge.schema import Entry


def render_entry(entry: Entry) -> Panel:
    parts: list[object] = [
        Text.from_markup(f"[bold]{escape(entry.title)}[/]\n{escape(entry.title_zh)}\n"),
        Text(f"{entry.summary}\n{entry.summary_zh}\n"),
        Text.from_markup("[bold]Why it happens[/]"),
        Text(" ".join(entry.mechanism.split()) + "\n"),
        Text.from_markup("[bold]Symptoms[/]"),
        *(Text(f"  · {s}") for s in [*entry.symptoms.en, *entry.symptoms.zh]),
    ]
    if entry.error_signatures:
        parts.append(Text.from_markup("\n[bold]Error messages[/]"))
        parts.extend(Text(f"  · {s}", style="dim") for s in entry.error_signatures)
    parts.append(Text.from_markup(f"\n[bold]Checks[/] (confirmed when {entry.checks.confirm_when} hold)"))
    parts.extend(Text(f"  · {c.kind}: {c.says}") for c in entry.checks.items)
    remedy = entry.remedy
    parts.append(Text.from_markup("\n[bold]Remedy[/]"))
    parts.append(Text(remedy.summary))
    if remedy.patch:
        for spec in remedy.patch.allowed:
            default = f' "{spec.default}"' if spec.default is not None else ""
            parts.append(Text(f"  annotation {spec.key}:{default}  ({spec.shape}) {spec.description}"))
        parts.append(Text(f"  {remedy.patch.consequence}", style="yellow"))
        parts.append(Text.from_markup(f"  apply: [cyan]eks-doctor fix WORKLOAD --entry {entry.id}[/]"))
    if remedy.ticket:
        parts.append(
            Text.from_markup(
                f"  quota ticket ({escape(remedy.ticket.where)}): "
                f"[cyan]eks-doctor quota draft --type {remedy.ticket.quota}[/]"
            )
        )
    for number, step in enumerate(remedy.checklist, start=1):
        parts.append(Text(f"  {number}. {step}"))
    parts.append(Text(f"\nSource: {entry.source.document}, {entry.source.section}", style="dim"))
    return Panel(Group(*parts), title=entry.id, title_align="left")
