"""Concepts the matcher recognises, each with its surface forms in English and Chinese.

Entries speak in concepts ("istio", "dns", "timeout"); the lexicon says how people write them,
including the errors they paste. Kept separate from entries so several entries share one vocabulary.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from knowledge.schema import Concept, Phrases


class Polarity(BaseModel):
    """Which concepts say that something works or fails (see knowledge.clauses)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the concept whose words say something works ("fine", "normal", "正常")
    works: str | None = None
    #: concepts whose words report a failure ("fails", "times out", "超时")
    fails: list[str] = Field(default_factory=list)


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concepts: dict[str, Concept]
    #: concept -> weight subtracted from every entry (problems the base does not cover).
    penalties: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict)
    #: concept -> concepts it cancels: "works on my laptop" is a comparison, not a laptop problem.
    cancels: dict[str, list[str]] = Field(default_factory=dict)
    #: concept -> concepts that lift the veto, for every entry (another cloud's product is not ours).
    vetoes: dict[str, list[str]] = Field(default_factory=dict)
    polarity: Polarity = Field(default_factory=Polarity)
    #: Problems the base does not cover, told in words close to ours: a text nearer to one of these
    #: than to an entry counts against that entry.
    not_ours: Phrases = Field(default_factory=Phrases)

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
                    # what the first definition says a denied form means stays (a folder cannot undo it)
                    negated_as=base.negated_as or concept.negated_as,
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
            polarity=Polarity(
                works=other.polarity.works or self.polarity.works,
                fails=sorted({*self.polarity.fails, *other.polarity.fails}),
            ),
            not_ours=Phrases(en=[*self.not_ours.en, *other.not_ours.en], zh=[*self.not_ours.zh, *other.not_ours.zh]),
        )
