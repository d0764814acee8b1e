"""What the answer says when the words alone cannot decide: two close entries become a question, with
what tells them apart and a button for each."""

from __future__ import annotations

from bot.core.triage import Triage
from bot.slack.refs import ReferenceSigner
from bot.slack.render import Renderer
from knowledge import load_knowledge_base
from knowledge.matcher import Match

KB = load_knowledge_base()
REFS = ReferenceSigner(b"k" * 32, ttl_seconds=60)


def _texts(blocks):
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                found.append(value) if key == "text" and isinstance(value, str) else walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def _triage(first: float, second: float) -> Triage:
    return Triage(
        text="connections time out after a while",
        language="en",
        matches=[
            Match("istio-dns-timeout-ipvs-udp", "DNS", first, ("timeout: 'time out'",)),
            Match("grpc-connection-reset-ipvs-tcp", "gRPC", second, ("idle: 'a while'",)),
        ],
    )


def test_two_close_entries_are_asked_about_with_what_tells_them_apart():
    message = Renderer(kb=KB, refs=REFS).triage(_triage(60, 57))
    text = _texts(message.blocks)
    assert "Is it *DNS timeouts with istio sidecars" in text
    assert "the pods carry an istio sidecar" in text  # a check of the first
    assert "the workload speaks gRPC" in text  # a check of the second
    picks = [
        e
        for b in message.blocks
        for e in b.get("elements") or []
        if e.get("action_id", "").startswith("eks_pick_entry")
    ]
    assert [REFS.verify(p["value"], kind="pick").ids[1] for p in picks] == [
        "istio-dns-timeout-ipvs-udp",
        "grpc-connection-reset-ipvs-tcp",
    ]


def test_a_clear_winner_names_the_runner_up_as_an_alternative_only():
    message = Renderer(kb=KB, refs=REFS).triage(_triage(80, 40))
    text = _texts(message.blocks)
    assert "Is it" not in text
    assert "Also possible: `grpc-connection-reset-ipvs-tcp` (40)" in text
