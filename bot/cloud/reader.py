"""`CloudReader`: the cloud facts one cluster's checks need, read through the SDK and cached briefly.

Built from the settings and the cluster's config by `open_cloud`. Without credentials, region or
cluster id it makes no call and says what is missing; with them, every piece that cannot be read
becomes a `CloudGap` and the rest of the report goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from bot.cloud.cache import FactsCache, shared_cache
from bot.cloud.connection import DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, DEFAULT_TIMEOUT, CloudApi, parse_endpoint
from bot.cloud.errors import CREDENTIAL_VARIABLES, POLICY_FILE, gap_from
from bot.cloud.facts import DEFAULT_GROUP, CloudFacts, CloudGap, EgressFacts, GapKind, SecurityGroupBindings
from bot.cloud.groups import bindings, default_group, describe_groups
from bot.cloud.network import read_egress
from bot.config import ClusterConfig
from bot.errors import EksDoctorError
from bot.settings import Settings


class CloudReader:
    def __init__(
        self,
        *,
        cluster: ClusterConfig,
        api: CloudApi | None,
        not_configured: CloudGap | None = None,
        cache: FactsCache | None = None,
        scope: str = "",
    ) -> None:
        self.cluster = cluster
        self.api = api
        self.not_configured = not_configured
        self.cache = cache if cache is not None else shared_cache()
        self._scope = scope

    @property
    def configured(self) -> bool:
        return self.api is not None

    def read(self, *, egress: bool = True, security_groups: Iterable[str] = ()) -> CloudFacts:
        """The egress facts (when asked) and the bindings of each group key ("" = the default group)."""
        keys = list(dict.fromkeys(security_groups))
        self._fresh()
        return CloudFacts(
            egress=self._egress() if egress else None,
            security_groups=self._security_groups(keys) if keys else {},
            not_configured=self.not_configured,
        )

    def egress(self) -> EgressFacts | CloudGap:
        self._fresh()
        return self._egress()

    def security_groups(self, keys: Iterable[str]) -> dict[str, SecurityGroupBindings | CloudGap]:
        self._fresh()
        return self._security_groups(keys)

    def bindings_for(self, key: str) -> SecurityGroupBindings | CloudGap:
        """What is bound to one group ("" = the project's default group), e.g. for a quota ticket."""
        return self.security_groups([key])[key]

    def _fresh(self) -> None:
        # Each read tries the API again; within one read, an outage stops the remaining calls.
        if self.api is not None:
            self.api.forget_outage()

    def _egress(self) -> EgressFacts | CloudGap:
        what = f"route tables of the super-node subnets of {self._cluster_label()} (Tencent Cloud)"
        if self.api is None:
            return self._missing(what)
        key = (self._scope, "egress")
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        try:
            facts = read_egress(self.api, self.cluster.cluster_id or "")
        except EksDoctorError as exc:
            return gap_from(exc, what)
        self.cache.put(key, facts)
        return facts

    def _security_groups(self, keys: Iterable[str]) -> dict[str, SecurityGroupBindings | CloudGap]:
        keys = list(dict.fromkeys(keys))
        if self.api is None:
            return {key: self._missing(self._group_what(key)) for key in keys}
        result: dict[str, SecurityGroupBindings | CloudGap] = {}
        wanted: list[str] = []
        for key in keys:
            cached = self.cache.get((self._scope, "group", key))
            if cached is not None:
                result[key] = cached
            else:
                wanted.append(key)
        if wanted:
            result.update(self._read_groups(wanted))
        return {key: result[key] for key in keys}

    def _read_groups(self, keys: list[str]) -> dict[str, SecurityGroupBindings | CloudGap]:
        api = self.api
        assert api is not None
        result: dict[str, SecurityGroupBindings | CloudGap] = {}
        try:
            described = describe_groups(api, [k for k in keys if k != DEFAULT_GROUP])
            if DEFAULT_GROUP in keys:
                group = default_group(api, self.cluster.project_id)
                if group is not None:
                    described[DEFAULT_GROUP] = group
            counted = bindings(api, list({g.SecurityGroupId: g for g in described.values()}.values()))
        except EksDoctorError as exc:
            return {key: gap_from(exc, self._group_what(key)) for key in keys}
        for key in keys:
            group = described.get(key)
            if group is None:
                where = "no such security group"
                if key == DEFAULT_GROUP:
                    where = f"project {self.cluster.project_id} has no default security group"
                result[key] = CloudGap(self._group_what(key), f"{where} in {api.region}", GapKind.FAILED)
                continue
            found = counted.get(group.SecurityGroupId)
            if found is None:
                result[key] = CloudGap(self._group_what(key), "the API returned no statistics for it", GapKind.FAILED)
                continue
            result[key] = found
            self.cache.put((self._scope, "group", key), found)
        return result

    def _group_what(self, key: str) -> str:
        group = key or f"the default security group of project {self.cluster.project_id}"
        return f"instances bound to {group} (Tencent Cloud)"

    def _cluster_label(self) -> str:
        return f"cluster {self.cluster.cluster_id or self.cluster.name}"

    def _missing(self, what: str) -> CloudGap:
        gap = self.not_configured or CloudGap(what, "not configured", GapKind.NOT_CONFIGURED)
        return CloudGap(what, gap.why, gap.kind)


def _not_configured(settings: Settings, cluster: ClusterConfig) -> CloudGap | None:
    secret_id, secret_key = settings.tencentcloud_secret_id, settings.tencentcloud_secret_key
    what = "Tencent Cloud checks"
    if secret_id is None and secret_key is None:
        why = f"no credentials: set {CREDENTIAL_VARIABLES} (read-only, see {POLICY_FILE})"
    elif secret_id is None or secret_key is None:
        missing, present = (
            ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
            if secret_id is None
            else ("TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SECRET_ID")
        )
        why = f"{missing} is not set ({present} is)"
    elif not cluster.region or not cluster.cluster_id:
        absent = " and ".join(k for k in ("region", "cluster_id") if not getattr(cluster, k))
        why = f"cluster {cluster.name} has no {absent} in EKS_DOCTOR_CONFIG"
    else:
        return None
    return CloudGap(what, why, GapKind.NOT_CONFIGURED)


def open_cloud(
    settings: Settings,
    cluster: ClusterConfig,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    cache: FactsCache | None = None,
) -> CloudReader:
    """A reader for one cluster. Raises ConfigError for a malformed EKS_DOCTOR_TENCENTCLOUD_ENDPOINT;
    missing credentials or cluster ids give a reader that makes no call and says what is missing."""
    endpoint = parse_endpoint(settings.tencentcloud_endpoint)
    gap = _not_configured(settings, cluster)
    if gap is not None:
        return CloudReader(cluster=cluster, api=None, not_configured=gap, cache=cache)
    secret_id = settings.tencentcloud_secret_id.get_secret_value()  # type: ignore[union-attr]
    api = CloudApi(
        secret_id=secret_id,
        secret_key=settings.tencentcloud_secret_key.get_secret_value(),  # type: ignore[union-attr]
        region=cluster.region or "",
        endpoint=endpoint,
        timeout=timeout,
        attempts=attempts,
        backoff=backoff,
    )
    # Facts differ per endpoint, account and cluster; the key holds a digest of the id, not the id.
    account = hashlib.sha256(secret_id.encode()).hexdigest()[:12]
    scope = f"{endpoint.url if endpoint else 'public'}|{account}|{cluster.region}|{cluster.cluster_id}"
    return CloudReader(cluster=cluster, api=api, cache=cache, scope=scope)
