"""What every command needs, built once per invocation from the environment: the `Doctor` (settings,
config, knowledge base, store, clusters) and the person at the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core import Doctor
    from bot.domain import Actor
    from bot.settings import Settings


def _note(message: str) -> None:
    from bot.cli.output import err_console

    err_console.print(f"note: {message}", markup=False, highlight=False)


def _warn(message: str) -> None:
    from bot.cli.output import err_console
    from bot.text_safety import printable

    # File names and forms come from a knowledge folder: shown, never acted on by the terminal.
    err_console.print(f"warning: {printable(message, keep_newlines=False)}", markup=False, highlight=False)


def _cli_actor() -> Actor:
    from bot.domain import cli_actor

    return cli_actor()


@dataclass
class CliContext:
    doctor: Doctor
    actor: Actor = field(default_factory=_cli_actor)

    @property
    def settings(self) -> Settings:
        return self.doctor.settings

    @property
    def config(self) -> Any:
        return self.doctor.config

    @property
    def knowledge(self) -> Any:
        return self.doctor.kb


_current: CliContext | None = None


def cli_context() -> CliContext:
    """The invocation's context, created on first use (never at import time)."""
    global _current
    if _current is None:
        from bot.core import Doctor
        from bot.settings import load_settings

        _current = CliContext(doctor=Doctor(load_settings(), on_kb_warning=_warn, on_note=_note))
    return _current


def reset_cli_context() -> None:
    global _current
    from bot.cli.output import console, err_console

    if _current is not None:
        _current.doctor.close()
    _current = None
    console.reset()
    err_console.reset()
