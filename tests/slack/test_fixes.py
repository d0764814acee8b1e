"""Apply fix and Undo buttons: authorization per person, user group, cluster and namespace; one patch per
click however often it arrives; every refusal recorded; the rollout followed in the message."""

from __future__ import annotations

from bot.core.fixes import list_actions
from tests.remedies.conftest import template_annotations, writes
from tests.slack.conftest import FIXER, GROUP_MEMBER

UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"


def _answer(bot, text="DNS timeout istio shop/checkout"):
    bot.command(text)
    return bot.fake.wait_for("chat.update")[0]


def _button(answer, label):
    return next(b for b in answer.buttons() if b["text"]["text"] == label)


def _private_to(fake, user):
    return fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == user)[0]


def test_a_fixer_applies_the_fix_and_the_thread_shows_who_when_and_the_rollout(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    slack_bot.click(_button(answer, "Apply fix"), user=FIXER, message_ts=answer.params["ts"])
    posted = slack_bot.fake.wait_for("chat.postMessage", lambda c: "Applied by" in c.blocks_text())[0]
    assert f"<@{FIXER}>" in posted.blocks_text()
    assert posted.params["thread_ts"] == answer.params["ts"]
    assert template_annotations(kube)[UDP] == "120s"
    assert len(writes(kube)) == 1
    assert "Undo" in [b["text"]["text"] for b in posted.buttons()]
    slack_bot.fake.wait_for("chat.update", lambda c: "Rollout: 0/2 pods updated" in c.blocks_text())
    _controller_rolls_out(kube, "checkout", "shop")
    slack_bot.fake.wait_for("chat.update", lambda c: "Rollout finished: 2/2 pods updated and ready" in c.blocks_text())
    action = list_actions(slack_bot.doctor)[0]
    assert (action.status, action.actor, action.incident_id) == ("applied", FIXER, _incident(answer))


def _controller_rolls_out(kube, name, namespace):
    """What the Deployment controller does after a template change: every replica updated and ready."""
    obj = kube.get_object("deployments", namespace, name)
    replicas = obj["spec"]["replicas"]
    obj["status"].update(
        observedGeneration=obj["metadata"]["generation"], updatedReplicas=replicas, readyReplicas=replicas
    )
    kube.add(obj)


def _incident(answer):
    return answer.blocks_text().split("incident ")[-1].split()[0]


def test_a_user_group_member_may_fix_and_the_group_is_read_from_slack(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    slack_bot.click(_button(answer, "Apply fix"), user=GROUP_MEMBER, message_ts=answer.params["ts"])
    slack_bot.fake.wait_for("chat.postMessage", lambda c: "Applied by" in c.blocks_text())
    assert template_annotations(kube)[UDP] == "120s"
    asked = slack_bot.fake.of("usergroups.users.list")
    assert [c.params["usergroup"] for c in asked] == ["S0ONCALL"]


def test_an_unauthorized_click_names_who_can_records_the_attempt_and_patches_nothing(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    slack_bot.click(_button(answer, "Apply fix"), user="U0MALLORY", message_ts=answer.params["ts"])
    refusal = _private_to(slack_bot.fake, "U0MALLORY")
    text = refusal.blocks_text()
    assert "U0MALLORY may not apply fixes in namespace shop" in text
    assert FIXER in text and "S0ONCALL" in text
    assert writes(kube) == []
    assert UDP not in template_annotations(kube)
    refused = list_actions(slack_bot.doctor, status="refused")
    assert [(a.actor, a.entry_id) for a in refused] == [("U0MALLORY", "istio-dns-timeout-ipvs-udp")]


def test_a_double_click_patches_once_and_tells_the_second_click_it_was_handled(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    button = _button(answer, "Apply fix")
    slack_bot.click(button, user=FIXER, message_ts=answer.params["ts"])
    slack_bot.click(button, user=FIXER, message_ts=answer.params["ts"])
    slack_bot.fake.wait_for("chat.postMessage", lambda c: "Applied by" in c.blocks_text())
    second = _private_to(slack_bot.fake, FIXER)
    assert "already" in second.blocks_text()
    assert len(writes(kube)) == 1
    assert len(list_actions(slack_bot.doctor)) == 1


def test_undo_restores_the_previous_state_and_says_who_undid_it(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    slack_bot.click(_button(answer, "Apply fix"), user=FIXER, message_ts=answer.params["ts"])
    applied = slack_bot.fake.wait_for("chat.postMessage", lambda c: "Applied by" in c.blocks_text())[0]
    slack_bot.click(_button(applied, "Undo"), user=GROUP_MEMBER, message_ts=answer.params["ts"])
    undone = slack_bot.fake.wait_for("chat.postMessage", lambda c: "Undone by" in c.blocks_text())[0]
    assert f"<@{GROUP_MEMBER}>" in undone.blocks_text()
    assert UDP not in template_annotations(kube)
    kinds = sorted(a.kind for a in list_actions(slack_bot.doctor))
    assert kinds == ["patch", "undo"]


def test_an_unauthorized_undo_changes_nothing(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    slack_bot.click(_button(answer, "Apply fix"), user=FIXER, message_ts=answer.params["ts"])
    applied = slack_bot.fake.wait_for("chat.postMessage", lambda c: "Applied by" in c.blocks_text())[0]
    slack_bot.click(_button(applied, "Undo"), user="U0MALLORY", message_ts=answer.params["ts"])
    refusal = _private_to(slack_bot.fake, "U0MALLORY")
    assert "may not" in refusal.blocks_text()
    assert template_annotations(kube)[UDP] == "120s"


def test_a_tampered_button_is_refused_and_nothing_is_patched(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    button = dict(_button(answer, "Apply fix"))
    kind, _offer, expires, mac = button["value"].split("|")
    button["value"] = "|".join((kind, "off-0000000000", expires, mac))
    slack_bot.click(button, user=FIXER, message_ts=answer.params["ts"])
    refusal = _private_to(slack_bot.fake, FIXER)
    assert "changed" in refusal.blocks_text()
    assert writes(kube) == []


def test_an_expired_button_is_refused(slack_bot, kube, meshed_shop):
    answer = _answer(slack_bot)
    offer_id = _button(answer, "Apply fix")["value"].split("|")[1]
    stale = slack_bot.ctx.refs.sign("fix", offer_id, now=0)
    slack_bot.click({"action_id": "eks_apply_fix:0", "type": "button", "value": stale}, user=FIXER)
    refusal = _private_to(slack_bot.fake, FIXER)
    assert "expired" in refusal.blocks_text()
    assert writes(kube) == []


def test_show_kubectl_gives_the_same_change_to_the_person_who_asked(slack_bot, meshed_shop):
    answer = _answer(slack_bot)
    slack_bot.click(_button(answer, "Show kubectl command"), user="U0BOB", message_ts=answer.params["ts"])
    shown = _private_to(slack_bot.fake, "U0BOB").blocks_text()
    assert "kubectl patch deployment checkout -n shop" in shown
    assert "ipvs-udp-timeout" in shown and "120s" in shown
