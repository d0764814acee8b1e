"""The bot's own words in English and Chinese; the answer follows the language of the question."""

from __future__ import annotations

from typing import Any

_TEXTS: dict[str, tuple[str, str]] = {
    "looking": ("Looking into it…", "正在排查…"),
    "looking_at": ("Looking into {what}…", "正在排查 {what}…"),
    "confidence": ("confidence {score}/100", "匹配度 {score}/100"),
    "why_matched": ("Why it matched", "匹配依据"),
    "also_possible": ("Also possible", "其他可能"),
    "is_it": ("Is it *{a}* or *{b}*?", "是 *{a}* 还是 *{b}*？"),
    "tell_apart": ("What tells them apart", "区分方法"),
    "no_match": ("No known issue matches.", "没有匹配的已知问题。"),
    "which_one": ("Which of these looks like it?", "以下哪个问题看起来像？"),
    "pick_placeholder": ("Choose a known issue", "选择已知问题"),
    "evidence_on": ("Evidence from {workload} on cluster {cluster}", "来自 {workload}（集群 {cluster}）的证据"),
    "name_workload": (
        "Name the workload to check it on the cluster, e.g. `/eks diagnose deploy/checkout -n shop`.",
        "指定工作负载即可在集群中核实，例如 `/eks diagnose deploy/checkout -n shop`。",
    ),
    "not_inspected": ("Could not inspect {workload}: {why}", "无法检查 {workload}：{why}"),
    "remedy": ("Remedy", "解决办法"),
    "cause": ("Cause", "原因"),
    "apply_fix": ("Apply fix", "应用修复"),
    "show_kubectl": ("Show kubectl command", "显示 kubectl 命令"),
    "draft_quota": ("Draft quota ticket", "起草配额工单"),
    "helped": ("This helped", "有帮助"),
    "not_this": ("Not this", "不是这个"),
    "resolve": ("Resolve", "标记已解决"),
    "undo": ("Undo", "撤销"),
    "confirm_title": ("Apply this fix?", "确认应用修复？"),
    "confirm_yes": ("Apply", "应用"),
    "confirm_no": ("Cancel", "取消"),
    "confirm_undo_title": ("Undo this fix?", "确认撤销？"),
    "pods_restart": ("Pods restart: {consequence}", "Pod 会重建：{consequence}"),
    "incident": ("incident {id}", "事件 {id}"),
    "not_recorded": ("not recorded: {why}", "未记录：{why}"),
    "confirmed": ("confirmed", "已确认"),
    "ruled_out": ("ruled out", "已排除"),
    "unknown": ("unknown", "未知"),
    "applied_by": ("Applied by <@{user}> at {when}", "由 <@{user}> 于 {when} 应用"),
    "undone_by": ("Undone by <@{user}> at {when}", "由 <@{user}> 于 {when} 撤销"),
    "rollout": (
        "Rollout: {updated}/{desired} pods updated, {ready} ready",
        "滚动更新：{updated}/{desired} 个 Pod 已更新，{ready} 个就绪",
    ),
    "rollout_done": (
        "Rollout finished: {desired}/{desired} pods updated and ready",
        "滚动更新完成：{desired}/{desired} 个 Pod 已更新并就绪",
    ),
    "sorry": (
        "Sorry, something went wrong on our side (reference {ref}). The team can find it in the log.",
        "抱歉，处理时出现内部错误（编号 {ref}），可凭编号在日志中查找。",
    ),
}


def t(key: str, lang: str = "en", **values: object) -> str:
    en, zh = _TEXTS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def _pick(lang: str, english: object, chinese: object) -> str:
    text = chinese if lang == "zh" and chinese else english
    return " ".join(str(text or "").split())


def entry_title(entry: Any, lang: str) -> str:
    return _pick(lang, entry.title, getattr(entry, "title_zh", None))


def entry_summary(entry: Any, lang: str) -> str:
    return _pick(lang, entry.summary, getattr(entry, "summary_zh", None))


def remedy_summary(entry: Any, lang: str) -> str:
    return _pick(lang, entry.remedy.summary, getattr(entry.remedy, "summary_zh", None))
