"""Process logging: one line per record on stderr; tracebacks only with EKS_DOCTOR_DEBUG=1.

Without a handler, Python's last-resort handler prints every `log.exception` with its traceback, so a
user would see one for an error that is already reported in one line with a reference id.
"""

from __future__ import annotations

import logging
import os

from bot.text_safety import printable

DEBUG_VARIABLE = "EKS_DOCTOR_DEBUG"
OUR_LOGGERS = ("bot", "knowledge", "eks_doctor")


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


class OneLineFormatter(logging.Formatter):
    """The message, and for an exception its type and text on the same line, never the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        exc_info, record.exc_info, record.exc_text = record.exc_info, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info = exc_info
        if exc_info and exc_info[1] is not None:
            line += f" ({type(exc_info[1]).__name__}: {str(exc_info[1]).splitlines()[0] if str(exc_info[1]) else ''})"
        return printable(line, keep_newlines=False)


def configure_logging(*, debug: bool | None = None) -> None:
    """Once per process, unless the host application configured logging already."""
    root = logging.getLogger()
    if root.handlers:
        return
    debug = debug_enabled() if debug is None else debug
    handler = logging.StreamHandler()
    if debug:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for ours in OUR_LOGGERS:  # debug detail from this project only, not from every library
        logging.getLogger(ours).setLevel(logging.DEBUG if debug else logging.NOTSET)
