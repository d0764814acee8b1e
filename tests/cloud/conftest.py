"""Fixtures for the cloud tests: the Tencent Cloud API fake over real HTTP, settings pointing the SDK
at it, readers built from those settings, and a shop whose cluster has super-node subnets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.cloud.cache import FactsCache
from bot.cloud.reader import CloudReader, open_cloud
from bot.config import ClusterConfig
from bot.settings import Settings
from tests.tencent_fake.fixtures import tencent  # noqa: F401
from tests.tencent_fake.server import SECRET_ID, SECRET_KEY, TencentCloudFake

CLUSTER_ID = "cls-abcd1234"
REGION = "ap-guangzhou"
#: The emulator's pods run on "eklet-subnet-6ktx2ltm-ap-guangzhou-3": a super node in this subnet.
SUBNET = "subnet-6ktx2ltm"
OTHER_SUBNET = "subnet-9qwz4rtp"
PROD = ClusterConfig(name="prod-gz", region=REGION, cluster_id=CLUSTER_ID)


def cloud_settings(fake: TencentCloudFake, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "TENCENTCLOUD_SECRET_ID": SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
        "EKS_DOCTOR_TENCENTCLOUD_ENDPOINT": fake.endpoint,
        "kube_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(**{k: v for k, v in values.items() if v is not None})


@pytest.fixture
def reader(tencent: TencentCloudFake) -> Callable[..., CloudReader]:  # noqa: F811
    """`reader(settings=None, cluster=PROD, **open_args)`: a reader with its own cache, fast backoff."""

    def make(settings: Settings | None = None, cluster: ClusterConfig = PROD, **open_args: Any) -> CloudReader:
        open_args.setdefault("timeout", 2.0)
        open_args.setdefault("backoff", 0.01)
        open_args.setdefault("cache", FactsCache())
        return open_cloud(settings or cloud_settings(tencent), cluster, **open_args)

    return make


def eks_cluster(fake: TencentCloudFake, *, subnets: tuple[str, ...] = (SUBNET,)) -> None:
    fake.add_eks_cluster(CLUSTER_ID, subnets=list(subnets))


def route_table(fake: TencentCloudFake, *, subnets: tuple[str, ...] = (SUBNET,), default_to: str | None = None,
                table_id: str = "rtb-sn0001", name: str = "super-nodes") -> None:  # fmt: skip
    routes = [("10.8.0.0/16", "CCN", "ccn-office01"), ("192.168.0.0/16", "VPN", "vpngw-dc01")]
    if default_to:
        routes.append(("0.0.0.0/0", "NAT", default_to))
    fake.add_route_table(table_id, subnets=list(subnets), routes=routes, name=name)
