"""The cloud side of the checks: read-only Tencent Cloud API facts (route tables, NAT gateways,
security-group bindings) for one cluster. No printing, no Slack, no database.

`open_cloud(settings, cluster)` gives a `CloudReader`; `reader.read(...)` gives `CloudFacts`;
`check_cloud_access(settings, cluster)` answers the selfcheck. The SDK loads on first call.
"""

from bot.cloud.facts import (
    CloudFacts,
    CloudGap,
    Egress,
    EgressFacts,
    EgressRoute,
    GapKind,
    SecurityGroupBindings,
    split_groups,
)
from bot.cloud.reader import CloudReader, open_cloud
from bot.cloud.selfcheck import AccessLine, Status, check_cloud_access

__all__ = [
    "AccessLine",
    "CloudFacts",
    "CloudGap",
    "CloudReader",
    "Egress",
    "EgressFacts",
    "EgressRoute",
    "GapKind",
    "SecurityGroupBindings",
    "Status",
    "check_cloud_access",
    "open_cloud",
    "split_groups",
]
