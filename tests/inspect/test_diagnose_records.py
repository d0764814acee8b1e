"""A diagnosis from the CLI becomes an incident; a store that is down never costs the answer."""

from __future__ import annotations

import json

import pytest

from tests.kube_emulator import builders as b


@pytest.fixture
def meshed(cli, kube, kubeconfig, monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("HOME", str(tmp_path))
    kube.add(b.namespace("shop", labels={"istio-injection": "enabled"}))
    deploy = b.deployment("checkout", "shop", containers=[b.container("app"), b.container("istio-proxy")])
    kube.add_many([deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    return kube


def test_diagnose_records_an_incident_with_its_findings_and_offers_the_fix(cli, meshed):
    result = cli("diagnose", "deploy/checkout", "-n", "shop", "--symptom", "dns timeouts since 10:00", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    incident_id = payload["incident"]["incident_id"]
    assert incident_id and incident_id.startswith("inc-")
    offer = next(o for o in payload["offers"] if o["entry"] == "istio-dns-timeout-ipvs-udp")
    assert offer["kind"] == "patch"
    assert offer["annotations"] == {"eks.tke.cloud.tencent.com/ipvs-udp-timeout": "120s"}
    # The command a person can paste applies the same value and links the fix to this incident.
    assert offer["command"] == (
        "eks-doctor fix deployment/checkout -n shop --entry istio-dns-timeout-ipvs-udp"
        f" --set eks.tke.cloud.tencent.com/ipvs-udp-timeout=120s --incident {incident_id}"
    )

    shown = json.loads(cli("incidents", "show", incident_id, "--json").stdout)
    assert shown["incident"]["symptom"] == "dns timeouts since 10:00"
    assert shown["incident"]["workload"].endswith("checkout")
    confirmed = {f["entry_id"] for f in shown["findings"] if f["verdict"] == "confirmed"}
    assert "istio-dns-timeout-ipvs-udp" in confirmed


def test_diagnose_still_answers_when_the_database_is_unreachable(cli, meshed):
    down = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    result = cli("diagnose", "deploy/checkout", "-n", "shop", env={"EKS_DOCTOR_DATABASE_URL": down})
    assert result.exit_code == 1
    assert "confirmed istio-dns-timeout-ipvs-udp" in result.stdout
    assert "the incident could not be recorded" in result.stderr


def test_offered_value_follows_the_idle_timeout_people_mention(cli, kube, kubeconfig, monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("HOME", str(tmp_path))
    deploy = b.deployment(
        "orders", "shop", containers=[b.container("app", ports=[{"name": "grpc", "containerPort": 9090}])]
    )
    kube.add_many([b.namespace("shop"), deploy, b.replicaset_for(deploy), b.pod(owner=deploy)])
    symptom = "grpc-java clients get Connection reset by peer; our channel idle timeout is 60 minutes"
    payload = json.loads(cli("diagnose", "deploy/orders", "-n", "shop", "--symptom", symptom, "--json").stdout)
    offer = next(o for o in payload["offers"] if o["entry"] == "grpc-connection-reset-ipvs-tcp")
    assert offer["annotations"] == {"eks.tke.cloud.tencent.com/ipvs-tcp-timeout": "3600s"}
