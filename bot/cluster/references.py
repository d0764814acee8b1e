"""Workload references the way people write them, on the command line and inside sentences.

Accepted: `deploy/checkout`, `deployment.apps/checkout`, `shop/checkout`, `shop/deploy/checkout`,
`checkout`, with `-n shop` / `--namespace shop` / `in namespace shop`. A bare name keeps the kind open
(`ANY_KIND`); the reader then tries Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod in turn.
"""

from __future__ import annotations

import re

from bot.cluster.kinds import ANY_KIND, kind_from_alias
from bot.domain import WorkloadRef
from bot.errors import InputError

_LABEL = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"  # DNS-1123 label: namespaces
_NAME = r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?"  # DNS-1123 subdomain: object names
_KIND_WORD = r"[A-Za-z]+(?:\.(?:apps|batch))?"
_LABEL_RE = re.compile(rf"^{_LABEL}$")
_NAME_RE = re.compile(rf"^{_NAME}$")

_NAMESPACE_FLAG = re.compile(rf"(?:^|\s)(?:-n\s*|--namespace[=\s]\s*)({_LABEL})(?=\s|$|[,.;:!?)])")
_NAMESPACE_WORDS = re.compile(rf"\b(?:in\s+(?:the\s+)?)?(?:namespace|ns)\s+[`'\"]?({_LABEL})\b", re.IGNORECASE)
_SLASHED = re.compile(
    rf"(?<![\w./:-])[`'\"(]?((?:{_KIND_WORD}|{_LABEL})/(?:{_KIND_WORD}/)?{_NAME})(?![\w/-])", re.IGNORECASE
)
_KIND_THEN_NAME = re.compile(
    r"\b(deployment|statefulset|daemonset|cronjob|job|pod|deploy|sts)\s+[`'\"]?(" + _NAME + r")\b",
    re.IGNORECASE,
)
#: Slashed word pairs that are not workloads ("tcp/udp", "read/write", "i/o").
_NOT_REFERENCES = {
    "tcp/udp", "udp/tcp", "and/or", "read/write", "i/o", "input/output", "ipvs/conntrack", "yes/no",
    "on/off", "true/false", "get/set", "client/server", "request/response", "http/https", "http/grpc",
    "grpc/http", "dev/null", "pod/pods", "pods/log", "tcp/ip", "pass/fail",
}  # fmt: skip
_WORDS_AFTER_KIND = {"is", "are", "was", "the", "a", "an", "in", "on", "of", "keeps", "fails", "crashes", "that"}


def _validated(kind: str, namespace: str, name: str, raw: str) -> WorkloadRef:
    if not _LABEL_RE.match(namespace):
        raise InputError(f"{raw!r}: {namespace!r} is not a valid namespace name")
    if not _NAME_RE.match(name):
        raise InputError(f"{raw!r}: {name!r} is not a valid object name (lower-case letters, digits, '-', '.')")
    return WorkloadRef(kind=kind, namespace=namespace, name=name)


def parse_reference(text: str, *, namespace: str | None = None, default_namespace: str = "default") -> WorkloadRef:
    """One reference as typed on the command line; `namespace` (from `-n`) wins over the default.

    Raises InputError for anything that is not a reference, saying what was expected.
    """
    raw = text.strip()
    flag = _NAMESPACE_FLAG.search(f" {raw}")
    if flag:
        namespace = namespace or flag.group(1)
        raw = (f" {raw}"[: flag.start()] + f" {raw}"[flag.end() :]).strip()
    parts = raw.split("/") if raw else []
    if not parts or any(not part for part in parts) or len(parts) > 3 or " " in raw:
        raise InputError(
            f"{text!r} is not a workload reference",
            hint="write kind/name (deploy/checkout), namespace/name (shop/checkout) or a name",
        )
    if len(parts) == 1:
        return _validated(ANY_KIND, namespace or default_namespace, parts[0], text)
    if len(parts) == 3:
        kind = kind_from_alias(parts[1])
        if kind is None:
            raise InputError(f"{text!r}: {parts[1]!r} is not a workload kind")
        if namespace and namespace != parts[0]:
            raise InputError(f"{text!r} names namespace {parts[0]!r} but -n says {namespace!r}")
        return _validated(kind, parts[0], parts[2], text)
    kind = kind_from_alias(parts[0])
    if kind is not None:
        return _validated(kind, namespace or default_namespace, parts[1], text)
    if namespace and namespace != parts[0]:
        raise InputError(f"{text!r} names namespace {parts[0]!r} but -n says {namespace!r}")
    return _validated(ANY_KIND, parts[0], parts[1], text)


def find_reference(text: str, *, default_namespace: str = "default") -> WorkloadRef | None:
    """The first workload reference inside free text ("DNS timeouts on shop/checkout since 10:00"), or None."""
    namespace = None
    for pattern in (_NAMESPACE_FLAG, _NAMESPACE_WORDS):
        found = pattern.search(f" {text}")
        if found:
            namespace = found.group(1).lower()
            break
    for match in _SLASHED.finditer(text):
        candidate = match.group(1).lower()
        if candidate in _NOT_REFERENCES or "://" in text[max(0, match.start() - 8) : match.start() + 3]:
            continue
        first = candidate.split("/")[0]
        if "." in first and kind_from_alias(first) is None:
            continue  # an annotation key or a host name, not a namespace
        try:
            return parse_reference(candidate, namespace=None, default_namespace=namespace or default_namespace)
        except InputError:
            continue
    for match in _KIND_THEN_NAME.finditer(text):
        name = match.group(2).lower()
        if name in _WORDS_AFTER_KIND:
            continue
        kind = kind_from_alias(match.group(1))
        if kind is not None and _NAME_RE.match(name):
            return WorkloadRef(kind=kind, namespace=namespace or default_namespace, name=name)
    return None
