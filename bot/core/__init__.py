"""The use cases every interface shares: triage, diagnose, scan, check, fix and undo, quota tickets,
incidents and feedback.

Each use case takes the process's `Doctor` (settings, config, knowledge base, store and cluster
connections) and an `Actor` (who asks, through which channel), and returns a result that carries
everything an adapter renders. No Slack, no printing and no SQL here: the CLI (`bot.cli`) and the
Slack bot (`bot.slack`) only parse input and render these results.
"""

from bot.core.runtime import Doctor

__all__ = ["Doctor"]
