"""deploy/: valid against the Kubernetes API schemas, least privilege, two replicas that stay up, and clean
by the bot's own knowledge base (it runs on super nodes too)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bot.cluster.permissions import FIXES, READS
from bot.config import load_config
from bot.settings import Settings
from bot.slack.ids import CallbackId
from tests.rbac.check import FULL_ROLE, READ_ONLY_ROLE, allowed, cluster_role
from tests.rbac.requests import Permission

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "kubernetes"
#: The cluster version the schemas are checked against: EKS's current line, and the kubectl on the machine.
KUBERNETES_VERSION = "1.32.0"


def kustomize(folder: Path) -> list[dict]:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, check=True, env={"KUBECONFIG": "/none"}
    ).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def find(docs: list[dict], kind: str, name: str = "eks-doctor") -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


@pytest.fixture(scope="module")
def rendered() -> list[dict]:
    return kustomize(BASE)


def test_every_manifest_is_valid_against_the_kubernetes_schemas(rendered):
    docs = [*rendered, *kustomize(DEPLOY / "read-only"), *documents(BASE / "db-upgrade-job.yaml"),
            *documents(BASE / "secret.example.yaml")]  # fmt: skip
    kinds = sorted({d["kind"] for d in docs})
    assert kinds == ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Job", "Namespace",
                     "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"]  # fmt: skip
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)  # raises, naming the field


def test_the_schema_check_catches_a_mistake(rendered):
    broken = json.loads(json.dumps(find(rendered, "Deployment")))
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "3000"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_two_replicas_in_http_mode_with_probes_resources_and_a_disruption_budget(rendered):
    deployment = find(rendered, "Deployment")
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = spec["template"]["spec"]
    (bot,) = pod["containers"]
    assert bot["args"][:3] == ["eks-doctor", "serve", "--http"]
    assert [p["containerPort"] for p in bot["ports"]] == [3000]
    for probe in ("readinessProbe", "livenessProbe"):
        assert bot[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert set(bot["resources"]["requests"]) == set(bot["resources"]["limits"]) == {"cpu", "memory"}
    assert pod["serviceAccountName"] == "eks-doctor"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert bot["securityContext"] == {
        "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}
    }  # fmt: skip
    annotations = spec["template"]["metadata"]["annotations"]
    assert (annotations["prometheus.io/port"], annotations["prometheus.io/path"]) == ("3000", "/metrics")
    budget = find(rendered, "PodDisruptionBudget")
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"]
    service = find(rendered, "Service")
    assert service["spec"]["selector"] == spec["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_nothing_listens_on_9100_and_the_bots_own_check_is_clean(cli):
    text = "\n".join(p.read_text() for p in DEPLOY.rglob("*.yaml"))
    assert "9100" not in text.replace("Never 9100", "")
    result = cli("check", str(DEPLOY), "--json")
    assert result.exit_code == 0, result.stdout
    findings = json.loads(result.stdout)["findings"]
    assert {f["workload"]["name"] for f in findings} >= {"eks-doctor", "eks-doctor-db-upgrade"}
    assert [f for f in findings if f["verdict"] == "confirmed"] == []
    port = [f for f in findings if f["entry"] == "port-9100-conflict" and f["workload"]["kind"] == "Deployment"]
    assert port and all(f["verdict"] == "ruled_out" for f in port)


def test_the_cluster_roles_are_exactly_the_permissions_the_code_declares():
    def expand(needs) -> set[Permission]:
        return {Permission(n.group, n.resource, verb) for n in needs for verb in n.verbs}

    assert allowed(cluster_role(FULL_ROLE)) == expand(READS) | expand(FIXES)
    assert allowed(cluster_role(READ_ONLY_ROLE)) == expand(READS)
    writes = {p for p in allowed(cluster_role(FULL_ROLE)) if p.verb not in ("get", "list")}
    assert writes == {Permission("apps", kind, "patch") for kind in ("deployments", "statefulsets", "daemonsets")}


def test_the_read_only_variant_binds_the_read_only_role():
    binding = find(kustomize(DEPLOY / "read-only"), "ClusterRoleBinding")
    assert binding["roleRef"]["name"] == READ_ONLY_ROLE
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "eks-doctor", "namespace": "eks-doctor"}]


def test_the_migration_job_runs_db_upgrade_with_the_same_image_and_secret(rendered):
    (job,) = documents(BASE / "db-upgrade-job.yaml")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    bot = find(rendered, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["eks-doctor", "db", "upgrade"]
    assert container["image"] == bot["image"]
    assert container["envFrom"] == bot["envFrom"] == [{"secretRef": {"name": "eks-doctor"}}]
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"


def test_the_example_config_and_secret_are_what_the_bot_reads(rendered, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(find(rendered, "ConfigMap", "eks-doctor-config")["data"]["config.yaml"])
    loaded = load_config(config)  # unknown keys would be errors
    assert loaded.default_cluster == "prod-gz" and loaded.fixers
    (secret,) = documents(BASE / "secret.example.yaml")
    known = {field.alias for field in Settings.model_fields.values()}
    assert set(secret["stringData"]) <= known
    bot = find(rendered, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"] for e in bot["env"]} <= known


def test_the_slack_app_manifest_names_what_the_bot_handles():
    manifest = yaml.safe_load((DEPLOY / "slack-app-manifest.yaml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/eks"]
    assert [s["callback_id"] for s in features["shortcuts"]] == [CallbackId.DIAGNOSE_MESSAGE.value]
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention", "app_home_opened"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True and settings["socket_mode_enabled"] is False
    urls = {settings["interactivity"]["request_url"], settings["event_subscriptions"]["request_url"],
            features["slash_commands"][0]["url"]}  # fmt: skip
    assert urls == {"https://eks-doctor.example.com/slack/events"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "app_mentions:read", "chat:write", "chat:write.public", "channels:history", "groups:history",
        "usergroups:read",
    }  # fmt: skip
