"""The quota-ticket modal (opened at once, filled with live figures, validated in place, stored and posted
ready to paste) and App Home."""

from __future__ import annotations

from bot.core.quotas import list_tickets
from tests.slack.harness import CHANNEL


def _quota_button(bot):
    bot.command("quota")
    answer = bot.fake.wait_for("chat.update")[0]
    assert "2 of 200 pods" in answer.blocks_text()
    return answer, next(b for b in answer.buttons() if b["text"]["text"] == "Draft quota ticket")


def _filled_modal(bot):
    answer, button = _quota_button(bot)
    bot.click(button, user="U0ALICE", message_ts=answer.params["ts"])
    opened = bot.fake.wait_for("views.open")[0]
    assert opened.params["trigger_id"].startswith("trigger.")
    filled = bot.fake.wait_for("views.update")[0]
    view = filled.params["view"] | {"id": filled.params["view_id"]}
    return answer, view


def _requested(value):
    return {"quota_requested": {"limit": {"type": "number_input", "value": value}}}


def test_the_modal_opens_at_once_then_shows_live_figures_and_a_suggested_limit(slack_bot, meshed_shop):
    _answer, view = _filled_modal(slack_bot)
    text = "\n".join(str(b) for b in view["blocks"])
    assert "2 of 200 in use" in text
    requested = next(b for b in view["blocks"] if b.get("block_id") == "quota_requested")
    assert requested["element"]["initial_value"].isdigit()


def test_a_limit_below_the_current_one_is_an_error_in_the_modal_and_nothing_is_stored(slack_bot, meshed_shop):
    _answer, view = _filled_modal(slack_bot)
    response = slack_bot.submit_view(view, _requested("150"))
    assert response.status_code == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {"quota_requested": "The new limit must be above the current one (200)."},
    }
    assert list_tickets(slack_bot.doctor) == []


def test_a_submitted_form_stores_the_draft_and_posts_it_in_the_thread_with_status_buttons(slack_bot, meshed_shop):
    answer, view = _filled_modal(slack_bot)
    response = slack_bot.submit_view(view, _requested("300"))
    assert response.status_code == 200 and response.content in (b"", b"{}")
    posted = slack_bot.fake.wait_for("chat.postMessage", lambda c: "Quota ticket draft" in c.blocks_text())[0]
    assert posted.params["channel"] == CHANNEL and posted.params["thread_ts"] == answer.params["ts"]
    text = posted.blocks_text()
    assert "300" in text and "中文" in text
    (ticket,) = list_tickets(slack_bot.doctor)
    assert ticket.figures["requested"] == 300
    submitted = next(b for b in posted.buttons() if b["text"]["text"] == "Submitted")
    slack_bot.click(submitted, user="U0ALICE", message_ts=answer.params["ts"])
    slack_bot.fake.wait_for("chat.postMessage", lambda c: "is now *submitted*" in c.blocks_text())
    assert list_tickets(slack_bot.doctor)[0].status == "submitted"


def test_submitting_the_same_form_twice_stores_one_draft(slack_bot, meshed_shop):
    _answer, view = _filled_modal(slack_bot)
    slack_bot.submit_view(view, _requested("300"))
    slack_bot.submit_view(view, _requested("300"))
    slack_bot.fake.wait_for("chat.postMessage", lambda c: "Quota ticket draft" in c.blocks_text(), count=2)
    assert len(list_tickets(slack_bot.doctor)) == 1


def test_app_home_shows_open_incidents_quota_usage_and_the_knowledge_base(slack_bot, meshed_shop):
    slack_bot.mention("DNS timeouts with istio", ts="1700020000.000100")
    slack_bot.fake.wait_for("chat.update")
    slack_bot.event({"type": "app_home_opened", "user": "U0ALICE", "channel": "D0HOME", "tab": "home"})
    published = slack_bot.fake.wait_for("views.publish")[0]
    assert published.params["user_id"] == "U0ALICE"
    text = published.blocks_text()
    assert "Open incidents" in text and "istio-dns-timeout-ipvs-udp" in text
    assert "*prod*: 2 of 200 pods" in text
    assert "port-9100-conflict" in text
