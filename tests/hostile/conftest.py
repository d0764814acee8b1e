from __future__ import annotations

import pytest

from knowledge import load_knowledge_base


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()
