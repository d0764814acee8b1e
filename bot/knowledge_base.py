"""Opening the knowledge base for the application: bundled entries plus EKS_DOCTOR_KB_PATH folders."""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import KnowledgeBaseError
from bot.settings import Settings
from knowledge.loader import KnowledgeBase, KnowledgeBaseInvalid, load_knowledge_base


def open_knowledge_base(settings: Settings, *, on_replace: Callable[[str, str], None] | None = None) -> KnowledgeBase:
    """Load and validate; user entries that replace bundled ones are reported through `on_replace`."""
    try:
        kb = load_knowledge_base(extra_paths=settings.kb_path)
    except KnowledgeBaseInvalid as exc:
        raise KnowledgeBaseError(exc.problems) from None
    if on_replace is not None:
        for entry_id, path in kb.replaced.items():
            on_replace(entry_id, path)
    return kb
