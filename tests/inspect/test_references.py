"""Workload references as people write them, on the command line and inside sentences."""

from __future__ import annotations

import pytest

from bot.cluster.kinds import ANY_KIND
from bot.cluster.references import find_reference, parse_reference
from bot.domain import WorkloadRef
from bot.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deploy/checkout -n shop", WorkloadRef("Deployment", "shop", "checkout")),
        ("shop/checkout", WorkloadRef(ANY_KIND, "shop", "checkout")),
        ("deployment.apps/checkout", WorkloadRef("Deployment", "ops", "checkout")),
        ("deployments/checkout", WorkloadRef("Deployment", "ops", "checkout")),
        ("sts/db", WorkloadRef("StatefulSet", "ops", "db")),
        ("cj/nightly-report", WorkloadRef("CronJob", "ops", "nightly-report")),
        ("checkout", WorkloadRef(ANY_KIND, "ops", "checkout")),
        ("shop/deploy/checkout", WorkloadRef("Deployment", "shop", "checkout")),
        ("--namespace=shop pod/checkout-7d9f-abcde", WorkloadRef("Pod", "shop", "checkout-7d9f-abcde")),
        ("StatefulSet/db", WorkloadRef("StatefulSet", "ops", "db")),
    ],
)
def test_parse_reference(text, expected):
    assert parse_reference(text, default_namespace="ops") == expected


def test_namespace_flag_wins_over_default():
    assert parse_reference("checkout", namespace="shop", default_namespace="ops").namespace == "shop"


@pytest.mark.parametrize("text", ["", "a/b/c/d", "Check Out", "deploy/", "shop/UPPER", "widget/x/y"])
def test_parse_reference_rejects_non_references(text):
    with pytest.raises(InputError):
        parse_reference(text)


def test_conflicting_namespaces_are_an_error():
    with pytest.raises(InputError, match="-n says"):
        parse_reference("shop/checkout", namespace="ops")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DNS timeouts on shop/checkout since 10:00", WorkloadRef(ANY_KIND, "shop", "checkout")),
        ("deploy/api -n prod keeps restarting", WorkloadRef("Deployment", "prod", "api")),
        ("the deployment checkout in namespace shop crashes", WorkloadRef("Deployment", "shop", "checkout")),
        ("statefulset db is broken", WorkloadRef("StatefulSet", "default", "db")),
        ("`shop/payments` resets connections", WorkloadRef(ANY_KIND, "shop", "payments")),
    ],
)
def test_find_reference_in_free_text(text, expected):
    assert find_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tcp/udp packets are dropped",
        "see https://cloud.tencent.com/document/product/457 for details",
        "set eks.tke.cloud.tencent.com/ipvs-udp-timeout to 120s",
        "dns timeouts everywhere",
        "read/write errors at 10:00",
    ],
)
def test_find_reference_ignores_lookalikes(text):
    assert find_reference(text) is None
