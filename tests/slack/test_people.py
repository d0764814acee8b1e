"""Who may fix, as Slack tells it: user-group members read through usergroups.users.list, briefly cached,
and a group that cannot be read counted as one the person is not in."""

from __future__ import annotations

import logging

from bot.domain import Channel
from bot.slack import people as people_module
from bot.slack.app import web_client
from bot.slack.people import People
from tests.slack.harness import BOT_TOKEN


def _people(fake, groups=("S0ONCALL", "S0DBA"), ttl=60.0):
    return People(web_client(BOT_TOKEN, fake.api_url), groups=lambda: list(groups), ttl_seconds=ttl)


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_member_carries_exactly_the_groups_that_name_them(fake_slack):
    fake_slack.usergroups["S0DBA"] = ["U0OTHER"]
    actor = _people(fake_slack).actor("U0ONCALL", "T0TEAM01", with_groups=True)
    assert (actor.id, actor.channel, actor.team) == ("U0ONCALL", Channel.SLACK, "T0TEAM01")
    assert actor.usergroups == frozenset({"S0ONCALL"})


def test_without_groups_asked_for_slack_is_not_asked(fake_slack):
    people = _people(fake_slack)
    for actor in (people.actor("U0ONCALL", with_groups=False), people.actor("U0ONCALL")):
        assert actor.usergroups == frozenset()
    assert fake_slack.of("usergroups.users.list") == []


def test_a_group_slack_will_not_list_counts_as_one_nobody_is_in(fake_slack, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.slack.people"):
        actor = _people(fake_slack, groups=("S0GONE",)).actor("U0ONCALL", with_groups=True)
    assert actor.usergroups == frozenset()
    assert [r.getMessage() for r in caplog.records] == ["user group S0GONE could not be read: no_such_subteam"]


def test_members_are_cached_briefly_then_read_again(fake_slack):
    people = _people(fake_slack, groups=("S0ONCALL",), ttl=60.0)
    people.actor("U0ONCALL", with_groups=True)
    people.actor("U0ONCALL", with_groups=True)
    assert len(fake_slack.of("usergroups.users.list")) == 1
    fresh = _people(fake_slack, groups=("S0ONCALL",), ttl=0.0)
    fresh.actor("U0ONCALL", with_groups=True)
    fake_slack.usergroups["S0ONCALL"] = []  # removed from the group
    assert fresh.actor("U0ONCALL", with_groups=True).usergroups == frozenset()
    assert len(fake_slack.of("usergroups.users.list")) == 3


def test_someone_removed_from_a_group_loses_the_right_within_a_minute(fake_slack, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(people_module, "time", clock)
    people = People(web_client(BOT_TOKEN, fake_slack.api_url), groups=lambda: ["S0ONCALL"])  # the default ttl
    assert people.actor("U0ONCALL", with_groups=True).usergroups == {"S0ONCALL"}
    fake_slack.usergroups["S0ONCALL"] = []  # removed from the group
    clock.now += 59.5
    assert people.actor("U0ONCALL", with_groups=True).usergroups == {"S0ONCALL"}  # still the cached answer
    clock.now += 0.5
    assert people.actor("U0ONCALL", with_groups=True).usergroups == frozenset()
    assert len(fake_slack.of("usergroups.users.list")) == 2


def test_a_group_that_failed_to_read_is_asked_again_at_the_next_click(fake_slack):
    people = _people(fake_slack, groups=("S0LATE",), ttl=60.0)
    assert people.actor("U0ONCALL", with_groups=True).usergroups == frozenset()  # Slack said no_such_subteam
    fake_slack.usergroups["S0LATE"] = ["U0ONCALL"]  # Slack answers again
    assert people.actor("U0ONCALL", with_groups=True).usergroups == {"S0LATE"}
    assert people.actor("U0ONCALL", with_groups=True).usergroups == {"S0LATE"}  # now cached
    assert len(fake_slack.of("usergroups.users.list")) == 2


def test_slack_out_of_reach_counts_as_no_group_and_says_so(caplog):
    people = People(web_client(BOT_TOKEN, "http://127.0.0.1:9/api/"), groups=lambda: ["S0ONCALL"])
    with caplog.at_level(logging.WARNING, logger="bot.slack.people"):
        actor = people.actor("U0ONCALL", with_groups=True)
    assert actor.usergroups == frozenset()
    assert [r.getMessage() for r in caplog.records if r.name == "bot.slack.people"] == [
        "user group S0ONCALL could not be read: Slack unreachable (URLError)"
    ]
