"""Concepts the matcher recognises, each with its surface forms in English and Chinese.

Entries speak in concepts ("istio", "dns", "timeout"); the lexicon says how people write them,
including the errors they paste. Kept separate from entries so several entries share one vocabulary.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from knowledge.schema import Concept


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concepts: dict[str, Concept]
    #: concept -> weight subtracted from every entry (problems the base does not cover).
    penalties: dict[str, float] = Field(default_factory=dict)
    #: concept -> concepts it cancels: "works on my laptop" is a comparison, not a laptop problem.
    cancels: dict[str, list[str]] = Field(default_factory=dict)
    #: concept -> concepts that lift the veto, for every entry (another cloud's product is not ours).
    vetoes: dict[str, list[str]] = Field(default_factory=dict)

    def merged(self, other: Lexicon) -> Lexicon:
        """Add another lexicon's concepts; a concept named in both gets the union of its forms."""
        combined = dict(self.concepts)
        for name, concept in other.concepts.items():
            if name in combined:
                base = combined[name]
                concept = Concept(
                    en=[*base.en, *concept.en],
                    zh=[*base.zh, *concept.zh],
                    patterns=[*base.patterns, *concept.patterns],
                    exact=[*base.exact, *concept.exact],
                    negatable=base.negatable or concept.negatable,
                )
            combined[name] = concept
        cancels = {**self.cancels}
        for name, cancelled in other.cancels.items():
            cancels[name] = sorted({*cancels.get(name, []), *cancelled})
        return Lexicon(
            concepts=combined,
            penalties={**self.penalties, **other.penalties},
            cancels=cancels,
            vetoes={**self.vetoes, **other.vetoes},
        )
