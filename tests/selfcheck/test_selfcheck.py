"""`eks-doctor selfcheck`: each line green or red with its fix, exit 0 or 1, from real answers — the
Kubernetes emulator (SelfSubjectAccessReviews), a FakeSlack (auth.test), SQLite and PostgreSQL, and the
Tencent Cloud fake."""

from __future__ import annotations

import json

import pytest

from bot.cluster.permissions import FIXES, READS
from tests.cloud.conftest import CLUSTER_ID, REGION
from tests.slack_fake.server import FakeSlack
from tests.tencent_fake.fixtures import tencent  # noqa: F401
from tests.tencent_fake.server import SECRET_ID, SECRET_KEY

REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
READ_REVIEWS = sum(len(need.verbs) for need in READS)
ALL_REVIEWS = READ_REVIEWS + sum(len(need.verbs) for need in FIXES)


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def setup(tmp_path, kubeconfig, slack):
    """Environment for a bot with one cluster (the emulator) and a fixer rule for it."""

    def make(*, fixers: bool = True, cloud: bool = False, extra_config: str = "") -> dict[str, str]:
        cluster = "  - name: prod\n    context: emulator\n"
        if cloud:
            cluster += f"    region: {REGION}\n    cluster_id: {CLUSTER_ID}\n"
        config = "clusters:\n" + cluster + "default_cluster: prod\n"
        if fixers:
            config += "fixers:\n  - users: [U0FIXER]\n"
        path = tmp_path / "eks-doctor.yaml"
        path.write_text(config + extra_config)
        return {
            "EKS_DOCTOR_CONFIG": str(path),
            "KUBECONFIG": str(kubeconfig),
            "SLACK_BOT_TOKEN": "xoxb-selfcheck-0123456789",
            "SLACK_SIGNING_SECRET": "selfcheck-signing-secret",
            "SLACK_API_URL": slack.api_url,
        }

    return make


def _checks(result) -> dict[str, dict]:
    return {line["check"]: line for line in json.loads(result.stdout)["checks"]}


def test_a_working_installation_is_all_green(cli, setup, slack, kube):
    result = cli("selfcheck", "--json", env=setup())
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True
    checks = _checks(result)
    assert [line["status"] for line in report["checks"]] == ["ok"] * len(report["checks"])
    assert list(checks) == [
        "config", "slack token", "slack requests", "database", "cluster prod", "cluster prod permissions"
    ]  # fmt: skip
    assert "auth.test: bot" in checks["slack token"]["detail"]
    assert len(slack.of("auth.test")) == 1
    assert checks["cluster prod permissions"]["detail"] == f"all {ALL_REVIEWS} access reviews allowed (read and patch)"
    reviews = [r for r in kube.requests if r.path == REVIEWS]
    assert len(reviews) == ALL_REVIEWS  # one per needed verb and resource, nothing else asked
    assert [r for r in kube.requests if r.path != REVIEWS] == []


def test_the_people_reading_it_see_marks_and_fixes(cli, setup, kube):
    kube.deny("patch", "deployments")
    result = cli("selfcheck", env=setup())
    assert result.exit_code == 1
    assert "✓ config:" in result.stdout
    assert "✗ cluster prod permissions: denied: patch deployments.apps" in result.stdout
    assert "fix: apply deploy/kubernetes/rbac.yaml" in result.stdout


def test_a_denied_verb_is_red_and_named(cli, setup, kube):
    kube.deny("list", "events")
    kube.deny("get", "pods/log")
    result = cli("selfcheck", "--json", env=setup())
    assert result.exit_code == 1
    line = _checks(result)["cluster prod permissions"]
    assert line["status"] == "failed"
    assert line["detail"] == "denied: get pods/log, list events"
    assert "rbac.yaml" in line["fix"]


def test_without_fixers_patch_is_not_needed_so_the_read_only_role_is_green(cli, setup, kube):
    kube.deny("patch", "deployments")
    kube.deny("patch", "statefulsets")
    kube.deny("patch", "daemonsets")
    result = cli("selfcheck", "--json", env=setup(fixers=False))
    assert result.exit_code == 0
    detail = _checks(result)["cluster prod permissions"]["detail"]
    assert detail == f"all {READ_REVIEWS} access reviews allowed (read-only: no fixer rule covers this cluster)"


def test_a_cluster_that_does_not_answer_is_red(cli, setup, kube):
    env = setup()
    kube.stop()
    result = cli("selfcheck", "--json", env=env)
    assert result.exit_code == 1
    line = _checks(result)["cluster prod"]
    assert line["status"] == "failed" and "cannot reach the cluster" in line["detail"]
    assert "cluster prod permissions" not in _checks(result)


def test_a_revoked_or_missing_slack_token_is_red(cli, setup, slack, kube):
    slack.revoked = True
    result = cli("selfcheck", "--json", env=setup())
    assert result.exit_code == 1
    token = _checks(result)["slack token"]
    assert (token["status"], token["detail"]) == ("failed", "auth.test refused the token: invalid_auth")
    assert "OAuth & Permissions" in token["fix"]
    result = cli("selfcheck", "--json", env=setup() | {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": ""})
    checks = _checks(result)
    assert checks["slack token"]["detail"] == "SLACK_BOT_TOKEN is not set"
    assert checks["slack requests"]["status"] == "failed"
    assert "xoxb-selfcheck" not in result.stdout


def test_a_broken_config_is_red_and_the_clusters_are_not_guessed(cli, setup, kube):
    result = cli("selfcheck", "--json", env=setup(extra_config="fixer:\n  - users: [U1]\n"))
    assert result.exit_code == 1
    checks = _checks(result)
    assert checks["config"]["status"] == "failed" and "fixer: unknown key" in checks["config"]["detail"]
    assert not any(name.startswith("cluster") for name in checks)


@pytest.mark.postgres
def test_a_postgresql_schema_behind_is_red_until_db_upgrade(cli, setup, kube, pg_server):
    url = pg_server.create_database("selfcheck")
    try:
        env = setup() | {"EKS_DOCTOR_DATABASE_URL": url}
        result = cli("selfcheck", "--json", env=env)
        line = _checks(result)["database"]
        assert (result.exit_code, line["status"]) == (1, "failed")
        assert "schema at none (empty), this version needs" in line["detail"]
        assert "eks-doctor db upgrade" in line["fix"]
        assert cli("db", "upgrade", env=env).exit_code == 0
        result = cli("selfcheck", "--json", env=env)
        assert result.exit_code == 0 and _checks(result)["database"]["status"] == "ok"
    finally:
        pg_server.drop_database(url)


def test_an_unreachable_database_is_red(cli, setup, kube):
    down = "postgresql+psycopg://u:pw@127.0.0.1:1/x"
    result = cli("selfcheck", "--json", env=setup() | {"EKS_DOCTOR_DATABASE_URL": down})
    line = _checks(result)["database"]
    assert (result.exit_code, line["status"]) == (1, "failed")
    assert "EKS_DOCTOR_DATABASE_URL" in line["fix"] and ":pw@" not in result.stdout


def test_cloud_access_denied_is_red(cli, setup, kube, tencent):  # noqa: F811
    tencent.add_security_group("sg-def00001", default=True)
    tencent.deny("vpc:DescribeNatGateways")
    cloud = {"TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY,
             "EKS_DOCTOR_TENCENTCLOUD_ENDPOINT": tencent.endpoint}  # fmt: skip
    result = cli("selfcheck", "--json", env=setup(cloud=True) | cloud)
    checks = _checks(result)
    denied = checks["cloud prod: vpc:DescribeNatGateways"]
    assert (result.exit_code, denied["status"]) == (1, "failed")
    assert "cam-policy.json" in denied["fix"]
    assert checks["cloud prod: Tencent Cloud credentials"]["status"] == "ok"


def test_no_cloud_credentials_is_not_red(cli, setup, kube, monkeypatch):
    for name in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    result = cli("selfcheck", "--json", env=setup(cloud=True))
    line = _checks(result)["cloud prod: Tencent Cloud credentials"]
    assert (result.exit_code, line["status"]) == (0, "skipped")
    assert "the cloud checks are off" in line["detail"]
