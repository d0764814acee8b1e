"""Who clicked: a Slack user as an `Actor`, with the user groups that matter for fixing.

Only the groups named in `fixers` rules are looked up (`usergroups.users.list`), and their members are
cached briefly: a click does not wait on Slack for every group, and a person removed from a group
loses the right within a minute. A group that cannot be read (a Slack error, Slack unreachable) counts
as one the person is not in for this click only: failures are not cached, so a brief Slack error does not
keep a group's members from fixing for the rest of the minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import Actor, Channel

log = logging.getLogger(__name__)


class People:
    def __init__(self, client: WebClient, *, groups: Callable[[], Iterable[str]], ttl_seconds: float = 60.0) -> None:
        self.client = client
        self._groups = groups
        self.ttl_seconds = ttl_seconds
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def actor(self, user_id: str, team_id: str | None = None, *, with_groups: bool = False) -> Actor:
        groups = (
            frozenset(g for g in self._groups() if user_id in self._group_members(g)) if with_groups else frozenset()
        )
        return Actor(id=user_id, channel=Channel.SLACK, usergroups=groups, team=team_id)

    def _group_members(self, group_id: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._members.get(group_id)
        if cached and now - cached[0] < self.ttl_seconds:
            return cached[1]
        try:
            response = self.client.usergroups_users_list(usergroup=group_id)
            members = frozenset(response.get("users") or [])
        except SlackApiError as exc:
            log.warning("user group %s could not be read: %s", group_id, exc.response.get("error"))
            return frozenset()
        except OSError as exc:  # URLError and socket errors, once slack_sdk's own retries are spent
            log.warning("user group %s could not be read: Slack unreachable (%s)", group_id, type(exc).__name__)
            return frozenset()
        with self._lock:
            self._members[group_id] = (now, members)
        return members
