"""The work after the acknowledgement: diagnoses and fixes run here, never before Slack gets its answer.

Slack wants an acknowledgement within 3 s; reading a cluster can take longer. Handlers acknowledge
at once and hand the rest to this bounded pool, kept apart from Bolt's own listener threads so that a
burst of slow diagnoses never delays the next acknowledgement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from bot.errors import EksDoctorError, new_reference
from bot.observability import logs, metrics

log = logging.getLogger(__name__)

Reply = Callable[[Any], None]


class Jobs:
    def __init__(self, *, workers: int) -> None:
        # Jobs keep the request id of the delivery that submitted them.
        self._executor = logs.ContextExecutor(max_workers=workers, thread_name_prefix="eks-doctor-job")

    def submit(self, work: Callable[[], None], *, on_error: Callable[[str | None, str], None]) -> Future[None]:
        """Run `work`; an expected error reaches `on_error(None, message)`, anything else
        `on_error(reference, "")` after it is logged with that reference."""

        def run() -> None:
            try:
                work()
            except EksDoctorError as exc:
                metrics.count_error(exc)
                log.info("request refused: %s", exc)
                _safely(on_error, None, str(exc))
            except Exception:
                reference = new_reference()
                log.exception("unexpected error, reference %s", reference)
                _safely(on_error, reference, "")

        return self._executor.submit(run)

    def shutdown(self, *, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=not wait)


def _safely(callback: Callable[[str | None, str], None], reference: str | None, message: str) -> None:
    try:
        callback(reference, message)
    except Exception:
        log.exception("could not tell the user about an error (reference %s)", reference)
