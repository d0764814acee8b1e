"""Entry patterns on live logs and events: linear in RE2, or stopped by a time budget."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cluster.checks import CheckContext, evaluate
from bot.cluster.snapshot import ContainerLog
from bot.domain import Outcome
from knowledge.schema import LogSignatureCheck, QuotaFailureEventsCheck
from tests.inspect.conftest import make_snapshot
from tests.kube_emulator import builders as b

CTX = CheckContext()


def _log_specs(kb):
    return [spec for entry in kb.entries.values() for spec in entry.checks.items if spec.kind == "log_signature"]


LINES = ("a" * 25 + "b\n") * 200


def test_exponential_pattern_runs_in_linear_time(kb):
    spec = LogSignatureCheck(kind="log_signature", patterns=[r"(a|a)+$"])  # 7 s per line in Python's re
    log = ContainerLog("web-1", "app", text=LINES)
    started = time.monotonic()
    outcome = evaluate(spec, make_snapshot(b.deployment("web", "shop"), logs=[log], events=[]), CTX)
    assert time.monotonic() - started < 1
    assert outcome.outcome is Outcome.UNKNOWN and "no matching line in 200 lines" in outcome.evidence[0]


def test_pattern_re2_refuses_is_stopped_by_the_budget_and_said(kb):
    spec = LogSignatureCheck(kind="log_signature", patterns=[r"(?<!z)(a|a)+$"])  # a look-behind: not RE2
    log = ContainerLog("web-1", "app", text=LINES)
    started = time.monotonic()
    outcome = evaluate(spec, make_snapshot(b.deployment("web", "shop"), logs=[log], events=[]), CTX)
    assert time.monotonic() - started < 2
    assert outcome.outcome is Outcome.UNKNOWN
    assert any("too slow" in line and "(?<!z)(a|a)+$" in line for line in outcome.evidence)
    started = time.monotonic()  # a pattern found too slow once is skipped after: a scan pays once
    again = evaluate(spec, make_snapshot(b.deployment("api", "shop"), logs=[log], events=[]), CTX)
    assert time.monotonic() - started < 0.2 and "too slow" in " ".join(again.evidence)


def test_slow_event_pattern_is_stopped(kb):
    spec = QuotaFailureEventsCheck(kind="quota_failure_events", patterns=[r"(?<!z)(a|a)+$"])
    deploy = b.deployment("web", "shop")
    event = b.event(b.replicaset_for(deploy), "FailedCreate", "a" * 30 + "b", count=2)
    started = time.monotonic()
    outcome = evaluate(spec, make_snapshot(deploy, events=[event] * 20), CTX)
    assert time.monotonic() - started < 2
    assert outcome.outcome is Outcome.UNKNOWN and "too slow" in " ".join(outcome.evidence)


def test_bundled_patterns_on_a_64k_line_are_fast_and_still_match(kb):
    paste = "1." * 32768  # quadratic for `\d+\.\d+...` in a backtracking engine
    hit = "Get https://api.example.com: dial tcp 52.1.2.3:443: i/o timeout"
    log = ContainerLog("web-1", "app", text=f"{paste}\n{paste} {paste}\n{hit}\n")
    snapshot = make_snapshot(b.deployment("web", "shop"), logs=[log], events=[])
    started = time.monotonic()
    outcomes = [evaluate(spec, snapshot, CTX) for spec in _log_specs(kb)]
    assert time.monotonic() - started < 1
    assert any(o.outcome is Outcome.HOLDS and "dial tcp 52.1.2.3:443" in " ".join(o.evidence) for o in outcomes)


@settings(max_examples=40, deadline=3000)
@given(text=st.text(min_size=0, max_size=20000))
def test_random_log_text_never_stalls_a_check(kb, text):
    snapshot = make_snapshot(b.deployment("web", "shop"), logs=[ContainerLog("web-1", "app", text=text)], events=[])
    for spec in _log_specs(kb):
        assert evaluate(spec, snapshot, CTX).outcome in (Outcome.HOLDS, Outcome.UNKNOWN)
