"""Every command the README shows is run here, and gives the output the README claims.

* The examples (```sh blocks) run in README order against the Kubernetes-API emulator, as a person at
  a terminal would type them; ids the README writes as `act-xxxxxxxxxx` are those of the run.
  `CLAIMS` says, per command, what the README says it does; a command added to the README without
  a claim here, or a claim whose command left the README, fails the test.
* The synopsis (the ```text block of "Command line") is checked against each command's `--help`:
  every option it names exists.
* `make demo` runs as on a fresh clone (with an installed .venv) and shows what the README says.
  (`make test` is the command that runs this file.)
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from knowledge.loader import BUNDLED_ENTRIES
from tests.conftest import CliResult
from tests.kube_emulator import builders as b

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENTRY_IDS = [
    "public-network-egress", "port-9100-conflict", "quota-pods-per-cluster", "quota-security-group-instances",
    "istio-dns-timeout-ipvs-udp", "grpc-connection-reset-ipvs-tcp",
]  # fmt: skip
TCP = "eks.tke.cloud.tencent.com/ipvs-tcp-timeout"
UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def readme_commands() -> list[str]:
    """The `eks-doctor` lines of every sh block, continuations joined and comments dropped."""
    commands = []
    for block in _blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("eks-doctor "):
                commands.append(" ".join(line.split()))
    return commands


class Run:
    """The state a README session builds up: ids to put in place of the README's placeholders."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def expand(self, command: str) -> list[str]:
        for placeholder, real in self.ids.items():
            command = command.replace(placeholder, real)
        return shlex.split(command)[1:]


def _ok(*needles: str, code: int = 0, stream: str = "stdout") -> Callable[[CliResult, Run], None]:
    def check(result: CliResult, _run: Run) -> None:
        assert result.exit_code == code, (result.exit_code, result.stderr[-500:])
        text = getattr(result, stream)
        for needle in needles:
            assert needle in text, (needle, text[-1500:])

    return check


def _validate(result: CliResult, _run: Run) -> None:
    assert result.exit_code == 0 and "1 entry in my-entries are valid" in result.stdout


def _diagnosed(result: CliResult, run: Run) -> None:
    _ok("✖ confirmed istio-dns-timeout-ipvs-udp", "symptom matches: istio-dns-timeout-ipvs-udp", code=1)(result, run)
    assert f"--set {UDP}=120s --incident inc-" in result.stdout  # the fix to paste, linked to the incident
    run.ids["inc-xxxxxxxxxx"] = re.search(r"recorded as incident (inc-\w+)", result.stderr)[1]


def _fixed(*needles: str) -> Callable[[CliResult, Run], None]:
    def check(result: CliResult, run: Run) -> None:
        _ok("Apply? [y/N]", "applied (action act-", *needles)(result, run)
        run.ids.setdefault("act-xxxxxxxxxx", re.search(r"applied \(action (act-\w+)\)", result.stdout)[1])

    return check


def _drafted(*needles: str) -> Callable[[CliResult, Run], None]:
    def check(result: CliResult, run: Run) -> None:
        _ok("ticket draft tkt-", "English", "中文", *needles)(result, run)
        run.ids.setdefault("tkt-xxxxxxxxxx", re.search(r"ticket draft (tkt-\w+)", result.stdout)[1])

    return check


def _listed(placeholder: str, *needles: str) -> Callable[[CliResult, Run], None]:
    def check(result: CliResult, run: Run) -> None:
        _ok(run.ids[placeholder], *needles)(result, run)

    return check


def _resolved(result: CliResult, run: Run) -> None:
    _ok(f"{run.ids['inc-xxxxxxxxxx']} resolved at ")(result, run)


#: What the README says each command does.
CLAIMS: dict[str, Callable[[CliResult, Run], None]] = {
    "eks-doctor kb validate ./my-entries": _validate,
    'eks-doctor match "dial tcp 104.18.0.1:443: i/o timeout"': _ok("1. public-network-egress"),
    'eks-doctor diagnose deploy/checkout -n shop --symptom "DNS timeouts since coredns scaled"': _diagnosed,
    "eks-doctor scan -n shop": _ok("workloads in namespace shop on cluster prod-gz", "✖ confirmed", code=1),
    "eks-doctor check examples/manifests": _ok(*(f"✖ confirmed {entry}" for entry in ENTRY_IDS), code=1),
    "eks-doctor fix deploy/checkout -n shop --entry istio-dns-timeout-ipvs-udp --incident inc-xxxxxxxxxx": _fixed(
        f'+ {UDP}: "120s"', "is mitigated; once the problem is gone: eks-doctor incidents resolve inc-"
    ),
    'eks-doctor fix deploy/orders -n shop --entry grpc-connection-reset-ipvs-tcp --symptom "channel idle timeout '
    'is 60 minutes"': _fixed(f'+ {TCP}: "3600s"'),
    "eks-doctor fix deploy/exporter --entry port-9100-conflict --set eks.tke.cloud.tencent.com/metrics-port=9110 "
    "--dry-run": _ok("dry run (action act-", "eks.tke.cloud.tencent.com/metrics-port"),
    "eks-doctor undo act-xxxxxxxxxx": _ok("Undo? [y/N]", "applied (action act-"),
    "eks-doctor actions list": _listed("act-xxxxxxxxxx", "undone by act-", "dry_run"),
    "eks-doctor quota draft --type pods-per-cluster --cluster prod-gz": _drafted(
        "on cluster prod-gz", "Requested new limit: 250", "cls-abcd1234"
    ),
    "eks-doctor quota draft --type security-group-instances --security-group sg-0a1b2c3d --requested 4000": _drafted(
        "Requested new limit: 4000", "sg-0a1b2c3d"
    ),
    "eks-doctor quota list": _listed("tkt-xxxxxxxxxx", "pods-per-cluster", "security-group-instances"),
    "eks-doctor quota status tkt-xxxxxxxxxx --set submitted": _listed("tkt-xxxxxxxxxx", "submitted"),
    "eks-doctor incidents list --status mitigated": _listed("inc-xxxxxxxxxx", "mitigated"),
    "eks-doctor incidents show inc-xxxxxxxxxx": _listed("inc-xxxxxxxxxx", "opened", "triage", "action"),
    "eks-doctor incidents resolve inc-xxxxxxxxxx": _resolved,
    "eks-doctor stats --since 30d": _ok("incidents: 1 (0 open, 0 mitigated, 1 resolved)", "fixes: "),
    "eks-doctor db upgrade": _ok("schema already at "),
    "eks-doctor db current": _ok("(up to date)"),
}


def test_every_readme_command_has_a_claim_here():
    assert readme_commands() == list(dict.fromkeys(readme_commands())), "a command appears twice in the README"
    assert set(readme_commands()) == set(CLAIMS)


@pytest.fixture
def session(cli, kube, tmp_path, monkeypatch):
    """A shop on the emulator, the config the README shows, and a folder of entries: a person's desk."""
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    checkout = b.deployment("checkout", "shop", replicas=2, containers=[b.container("app"), b.container("istio-proxy")])
    grpc = b.container("app", ports=[{"name": "grpc", "containerPort": 9090}])
    orders = b.deployment("orders", "shop", containers=[grpc])
    exporter = b.deployment("exporter", "shop", containers=[b.container("node-exporter", ports=[9100])])
    for deploy in (checkout, orders, exporter):
        kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig", context="emulator", namespace="shop")
    config = tmp_path / "doctor.yaml"
    config.write_text(
        "clusters:\n"
        "  - {name: prod-gz, context: emulator, region: ap-guangzhou, cluster_id: cls-abcd1234, pod_quota: 200}\n"
        "default_cluster: prod-gz\n"
    )
    entries = tmp_path / "my-entries"
    entries.mkdir()
    entry = yaml.safe_load((BUNDLED_ENTRIES / "port-9100-conflict.yaml").read_text())
    entry["id"] = "port-9100-conflict-ours"
    (entries / "ours.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True))
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("EKS_DOCTOR_CONFIG", str(config))
    monkeypatch.setattr("bot.cli.remedy_cmds._interactive", lambda: True)  # a person at a terminal
    return kube


def test_readme_examples_do_what_the_readme_says(cli, session):
    run = Run()
    for command in readme_commands():
        result = cli(*run.expand(command), stdin="y\n")
        CLAIMS[command](result, run)
    template = session.get_object("deployments", "shop", "checkout")["spec"]["template"]["metadata"]["annotations"]
    assert UDP not in template  # undone, exactly as it was
    orders = session.get_object("deployments", "shop", "orders")["spec"]["template"]["metadata"]["annotations"]
    assert orders[TCP] == "3600s"


def _synopsis() -> list[str]:
    block = next(b for b in _blocks("text") if b.lstrip().startswith("eks-doctor match TEXT"))
    return [line.split("  ")[0].strip() for line in block.splitlines() if line.startswith("eks-doctor")]


@pytest.mark.parametrize("line", _synopsis())
def test_each_synopsis_line_matches_the_commands_help(cli, line):
    words = line.split()[1:]
    command = []
    for word in words:
        if not re.fullmatch(r"[a-z]+", word):
            break
        command.append(word)
    help_text = cli(*command, "--help").stdout
    assert cli(*command, "--help").exit_code == 0
    for option in re.findall(r"(--[a-z][a-z-]*|-[a-zA-Z]\b)", " ".join(words)):
        assert option in help_text, (line, option)


def test_make_demo_on_a_fresh_clone_shows_what_the_readme_says(tmp_path):
    """`make demo`: the pasted DNS timeout matches the istio entry, every example manifest confirms its
    issue, and the incident list comes from the user data directory, created on first use."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if subprocess.run(["make", "-q", "install"], cwd=ROOT, capture_output=True).returncode != 0:
        pytest.skip("the .venv is not installed or is out of date (make install)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EKS_DOCTOR_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run(["make", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "1. istio-dns-timeout-ipvs-udp" in out
    for entry in ENTRY_IDS:
        assert f"✖ confirmed {entry}" in out, entry
    assert "no incidents recorded" in out
    database = tmp_path / "data" / "eks-doctor" / "eks-doctor.db"
    assert database.exists() and f"incidents are kept in {database}" in done.stderr


def test_json_examples_in_the_readme_parse(cli):
    """The README promises `match - --json` answers one JSON object per line."""
    result = cli("match", "-", "--json", stdin="DNS timeout istio\nport 9100 already in use\n")
    assert [json.loads(line)["matches"][0]["id"] for line in result.stdout.splitlines()] == [
        "istio-dns-timeout-ipvs-udp",
        "port-9100-conflict",
    ]
