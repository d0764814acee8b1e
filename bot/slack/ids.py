"""Action and callback ids: the names Slack sends back, in one place so handlers and renderers agree."""

from __future__ import annotations

import re
from enum import StrEnum


class ActionId(StrEnum):
    APPLY_FIX = "eks_apply_fix"
    SHOW_KUBECTL = "eks_show_kubectl"
    DRAFT_QUOTA = "eks_draft_quota"
    HELPED = "eks_helped"
    NOT_THIS = "eks_not_this"
    RESOLVE = "eks_resolve"
    UNDO = "eks_undo"
    PICK_ENTRY = "eks_pick_entry"  # a select menu or an "is it A or B?" button
    TICKET_STATUS = "eks_ticket_status"


class CallbackId(StrEnum):
    DIAGNOSE_MESSAGE = "eks_diagnose_message"  # the message shortcut
    QUOTA_MODAL = "eks_quota_modal"


class BlockId(StrEnum):
    QUOTA_REQUESTED = "quota_requested"
    QUOTA_CONTACT = "quota_contact"
    QUOTA_SECURITY_GROUP = "quota_security_group"


def action_pattern(action: ActionId) -> re.Pattern[str]:
    """Matches the action and its numbered copies (`eks_apply_fix:2`): ids are unique within a block."""
    return re.compile(rf"^{re.escape(action.value)}(:.*)?$")
