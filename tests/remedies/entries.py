"""Knowledge entries made for a test: a real entry of the bundled knowledge base with another patch
remedy, for shapes and key sets the bundled entries do not have (two keys with one short name, a
string-shaped key, a duration that is not applied by default)."""

from __future__ import annotations

from functools import cache

from knowledge.loader import KnowledgeBase, load_knowledge_base
from knowledge.platform import AllowList, AnnotationRule
from knowledge.schema import AnnotationSpec, Entry, PatchRemedy, Remedy

CONSEQUENCE = "Changing the pod template starts a rollout."


def spec(key: str, shape: str, **fields) -> AnnotationSpec:
    return AnnotationSpec(key=key, shape=shape, **fields)


def entry_with(
    base: Entry, *specs: AnnotationSpec, apply: list[str] | None = None, consequence: str = CONSEQUENCE
) -> Entry:
    """`base` with a patch remedy allowing `specs`; by default every spec with a default is applied."""
    keys = apply if apply is not None else [s.key for s in specs if s.default is not None]
    patch = PatchRemedy(allowed=list(specs), apply=keys, consequence=consequence)
    remedy = Remedy(summary="test remedy", summary_zh="测试用的修复", patch=patch)
    return base.model_copy(update={"remedy": remedy})


@cache
def bundled_kb() -> KnowledgeBase:
    """The bundled knowledge base, loaded once: pure tests only read it."""
    return load_knowledge_base()


def widened(*rules: tuple[str, str]) -> AllowList:
    """The platform allow-list plus keys a config file would add (`extra_annotations`): test entries
    use keys of their own, which the platform list rightly refuses."""
    return AllowList(
        extra=[AnnotationRule(key, shape, pattern=".*" if shape == "string" else None, source="test config")
               for key, shape in rules]
    )  # fmt: skip
