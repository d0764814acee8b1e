"""The shape of a knowledge entry. Every file in `knowledge/entries/` is validated against it.

Checks and remedies are declarative: the inspector implements each check kind once, and an entry
combines them with parameters. A new known issue is a new YAML file unless it needs a new check kind.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.bounded import why_refused
from knowledge.durations import parse_duration

ENTRY_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ANNOTATION_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A concept's weight for an entry, or what a look-alike subtracts: finite, and never a bonus in disguise.
Weight = Annotated[float, Field(ge=0, le=100)]


def _valid_regex(patterns: list[str]) -> list[str]:
    """Each pattern must run in bounded time (knowledge.bounded): RE2, or `regex` under a time budget."""
    for pattern in patterns:
        reason = why_refused(pattern)
        if reason is not None:
            shown = pattern if len(pattern) <= 80 else pattern[:79] + "…"
            raise ValueError(f"regular expression {shown!r} refused: {reason}")
    return patterns


# --- checks ---------------------------------------------------------------------------------------


class _Check(_Strict):
    #: One sentence for humans: what this check looks at (shown by `kb show`).
    says: str = ""


class IstioSidecarCheck(_Check):
    """Holds when pods carry an istio sidecar or their namespace injects one."""

    kind: Literal["istio_sidecar"]


class AnnotationDurationBelowCheck(_Check):
    """Holds when the annotation is absent or its duration is below `minimum` (pod template and pods)."""

    kind: Literal["annotation_duration_below"]
    annotation: str = Field(pattern=ANNOTATION_KEY)
    minimum: str

    @field_validator("minimum")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class SpeaksGrpcCheck(_Check):
    """Holds when ports, appProtocol, images or args show the workload uses gRPC."""

    kind: Literal["speaks_grpc"]


class UsesPortCheck(_Check):
    """Holds when a container uses `port` and the `moved_by` annotation does not move EKS off it."""

    kind: Literal["uses_port"]
    port: int = Field(ge=1, le=65535)
    moved_by: str | None = Field(default=None, pattern=ANNOTATION_KEY)


class ClusterPodQuotaCheck(_Check):
    """Holds when pods in the cluster reach the pod quota (per cluster in config, else the default)."""

    kind: Literal["cluster_pod_quota"]
    default_limit: int = Field(default=200, gt=0)


class SecurityGroupQuotaCheck(_Check):
    """Holds when the workload's security group (annotation, else the default group) is at its limit."""

    kind: Literal["security_group_quota"]
    annotation: str = Field(pattern=ANNOTATION_KEY)
    default_limit: int = Field(default=2000, gt=0)


class QuotaFailureEventsCheck(_Check):
    """Holds when pending pods or FailedCreate-style events carry one of the patterns."""

    kind: Literal["quota_failure_events"]
    patterns: list[str] = Field(min_length=1)

    _regex = field_validator("patterns")(classmethod(lambda cls, v: _valid_regex(v)))


class EgressWithoutEipCheck(_Check):
    """Fails when pods have an EIP; otherwise public egress depends on a NAT route the API cannot show."""

    kind: Literal["egress_without_eip"]
    annotation_prefix: str


class LogSignatureCheck(_Check):
    """Holds when recent logs or events show a pattern; absence proves nothing (unknown)."""

    kind: Literal["log_signature"]
    patterns: list[str] = Field(min_length=1)

    _regex = field_validator("patterns")(classmethod(lambda cls, v: _valid_regex(v)))


CheckSpec = Annotated[
    IstioSidecarCheck
    | AnnotationDurationBelowCheck
    | SpeaksGrpcCheck
    | UsesPortCheck
    | ClusterPodQuotaCheck
    | SecurityGroupQuotaCheck
    | QuotaFailureEventsCheck
    | EgressWithoutEipCheck
    | LogSignatureCheck,
    Field(discriminator="kind"),
]

CHECK_KINDS = (
    "istio_sidecar",
    "annotation_duration_below",
    "speaks_grpc",
    "uses_port",
    "cluster_pod_quota",
    "security_group_quota",
    "quota_failure_events",
    "egress_without_eip",
    "log_signature",
)


class Checks(_Strict):
    """`all`: confirmed when every check holds, ruled out when one fails.
    `any`: confirmed when one holds, ruled out when every one fails. Otherwise unknown."""

    confirm_when: Literal["all", "any"] = "all"
    items: list[CheckSpec] = Field(min_length=1)


# --- remedies -------------------------------------------------------------------------------------

ValueShape = Literal["duration", "port", "json", "string"]


class AnnotationSpec(_Strict):
    key: str = Field(pattern=ANNOTATION_KEY)
    shape: ValueShape
    default: str | None = None
    #: For durations: the smallest value that fixes the issue.
    minimum: str | None = None
    #: Values that are never accepted (e.g. moving metrics to 9100 itself).
    forbidden: list[str] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> AnnotationSpec:
        if self.minimum is not None:
            if self.shape != "duration":
                raise ValueError("minimum is only for duration-shaped annotations")
            parse_duration(self.minimum)
        if self.default is not None:
            check_value_shape(self, self.default)
        return self


class PatchRemedy(_Strict):
    target: Literal["pod_template"] = "pod_template"
    allowed: list[AnnotationSpec] = Field(min_length=1)
    #: Keys set when the user gives no `--set`; each must be one of `allowed` and have a default.
    apply: list[str] = Field(min_length=1)
    consequence: str

    @model_validator(mode="after")
    def _apply_within_allowed(self) -> PatchRemedy:
        allowed = {spec.key: spec for spec in self.allowed}
        for key in self.apply:
            if key not in allowed:
                raise ValueError(f"patch key {key!r} is not in the allowed set {sorted(allowed)}")
            if allowed[key].default is None:
                raise ValueError(f"patch key {key!r} is applied by default but has no default value")
        return self

    def spec(self, key: str) -> AnnotationSpec | None:
        return next((spec for spec in self.allowed if spec.key == key), None)


class TicketRemedy(_Strict):
    quota: Literal["pods-per-cluster", "security-group-instances"]
    default_limit: int = Field(gt=0)
    where: str  # where the ticket is filed


class Remedy(_Strict):
    summary: str
    summary_zh: str
    patch: PatchRemedy | None = None
    ticket: TicketRemedy | None = None
    checklist: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_to_do(self) -> Remedy:
        if not (self.patch or self.ticket or self.checklist):
            raise ValueError("a remedy needs a patch, a ticket or a checklist")
        return self


# --- matching hints -------------------------------------------------------------------------------


class Concept(_Strict):
    """One idea people express in many ways (see knowledge/lexicon.yaml)."""

    #: English words or phrases; single words tolerate typos, phrases match as token sequences.
    en: list[str] = Field(default_factory=list)
    #: Chinese phrases, matched as substrings.
    zh: list[str] = Field(default_factory=list)
    #: Regular expressions over the lower-cased text (error strings, ports, host shapes).
    patterns: list[str] = Field(default_factory=list)
    #: Words that must match exactly (short or ambiguous words where a typo would mislead).
    exact: list[str] = Field(default_factory=list)
    #: Ignore words and phrases right after a negation ("no service mesh here", "没有用 istio").
    negatable: bool = False
    #: Right after a negation, the words mean this other concept instead ("never manages to connect"
    #: is a connection failure).
    negated_as: str | None = None

    _regex = field_validator("patterns")(classmethod(lambda cls, v: _valid_regex(v)))

    @field_validator("en")
    @classmethod
    def _contractions_as_read(cls, forms: list[str]) -> list[str]:
        # A text's "didn't" reads as the words "didn" and "t" unless "didn't" is a word of the lexicon
        # itself: a phrase with a contraction ("didn't add") is kept in both shapes.
        split = [_CONTRACTION.sub(" ", form) for form in forms if " " in form.strip() and _CONTRACTION.search(form)]
        return list(dict.fromkeys([*forms, *split]))


_CONTRACTION = re.compile(r"(?<=[a-z])'(?=[a-z])")


class MatchHints(_Strict):
    """How the matcher recognises this entry, in terms of lexicon concepts (see lexicon.yaml)."""

    #: concept -> weight; the evidence that points at this entry.
    concepts: dict[str, Weight] = Field(min_length=1)
    #: Alternatives: the entry is a candidate only if every concept of at least one group is present.
    #: A concept listed under `still_works` counts in a group only where the text says it works.
    anchors: list[list[str]] = Field(min_length=1)
    #: concept -> weight subtracted when present (the near misses that share words with this entry).
    penalties: dict[str, Weight] = Field(default_factory=dict)
    #: concept -> concepts that lift the veto: the entry is not a candidate when a vetoing concept is
    #: present and none of its lifting concepts is ("9100 in use on a VM" is not this entry).
    vetoes: dict[str, list[str]] = Field(default_factory=dict)
    #: concept -> weight added when the text says it *works* ("internal services answer fine" is
    #: evidence for the public-egress entry). Any other concept of `concepts` said to work counts against.
    still_works: dict[str, Weight] = Field(default_factory=dict)
    #: Concepts this entry brings itself (added to the shared lexicon at load time).
    terms: dict[str, Concept] = Field(default_factory=dict)

    def referenced_concepts(self) -> set[str]:
        names = set(self.concepts) | set(self.penalties) | set(self.vetoes) | set(self.still_works)
        for lifting in self.vetoes.values():
            names.update(lifting)
        for group in self.anchors:
            names.update(group)
        return names


class Symptoms(_Strict):
    en: list[str] = Field(min_length=1)
    zh: list[str] = Field(min_length=1)


class Phrases(_Strict):
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class Bilingual(_Strict):
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Source(_Strict):
    document: str
    section: str


class Entry(_Strict):
    id: str = Field(pattern=ENTRY_ID)
    title: str
    title_zh: str
    summary: str
    summary_zh: str
    source: Source
    mechanism: str
    mechanism_zh: str
    #: How people meet the problem, in their words: what stops working, when, and the questions they ask.
    symptoms: Symptoms
    #: What keeps working while this problem is present; a text saying so reads as evidence for it.
    still_works: Phrases = Field(default_factory=Phrases)
    #: Problems told in similar words that are *not* this one; a text closer to these counts against it.
    look_alikes: Phrases = Field(default_factory=Phrases)
    #: One line that tells this problem apart from its neighbours ("is it A or B?").
    hallmark: Bilingual | None = None
    #: Error strings people actually paste (shown to humans; the matcher reads them through lexicon concepts).
    error_signatures: list[str] = Field(default_factory=list)
    match: MatchHints
    checks: Checks
    remedy: Remedy
    references: list[str] = Field(default_factory=list)

    def patchable_keys(self) -> set[str]:
        return {spec.key for spec in self.remedy.patch.allowed} if self.remedy.patch else set()


def check_value_shape(spec: AnnotationSpec, value: str) -> str:
    """Validate `value` for `spec`; returns the value or raises ValueError with a reason a user can act on."""
    if value in spec.forbidden:
        raise ValueError(f"{spec.key}: {value!r} is not allowed")
    if spec.shape == "duration":
        seconds = parse_duration(value)
        if spec.minimum is not None and seconds < parse_duration(spec.minimum):
            raise ValueError(f"{spec.key}: {value!r} is shorter than the minimum {spec.minimum!r}")
    elif spec.shape == "port":
        if not value.isdigit() or not 1 <= int(value) <= 65535:
            raise ValueError(f"{spec.key}: {value!r} is not a port number (1-65535)")
    elif spec.shape == "json":
        try:
            json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{spec.key}: not valid JSON ({exc.msg})") from None
    return value
