"""pytest plugin: `tencent`, a running Tencent Cloud API fake per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.tencent_fake.server import TencentCloudFake


@pytest.fixture
def tencent() -> Iterator[TencentCloudFake]:
    with TencentCloudFake() as fake:
        yield fake
