from __future__ import annotations

import pytest

from knowledge import load_knowledge_base
from tests.inspect.conftest import live, settings  # noqa: F401  (fixtures: a live source on the emulator)


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()
