"""pytest plugin: `kube`, a running emulator per test, and `kubeconfig`, a kubeconfig file for it.

Load with `pytest_plugins = ["tests.kube_emulator.fixtures"]`. Nothing here touches environment
variables: a test hands the kubeconfig path to the code under test explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kube_emulator.server import KubeEmulator


@pytest.fixture
def kube() -> Iterator[KubeEmulator]:
    with KubeEmulator() as emulator:
        yield emulator


@pytest.fixture
def kubeconfig(kube: KubeEmulator, tmp_path: Path) -> Path:
    """A kubeconfig whose current context `emulator` reaches `kube` over HTTPS (the run's CA in
    `certificate-authority-data`) with its bearer token; kubectl accepts it as it is."""
    return kube.write_kubeconfig(tmp_path / "kubeconfig", context="emulator")
