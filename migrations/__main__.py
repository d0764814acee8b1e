"""`python -m migrations <alembic command> ...`: the alembic CLI with the store's in-code config."""

from __future__ import annotations

import sys

from alembic.config import CommandLine

from bot.settings import load_settings
from bot.store.migrate import alembic_config


def main(argv: list[str] | None = None) -> None:
    cli = CommandLine(prog="python -m migrations")
    options = cli.parser.parse_args(argv if argv is not None else sys.argv[1:])
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    config = alembic_config(url=load_settings().database_url)
    config.cmd_opts = options
    cli.run_cmd(config, options)


if __name__ == "__main__":
    main()
