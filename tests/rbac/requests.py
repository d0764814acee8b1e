"""From the emulator's request log to RBAC terms: (API group, resource[/subresource], verb).

A request is recorded as (method, path template, query flags): names and namespaces become `{name}`
and `{namespace}`, and only the query parameters that change what is asked (watch, dryRun) are kept.
"""

from __future__ import annotations

from typing import NamedTuple

#: Query parameters that change the RBAC verb or the nature of a write; the rest (limit, continue,
#: selectors, tailLines, container) only shape the answer.
FLAGS = ("watch", "dryRun")


class Call(NamedTuple):
    method: str
    template: str
    flags: tuple[tuple[str, str], ...]


class Permission(NamedTuple):
    group: str  # "" for the core group
    resource: str  # plural, with "/subresource" when there is one
    verb: str


def template_of(method: str, path: str, query: dict[str, str]) -> Call:
    parts = path.strip("/").split("/")
    if parts[:2] == ["api", "v1"]:
        head, rest = parts[:2], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        head, rest = parts[:3], parts[3:]
    else:
        return Call(method, path, ())  # discovery, /version, /healthz
    shaped: list[str] = []
    if rest[:1] == ["namespaces"] and len(rest) >= 3:
        shaped, rest = ["namespaces", "{namespace}"], rest[2:]
    if rest:
        shaped.append(rest[0])  # the resource
        if len(rest) > 1:
            shaped.append("{name}")
        shaped += rest[2:]  # a subresource
    flags = tuple(sorted((key, query[key]) for key in FLAGS if key in query))
    return Call(method, "/" + "/".join(head + shaped), flags)


def permission_of(call: Call) -> Permission | None:
    """What RBAC checks for the call; None for calls outside resources (discovery, /version)."""
    parts = call.template.strip("/").split("/")
    if parts[:2] == ["api", "v1"]:
        group, rest = "", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
    else:
        return None
    if rest[:2] == ["namespaces", "{namespace}"] and len(rest) > 2:
        rest = rest[2:]
    if not rest:
        return None
    named = len(rest) > 1 and rest[1] == "{name}"
    resource = rest[0] + ("/" + rest[2] if len(rest) > 2 else "")
    flags = dict(call.flags)
    verb = {
        ("GET", False): "watch" if flags.get("watch") in ("true", "1") else "list",
        ("GET", True): "get",
        ("POST", False): "create",
        ("PUT", True): "update",
        ("PATCH", True): "patch",
        ("DELETE", True): "delete",
        ("DELETE", False): "deletecollection",
    }.get((call.method, named))
    if verb is None:
        return None
    return Permission(group, resource, verb)
