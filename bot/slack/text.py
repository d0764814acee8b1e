"""Slack text as people type it: markup removed, and `/eks` arguments split into a command and its rest."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_CHANNEL_BARE = re.compile(r"<#([CG][A-Z0-9]+)>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_FENCE = re.compile(r"```")


def plain_text(text: str, *, bot_user_id: str | None = None) -> str:
    """The words a person wrote: mentions of the bot dropped, other markup turned back into text."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _USER.sub(lambda m: f"@{m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _CHANNEL_BARE.sub(lambda m: f"#{m.group(1)}", text)
    text = _SUBTEAM.sub(lambda m: f"@{m.group(1) or 'group'}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _FENCE.sub("\n", text)
    return html.unescape(text).strip()


SUBCOMMANDS = ("help", "diagnose", "scan", "quota", "incidents")


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # help, diagnose, scan, quota, incidents, or triage (free text)
    rest: str


def parse_command(text: str) -> Command:
    """`/eks diagnose shop/checkout` -> Command("diagnose", "shop/checkout"); free text -> triage."""
    words = plain_text(text).split(maxsplit=1)
    if not words:
        return Command("help", "")
    first = words[0].lower()
    if first in SUBCOMMANDS:
        return Command(first, words[1] if len(words) > 1 else "")
    return Command("triage", plain_text(text))
