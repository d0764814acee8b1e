"""Running the real kubectl in a sealed environment: an explicit kubeconfig, a discovery cache and a
HOME of the test's own, so nothing reads or writes the user's ~/.kube."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

#: Set by .ci/run: there kubectl is part of the machine, so a missing one fails instead of skipping.
REQUIRE_ENV = "EKS_DOCTOR_REQUIRE_KUBECTL"
MISSING = (
    "kubectl is not on the PATH, so the emulator was not checked against the real client: install "
    "kubectl (v1.32, as on this project's machines and CI) to run tests/conformance"
)


def find_kubectl() -> str | None:
    return shutil.which("kubectl")


class KubectlFailed(AssertionError):
    def __init__(self, args: tuple[str, ...], result: subprocess.CompletedProcess[str]) -> None:
        super().__init__(f"kubectl {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
        self.result = result


class Kubectl:
    """`kubectl(*args)` runs the binary against one kubeconfig and returns the finished process."""

    def __init__(self, binary: str, kubeconfig: Path, workdir: Path) -> None:
        self.binary = binary
        self.kubeconfig = kubeconfig
        self.cache_dir = workdir / "kubectl-cache"
        home = workdir / "kubectl-home"
        home.mkdir(parents=True, exist_ok=True)
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"}

    def with_kubeconfig(self, kubeconfig: Path) -> Kubectl:
        other = Kubectl.__new__(Kubectl)
        other.__dict__.update(self.__dict__, kubeconfig=kubeconfig)
        return other

    def __call__(self, *args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = [self.binary, f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache_dir}", *args]
        result = subprocess.run(argv, capture_output=True, text=True, env=self.env, input=stdin, timeout=60)
        if check and result.returncode != 0:
            raise KubectlFailed(args, result)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "-o", "json").stdout)

    def yaml(self, *args: str) -> Any:
        return yaml.safe_load(self(*args, "-o", "yaml").stdout)

    def version(self) -> str:
        """The client version that ran (the machine's kubectl may dispatch to the server's minor)."""
        return str(json.loads(self("version", "-o", "json").stdout)["clientVersion"]["gitVersion"])
