"""The server matches from many threads at once: one matcher is built, and answers do not depend on timing."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from knowledge import load_knowledge_base, typos

QUERIES = [
    "istoi dns timout after coredns scaled",  # typos: the typo cache is read and written
    "grcp conection reset after idel 15 minutes",
    "pods on super nodse cant reach the internt",
    "port 9100 alredy in use on the serverless cluster",
    "集群 Pod 数量到了两百个之后就创建不出来了",
    "default security group is full, new pods fail",
    "service names resolve fine, but calls to api.stripe.com hang",
    "thanks, that fixed it!",
] + [f"unknownword{n} dns timeout in the mesh" for n in range(40)]  # new tokens keep the caches growing


def _answers(matcher) -> list[tuple]:
    return [tuple((m.entry_id, m.score, m.explanation) for m in matcher.match(q)) for q in QUERIES]


def test_the_matcher_is_built_once_when_many_threads_ask_at_once():
    kb = load_knowledge_base()
    start = threading.Barrier(8)

    def first_use(_):
        start.wait()
        return kb.matcher

    with ThreadPoolExecutor(max_workers=8) as pool:
        built = list(pool.map(first_use, range(8)))
    assert all(matcher is built[0] for matcher in built)


@pytest.fixture
def frequent_thread_switches():
    # Switch threads as often as the interpreter allows, so that a read racing a clear would show.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_matching_from_many_threads_gives_the_same_answers(monkeypatch, frequent_thread_switches):
    # A tiny cache limit makes the caches clear over and over while other threads read them.
    monkeypatch.setattr(typos, "CACHE_LIMIT", 5)
    expected = _answers(load_knowledge_base().matcher)
    matcher = load_knowledge_base().matcher
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def run(_):
        start.wait()
        try:
            return [_answers(matcher) for _ in range(5)]
        except BaseException as exc:  # a KeyError here would be a cache race
            errors.append(exc)
            raise

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, range(6)))
    assert not errors
    for rounds in results:
        for answers in rounds:
            assert answers == expected


@pytest.mark.parametrize("query", ["", "dns"])
def test_reading_a_text_leaves_the_matcher_unchanged_for_the_next(query):
    matcher = load_knowledge_base().matcher
    before = _answers(matcher)
    matcher.match(query)
    assert _answers(matcher) == before
