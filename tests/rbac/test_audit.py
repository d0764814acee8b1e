"""The RBAC audit's own logic: how a request becomes an RBAC permission, and how the ClusterRole is
compared with what was used (the suite-wide check in tests/rbac/plugin.py relies on both)."""

from __future__ import annotations

import pytest

from tests.rbac.check import FULL_ROLE, allowed, cluster_role, compare
from tests.rbac.requests import Call, Permission, permission_of, template_of


@pytest.mark.parametrize(
    ("method", "path", "query", "permission"),
    [
        ("GET", "/api/v1/namespaces/shop/pods", {"limit": "500"}, Permission("", "pods", "list")),
        ("GET", "/api/v1/pods", {"labelSelector": "app=x"}, Permission("", "pods", "list")),
        ("GET", "/api/v1/namespaces/shop/pods/web-1/log", {"tailLines": "200"}, Permission("", "pods/log", "get")),
        ("GET", "/api/v1/namespaces/shop", {}, Permission("", "namespaces", "get")),
        ("GET", "/apis/apps/v1/namespaces/shop/deployments/web", {}, Permission("apps", "deployments", "get")),
        ("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web", {"dryRun": "All"},
         Permission("apps", "deployments", "patch")),
        ("GET", "/apis/apps/v1/deployments", {"watch": "true"}, Permission("apps", "deployments", "watch")),
        ("DELETE", "/api/v1/namespaces/shop/pods/web-1", {}, Permission("", "pods", "delete")),
        ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {},
         Permission("authorization.k8s.io", "selfsubjectaccessreviews", "create")),
        ("GET", "/version", {}, None),
    ],
)  # fmt: skip
def test_requests_become_the_permissions_rbac_checks(method, path, query, permission):
    assert permission_of(template_of(method, path, query)) == permission


def test_names_and_namespaces_are_folded_and_only_meaningful_flags_kept():
    one = template_of("PATCH", "/apis/apps/v1/namespaces/a/deployments/x", {"dryRun": "All", "fieldManager": "m"})
    two = template_of("PATCH", "/apis/apps/v1/namespaces/b/deployments/y", {"dryRun": "All"})
    assert one == two == Call("PATCH", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", (("dryRun", "All"),))


def test_a_call_outside_the_role_is_missing_and_an_unused_grant_is_reported():
    calls = {template_of("GET", "/api/v1/namespaces/a/secrets/s", {}),
             template_of("GET", "/api/v1/namespaces/a/pods", {})}  # fmt: skip
    missing, unused = compare(calls)
    assert missing == [Permission("", "secrets", "get")]
    assert Permission("apps", "deployments", "patch") in unused
    assert Permission("", "pods", "list") not in unused


def test_the_access_review_every_identity_may_make_needs_no_grant():
    review = template_of("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {})
    assert compare({review})[0] == []


def test_wildcards_are_refused():
    role = cluster_role(FULL_ROLE)
    widened = {**role, "rules": [*role["rules"], {"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]}
    with pytest.raises(AssertionError, match="wildcard"):
        allowed(widened)
