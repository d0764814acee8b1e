"""Commands of this group (registered by bot.cli.app)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `eks-doctor` app."""
