"""What to say when a name the user typed does not exist: close names nearby, or the same name in
another namespace. Suggestions are best effort: a denied or failed lookup only means fewer of them."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.cluster.kinds import KINDS, name_of
from bot.cluster.kubeapi import Access, ApiRefused, KubeApi
from bot.errors import EksDoctorError, NotFoundError

SUGGESTIONS = 3
SUGGESTION_CUTOFF = 60
#: Namespaces read for close names (metadata only); a cluster with more is still answered, partly.
NAMESPACE_PAGES = 4
#: Pages of names read per kind in one namespace for close names.
NAME_PAGES = 4


def namespace_exists(api: KubeApi, namespace: str) -> bool | None:
    """True or False; None when the cluster will not say (RBAC)."""
    try:
        return api.get(f"/api/v1/namespaces/{namespace}", access=Access("get", "namespaces")) is not None
    except (EksDoctorError, ApiRefused):
        return None


def close_names(api: KubeApi, name: str, kinds: Sequence[str], *, namespace: str) -> list[str]:
    """Names of these kinds in the namespace close to `name` (`kind/name` when several kinds are asked for)."""
    names: dict[str, str] = {}
    try:
        for kind in kinds:
            info = KINDS[kind]
            for item in api.items(
                info.collection_path(namespace),
                metadata_only=True,
                access=Access("list", info.plural, namespace),
                max_pages=NAME_PAGES,
            ):
                label = name_of(item) if len(kinds) == 1 else f"{kind.lower()}/{name_of(item)}"
                names.setdefault(label, name_of(item))
    except (EksDoctorError, ApiRefused):
        pass
    found = process.extract(name, names, limit=SUGGESTIONS, score_cutoff=SUGGESTION_CUTOFF)
    return [label for _value, _score, label in found]


def close_namespaces(api: KubeApi, namespace: str) -> list[str]:
    names: list[str] = []
    try:
        names = [
            name_of(item)
            for item in api.items(
                "/api/v1/namespaces", access=Access("list", "namespaces"), metadata_only=True, max_pages=NAMESPACE_PAGES
            )
        ]
    except (EksDoctorError, ApiRefused):
        return []
    # Plain similarity: a short typo ("shopp") is close to "shop", a short word is not close to every
    # long name that happens to contain its letters ("nope" and "kube-node-lease").
    found = process.extract(namespace, names, scorer=fuzz.ratio, limit=SUGGESTIONS, score_cutoff=SUGGESTION_CUTOFF)
    return [name for name, _score, _index in found]


def namespace_not_found(api: KubeApi, namespace: str, *, looking_for: str | None = None) -> NotFoundError:
    what = f" (looking for {looking_for})" if looking_for else ""
    return NotFoundError(f"namespace {namespace} not found{what}", suggestions=close_namespaces(api, namespace))


def elsewhere(api: KubeApi, name: str, kinds: Sequence[str], *, namespace: str) -> list[str]:
    """`kind/name -n other` for each workload of that exact name in another namespace (one metadata-only
    request per kind, filtered by the API server)."""
    found: list[str] = []
    for kind in kinds:
        info = KINDS[kind]
        try:
            items = api.items(
                info.collection_path(None),
                access=Access("list", info.plural),
                metadata_only=True,
                query=[("fieldSelector", f"metadata.name={name}")],
                max_pages=1,
            )
            for item in items:
                other = (item.get("metadata") or {}).get("namespace")
                if other and other != namespace:
                    found.append(f"{kind.lower()}/{name} -n {other}")
        except (EksDoctorError, ApiRefused):
            continue
        if len(found) >= SUGGESTIONS:
            break
    return found[:SUGGESTIONS]
