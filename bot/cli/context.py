"""What every command needs, built once per invocation from the environment and flags."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from bot.config import DoctorConfig, load_config
from bot.settings import Settings, load_settings


@dataclass
class CliContext:
    settings: Settings

    @cached_property
    def config(self) -> DoctorConfig:
        return load_config(self.settings.config_path)

    @cached_property
    def knowledge(self):  # -> knowledge.KnowledgeBase (imported lazily: `--help` stays fast)
        from bot.knowledge_base import open_knowledge_base

        return open_knowledge_base(self.settings, on_replace=_note_replacement)


def _note_replacement(entry_id: str, path: str) -> None:
    from bot.cli.output import err_console

    err_console.print(f"note: {path} replaces the bundled entry {entry_id}")


_current: CliContext | None = None


def cli_context() -> CliContext:
    """The invocation's context, created on first use (never at import time)."""
    global _current
    if _current is None:
        _current = CliContext(settings=load_settings())
    return _current


def reset_cli_context() -> None:
    global _current
    _current = None
