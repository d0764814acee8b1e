"""The three PATCH formats the API server accepts for built-in types.

* JSON merge patch (RFC 7386): maps merge, `null` deletes, anything else replaces.
* Strategic merge patch: a merge patch that also merges the lists Kubernetes declares with a merge
  key (containers by `name`, container ports by `containerPort`, ...), and honours the `$patch:
  delete` / `$patch: replace` directives. Other `$` directives kubectl sends (`$setElementOrder`,
  `$retainKeys`, `$deleteFromPrimitiveList`) are dropped: ordering and retain-key pruning are not
  emulated. The python client sends a dict body as a strategic merge patch by default, so container
  merging matters for any remedy that touches one container.
* JSON patch (RFC 6902): add, remove, replace, move, copy, test.

Functions never modify their inputs.
"""

from __future__ import annotations

import copy
from typing import Any

#: list field -> candidate merge keys, in the order the real schema would pick them.
_MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "imagePullSecrets": ("name",),
    "ports": ("containerPort", "port"),  # container ports vs service ports
    "hostAliases": ("ip",),
    "conditions": ("type",),
    "ownerReferences": ("uid",),
}


class PatchError(ValueError):
    """A patch that cannot apply; the API server answers 422."""


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    body = {k: v for k, v in patch.items() if not k.startswith("$")}
    if directive == "replace":
        return copy.deepcopy(body)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in body.items():
        if value is None or (isinstance(value, dict) and value.get("$patch") == "delete"):
            result.pop(key, None)
        elif key in _MERGE_KEYS and isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, _MERGE_KEYS[key])
        else:
            result[key] = strategic_merge_patch(result.get(key), value)
    return result


def _merge_list(current: list[Any], patch: list[Any], candidates: tuple[str, ...]) -> list[Any]:
    """Merge a keyed list as apimachinery does, including the order of the result: the patch's items
    in the patch's order, with the items only the server has kept where they stood relative to them."""
    if not all(isinstance(item, dict) for item in patch):
        return copy.deepcopy(patch)
    key = next((k for k in candidates if any(k in item for item in patch)), candidates[0])
    merged = [item for item in current if isinstance(item, dict)]
    plain: list[dict[str, Any]] = []
    for item in patch:
        if key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {key}")
        directive = item.get("$patch")
        if directive == "delete":
            merged = [old for old in merged if old.get(key) != item[key]]
        elif directive == "replace":
            return [strategic_merge_patch({}, i) for i in patch if "$patch" not in i]
        elif directive is not None:
            raise PatchError(f"Unknown patch type: {directive} in map: {item}")
        else:
            plain.append(item)
    original_order = [old.get(key) for old in merged]
    for item in plain:
        index = next((i for i, old in enumerate(merged) if old.get(key) == item[key]), None)
        if index is None:
            merged.append(strategic_merge_patch({}, item))
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    patch_order = [item[key] for item in plain]
    from_patch = sorted((m for m in merged if m.get(key) in patch_order), key=lambda m: patch_order.index(m.get(key)))
    server_only = [m for m in merged if m.get(key) not in patch_order]
    return _interleave(server_only, from_patch, original_order, key)


def _interleave(server_only: list[Any], from_patch: list[Any], original_order: list[Any], key: str) -> list[Any]:
    """Both lists keep their own order; a server-only item goes first only when it stood before the
    patched item it is compared with (an item new to the list has no place, so the patch wins)."""
    result: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(from_patch):
        if j >= len(from_patch):
            result.append(server_only[i])
            i += 1
        elif i >= len(server_only):
            result.append(from_patch[j])
            j += 1
        else:
            left, right = server_only[i].get(key), from_patch[j].get(key)
            if (
                left in original_order
                and right in original_order
                and original_order.index(left) < original_order.index(right)
            ):
                result.append(server_only[i])
                i += 1
            else:
                result.append(from_patch[j])
                j += 1
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(doc: Any, parts: list[str], path: str) -> Any:
    node = doc
    for part in parts[:-1]:
        node = _child(node, part, path)
    return node


def _child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    raise PatchError(f"doc is missing path: {path}")


def _get(doc: Any, path: str) -> Any:
    node = doc
    for part in _pointer(path):
        node = _child(node, part, path)
    return node


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent, last = _parent(doc, parts, path), parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        index = len(parent) if last == "-" else int(last) if last.isdigit() else -1
        if not 0 <= index <= len(parent):
            raise PatchError(f"add operation does not apply: doc is missing path: {path}")
        parent.insert(index, value)
    else:
        raise PatchError(f"add operation does not apply: doc is missing path: {path}")
    return doc


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, parts, path), parts[-1]
    _child(parent, last, path)  # raises when missing
    if isinstance(parent, dict):
        del parent[last]
    else:
        del parent[int(last)]
    return doc


def json_patch(target: Any, operations: list[Any]) -> Any:
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(f"invalid JSON patch operation: {op!r}")
        kind, path = op["op"], op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"{kind} operation needs a value: {path}")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            doc = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)  # must exist
            doc = _add(_remove(doc, path), path, copy.deepcopy(op["value"])) if _pointer(path) else op["value"]
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(doc, op.get("from", "")))
            if kind == "move":
                doc = _remove(doc, op["from"])
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value {path} failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc
