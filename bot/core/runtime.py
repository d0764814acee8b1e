"""`Doctor`: the services one process needs, built once from the settings and shared by every request.

The CLI builds one per command; the Slack server builds one at start-up and serves every thread from
it. Everything heavy (the knowledge base and its matcher, the database engine, cluster connections) is
made on first use, under a lock, and then reused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.core.stores import StoreProvider

if TYPE_CHECKING:  # imported on first use: a command that needs no config or cluster starts faster
    from bot.config import DoctorConfig
    from bot.core.clusters import ClusterConnector, Connection
    from bot.settings import Settings


class Doctor:
    def __init__(
        self,
        settings: Settings,
        *,
        config: DoctorConfig | None = None,
        kubeconfig: str | None = None,
        on_kb_warning: Callable[[str], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        if config is not None:
            self.__dict__["config"] = config
        self.stores = StoreProvider(settings.database_url, on_note=on_note)
        self._kubeconfig = kubeconfig
        self._on_kb_warning = on_kb_warning
        self._kb_lock = threading.Lock()
        self._kb: Any = None

    @cached_property
    def config(self) -> DoctorConfig:
        from bot.config import load_config

        return load_config(self.settings.config_path)

    @cached_property
    def clusters(self) -> ClusterConnector:
        from bot.core.clusters import ClusterConnector

        return ClusterConnector(timeout=self.settings.kube_timeout_seconds, kubeconfig=self._kubeconfig)

    @property
    def allow_list(self) -> Any:  # knowledge.platform.AllowList: the annotations remedies may write
        if "config" in self.__dict__ or self.settings.config_path:
            return self.config.allow_list()
        from knowledge.platform import AllowList

        return AllowList()

    @property
    def kb(self) -> Any:  # knowledge.loader.KnowledgeBase (imported on first use: `--help` stays fast)
        if self._kb is None:
            with self._kb_lock:
                if self._kb is None:
                    from bot.knowledge_base import open_knowledge_base

                    # What a knowledge folder changes in the bundled knowledge: one warning line each.
                    self._kb = open_knowledge_base(
                        self.settings, allowed=self.allow_list, on_warning=self._on_kb_warning
                    )
        return self._kb

    def warm_up(self) -> None:
        """Load what the first request would otherwise wait for (a server calls this at start-up)."""
        _ = self.config
        _ = self.kb.matcher

    def store(self) -> Any:  # bot.store.Store
        return self.stores.get()

    def connect(self, *, cluster: str | None = None, context: str | None = None) -> Connection:
        return self.clusters.connect(self.config, cluster=cluster, context=context)

    def connect_recorded(self, name: str | None, *, context: str | None = None) -> Connection:
        """The cluster an action or draft was recorded on (a `--context` given by the user wins)."""
        from bot.core.clusters import recorded_target

        if context:
            return self.connect(context=context)
        cluster, recorded_context = recorded_target(self.config, name)
        return self.connect(cluster=cluster, context=recorded_context)

    def close(self) -> None:
        self.stores.close()
