"""Channel-neutral results from the core, rendered as Block Kit with slack_sdk's models.

Every message is built within Block Kit's limits (see limits.py) and validated by the models before it
is sent; buttons carry signed references (refs.py), never commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.domain import Finding, Verdict, summary_line
from bot.slack import limits
from bot.slack.i18n import entry_summary, entry_title, remedy_summary, t
from bot.slack.ids import ActionId
from bot.slack.limits import escape, fit
from bot.slack.refs import ReferenceSigner

ICON = {Verdict.CONFIRMED: ":x:", Verdict.UNKNOWN: ":grey_question:", Verdict.RULED_OUT: ":white_check_mark:"}
EVIDENCE_LINES = 5
ALTERNATIVES = 2


@dataclass(frozen=True, slots=True)
class Message:
    """What chat.postMessage / chat.update / respond take: fallback text and validated blocks."""

    text: str
    blocks: list[dict[str, Any]]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def _md(text: str, limit: int = limits.SECTION_TEXT) -> MarkdownTextObject:
    return MarkdownTextObject(text=fit(text, limit))


def section(text: str) -> SectionBlock:
    return SectionBlock(text=_md(text))


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[_md(text, limits.CONTEXT_TEXT) for text in texts[:10] if text])


def button(label: str, action: ActionId, value: str, index: int = 0, **options: Any) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=fit(label, limits.BUTTON_TEXT)),
        action_id=f"{action.value}:{index}",
        value=value,
        **options,
    )


def confirm(title: str, text: str, yes: str, no: str) -> ConfirmObject:
    return ConfirmObject(
        title=fit(title, limits.CONFIRM_TITLE),
        text=_md(text, limits.CONFIRM_TEXT),
        confirm=fit(yes, 30),
        deny=fit(no, 30),
    )


def message(text: str, blocks: Sequence[Block], *, overflow: str | None = None) -> Message:
    note = context(overflow) if overflow else None
    kept = limits.cap_blocks(list(blocks), note=note)
    return Message(text=fit(text, limits.FALLBACK_TEXT), blocks=[block.to_dict() for block in kept])


def _short(entry_id: str, kb: Any, lang: str) -> str:
    entry = kb.get(entry_id)
    return entry_title(entry, lang) if entry else entry_id


class Renderer:
    def __init__(self, *, kb: Any, refs: ReferenceSigner) -> None:
        self.kb = kb
        self.refs = refs

    # -- triage and diagnosis ------------------------------------------------------------------------

    def triage(self, result: Any) -> Message:
        """The answer to a symptom: the best match and why, alternatives, evidence, offers."""
        lang = result.language
        blocks: list[Block] = []
        incident_id = result.recording.incident_id if result.recording else None
        if result.best is None and result.diagnosis is None:
            blocks.append(section(f"*{t('no_match', lang)}*"))
        elif result.best is not None:
            blocks += self._best_match(result, lang, incident_id)
        if result.diagnosis is not None:
            blocks += self._evidence(result.diagnosis, lang, focus=[m.entry_id for m in result.matches[:1]])
        elif result.diagnosis_error:
            what = str(result.workload) if result.workload else "the workload"
            blocks.append(
                section(
                    ":warning: " + t("not_inspected", lang, workload=escape(what), why=escape(result.diagnosis_error))
                )
            )
        elif result.best is not None:
            blocks.append(context(t("name_workload", lang)))
        if result.best is None:
            blocks.append(self._pick(incident_id, lang))
        blocks += self._offers(
            result.offers, lang, incident_id=incident_id, entry_ids=[m.entry_id for m in result.matches[:1]]
        )
        blocks.append(self._footer(result.recording, lang))
        title = _short(result.best.entry_id, self.kb, lang) if result.best else t("no_match", lang)
        return message(title, blocks, overflow=self._overflow(incident_id))

    def diagnosis(self, diagnosis: Any, lang: str = "en") -> Message:
        incident_id = diagnosis.recording.incident_id if diagnosis.recording else None
        blocks: list[Block] = [*self._evidence(diagnosis, lang, focus=[])]
        confirmed = [f.entry_id for f in diagnosis.report.findings if f.verdict is Verdict.CONFIRMED]
        for entry_id in confirmed[:3]:
            entry = self.kb.get(entry_id)
            if entry is not None:
                blocks.append(
                    section(
                        f"*{escape(entry_title(entry, lang))}*\n"
                        f"{t('remedy', lang)}: {escape(remedy_summary(entry, lang))}"
                    )
                )
        blocks += self._offers(diagnosis.offers, lang, incident_id=incident_id, entry_ids=confirmed)
        blocks.append(self._footer(diagnosis.recording, lang))
        text = f"{diagnosis.workload}: {summary_line(diagnosis.report.findings)}"
        return message(text, blocks, overflow=self._overflow(incident_id))

    def _best_match(self, result: Any, lang: str, incident_id: str | None) -> list[Block]:
        best = result.best
        entry = self.kb.get(best.entry_id)
        title = entry_title(entry, lang) if entry else best.title
        blocks: list[Block] = [
            HeaderBlock(text=fit(title, limits.HEADER_TEXT)),
            section(
                f"`{best.entry_id}` · {t('confidence', lang, score=f'{best.score:.0f}')}\n"
                + (escape(entry_summary(entry, lang)) if entry else "")
            ),
        ]
        reasons = [escape(reason) for reason in best.explanation[:4]]
        if reasons:
            blocks.append(context(f"*{t('why_matched', lang)}:* " + " · ".join(reasons)))
        if entry is not None:
            blocks.append(section(f"*{t('remedy', lang)}:* {escape(remedy_summary(entry, lang))}"))
        alternatives = result.matches[1 : 1 + ALTERNATIVES]
        if result.ambiguous:
            blocks += self._either(result, lang, incident_id)
        elif alternatives:
            names = ", ".join(f"`{m.entry_id}` ({m.score:.0f})" for m in alternatives)
            blocks.append(context(f"{t('also_possible', lang)}: {names}"))
        return blocks

    def _either(self, result: Any, lang: str, incident_id: str | None) -> list[Block]:
        """Two entries fit about equally: ask which, and say what tells them apart."""
        first, second = result.matches[0], result.matches[1]
        a, b = _short(first.entry_id, self.kb, lang), _short(second.entry_id, self.kb, lang)
        lines = [t("is_it", lang, a=escape(a), b=escape(b))]
        for found in (first, second):
            entry = self.kb.get(found.entry_id)
            if entry is not None and entry.checks.items:
                says = "; ".join(check.says for check in entry.checks.items if check.says)
                lines.append(f"• `{found.entry_id}`: {escape(says)}")
        buttons = [
            button(
                _short(m.entry_id, self.kb, lang),
                ActionId.PICK_ENTRY,
                self.refs.sign("pick", incident_id or "-", m.entry_id),
                i,
            )
            for i, m in enumerate((first, second))
        ]
        return [section("\n".join(lines)), ActionsBlock(elements=buttons)]

    def _pick(self, incident_id: str | None, lang: str) -> Block:
        """No match is never a dead end: every entry, as a menu."""
        options = [
            Option(
                text=fit(f"{entry_title(e, lang)}", limits.OPTION_TEXT),
                value=self.refs.sign("pick", incident_id or "-", e.id),
            )
            for e in list(self.kb.entries.values())[:100]
        ]
        menu = StaticSelectElement(
            placeholder=fit(t("pick_placeholder", lang), 150),
            action_id=f"{ActionId.PICK_ENTRY.value}:menu",
            options=options,
        )
        return SectionBlock(text=_md(t("which_one", lang)), accessory=menu)

    def _evidence(self, diagnosis: Any, lang: str, *, focus: Iterable[str]) -> list[Block]:
        """Confirmed findings and the focused entries in full; the rest as one line per verdict."""
        report = diagnosis.report
        focus = set(focus)
        shown = [f for f in report.findings if f.verdict is Verdict.CONFIRMED or f.entry_id in focus]
        heading = t("evidence_on", lang, workload=escape(str(report.workload)), cluster=escape(str(report.cluster)))
        blocks: list[Block] = [DividerBlock(), section(f"*{heading}*")]
        for finding in sorted(shown, key=lambda f: f.verdict is not Verdict.CONFIRMED)[:8]:
            blocks.append(section(self._finding(finding, lang)))
        rest: dict[Verdict, list[str]] = {}
        for finding in report.findings:
            if finding not in shown:
                rest.setdefault(finding.verdict, []).append(f"`{finding.entry_id}`")
        summary = [f"{ICON[v]} {t(v.value, lang)}: {', '.join(ids)}" for v, ids in rest.items()]
        notes = [f":warning: {escape(w)}" for w in report.warnings[:3]] + [
            f":warning: could not read {escape(line)}" for line in report.unreadable[:3]
        ]
        if summary or notes:
            blocks.append(context(*(summary + notes)))
        return blocks

    def _finding(self, finding: Finding, lang: str) -> str:
        title = _short(finding.entry_id, self.kb, lang)
        lines = [f"{ICON[finding.verdict]} *{t(finding.verdict.value, lang)}* `{finding.entry_id}` — {escape(title)}"]
        lines += [f"• {escape(line)}" for line in finding.evidence[:EVIDENCE_LINES]]
        if len(finding.evidence) > EVIDENCE_LINES:
            lines.append(f"• … {len(finding.evidence) - EVIDENCE_LINES} more")
        return "\n".join(lines)

    # -- offers ----------------------------------------------------------------------------------------

    def _offers(
        self, offers: Sequence[Any], lang: str, *, incident_id: str | None, entry_ids: Sequence[str]
    ) -> list[Block]:
        elements: list[ButtonElement] = []
        lines: list[str] = []
        for index, offer in enumerate(offers[:5]):
            if offer.id is None:  # not stored (the store is away): the command still works
                lines.append(f"`{escape(offer.command())}`")
                continue
            if offer.kind.value == "patch":
                elements.append(
                    button(
                        f"{t('apply_fix', lang)}: {offer.workload.name}" if len(offers) > 1 else t("apply_fix", lang),
                        ActionId.APPLY_FIX,
                        self.refs.sign("fix", offer.id),
                        index,
                        style="primary",
                        confirm=self._fix_confirm(offer, lang),
                    )
                )
                elements.append(
                    button(t("show_kubectl", lang), ActionId.SHOW_KUBECTL, self.refs.sign("kubectl", offer.id), index)
                )
            else:
                elements.append(
                    button(t("draft_quota", lang), ActionId.DRAFT_QUOTA, self.refs.sign("quota", offer.id), index)
                )
        if incident_id:
            for index, entry_id in enumerate(entry_ids[:1]):
                elements.append(
                    button(t("helped", lang), ActionId.HELPED, self.refs.sign("vote", incident_id, entry_id), index)
                )
                elements.append(
                    button(t("not_this", lang), ActionId.NOT_THIS, self.refs.sign("vote", incident_id, entry_id), index)
                )
            elements.append(button(t("resolve", lang), ActionId.RESOLVE, self.refs.sign("resolve", incident_id)))
        blocks: list[Block] = []
        if lines:
            blocks.append(context(*lines))
        if elements:
            blocks.append(ActionsBlock(elements=elements[:25]))
        return blocks

    def _fix_confirm(self, offer: Any, lang: str) -> ConfirmObject:
        changes = "\n".join(
            f"`{key.rsplit('/', 1)[-1]}`: {_shown(before)} → `{after}`" for key, before, after in offer.changes()
        )
        consequence = offer.consequence or "a rollout recreates every pod of the workload"
        text = f"{escape(str(offer.workload))}\n{changes}\n{t('pods_restart', lang, consequence=escape(consequence))}"
        return confirm(t("confirm_title", lang), text, t("confirm_yes", lang), t("confirm_no", lang))

    def _footer(self, recording: Any, lang: str) -> ContextBlock:
        if recording is None:
            return context("EKS Doctor")
        if recording.incident_id:
            return context(f"EKS Doctor · {t('incident', lang, id=recording.incident_id)}")
        return context(f"EKS Doctor · :warning: {t('not_recorded', lang, why=escape(recording.error or 'unknown'))}")

    def _overflow(self, incident_id: str | None) -> str:
        where = f"`eks-doctor incidents show {incident_id}`" if incident_id else "`eks-doctor diagnose`"
        return f"More than fits in one message: see {where}."

    # -- fixes -----------------------------------------------------------------------------------------

    def fix_result(
        self, result: Any, *, user: str, lang: str = "en", rollout: Any = None, at: datetime | None = None
    ) -> Message:
        """`at`: when it was applied (the message is re-rendered as the rollout proceeds; the time stays)."""
        when = (at or datetime.now()).astimezone().strftime("%Y-%m-%d %H:%M %Z")
        changes = ", ".join(
            f"`{k.rsplit('/', 1)[-1]}` {_shown(result.before.get(k))} → {_shown(v)}" for k, v in result.after.items()
        )
        head = {
            "applied": ":white_check_mark: "
            + t("undone_by" if result.kind == "undo" else "applied_by", lang, user=user, when=when),
            "already_applied": ":white_check_mark: already in place",
            "dry_run": ":test_tube: dry-run passed",
            "refused": ":no_entry: refused",
            "failed": ":x: failed",
        }.get(result.status, result.status)
        lines = [
            head,
            f"{escape(str(result.workload))} (cluster {escape(str(result.cluster))}): {changes}",
            escape(result.message),
        ]
        if rollout is not None:
            lines.append(self.rollout_line(rollout, lang))
        blocks: list[Block] = [section("\n".join(lines))]
        if result.warnings:
            blocks.append(context(*(f":warning: {escape(w)}" for w in result.warnings[:5])))
        if result.status == "applied" and result.kind == "patch" and result.action_id:
            undo = button(
                t("undo", lang),
                ActionId.UNDO,
                self.refs.sign("undo", result.action_id),
                style="danger",
                confirm=confirm(
                    t("confirm_undo_title", lang),
                    f"{escape(str(result.workload))}: restore {changes}. A rollout recreates the pods.",
                    t("undo", lang),
                    t("confirm_no", lang),
                ),
            )
            blocks.append(ActionsBlock(elements=[undo]))
        if result.action_id:
            blocks.append(
                context(f"action {result.action_id}" + (f" · undo of {result.undo_of}" if result.undo_of else ""))
            )
        return message(f"{result.status}: {result.message}", blocks)

    def rollout_line(self, rollout: Any, lang: str) -> str:
        if rollout.done:
            return t("rollout_done", lang, desired=rollout.desired)
        return t("rollout", lang, updated=rollout.updated, desired=rollout.desired, ready=rollout.ready)

    def kubectl(self, offer: Any) -> Message:
        command = offer.kubectl or offer.command()
        return message(
            command,
            [
                section("The same change with kubectl (GitOps: put it in the manifest instead):"),
                section(limits.code(command)),
            ],
        )

    # -- lists, help, errors ---------------------------------------------------------------------------

    def scan(self, result: Any) -> Message:
        report = result.report
        where = f"namespace {result.namespace}" if result.namespace else "all namespaces"
        head = (
            f"*Scan of {escape(where)} on cluster {escape(result.cluster)}*: "
            f"{report.workloads} workloads, {summary_line(report.findings)}"
        )
        blocks: list[Block] = [section(head)]
        confirmed = [f for f in report.findings if f.verdict is Verdict.CONFIRMED]
        for finding in confirmed[:20]:
            blocks.append(section(f"*{escape(str(finding.workload))}*\n" + self._finding(finding, "en")))
        if len(confirmed) > 20:
            blocks.append(context(f"… {len(confirmed) - 20} more confirmed findings: `eks-doctor scan --json`"))
        notes = [f":warning: {escape(w)}" for w in report.warnings[:3]] + [
            f":warning: could not read {escape(u)}" for u in report.unreadable[:3]
        ]
        if notes:
            blocks.append(context(*notes))
        return message(f"scan of {where}: {summary_line(report.findings)}", blocks)

    def quota_usage(self, usages: Sequence[Any], offer: Any | None) -> Message:
        lines = []
        for usage in usages:
            if usage.usage is None:
                lines.append(f"*{escape(usage.cluster)}*: pods not counted ({escape(usage.error or 'unknown')})")
            else:
                share = usage.usage * 100 // max(usage.limit, 1)
                lines.append(f"*{escape(usage.cluster)}*: {usage.usage} of {usage.limit} pods ({share}%)")
        blocks: list[Block] = [section("*Pod quota*\n" + "\n".join(lines))]
        if offer is not None and offer.id:
            blocks.append(
                ActionsBlock(
                    elements=[button(t("draft_quota"), ActionId.DRAFT_QUOTA, self.refs.sign("quota", offer.id))]
                )
            )
        return message("pod quota usage", blocks)

    def ticket(self, result: Any, *, user: str) -> Message:
        """A stored ticket draft, ready to paste, with its status buttons."""
        draft, record = result.draft, result.record
        share = draft.usage * 100 // max(draft.limit, 1)
        head = (
            f"*Quota ticket draft* {f'`{record.id}`' if record else '(not saved)'} by <@{user}>: "
            f"{escape(draft.quota_type)} on cluster {escape(draft.cluster)}\n"
            f"usage {draft.usage} of {draft.limit} ({share}%), pending pods {draft.pending}; "
            f"ask for {draft.suggested_limit}: {escape(draft.reasoning)}"
        )
        blocks: list[Block] = [section(head)]
        if draft.where:
            blocks.append(context(f"File it at: {escape(draft.where)}"))
        blocks.append(section("*English*\n" + limits.code(draft.text_en, 2900)))
        blocks.append(section("*中文*\n" + limits.code(draft.text_zh, 2900)))
        notes = [f":warning: {escape(note)}" for note in [*draft.warnings, *result.notes][:5]]
        if notes:
            blocks.append(context(*notes))
        if record is not None:
            blocks.append(self.ticket_status_buttons(record.id))
        return message(f"quota ticket draft {record.id if record else ''}", blocks)

    def ticket_status_buttons(self, ticket_id: str) -> ActionsBlock:
        return ActionsBlock(
            elements=[
                button(label, ActionId.TICKET_STATUS, self.refs.sign("ticket", ticket_id, status), index)
                for index, (label, status) in enumerate(
                    (("Submitted", "submitted"), ("Approved", "approved"), ("Rejected", "rejected"))
                )
            ]
        )

    def incidents(self, incidents: Sequence[Any]) -> Message:
        if not incidents:
            return message("no open incidents", [section("No open incidents.")])
        lines = [
            f"`{i.id}` {i.status} · {', '.join(i.entries[:2]) or '-'} · {escape(fit(i.symptom, 80))}"
            for i in incidents[:20]
        ]
        return message(f"{len(incidents)} incidents", [section("*Open incidents*\n" + "\n".join(lines))])

    def entry(self, entry_id: str, *, incident_id: str | None, lang: str = "en") -> Message:
        """One entry as an answer: what it is, how to confirm it, and the remedy."""
        entry = self.kb.get(entry_id)
        if entry is None:
            return self.error(f"no knowledge entry {entry_id}")
        checks = "\n".join(f"• {escape(check.says)}" for check in entry.checks.items if check.says)
        blocks: list[Block] = [
            HeaderBlock(text=fit(entry_title(entry, lang), limits.HEADER_TEXT)),
            section(escape(entry_summary(entry, lang))),
            section(f"*{t('remedy', lang)}:* {escape(remedy_summary(entry, lang))}"),
        ]
        if checks:
            blocks.append(
                section(f"*How to confirm it on a workload*\n{checks}\n`/eks diagnose <workload>` checks it.")
            )
        if incident_id:
            blocks.append(context(t("incident", lang, id=incident_id)))
        return message(entry_title(entry, lang), blocks)

    def not_this(self, incident_id: str, entry_id: str, lang: str = "en") -> Message:
        """After "Not this": recorded, and the other entries to choose from."""
        blocks: list[Block] = [
            section(f"Recorded that `{escape(entry_id)}` is not it ({incident_id})."),
            self._pick(incident_id, lang),
        ]
        return message("recorded", blocks)

    def home(
        self,
        *,
        incidents: Sequence[Any],
        actions: Sequence[Any],
        usages: Sequence[Any],
        entries: Sequence[dict[str, str]],
        problems: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The App Home tab (up to 100 blocks)."""
        blocks: list[Block] = [HeaderBlock(text="EKS Doctor")]
        if problems:
            blocks.append(context(*(f":warning: {escape(p)}" for p in problems[:5])))
        blocks.append(section("*Open incidents*"))
        if incidents:
            for i in incidents[:10]:
                entries_text = ", ".join(i.entries[:2]) or "-"
                blocks.append(
                    section(f"`{i.id}` {i.created_at:%Y-%m-%d %H:%M} · {entries_text}\n{escape(fit(i.symptom, 200))}")
                )
        else:
            blocks.append(context("None open."))
        blocks += [DividerBlock(), section("*Recent fixes*")]
        if actions:
            for a in actions[:5]:
                change = ", ".join(f"{k.rsplit('/', 1)[-1]}={v}" for k, v in a.after.items())
                blocks.append(
                    context(
                        f"`{a.id}` {a.created_at:%Y-%m-%d %H:%M} {a.status} · {a.entry_id} on "
                        f"{a.workload_kind.lower()}/{escape(a.workload_name)} ({escape(str(a.cluster))}) · "
                        f"{escape(change)} · by {escape(a.actor)}"
                    )
                )
        else:
            blocks.append(context("No fixes yet."))
        blocks.append(DividerBlock())
        lines = []
        for usage in usages:
            if usage.usage is None:
                lines.append(f"*{escape(usage.cluster)}*: not counted ({escape(fit(usage.error or 'unknown', 200))})")
            else:
                lines.append(f"*{escape(usage.cluster)}*: {usage.usage} of {usage.limit} pods")
        blocks.append(section("*Pod quota*\n" + "\n".join(lines)))
        blocks += [DividerBlock(), section("*Knowledge base*")]
        for entry in entries[:40]:
            blocks.append(context(f"`{entry['id']}` {escape(entry['title'])}"))
        kept = limits.cap_blocks(blocks, limit=limits.VIEW_BLOCKS, note=context("More in `eks-doctor kb list`."))
        return {"type": "home", "blocks": [block.to_dict() for block in kept]}

    def note(self, text: str) -> Message:
        return message(text, [section(text)])

    def help(self, lang: str = "en") -> Message:
        text = (
            "*EKS Doctor* finds the known pitfalls of EKS serverless clusters.\n"
            "• `/eks <symptom> [workload]` — what is it, and what does the workload show\n"
            "• `/eks diagnose <workload>` — check one workload (`deploy/checkout -n shop`, `shop/checkout`)\n"
            "• `/eks scan [namespace]` — every workload of a namespace\n"
            "• `/eks quota` — pod quota usage, and a ticket draft\n"
            "• `/eks incidents` — open incidents\n"
            "Mention me under a pasted error in a thread, or use the message shortcut *Diagnose with EKS Doctor*."
        )
        return message("EKS Doctor help", [section(text)])

    def error(self, text: str) -> Message:
        return message(text, [section(f":warning: {escape(text)}")])

    def apology(self, reference: str, lang: str = "en") -> Message:
        return message(t("sorry", lang, ref=reference), [section(t("sorry", lang, ref=reference))])

    def working(self, what: str, lang: str = "en") -> Message:
        return message(t("looking", lang), [context(":mag: " + t("looking_at", lang, what=escape(fit(what, 200))))])


def _shown(value: str | None) -> str:
    return "(absent)" if value is None else f"`{value}`"
