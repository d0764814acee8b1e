"""Background work reports failures to the person who asked; answers stay within Block Kit's limits."""

from __future__ import annotations

import logging
import threading

from bot.errors import NotFoundError
from bot.slack import limits
from bot.slack.jobs import Jobs


def _run(work):
    reported: list[tuple[str | None, str]] = []
    done = threading.Event()

    def on_error(reference, message):
        reported.append((reference, message))
        done.set()

    jobs = Jobs(workers=1)
    jobs.submit(work, on_error=on_error)
    jobs.shutdown(wait=True)
    return reported


def test_an_expected_error_reaches_the_person_as_its_message():
    def work():
        raise NotFoundError("deployment x not found in namespace shop", suggestions=["checkout"])

    assert _run(work) == [(None, "deployment x not found in namespace shop (did you mean checkout?)")]


def test_an_unexpected_error_gets_a_reference_that_is_in_the_log_with_the_traceback(caplog):
    def work():
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        ((reference, message),) = _run(work)
    assert message == "" and len(reference) == 8
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info is not None


def test_text_is_cut_with_a_marker_and_code_blocks_keep_their_fences():
    assert limits.fit("x" * 5000, 3000).endswith(limits.MARKER)
    assert len(limits.fit("x" * 5000, 3000)) == 3000
    block = limits.code("```" + "y" * 5000, 3000)
    assert block.startswith("```") and block.endswith("```") and len(block) <= 3000


def test_a_message_with_too_many_blocks_keeps_fifty_and_says_where_the_rest_is():
    from bot.slack.render import context, message, section

    built = message(
        "t", [section(f"finding {i}") for i in range(80)], overflow="More in `eks-doctor incidents show inc-1`"
    )
    assert len(built.blocks) == 50
    assert "incidents show inc-1" in built.blocks[-1]["elements"][0]["text"]
    assert context("a").to_dict()["type"] == "context"
