"""The knowledge base: declarative entries for known EKS pitfalls, their loader and the symptom matcher.

This package is data plus pure logic; it imports nothing from `bot`.
"""

from knowledge.loader import KnowledgeBase, load_knowledge_base
from knowledge.schema import Entry

__all__ = ["Entry", "KnowledgeBase", "load_knowledge_base"]
