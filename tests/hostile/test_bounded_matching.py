"""Regular expressions from knowledge run in bounded time on whatever text people paste."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time

import pytest

from knowledge.bounded import MAX_PATTERN_CHARS, Budget, PatternRefused, bounded
from knowledge.loader import load_knowledge_base

#: Bundled patterns RE2 cannot run (multi-character look-behinds and look-aheads whose RE2 form would
#: change what they match): they run under the matcher's time budget, and below they are shown to stay
#: far inside it on the text shapes that would make them slow.
TIME_BUDGETED = {
    r"(?<!http )(?<!status )(?<!code )\b(1[89]\d|20[01])\s*(?:pods|个\s*pod|pod|个|replicas|instances|workers|running)",
    r"(?<![\d.:/])200(?![\d.])(?!\s*(?:ok|status|response))",
    r"https?://(?!localhost|127\.|10\.|192\.168\.|[\w.-]*\.svc\b|[\w.-]*\.local\b|[\w.-]*\.internal\b|ipv4private)"
    r"[\w.-]+\.(?:com|org|io|net|dev|cn|co)\b",
    r"(?<![\w./-])(?![\w.-]*\b(?:k8s|kubernetes|svc|cluster)\.)(?:[a-z0-9-]+\.)+(?:com|org|net|io|cn|dev|ai|cloud)"
    r"(?::\d+)?(?![\w./-])",
}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def _bundled_patterns(kb) -> list[str]:
    patterns = [p for concept in kb.lexicon.concepts.values() for p in concept.patterns]
    for entry in kb.entries.values():
        for check in entry.checks.items:
            patterns += getattr(check, "patterns", [])
    return patterns


def test_the_exponential_user_pattern_of_the_report_is_linear():
    pattern = bounded(r"(a|a)+$")  # 7 s on 25 characters in Python's engine
    assert pattern.linear
    started = time.monotonic()
    assert pattern.search("a" * 25 + "b", Budget()) is None
    assert pattern.search("a" * 100_000 + "b", Budget()) is None
    assert time.monotonic() - started < 0.5


def test_the_bundled_dns_pattern_of_the_report_is_linear_on_a_64k_paste(kb):
    source = r"read udp \S+->\S+:53: i/o timeout"
    assert source in _bundled_patterns(kb) and bounded(source).linear
    paste = "read udp " + "x->" * 21_000 + " :53: i/o timeout"  # 5 s in Python's engine
    started = time.monotonic()
    kb.matcher.match(paste)
    assert time.monotonic() - started < 1


def test_every_bundled_pattern_is_linear_or_a_listed_time_budgeted_one(kb):
    slow = {p for p in _bundled_patterns(kb) if not bounded(p).linear}
    assert slow == TIME_BUDGETED


@pytest.mark.parametrize(
    "shape",
    [
        "a." * 32_000,
        "https://" + "a." * 31_000,
        "http 200 pods " * 4_500,
        "200" + " " * 63_000 + "ok",
        "x-" * 32_000 + ".com",
        ("a.svc." * 10_000) + ".com",
        "pods " * 12_000 + "200",
    ],
)
def test_the_time_budgeted_bundled_patterns_stay_fast_on_the_shapes_that_slow_them(kb, shape):
    started = time.monotonic()
    kb.matcher.match(shape)
    assert time.monotonic() - started < 1


def test_a_pattern_re2_refuses_stops_at_its_budget():
    pattern = bounded(r"(?<!z)(a|a)+$")  # a look-behind: RE2 cannot run it
    assert not pattern.linear
    budget = Budget(seconds=0.05)
    started = time.monotonic()
    assert pattern.search("a" * 40 + "b", budget) is None
    assert budget.exhausted and time.monotonic() - started < 1
    assert pattern.search("aaa", budget) is None  # an exhausted budget runs nothing more


def test_what_cannot_be_bounded_is_refused_with_the_reason():
    with pytest.raises(PatternRefused, match=f"longer than {MAX_PATTERN_CHARS} characters"):
        bounded("a" * (MAX_PATTERN_CHARS + 1))
    with pytest.raises(PatternRefused, match="not a valid regular expression"):
        bounded("(unclosed")
    with pytest.raises(PatternRefused, match="not a valid regular expression"):
        bounded(r"\p{Han}")  # valid for RE2, not in the documented (Python) syntax


def test_the_shown_group_is_what_an_explanation_quotes(kb):
    found = bounded(r"(?:^|[^\d.])(?P<shown>9100)(?:[^\d.]|$)").search("listen on :9100 failed", Budget())
    assert found is not None and found.text == "9100" and found.start == 11
    [match] = kb.matcher.match("our exporter can't bind :9100 on the super node, address already in use")[:1]
    assert "port 9100: error text '9100'" in match.explanation  # not ':9100', the context RE2 consumed
    [match] = kb.matcher.match("pods fail with dial udp 10.0.0.10:53: i/o timeout")[:1]
    assert "dns: error text ':53'" in match.explanation


def test_compiled_patterns_survive_the_knowledge_base_cache(kb):
    copy = pickle.loads(pickle.dumps(kb))
    text = "lookup orders.shop.svc.cluster.local on 10.0.0.10:53: read udp 10.0.1.5:40123->10.0.0.10:53: i/o timeout"
    assert [m.entry_id for m in copy.matcher.match(text)] == [m.entry_id for m in kb.matcher.match(text)]
    assert bounded(r"(?<!z)x").__reduce_ex__(2)  # time-budgeted ones too
    assert pickle.loads(pickle.dumps(bounded(r"(?<!z)x"))).finds("x")


def test_patterns_read_from_the_cache_answer_as_before_with_their_shown_group(kb):
    pattern = bounded(r"(?:^|[^\d.])(?P<shown>9100)(?:[^\d.]|$)")
    copy = pickle.loads(pickle.dumps(pattern))
    assert copy.linear  # known to be RE2 before it is compiled again
    found = copy.search("node-exporter: listen tcp :9100: bind: address already in use", Budget())
    assert (found.start, found.text) == (27, "9100")
    assert copy.matches_whole(" 9100 ") and not copy.matches_whole("19100")
    cold = pickle.loads(pickle.dumps(pattern))
    assert cold.matches_whole(" 9100 ")  # whole-text matching compiles it too


def test_undecodable_input_is_read_not_crashed(kb, tmp_path):
    """Bytes that are not UTF-8 reach Python as lone surrogates; RE2 reads UTF-8, so they are searched as
    U+FFFD, one character for one."""
    assert [m.entry_id for m in kb.matcher.match("dns \udcff timeouts since we added istio sidecars")][:1] == [
        "istio-dns-timeout-ipvs-udp"
    ]
    found = bounded(r"(?:^|[^\d.])(?P<shown>9100)(?:[^\d.]|$)").search("\ud800 :9100 x", Budget())
    assert found is not None and found.start == 3
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "EKS_DOCTOR_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"}
    argv = [sys.executable, "-m", "bot.cli.app", "match", b"dns \xff timeouts since we added istio sidecars", "--json"]
    done = subprocess.run(argv, capture_output=True, env=env, timeout=60, check=False)
    assert done.returncode == 0 and b'"istio-dns-timeout-ipvs-udp"' in done.stdout, done.stderr


def test_a_pattern_python_warns_about_is_checked_without_a_warning(recwarn):
    assert bounded(r"[[a]x").finds("[x") and bounded(r"[[a]x").finds("ax")  # a class of "[" and "a"
    assert [str(w.message) for w in recwarn.list] == []
