"""Each hostile or careless manifest in corpus/ next to a good one: a warning naming the file, the line
and the field, no crash, no runaway, and the good file still checked."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cluster.inspector import check_manifests
from bot.cluster.yaml_input import InputLimits
from bot.domain import Verdict

CORPUS = Path(__file__).parent / "corpus"
GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: exporter, namespace: shop}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec: {containers: [{name: app, image: example/app:1, ports: [{containerPort: 9100}]}]}
"""

#: file -> (line, what the warning says). The line is where the field or the broken character is.
EXPECTED = {
    "alias-bomb.yaml": (1, "aliases expand to more than 10000 nodes"),
    "alias-bomb-in-name.yaml": (1, "aliases expand to more than 10000 nodes"),
    "annotations-list.yaml": (10, "spec.template.metadata.annotations: expected a map, found a list"),
    "labels-list.yaml": (5, "metadata.labels: expected a map, found a list"),
    "ports-strings.yaml": (14, "containers[0].ports[0]: expected a map, found a string"),
    "container-port-string.yaml": (14, 'containerPort: "9100" is a string; Kubernetes wants a number'),
    "command-number.yaml": (14, "containers[0].command: expected a list of strings, found a number"),
    "spec-list.yaml": (4, "Deployment spec-list: spec: expected a map, found a list"),
    "owner-references-scalar.yaml": (5, "metadata.ownerReferences[0]: expected a map, found a string"),
    "unquoted-integer-annotation.yaml": (
        11,
        'annotations["eks.tke.cloud.tencent.com/metrics-port"]: 9100 is a number; '
        'Kubernetes wants a string here (quote it: "9100")',
    ),
    "env-number.yaml": (14, "env[0].value: 9100 is a number"),
    "nul-character.yaml": (3, "character U+0000 is not allowed"),
    "control-characters.yaml": (3, "character U+0007 is not allowed"),
    "binary.yaml": (2, "not UTF-8 text"),
    "deep-nesting.yaml": (4, "nesting depth"),
    "deep-nesting-block.yaml": (1, "nested deeper than 200 levels"),
    "recursive-alias.yaml": (1, "an alias refers to a node that contains it"),
    "kind-list.yaml": (2, "kind: expected a string"),
    "scalar-document.yaml": (1, "a document that is a string, not a Kubernetes object"),
    "name-map.yaml": (3, "metadata.name: expected a string, found a map"),
}


#: Cases that are valid YAML of the right shape, with values meant to trip what reads them.
NO_WARNING = {"escape-sequence-in-name.yaml", "duration-nines.yaml"}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.yaml") if p.name not in NO_WARNING) == sorted(EXPECTED)


def test_absurd_durations_are_judged_not_computed(kb):
    report = check_manifests(kb=kb, paths=[CORPUS / "duration-nines.yaml"])
    udp = next(f for f in report.findings if f.entry_id == "istio-dns-timeout-ipvs-udp")
    said = next(line for check in udp.checks for line in check.evidence if "ipvs-udp-timeout" in line)
    assert "which is not a duration the platform can apply" in said and len(said) < 300


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_case_is_one_named_warning_and_the_good_file_is_still_checked(name, kb, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    case = CORPUS / name
    report = check_manifests(kb=kb, paths=[case, good])
    line, said = EXPECTED[name]
    mine = [p for p in report.problems if p.file == str(case)]
    assert any(p.line == line and said in p.message for p in mine), [str(p) for p in mine]
    assert all(p.file == str(case) for p in report.problems)  # the good file raised nothing
    exporter = [f for f in report.findings if f.workload.name == "exporter"]
    assert any(f.entry_id == "port-9100-conflict" and f.verdict is Verdict.CONFIRMED for f in exporter)


def test_coerced_values_still_reach_the_checks(kb):
    """A number where Kubernetes wants a string is read as its text, so the check sees it."""
    report = check_manifests(kb=kb, paths=[CORPUS / "container-port-string.yaml"])
    port = next(f for f in report.findings if f.entry_id == "port-9100-conflict")
    assert port.verdict is Verdict.CONFIRMED
    assert any("declares containerPort 9100" in line for line in port.evidence)


def test_limits_can_be_raised(kb):
    bomb = CORPUS / "alias-bomb.yaml"
    report = check_manifests(kb=kb, paths=[bomb], limits=InputLimits(max_alias_nodes=10**9, max_depth=50))
    # allowed now, yet nothing expands: the bomb sits in `args`, read as a list of lists (ignored)
    assert report.workloads == 1
    assert any("args[0]: expected a string, found a list" in p.message for p in report.problems)


def test_special_files_are_refused_without_blocking(kb, tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    report = check_manifests(kb=kb, paths=[fifo, Path("/dev/zero")])
    said = {p.file: p.message for p in report.problems}
    assert "a named pipe, not a regular file" in said[str(fifo)]
    assert "a character device, not a regular file" in said["/dev/zero"]
    assert report.files_read == 0


def test_file_size_and_document_count_limits(kb, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(GOOD + "---\n" + GOOD.replace("exporter", "second"))
    too_small = check_manifests(kb=kb, paths=[big], limits=InputLimits(max_file_bytes=100))
    assert "larger than 100 bytes (raise EKS_DOCTOR_MAX_FILE_BYTES" in too_small.problems[0].message
    one_document = check_manifests(kb=kb, paths=[big], limits=InputLimits(max_documents=1))
    assert one_document.workloads == 1
    assert "more than 1 documents" in one_document.problems[0].message and one_document.problems[0].line == 10


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))


def test_the_whole_corpus_through_the_command(tmp_path):
    """One run of `eks-doctor check` over every case: exit 1 for the good file's finding, one warning line
    per problem, no traceback, no escape sequence on the terminal, within 1.5 GB and 60 s."""
    (tmp_path / "good.yaml").write_text(GOOD)
    env = {**os.environ, "EKS_DOCTOR_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite", "COLUMNS": "200"}
    env.pop("EKS_DOCTOR_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "check", str(CORPUS), str(tmp_path / "good.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        preexec_fn=_limit_memory,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert all(line.startswith(("warning: ", "  ")) for line in done.stderr.splitlines()), done.stderr
    assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout + done.stderr
    assert "pod/evil\\x1b]0;pwned" in done.stdout  # shown, but harmless


def test_limits_come_from_the_environment(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    env = {**os.environ, "EKS_DOCTOR_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"}
    env["EKS_DOCTOR_MAX_FILE_BYTES"] = "100"
    done = subprocess.run([sys.executable, "-m", "bot.cli.app", "check", str(tmp_path / "good.yaml")],
                          capture_output=True, text=True, env=env, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    assert "larger than 100 bytes (raise EKS_DOCTOR_MAX_FILE_BYTES to read it)" in done.stderr
    bad = subprocess.run([sys.executable, "-m", "bot.cli.app", "check", str(tmp_path / "good.yaml")],
                         capture_output=True, text=True, env={**env, "EKS_DOCTOR_MAX_DEPTH": "5000"}, timeout=60,
                         check=False)  # fmt: skip
    assert bad.returncode == 2 and "EKS_DOCTOR_MAX_DEPTH" in bad.stderr and "Traceback" not in bad.stderr
