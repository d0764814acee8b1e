"""The `eks-doctor` command. Each command group lives in its own module and registers itself here.

Only typer is imported up front: each command imports what it needs when it runs, so `--help` and
`match` do not pay for the database, the Kubernetes client or the Slack SDK.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer

from bot.cli import inspect_cmds, kb_cmds, match_cmds, remedy_cmds, selfcheck_cmds, serve_cmds, store_cmds
from bot.cli.context import reset_cli_context
from bot.errors import EksDoctorError, new_reference

EXIT_INTERNAL = 70  # unexpected errors (EX_SOFTWARE); 0-3 are the documented outcomes
EXIT_USAGE = 2

app = typer.Typer(
    name="eks-doctor",
    help="Find and fix the known pitfalls of Tencent Cloud EKS serverless clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

for module in (match_cmds, kb_cmds, inspect_cmds, remedy_cmds, store_cmds, serve_cmds, selfcheck_cmds):
    module.register(app)

log = logging.getLogger("eks_doctor")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eks-doctor")
    except PackageNotFoundError:  # run from a source tree without installing
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"eks-doctor {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Find and fix the known pitfalls of Tencent Cloud EKS serverless clusters."""


def _setup_logging() -> None:
    # Library warnings (e.g. "incident not recorded") are already said once, by the command, in words;
    # Python's last-resort handler would print them a second time. EKS_DOCTOR_DEBUG=1 shows them all.
    if os.environ.get("EKS_DOCTOR_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    elif not any(isinstance(h, logging.NullHandler) for h in logging.getLogger().handlers):
        logging.getLogger().addHandler(logging.NullHandler())


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: expected errors become one line on stderr (and, with --json, an
    `{"error": ...}` object on stdout) and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    reset_cli_context()
    _setup_logging()
    as_json = _wants_json(args)
    try:
        # Not standalone: errors come back here, to be said once (and as JSON when asked for).
        code = app(args=args, prog_name="eks-doctor", standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(code) from a command
            sys.exit(code)
    except EksDoctorError as exc:
        _fail(str(exc), exc.exit_code, as_json)
    except typer.Exit as exc:  # raised by commands to set the exit code
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1, as_json)
    except KeyboardInterrupt:
        _fail("interrupted", 130, as_json)
    except BrokenPipeError:  # `eks-doctor ... | head`: the reader has what it wanted
        sys.stderr.close()
        os._exit(0)
    except Exception as exc:
        if _is_usage_error(exc):
            _usage_error(exc, as_json)
        reference = new_reference()
        if os.environ.get("EKS_DOCTOR_DEBUG"):
            log.error("unexpected error, reference %s", reference)  # the traceback follows, once
            raise
        _fail(f"unexpected failure (reference {reference}); run with EKS_DOCTOR_DEBUG=1 to see the details",
              EXIT_INTERNAL, as_json)  # fmt: skip
    finally:
        reset_cli_context()


def _fail(message: str, code: int, as_json: bool) -> None:
    from bot.cli.output import print_error

    print_error(message, exit_code=code, as_json=as_json)
    sys.exit(code)


def _is_usage_error(exc: Exception) -> bool:
    # typer ships its own copy of click: recognise its ClickException by what it offers.
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__) and hasattr(exc, "format_message")


def _usage_error(exc, as_json: bool) -> None:
    """A mistyped command or option: click's message with the usage line, exit 2."""
    from typer import rich_utils

    rich_utils.rich_format_error(exc)
    if as_json:
        from bot.cli.output import print_json

        print_json({"error": {"message": exc.format_message(), "exit_code": exc.exit_code}})
    sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
