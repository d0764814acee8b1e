"""The remedies package loads its names on first use, and names only what it has."""

from __future__ import annotations

import pytest

import bot.remedies as remedies
from bot.remedies import apply, patches, policy, values


def test_each_exported_name_is_the_modules_own():
    assert remedies.plan_patch is patches.plan_patch and remedies.plan_undo is patches.plan_undo
    assert remedies.apply_plan is apply.apply_plan and remedies.check_may_fix is policy.check_may_fix
    assert remedies.suggest_values is values.suggest_values
    assert all(getattr(remedies, name) is not None for name in remedies.__all__)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError) as missing:
        remedies.apply_fix_now  # noqa: B018
    assert str(missing.value) == "module 'bot.remedies' has no attribute 'apply_fix_now'"
