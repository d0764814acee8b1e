"""Mentions in incident threads and the message shortcut: answers in the thread, one incident per
thread, the thread's parent read when the mention is a reply, retried events answered once."""

from __future__ import annotations

import time

from bot.core.incidents import list_incidents, show_incident
from tests.slack.harness import CHANNEL

STACK = (
    "io.grpc.StatusRuntimeException: UNAVAILABLE: io exception\n"
    "Caused by: java.io.IOException: Connection reset by peer"
)


def test_a_mention_is_answered_in_its_thread(slack_bot):
    slack_bot.mention("DNS lookups time out in pods with istio sidecars", ts="1700005000.000100")
    answer = slack_bot.fake.wait_for("chat.update")[0]
    placeholder = slack_bot.fake.of("chat.postMessage")[0]
    assert placeholder.params["thread_ts"] == "1700005000.000100"
    assert "istio-dns-timeout-ipvs-udp" in answer.blocks_text()
    (incident,) = list_incidents(slack_bot.doctor)
    assert incident.symptom == "DNS lookups time out in pods with istio sidecars"  # the mention itself is not text
    assert incident.reporter == "U0ALICE"


def test_a_mention_in_a_reply_reads_the_pasted_error_in_the_thread_parent(slack_bot):
    slack_bot.fake.replies[(CHANNEL, "1700006000.000100")] = [{"ts": "1700006000.000100", "text": STACK}]
    slack_bot.mention("what is this?", ts="1700006001.000100", thread_ts="1700006000.000100")
    answer = slack_bot.fake.wait_for("chat.update")[0]
    assert "grpc-connection-reset-ipvs-tcp" in answer.blocks_text()
    (asked,) = slack_bot.fake.of("conversations.replies")
    assert asked.params["ts"] == "1700006000.000100"


def test_later_mentions_in_the_thread_add_to_the_same_incident(slack_bot):
    slack_bot.mention("DNS timeouts with istio", ts="1700007000.000100")
    slack_bot.fake.wait_for("chat.update")
    slack_bot.mention("also coredns was scaled out", ts="1700007005.000100", thread_ts="1700007000.000100")
    slack_bot.fake.wait_for("chat.update", count=2)
    (incident,) = list_incidents(slack_bot.doctor)
    detail = show_incident(slack_bot.doctor, incident_id=incident.id)
    assert [e.kind for e in detail.timeline].count("triage") == 2
    assert (incident.slack_channel, incident.slack_thread_ts) == (CHANNEL, "1700007000.000100")


def test_a_retried_event_is_answered_and_recorded_once(slack_bot):
    slack_bot.mention("DNS timeouts with istio", ts="1700008000.000100", event_id="Ev0RETRY01")
    slack_bot.fake.wait_for("chat.update")
    retried = slack_bot.mention(
        "DNS timeouts with istio",
        ts="1700008000.000100",
        event_id="Ev0RETRY01",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retried.status_code == 200
    time.sleep(0.5)
    assert len(slack_bot.fake.of("chat.postMessage")) == 1
    assert len(list_incidents(slack_bot.doctor)) == 1


def test_the_message_shortcut_diagnoses_the_message_it_was_used_on(slack_bot):
    slack_bot.interaction(
        {
            "type": "message_action",
            "callback_id": "eks_diagnose_message",
            "user": {"id": "U0ALICE", "team_id": "T0TEAM01"},
            "team": {"id": "T0TEAM01"},
            "channel": {"id": CHANNEL},
            "message": {"ts": "1700009000.000100", "text": STACK},
            "trigger_id": "trigger.shortcut",
            "response_url": slack_bot.fake.response_url("shortcut"),
        }
    )
    answer = slack_bot.fake.wait_for("chat.update")[0]
    assert "grpc-connection-reset-ipvs-tcp" in answer.blocks_text()
    assert slack_bot.fake.of("chat.postMessage")[0].params["thread_ts"] == "1700009000.000100"


def test_a_chinese_question_is_answered_in_chinese(slack_bot):
    slack_bot.mention("istio 场景下 DNS 解析偶发超时，怎么办？", ts="1700010000.000100")
    answer = slack_bot.fake.wait_for("chat.update")[0].blocks_text()
    assert "istio 场景下 DNS 解析超时" in answer  # the entry's Chinese title
    assert "解决办法" in answer
