"""The `eks-doctor` command. Each command group lives in its own module and registers itself here."""

from __future__ import annotations

import logging
import sys

import typer

from bot.cli import inspect_cmds, kb_cmds, match_cmds, remedy_cmds, serve_cmds, store_cmds
from bot.cli.context import reset_cli_context
from bot.cli.output import err_console
from bot.errors import EksDoctorError, new_reference
from bot.logs import configure_logging, debug_enabled

EXIT_INTERNAL = 70  # unexpected errors (EX_SOFTWARE); 0-3 are the documented outcomes

app = typer.Typer(
    name="eks-doctor",
    help="Find and fix the known pitfalls of Tencent Cloud EKS serverless clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

for module in (match_cmds, kb_cmds, inspect_cmds, remedy_cmds, store_cmds, serve_cmds):
    module.register(app)

log = logging.getLogger("eks_doctor")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: expected errors become one line on stderr and an exit code."""
    configure_logging()
    reset_cli_context()
    try:
        app(args=argv, prog_name="eks-doctor")
    except EksDoctorError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception:
        reference = new_reference()
        if debug_enabled():
            log.error("unexpected error, reference %s", reference)
            raise
        err_console.print(
            f"[bold red]error:[/] unexpected failure (reference {reference}); "
            "run with EKS_DOCTOR_DEBUG=1 to see the details",
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
