"""Each hostile or careless knowledge folder in kb_corpus/, as `kb validate` and EKS_DOCTOR_KB_PATH see it:
a problem naming the file (the folder is refused), or a finding every command warns about (allowed, but
never silent); no traceback, no runaway."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from bot.core import Doctor
from bot.settings import Settings
from knowledge.loader import load_knowledge_base, review_folder

CORPUS = Path(__file__).parent / "kb_corpus"

#: folder -> what a problem says (the folder is refused)
REFUSED = {
    "pattern-too-long": "statsd.yaml: match.terms.statsd_port.patterns: Value error, regular expression 'statsd|",
    "pattern-matches-empty-text": "statsd.yaml: match.terms.statsd_port.patterns.0: '(?:statsd)?' matches empty text",
    "pattern-names-nothing-specific": "match.terms.statsd_port.patterns.1: '[0-9]{7}' names nothing specific",
    "pattern-slow-on-ordinary-text": "patterns.0: '(?<!q)(?:[a-z]|[a-z ])+\\d{6}' takes more than 0.5s",
    "dot-added-to-a-bundled-concept": (
        "lexicon.yaml: concepts.port_9100.patterns.0: '.' matches ordinary text ('my cat is hungry')"
    ),
    "everyday-word-added-to-a-bundled-concept": (
        "lexicon.yaml: concepts.port_9100.en.0: 'hungry' occurs in ordinary text ('my cat is hungry')"
    ),
    "check-pattern-matches-every-line": "statsd.yaml: checks.items.0.patterns.1: '(?:statsd)*' matches empty text",
    "negative-penalty": "lexicon.yaml: penalties.failure: Input should be greater than or equal to 0",
    "veto-on-an-unknown-concept": "lexicon.yaml: vetoes.telepathy: unknown concept(s) telepathy",
    "entry-anchored-on-an-everyday-concept": (
        'failing.yaml: match: ordinary text "I can\'t find my glasses anywhere" matches this entry'
    ),
    "replace-writes-istio-injection": (
        "port-9100-conflict.yaml: remedy.patch.allowed.0.key: sidecar.istio.io/inject is not an annotation "
        "EKS Doctor may write"
    ),
    "replace-writes-seccomp": "remedy.patch.allowed.0.key: seccomp.security.alpha.kubernetes.io/pod is not an",
    "replace-writes-role-name": "remedy.patch.allowed.0.key: eks.tke.cloud.tencent.com/role-name is not an",
    "needs-config-widening": "mesh-opt-out.yaml: remedy.patch.allowed.0.key: sidecar.istio.io/inject is not an",
    "remedy-widens-a-range": (
        "istio-dns.yaml: remedy.patch.allowed.0.default: eks.tke.cloud.tencent.com/ipvs-udp-timeout: '200h' is "
        "outside the allowed range (duration 1s-604800s)"
    ),
    "remedy-widens-a-shape": "remedy.patch.allowed.0.shape: 'string' is not the allow-list's 'port'",
    "remedy-json-not-an-object": "eip-attributes: must be a JSON object",
    "alias-bomb": "bomb.yaml: aliases or size expand it to more than 100000 nodes",
    "deep-nesting": "deep.yaml: nested deeper than 64 levels",
    "recursive-alias": "loop.yaml: an alias refers to a node that contains it",
    "not-utf8": "latin1.yaml: not UTF-8 text",
    "not-a-mapping": "list.yaml: expected a mapping with the entry's fields",
}
#: folder -> what its findings say (allowed, and every command says so)
ALLOWED = {
    "redos-pattern-in-a-term": ["patterns.2: '(?<!z)statsd (w+w+)+v' runs under a time budget"],
    "legit-form-added-to-a-bundled-concept": ["extends the bundled concept address_in_use"],
    "veto-hides-a-bundled-entry": ["vetoes every entry, bundled ones included, when dns is named (vetoes.dns)"],
    "penalty-cancel-and-polarity-for-every-entry": [
        "counts istio against every entry, bundled ones included (penalties.istio: 9)",
        "makes coredns cancel dns for every entry (cancels.coredns)",
        "adds 1 not-ours phrase(s) that count against every entry",
        "changes which concepts say that something works or fails (polarity)",
    ],
    "replace-narrows-a-range": ["grpc.yaml replaces the bundled entry grpc-connection-reset-ipvs-tcp"],
}


def test_every_corpus_folder_has_an_expectation():
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted([*REFUSED, *ALLOWED])


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_folders_name_the_file_and_field(name):
    folder = CORPUS / name
    started = time.monotonic()
    review = review_folder(folder)
    assert time.monotonic() - started < 5
    assert any(REFUSED[name] in problem for problem in review.problems), review.problems
    assert all(problem.startswith(str(folder) + "/") for problem in review.problems), review.problems


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_folders_are_valid_and_say_what_they_change(name):
    folder = CORPUS / name
    review = review_folder(folder)
    assert review.problems == []
    said = [finding.line() for finding in review.findings]
    for expected in ALLOWED[name]:
        assert any(expected in line for line in said), said
    assert all(line.startswith(str(folder) + "/") for line in said)


def test_the_whole_corpus_through_kb_validate(cli):
    """`kb validate` on every case: exit 2 with the problem for refused folders, exit 0 with the findings
    for allowed ones; the same as JSON; never a traceback."""
    for name in sorted([*REFUSED, *ALLOWED]):
        folder = CORPUS / name
        text = cli("kb", "validate", str(folder))
        data = cli("kb", "validate", str(folder), "--json")
        report = json.loads(data.stdout)
        assert "Traceback" not in text.stderr + data.stderr
        if name in REFUSED:
            assert (text.exit_code, data.exit_code, report["valid"]) == (2, 2, False), name
            assert any(REFUSED[name] in p for p in report["problems"])
            assert REFUSED[name] in text.stdout.replace("\n", "")
        else:
            assert (text.exit_code, data.exit_code, report["valid"]) == (0, 0, True), name
            messages = [f["message"] for f in report["findings"]]
            assert all(any(e in m for m in messages) for e in ALLOWED[name])
            assert all(any(e in line for line in text.stdout.splitlines()) for e in ALLOWED[name])


def test_a_linear_pattern_stays_linear_on_the_text_that_would_stall_a_backtracking_engine():
    kb = load_knowledge_base(extra_paths=[CORPUS / "redos-pattern-in-a-term"])
    for text in ("statsd " + "x" * 30_000, "statsd " + "w" * 30, "statsd " + "ww" * 20_000 + " v"):
        started = time.monotonic()
        kb.matcher.match(text)
        assert time.monotonic() - started < 1.5, text[:20]


def test_every_command_warns_once_per_change_from_the_cache_too(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = {"EKS_DOCTOR_KB_PATH": str(CORPUS / "veto-hides-a-bundled-entry")}
    for attempt in range(2):  # built, then read from the cache
        result = cli("match", "DNS lookups time out since we added istio sidecars", env=env)
        assert result.exit_code == 0
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
        assert warnings == [
            f"warning: {CORPUS / 'veto-hides-a-bundled-entry' / 'lexicon.yaml'} vetoes every entry, bundled ones "
            "included, when dns is named (vetoes.dns)"
        ], attempt
        assert "No known issue matches" in result.stdout  # what the veto does: hidden, but said
    listed = cli("kb", "list", "--json", env={"EKS_DOCTOR_KB_PATH": str(CORPUS / "replace-narrows-a-range")})
    assert listed.stderr.count("warning: ") == 1 and "replaces the bundled entry grpc-connection-reset" in listed.stderr
    assert json.loads(listed.stdout)  # the JSON on stdout is untouched


def test_a_refused_folder_stops_every_command_with_the_problem(cli):
    env = {"EKS_DOCTOR_KB_PATH": str(CORPUS / "dot-added-to-a-bundled-concept")}
    result = cli("match", "my cat is hungry", env=env)
    assert result.exit_code == 2 and result.stdout == ""
    assert "'.' matches ordinary text ('my cat is hungry')" in result.stderr
    assert "(from EKS_DOCTOR_KB_PATH)" in result.stderr


def test_the_slack_bot_logs_the_changes_at_start_up(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = CORPUS / "penalty-cancel-and-polarity-for-every-entry"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", kb_path=[str(folder)])
    doctor = Doctor(settings)
    with caplog.at_level(logging.WARNING, logger="bot.knowledge_base"):
        doctor.warm_up()
    said = [record.getMessage() for record in caplog.records if record.name == "bot.knowledge_base"]
    assert len(said) == 4 and all(line.startswith("knowledge base: ") for line in said)
    assert any("counts istio against every entry" in line for line in said)
    doctor.close()
