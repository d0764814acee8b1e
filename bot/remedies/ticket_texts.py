"""The ticket text itself, in English and Chinese: plain text, ready to paste into the console's form.

Placeholders people must fill are written in angle brackets so they stand out before submitting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import ClusterConfig


def _group_en(security_group: str | None, region: str | None) -> str:
    if security_group:
        return security_group
    return f"the project's default security group in {region or 'the region'}"


def _group_zh(security_group: str | None, region: str | None) -> str:
    if security_group:
        return security_group
    return f"项目在 {region or '该地域'} 的默认安全组"


def reasoning_en(basis: dict[str, Any], kind: Any) -> str:
    parts = []
    demand = f"peak demand {basis['demand']} {kind.unit_en}"
    if basis["unmet"]:
        demand += f" ({basis['usage']} in use + {basis['unmet']} wanted but not created)"
    elif basis["peak"] > basis["usage"]:
        demand += f" (the highest usage recorded; {basis['usage']} now)"
    figures = f"{demand} x {basis['headroom']:g} headroom = {basis['with_headroom']} (rounded up)"
    requested = basis["requested"]
    if requested and requested < basis["suggested"]:
        # The ticket asks for what the person said: explain that figure, and what the figures alone say.
        return f"{requested} as requested (by the figures alone: {figures})"
    parts.append(figures)
    if basis["floor"] > basis["with_headroom"]:
        parts.append(f"at least {basis['floor']} so the new limit is above the current one")
    if requested and requested >= basis["suggested"]:
        parts.append(f"{requested} as requested")
    return "; ".join(parts)


def reasoning_zh(basis: dict[str, Any], kind: Any) -> str:
    parts = []
    demand = f"峰值需求 {basis['demand']} {kind.unit_zh}"
    if basis["unmet"]:
        demand += f"（使用中 {basis['usage']} + 未能创建 {basis['unmet']}）"
    elif basis["peak"] > basis["usage"]:
        demand += f"（历史最高用量；当前 {basis['usage']}）"
    figures = f"{demand} × {basis['headroom']:g} 倍余量 = {basis['with_headroom']}（向上取整）"
    requested = basis["requested"]
    if requested and requested < basis["suggested"]:
        return f"按申请值 {requested}（仅按数据计算：{figures}）"
    parts.append(figures)
    if basis["floor"] > basis["with_headroom"]:
        parts.append(f"至少 {basis['floor']}，以高于当前上限")
    if requested and requested >= basis["suggested"]:
        parts.append(f"按申请值 {requested}")
    return "；".join(parts)


def _trend_en(trend: Any, limit: int) -> str:
    if trend is None:
        return "no earlier samples yet (EKS Doctor records one with every draft)"
    span = f"{trend.days:.0f} days" if trend.days >= 2 else f"{trend.days * 24:.0f} hours"
    text = f"{trend.first} -> {trend.last} over the last {span} ({trend.per_day:+.1f}/day), peak {trend.peak}"
    eta = trend.days_to(limit)
    if eta is not None:
        text += f"; at this rate the limit is reached in about {max(eta, 0):.0f} days"
    return text


def _trend_zh(trend: Any, limit: int) -> str:
    if trend is None:
        return "暂无历史数据"
    span = f"{trend.days:.0f} 天" if trend.days >= 2 else f"{trend.days * 24:.0f} 小时"
    text = f"近 {span}从 {trend.first} 增至 {trend.last}（平均每天 {trend.per_day:+.1f}），峰值 {trend.peak}"
    eta = trend.days_to(limit)
    if eta is not None:
        text += f"；按此速度约 {max(eta, 0):.0f} 天后达到上限"
    return text


def _source_en(breakdown: dict[str, int] | None) -> str:
    if breakdown is None:
        return " from this cluster's pods"
    return " from Tencent Cloud's association statistics (every instance bound to the group)"


def _source_zh(breakdown: dict[str, int] | None) -> str:
    return "，仅统计本集群的 Pod" if breakdown is None else "，来自腾讯云安全组关联统计（包含所有关联实例）"


def _types(breakdown: dict[str, int], separator: str) -> str:
    ordered = sorted(breakdown.items(), key=lambda item: (-item[1], item[0]))
    return separator.join(f"{kind} {count}" for kind, count in ordered if count) or "-"


def _breakdown_en(breakdown: dict[str, int] | None) -> list[str]:
    return [] if breakdown is None else [f"Instances bound, by type: {_types(breakdown, ', ')}"]


def _breakdown_zh(breakdown: dict[str, int] | None) -> list[str]:
    return [] if breakdown is None else [f"按类型统计的关联实例：{_types(breakdown, '，')}"]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def text_en(
    *,
    kind: Any,
    cluster: ClusterConfig,
    usage: int,
    limit: int,
    pending: int,
    unmet: int,
    failures: list[str],
    trend: Any,
    asked: int,
    basis: dict[str, Any],
    contact: str,
    security_group: str | None,
    counted_at: datetime,
    breakdown: dict[str, int] | None = None,
) -> str:
    cluster_id = cluster.cluster_id or "<cluster id, e.g. cls-xxxxxxxx>"
    region = cluster.region or "<region, e.g. ap-guangzhou>"
    is_sg = kind.id == "security-group-instances"
    subject = (
        f"Quota increase: instances per security group ({_group_en(security_group, cluster.region)}), {region}"
        if is_sg
        else f"Quota increase: maximum pods of EKS cluster {cluster_id} ({region})"
    )
    lines = [
        f"Subject: {subject}",
        "",
        "Hello,",
        "",
        f"Please raise the {kind.name_en} for the Elastic Kubernetes Service (EKS) cluster below.",
        "",
        f"Cluster ID: {cluster_id}",
        f"Region: {region}",
    ]
    if is_sg:
        lines.append(f"Security group: {_group_en(security_group, cluster.region)}")
    lines += [
        f"Quota: {kind.name_en}",
        f"Current limit: {limit}",
        f"Current usage: {usage} {kind.unit_en} ({usage * 100 // max(limit, 1)}% of the limit), "
        f"counted {_when(counted_at)}" + (_source_en(breakdown) if is_sg else ""),
        *_breakdown_en(breakdown),
        f"Pending pods: {pending} (included in the usage)",
        f"Pods wanted but not created: {unmet}",
        f"Usage trend: {_trend_en(trend, limit)}",
    ]
    if failures:
        lines.append("Recent failures:")
        lines += [f"  - {failure}" for failure in failures]
    else:
        lines.append("Recent failures: none seen in the cluster's events")
    lines += [
        f"Requested new limit: {asked}",
        f"Why this figure: {reasoning_en(basis, kind)}",
        "",
        "Business justification:",
        "<What grows and why: services, expected traffic or batch volume, dates (launch, campaign, migration).>",
        "<What happens without the increase: scale-outs and jobs fail once the limit is reached.>",
        "",
        f"Contact: {contact}",
        "",
        "Thank you.",
    ]
    return "\n".join(lines)


def text_zh(
    *,
    kind: Any,
    cluster: ClusterConfig,
    usage: int,
    limit: int,
    pending: int,
    unmet: int,
    failures: list[str],
    trend: Any,
    asked: int,
    basis: dict[str, Any],
    contact: str,
    security_group: str | None,
    counted_at: datetime,
    breakdown: dict[str, int] | None = None,
) -> str:
    cluster_id = cluster.cluster_id or "<集群 ID，例如 cls-xxxxxxxx>"
    region = cluster.region or "<地域，例如 ap-guangzhou>"
    is_sg = kind.id == "security-group-instances"
    subject = (
        f"配额提升申请：安全组（{_group_zh(security_group, cluster.region)}）关联实例数上限，{region}"
        if is_sg
        else f"配额提升申请：弹性容器服务 EKS 集群 {cluster_id}（{region}）最大 Pod 数量"
    )
    lines = [
        f"主题：{subject}",
        "",
        "您好，",
        "",
        f"我们申请提高以下弹性容器服务（EKS）集群的{kind.name_zh}。",
        "",
        f"集群 ID：{cluster_id}",
        f"地域：{region}",
    ]
    if is_sg:
        lines.append(f"安全组：{_group_zh(security_group, cluster.region)}")
    lines += [
        f"配额项：{kind.name_zh}",
        f"当前上限：{limit}",
        f"当前用量：{usage} {kind.unit_zh}（占上限的 {usage * 100 // max(limit, 1)}%），统计时间 {_when(counted_at)}"
        + (_source_zh(breakdown) if is_sg else ""),
        *_breakdown_zh(breakdown),
        f"Pending 状态的 Pod：{pending} 个（已计入用量）",
        f"期望但未能创建的 Pod：{unmet} 个",
        f"用量趋势：{_trend_zh(trend, limit)}",
    ]
    if failures:
        lines.append("近期失败：")
        lines += [f"  - {failure}" for failure in failures]
    else:
        lines.append("近期失败：集群事件中未发现")
    lines += [
        f"申请的新上限：{asked}",
        f"数值依据：{reasoning_zh(basis, kind)}",
        "",
        "业务说明：",
        "<业务增长情况：涉及的服务、预期流量或任务量、时间点（上线、活动、迁移等）。>",
        "<配额不足的影响：达到上限后扩容和任务会失败。>",
        "",
        f"联系人：{contact}",
        "",
        "谢谢！",
    ]
    return "\n".join(lines)
