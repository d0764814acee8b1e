"""Asking the cluster what the bot's identity may do: one SelfSubjectAccessReview per verb and resource.

Kubernetes lets every authenticated identity ask this about itself, so it works even when the bot
lacks everything else, and it answers for the exact identity, context and aggregation rules in force.
"""

from __future__ import annotations

from dataclasses import dataclass

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.cluster.kubeapi import KubeApi
from bot.errors import ClusterPermissionError, ClusterUnreachableError


@dataclass(frozen=True, slots=True)
class Review:
    group: str
    resource: str  # plural, or plural/subresource
    verb: str
    allowed: bool
    reason: str = ""

    @property
    def label(self) -> str:
        return f"{self.verb} {self.resource}" + (f".{self.group}" if self.group else "")


def review(api: KubeApi, *, group: str, resource: str, verb: str, namespace: str | None = None) -> Review:
    """Whether the identity may `verb` the resource (across the cluster, or in `namespace`)."""
    plural, _, subresource = resource.partition("/")
    body = client.V1SelfSubjectAccessReview(
        api_version="authorization.k8s.io/v1",
        kind="SelfSubjectAccessReview",
        spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(
                group=group, resource=plural, subresource=subresource or None, verb=verb, namespace=namespace
            )
        ),
    )
    try:
        answer = client.AuthorizationV1Api(api.api_client).create_self_subject_access_review(
            body, _request_timeout=api.timeout
        )
    except ApiException as exc:
        if exc.status in (401, 403):
            raise ClusterPermissionError(
                f"the cluster at {api.host} rejected the bot's credentials ({exc.reason})"
            ) from None
        raise ClusterUnreachableError(f"the cluster at {api.host} answered {exc.status} to an access review") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise ClusterUnreachableError(
            f"cannot reach the cluster at {api.host}: {getattr(exc, 'reason', None) or exc}"
        ) from None
    status = answer.status
    return Review(group, resource, verb, bool(status.allowed), status.reason or status.evaluation_error or "")
