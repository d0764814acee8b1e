"""Every command in the README sections about running and deploying the bot is run here (or by .ci/run):
offline where a cluster would be needed — kubectl renders, generates and dry-runs locally, and the
objects a command names must exist in deploy/ — so the README cannot drift from what ships."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SECTIONS = ("## Quick start (fresh machine)", "## Deploying to a cluster")
OFFLINE = {**os.environ, "KUBECONFIG": "/nonexistent"}  # kubectl must not need a cluster for these


def section(title: str) -> str:
    start = README.index(title)
    following = README.find("\n## ", start + len(title))
    return README[start : following if following != -1 else len(README)]


def commands(text: str) -> list[str]:
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split("  #")[0].strip()
            if command:
                found.append(command)
    return found


def kubectl(*args: str) -> str:
    result = subprocess.run(["kubectl", *args], capture_output=True, text=True, env=OFFLINE, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def objects(path: Path) -> list[dict]:
    if path.is_dir():
        return [d for d in yaml.safe_load_all(kubectl("kustomize", str(path))) if d]
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def deployed() -> list[dict]:
    return objects(ROOT / "deploy" / "kubernetes") + objects(ROOT / "deploy" / "kubernetes" / "db-upgrade-job.yaml")


def exists(kind: str, namespace: str, name: str) -> bool:
    return any(o["kind"].lower() == kind and o["metadata"]["name"] == name
               and o["metadata"].get("namespace") == namespace for o in deployed())  # fmt: skip


def check(command: str) -> None:
    words = shlex.split(command)
    if words == ["make", "test"]:
        assert "make test" in (ROOT / ".ci" / "run").read_text()  # CI runs it on a fresh clone
        return
    if words == ["make", "demo"]:
        env = {**os.environ, "EKS_DOCTOR_DATABASE_URL": f"sqlite:///{ROOT / '.venv' / 'readme-demo.db'}"}
        # -o: the install is what this very test run uses; never reinstall in the middle of it.
        result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "demo"], cwd=ROOT,
                                capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "istio-dns-timeout-ipvs-udp" in result.stdout
        return
    assert words[0] == "kubectl", f"a README command no test covers: {command}"
    namespace = words[words.index("-n") + 1] if "-n" in words else None
    rest = [w for i, w in enumerate(words[1:], 1) if w != "-n" and words[i - 1] != "-n"]
    verb = rest[0]
    if verb == "kustomize":
        assert objects(ROOT / rest[1])
    elif verb == "create":
        out = yaml.safe_load(kubectl(*words[1:], "--dry-run=client", "-o", "yaml"))
        if out["kind"] == "Secret":
            known = {field.alias for field in Settings.model_fields.values()}
            assert set(out["data"]) <= known and out["metadata"]["name"] == "eks-doctor"
            assert any(e.get("secretRef", {}).get("name") == "eks-doctor"
                       for o in deployed() if o["kind"] == "Deployment"
                       for e in o["spec"]["template"]["spec"]["containers"][0]["envFrom"])  # fmt: skip
        else:
            assert out["kind"] == "Namespace" and any(o["kind"] == "Namespace" and o["metadata"]["name"] ==
                                                      out["metadata"]["name"] for o in deployed())  # fmt: skip
    elif verb == "apply":
        flag, target = rest[1], ROOT / rest[2]
        assert flag in ("-f", "-k") and target.exists()
        assert objects(target)
    elif verb in ("wait", "rollout"):
        kind, name = (rest[-1] if verb == "rollout" else next(w for w in rest if "/" in w)).split("/")
        assert exists(kind, namespace, name), command
    elif verb == "exec":
        kind, name = rest[1].split("/")
        assert exists(kind, namespace, name)
        inner = words[words.index("--") + 1 :]
        assert inner == ["eks-doctor", "selfcheck"]  # tests/selfcheck runs it against real answers
    else:
        raise AssertionError(f"a README command no test covers: {command}")


def test_every_command_of_the_quick_start_and_deploying_sections_runs():
    found = [c for title in SECTIONS for c in commands(section(title))]
    assert "make demo" in found and "kubectl apply -k deploy/kubernetes" in found
    for command in found:
        check(command)
