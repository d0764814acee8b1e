"""The annotations a remedy may write: the platform's allow-list, kept in code.

Knowledge entries are data that anyone can add through EKS_DOCTOR_KB_PATH; what `fix` may write to a
workload is not theirs to decide. Each `eks.tke.cloud.tencent.com/` key EKS Doctor patches is listed
here with its value type and range, from the platform's documentation. An entry may narrow a key (a
higher minimum, forbidden values) but never widen it. A key outside this list, or a wider range, takes
an explicit `extra_annotations` item in EKS_DOCTOR_CONFIG, which `kb validate` and `fix` both show.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from knowledge.durations import format_seconds, parse_duration

PLATFORM = "platform"
#: The longest duration any of these annotations takes (the kernel keeps ipvs timeouts in jiffies).
MAX_DURATION_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class AnnotationRule:
    """What may be written to one annotation key."""

    key: str
    shape: str  # duration | port | json | string
    #: Durations in seconds, ports as numbers; None: the shape's own bound.
    minimum: float | None = None
    maximum: float | None = None
    #: Strings: the only values accepted (empty: any value `pattern` accepts).
    values: tuple[str, ...] = ()
    #: Strings: a regular expression the whole value must match.
    pattern: str | None = None
    #: JSON: whether the value must be an object ({...}).
    json_object: bool = False
    max_length: int = 256
    #: "platform", or where the widening was declared ("EKS_DOCTOR_CONFIG (/etc/eks-doctor/config.yaml)").
    source: str = PLATFORM

    @property
    def widened(self) -> bool:
        return self.source != PLATFORM

    def describe(self) -> str:
        """The type and range, for people: "duration 1s-604800s", "string: one of true, false"."""
        if self.shape == "duration":
            low = format_seconds(self.minimum) if self.minimum is not None else "0s"
            return f"duration {low}-{format_seconds(self.maximum or MAX_DURATION_SECONDS)}"
        if self.shape == "port":
            return f"port {int(self.minimum or 1)}-{int(self.maximum or 65535)}"
        if self.shape == "json":
            what = "JSON object" if self.json_object else "JSON"
            return f"{what} of at most {self.max_length} characters"
        if self.values:
            return "string: one of " + ", ".join(self.values)
        return f"string matching {self.pattern!r}"

    def check(self, value: str) -> None:
        """Raises ValueError, naming the key and the range, when `value` is outside this rule."""
        if len(value) > self.max_length:
            raise ValueError(f"{self.key}: longer than {self.max_length} characters ({self.describe()})")
        if self.shape == "duration":
            try:
                seconds = parse_duration(value)
            except ValueError:
                raise ValueError(f"{self.key}: {value!r} is not a duration ({self.describe()})") from None
            low = self.minimum if self.minimum is not None else 0.0
            if not low <= seconds <= (self.maximum or MAX_DURATION_SECONDS):
                raise ValueError(f"{self.key}: {value!r} is outside the allowed range ({self.describe()})")
        elif self.shape == "port":
            if not (value.isascii() and value.isdigit()):
                raise ValueError(f"{self.key}: {value!r} is not a port number ({self.describe()})")
            if not (self.minimum or 1) <= int(value) <= (self.maximum or 65535):
                raise ValueError(f"{self.key}: {value!r} is outside the allowed range ({self.describe()})")
        elif self.shape == "json":
            try:
                parsed = json.loads(value)
            except (json.JSONDecodeError, RecursionError):
                raise ValueError(f"{self.key}: not valid JSON ({self.describe()})") from None
            if self.json_object and not isinstance(parsed, dict):
                raise ValueError(f"{self.key}: must be a JSON object ({self.describe()})")
        elif self.values:
            if value not in self.values:
                raise ValueError(f"{self.key}: {value!r} is not allowed ({self.describe()})")
        elif self.pattern is not None:
            from knowledge.bounded import bounded

            if not bounded(self.pattern).matches_whole(value):
                raise ValueError(f"{self.key}: {value!r} is not allowed ({self.describe()})")
        else:
            raise ValueError(f"{self.key}: no string value is allowed (the rule lists none)")


_EKS = "eks.tke.cloud.tencent.com/"

#: The keys the bundled remedies write, as the platform documents them.
PLATFORM_RULES: tuple[AnnotationRule, ...] = (
    # ipvs session timeouts inside the pod's sandbox (default 5 s for UDP, 15 min for TCP).
    AnnotationRule(_EKS + "ipvs-udp-timeout", "duration", minimum=1, maximum=MAX_DURATION_SECONDS),
    AnnotationRule(_EKS + "ipvs-tcp-timeout", "duration", minimum=1, maximum=MAX_DURATION_SECONDS),
    # The port EKS serves pod metrics on (9100 by default).
    AnnotationRule(_EKS + "metrics-port", "port", minimum=1, maximum=65535),
    # An EIP per pod: the parameters of the create-EIP call, as a JSON object.
    AnnotationRule(_EKS + "eip-attributes", "json", json_object=True, max_length=1024),
)


class AllowList:
    """The platform's rules, plus any a config file adds or widens (those win for their key)."""

    def __init__(self, extra: Iterable[AnnotationRule] = ()) -> None:
        self.rules: dict[str, AnnotationRule] = {rule.key: rule for rule in PLATFORM_RULES}
        self.widened: tuple[AnnotationRule, ...] = tuple(extra)
        for rule in self.widened:
            self.rules[rule.key] = rule

    def rule(self, key: str) -> AnnotationRule | None:
        return self.rules.get(key)

    def fingerprint(self) -> str:
        """Text that changes whenever the rules do (part of the compiled knowledge base's cache key)."""
        return repr(sorted(self.rules.items()))

    def check(self, key: str, value: str) -> AnnotationRule:
        """The rule that admits `value` for `key`; ValueError when none does."""
        rule = self.rules.get(key)
        if rule is None:
            raise ValueError(self._not_listed(key))
        rule.check(value)
        return rule

    def _not_listed(self, key: str) -> str:
        return (
            f"{key} is not an annotation EKS Doctor may write (allowed: {', '.join(sorted(self.rules))}; "
            "EKS_DOCTOR_CONFIG extra_annotations can add one)"
        )

    def admit(self, values: Mapping[str, str | None]) -> list[str]:
        """Check every value a plan would write (None removes a key); returns one note per key a config
        file widened, and raises ValueError for anything outside the list."""
        notes = []
        for key, value in values.items():
            rule = self.rules.get(key)
            if value is not None or rule is None:
                rule = self.check(key, value or "")
            if rule.widened:
                notes.append(f"{key} is outside the platform allow-list; {rule.source} allows it ({rule.describe()})")
        return notes

    def spec_problems(self, spec) -> list[tuple[str, str]]:  # spec: knowledge.schema.AnnotationSpec
        """(field, problem) for an entry's annotation that is not within this list: an entry may narrow
        a key, never widen it."""
        rule = self.rules.get(spec.key)
        if rule is None:  # the same words as a plan would be refused with
            return [("key", self._not_listed(spec.key))]
        problems = []
        if spec.shape != rule.shape:
            problems.append(("shape", f"{spec.shape!r} is not the allow-list's {rule.shape!r} for {spec.key}"))
            return problems
        if spec.default is not None:
            try:
                rule.check(spec.default)
            except ValueError as exc:
                problems.append(("default", str(exc)))
        if spec.minimum is not None and rule.minimum is not None and parse_duration(spec.minimum) < rule.minimum:
            problems.append(("minimum", f"{spec.minimum!r} is below the allow-list's range ({rule.describe()})"))
        return problems
