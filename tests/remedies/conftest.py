"""Fixtures for the remedy tests: the Kubernetes-API emulator (real HTTP), a client for it built the
way the CLI builds one, a migrated SQLite store per test, and a shop with a gRPC Deployment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cluster.kubeapi import KubeApi, connect
from bot.store import Store, open_store, upgrade
from bot.store.models import Base
from tests.kube_emulator import builders as b
from tests.kube_emulator.fixtures import kube, kubeconfig  # noqa: F401
from tests.postgres import PgServer

from .front import Front

TCP = "eks.tke.cloud.tencent.com/ipvs-tcp-timeout"
METRICS = "eks.tke.cloud.tencent.com/metrics-port"
GRPC_ENTRY = "grpc-connection-reset-ipvs-tcp"
PORT_ENTRY = "port-9100-conflict"


@pytest.fixture(scope="session")
def _migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("remedies-template") / "template.db"
    open_store(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def _pg_url(pg_server: PgServer) -> str:
    """One migrated PostgreSQL database for this session, on the tests' server (tests/postgres.py)."""
    url = pg_server.create_database("remedies")
    store = open_store(url, migrate=False)
    upgrade(store)
    store.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, _migrated_db: Path, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "remedies.db"
        shutil.copy(_migrated_db, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("_pg_url")
    yield url
    cleaner = open_store(url, migrate=False)
    try:
        with cleaner.engine.begin() as connection:
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    finally:
        cleaner.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = open_store(db_url, migrate=False)
    yield store
    store.dispose()


@pytest.fixture
def api(kubeconfig: Path) -> KubeApi:  # noqa: F811 - the emulator's fixture
    return connect(context=None, timeout=5.0, kubeconfig=kubeconfig)


@pytest.fixture
def kb():
    from knowledge.loader import load_knowledge_base

    return load_knowledge_base()


@pytest.fixture
def shop(kube):  # noqa: F811 - the emulator's fixture
    """deployment/checkout in shop: 3 replicas, gRPC on 9090, an unrelated template annotation."""
    deploy = b.deployment(
        "checkout",
        "shop",
        containers=[
            b.container("app", ports=[{"containerPort": 9090, "name": "grpc"}, 9110]),
            b.container("istio-proxy", "istio/proxyv2:1.20.0", ports=[15090]),
        ],
        replicas=3,
        template_annotations={"prometheus.io/scrape": "true"},
    )
    kube.add(deploy)
    kube.add(b.replicaset_for(deploy))
    for _ in range(3):
        kube.add(b.pod(owner=deploy))
    return deploy


def template_annotations(emulator, name: str = "checkout", namespace: str = "shop") -> dict[str, str]:
    obj = emulator.get_object("deployments", namespace, name)
    return dict(obj["spec"]["template"]["metadata"].get("annotations") or {})


def writes(emulator) -> list:
    """PATCH requests that were not dry-runs."""
    return [r for r in emulator.requests if r.method == "PATCH" and r.query.get("dryRun") != "All"]


def dry_runs(emulator) -> list:
    return [r for r in emulator.requests if r.method == "PATCH" and r.query.get("dryRun") == "All"]


@pytest.fixture
def front(kube, kubeconfig: Path, tmp_path: Path) -> Iterator[Front]:  # noqa: F811 - the emulator's fixtures
    """The emulator behind a proxy that can hold back, rewrite or lose a PATCH (`front.api` talks through it)."""
    with Front(kube.url, upstream_ca=kube.tls.ca_pem) as running:
        running.api = connect(context=None, timeout=5.0, kubeconfig=running.kubeconfig(kubeconfig, tmp_path / "front"))
        yield running
