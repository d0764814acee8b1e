"""The only Tencent Cloud API actions EKS Doctor calls: read-only Describe* actions.

The client refuses anything not listed here, and deploy/cam-policy.json grants exactly these (a test
keeps the two equal), so the credentials can never be used to change anything.
"""

from __future__ import annotations

#: product -> (SDK module, client class, actions)
PRODUCTS: dict[str, tuple[str, str]] = {
    "tke": ("tencentcloud.tke.v20180525", "TkeClient"),
    "vpc": ("tencentcloud.vpc.v20170312", "VpcClient"),
}

READ_ONLY_ACTIONS: dict[str, tuple[str, ...]] = {
    "tke": ("DescribeEKSClusters", "DescribeClusterVirtualNodePools", "DescribeClusterVirtualNode"),
    "vpc": (
        "DescribeRouteTables",
        "DescribeNatGateways",
        "DescribeSecurityGroups",
        "DescribeSecurityGroupAssociationStatistics",
    ),
}


def cam_action(product: str, action: str) -> str:
    """How CAM names an action: `vpc:DescribeRouteTables`."""
    return f"{product}:{action}"


def all_cam_actions() -> list[str]:
    return sorted(cam_action(p, a) for p, actions in READ_ONLY_ACTIONS.items() for a in actions)


def is_allowed(product: str, action: str) -> bool:
    return action.startswith("Describe") and action in READ_ONLY_ACTIONS.get(product, ())
