"""pytest plugin: every Kubernetes API call the bot makes in the whole suite, checked against deploy/'s
ClusterRole.

Collection: the emulator's request handler is wrapped (in this process only; the emulator's code is
unchanged) so each request is noted as (method, path template, query flags) when it comes from the
bot's client. Requests from the real kubectl (the conformance tests compare the two; kubectl says so
in its User-Agent) are left out, and so is every request made while a test that chooses its own
requests runs: the emulator's own tests (tests/test_kube_emulator.py) and the read conformance tests
(tests/conformance/test_reads.py, which read every kind through the bot's client to compare it with
kubectl). Everything else that reaches an emulator comes from the bot's code.

Merging under pytest-xdist: each worker hands its set of calls to the controller through
`config.workeroutput` (xdist's channel for exactly this, as coverage plugins use it); the controller
merges them as each worker finishes and checks once, at the end of the session. Without xdist the
single process does both. A call the ClusterRole does not allow fails the run whatever was selected;
a permission no call used fails only a complete run (the whole of tests/, no -k or -m, no failures),
since a partial run cannot show that a permission is unused.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.kube_emulator.server import KubeEmulator
from tests.rbac.check import compare, describe
from tests.rbac.requests import Call, template_of

NOT_THE_BOT = ("tests.test_kube_emulator", "tests.conformance.test_reads")
WORKER_KEY = "eks_doctor_kube_calls"

_calls: set[Call] = set()
_lock = threading.Lock()
_current_module: list[str] = [""]
_original_respond = KubeEmulator._respond


def _respond(self: KubeEmulator, req):  # type: ignore[no-untyped-def]
    from_kubectl = (req.headers.get("User-Agent") or "").startswith("kubectl")
    if not from_kubectl and _current_module[0] not in NOT_THE_BOT:
        with _lock:
            _calls.add(template_of(req.method, req.path, req.query))
    return _original_respond(self, req)


KubeEmulator._respond = _respond  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _current_module[0] = item.module.__name__ if item.module else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item):
    yield
    _current_module[0] = ""


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: hand the calls to the controller
        config.workeroutput[WORKER_KEY] = json.dumps(sorted(_calls))
        return
    complete = _complete_run(session)
    missing, unused = compare(_calls)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    problems = [f"the ClusterRole does not allow {describe(p)}, which the bot called" for p in missing]
    if complete:
        problems += [f"the ClusterRole allows {describe(p)}, which no test saw the bot use" for p in unused]
    if reporter is not None:
        reporter.write_sep("-", "RBAC audit")
        scope = "whole suite" if complete else "partial run: only missing permissions are checked"
        reporter.write_line(f"RBAC: {len(_calls)} distinct Kubernetes API calls seen ({scope})")
        for problem in problems:
            reporter.write_line(f"RBAC: {problem}", red=True)
    if problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # xdist controller: a worker finished
    raw = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if raw:
        for method, template, flags in json.loads(raw):
            _calls.add(Call(method, template, tuple(tuple(flag) for flag in flags)))


def _complete_run(session: pytest.Session) -> bool:
    config = session.config
    if config.option.keyword or config.option.markexpr or session.testsfailed:
        return False
    tests = (Path(str(config.rootpath)) / "tests").resolve()
    args = [Path(arg.split("::")[0]).resolve() for arg in config.args] or [tests]
    return all(arg in (tests, tests.parent) for arg in args)
