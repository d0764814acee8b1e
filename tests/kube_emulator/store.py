"""Objects indexed per resource type and namespace, with the global resourceVersion counter.

Listing walks keys in `(namespace, name)` order from the continue position, so a page costs
O(log n + page) and paging through 20,000 pods stays linear. Sorted key lists are rebuilt lazily:
a bulk load only marks them stale and pays one sort at the next list.

Stored objects are never mutated after `put`: updates store a new dict. That lets list responses be
serialised outside the lock and keeps old references handed out earlier consistent.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator
from typing import Any

from tests.kube_emulator.resources import NAMESPACES, PODS, RESOURCES, ResourceType

Obj = dict[str, Any]
_SCALARS = (str, int, float, bool, type(None))


def clone(value: Any) -> Any:
    """A deep copy of JSON data that rejects anything the wire could not carry (e.g. a datetime).

    Twice as fast as a `json` round trip, which matters when loading 20,000 pods.
    """
    kind = type(value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise TypeError(f"JSON object keys must be strings: {list(value)!r}")
        return {key: clone(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [clone(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"not JSON data: {value!r} ({kind.__name__})")


class _Bucket:
    """One namespace's objects of one type, with lazily sorted names."""

    __slots__ = ("_keys", "objects")

    def __init__(self) -> None:
        self.objects: dict[str, Obj] = {}
        self._keys: list[str] | None = []

    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = sorted(self.objects)
        return self._keys

    def put(self, name: str, obj: Obj, *, bulk: bool) -> None:
        if name not in self.objects:
            if bulk:
                self._keys = None
            elif self._keys is not None:
                bisect.insort(self._keys, name)
        self.objects[name] = obj

    def pop(self, name: str) -> Obj | None:
        obj = self.objects.pop(name, None)
        if obj is not None and self._keys is not None:
            index = bisect.bisect_left(self._keys, name)
            del self._keys[index]
        return obj


class Store:
    """Thread-safe storage. Callers doing read-modify-write hold `lock` around the whole sequence."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._rv = 0
        self._tables: dict[ResourceType, dict[str, _Bucket]] = {rt: {} for rt in RESOURCES}
        self._namespace_keys: dict[ResourceType, list[str] | None] = {rt: [] for rt in RESOURCES}
        self.logs: dict[tuple[str, str, str, bool], str] = {}

    # -- resourceVersion -------------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        return str(self._rv)

    def next_resource_version(self) -> str:
        with self.lock:
            self._rv += 1
            return str(self._rv)

    # -- objects ---------------------------------------------------------------------------------

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        bucket = self._tables[rt].get(namespace or "")
        return bucket.objects.get(name) if bucket else None

    def put(self, rt: ResourceType, obj: Obj, *, bulk: bool = False) -> None:
        meta = obj["metadata"]
        namespace = meta.get("namespace", "") if rt.namespaced else ""
        with self.lock:
            table = self._tables[rt]
            bucket = table.get(namespace)
            if bucket is None:
                bucket = table[namespace] = _Bucket()
                keys = self._namespace_keys[rt]
                if bulk or keys is None:
                    self._namespace_keys[rt] = None
                else:
                    bisect.insort(keys, namespace)
            bucket.put(meta["name"], obj, bulk=bulk)

    def delete(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        with self.lock:
            bucket = self._tables[rt].get(namespace or "")
            obj = bucket.pop(name) if bucket else None
            if obj is not None and rt is PODS:
                for key in [k for k in self.logs if k[0] == namespace and k[1] == name]:
                    del self.logs[key]
            if obj is not None and rt is NAMESPACES:
                self._drop_namespace(name)
            return obj

    def _drop_namespace(self, namespace: str) -> None:
        """Namespace deletion removes its contents at once (no Terminating phase, no finalizers)."""
        for rt in RESOURCES:
            if rt.namespaced and namespace in self._tables[rt]:
                del self._tables[rt][namespace]
                self._namespace_keys[rt] = None
        for key in [k for k in self.logs if k[0] == namespace]:
            del self.logs[key]

    def count(self, rt: ResourceType, namespace: str | None = None) -> int:
        with self.lock:
            if namespace is not None:
                bucket = self._tables[rt].get(namespace)
                return len(bucket.objects) if bucket else 0
            return sum(len(bucket.objects) for bucket in self._tables[rt].values())

    def scan(self, rt: ResourceType, namespace: str | None, after: tuple[str, str] | None = None) -> Iterator[Obj]:
        """Objects in `(namespace, name)` order strictly after `after`. Iterate while holding `lock`."""
        table = self._tables[rt]
        if namespace is not None or not rt.namespaced:
            namespaces = [namespace or ""] if (namespace or "") in table else []
        else:
            if self._namespace_keys[rt] is None:
                self._namespace_keys[rt] = sorted(table)
            namespaces = self._namespace_keys[rt] or []
        start = bisect.bisect_left(namespaces, after[0]) if after else 0
        for ns_index in range(start, len(namespaces)):
            ns = namespaces[ns_index]
            bucket = table[ns]
            keys = bucket.keys()
            first = bisect.bisect_right(keys, after[1]) if after and ns == after[0] else 0
            for index in range(first, len(keys)):
                yield bucket.objects[keys[index]]
