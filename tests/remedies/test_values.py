"""Annotation values as a user meets them: which key a name means, what form is written, when two
values are the same, when a current timeout already covers the target, and why a value is suggested."""

from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.remedies.values import covers, free_port, idle_timeout_seconds, normalise, resolve_key, same_value
from bot.remedies.values import suggest_values as suggest

from .conftest import GRPC_ENTRY, METRICS, PORT_ENTRY, TCP
from .entries import bundled_kb, entry_with, spec


@pytest.fixture(scope="module")
def kb():
    return bundled_kb()


UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"
EIP = "eks.tke.cloud.tencent.com/eip-attributes"
DURATION = spec("example.com/timeout", "duration")
PORT = spec("example.com/port", "port")
JSON = spec("example.com/config", "json")
STRING = spec("example.com/mode", "string")


# -- which key a name means ----------------------------------------------------------------------


def test_a_full_key_or_its_unique_short_name_names_the_key(kb):
    entry = kb.get(GRPC_ENTRY)
    assert resolve_key(entry, TCP).key == TCP
    assert resolve_key(entry, "ipvs-tcp-timeout").key == TCP


def test_an_ambiguous_short_name_is_refused_rather_than_guessed(kb):
    entry = entry_with(
        kb.get(GRPC_ENTRY),
        spec("a.example.com/timeout", "duration", default="1s"),
        spec("b.example.com/timeout", "duration"),
    )
    with pytest.raises(InputError) as refused:
        resolve_key(entry, "timeout")
    assert str(refused.value) == (
        f"'timeout' is not an annotation entry {GRPC_ENTRY} may set "
        "(allowed: a.example.com/timeout, b.example.com/timeout)"
    )
    assert resolve_key(entry, "b.example.com/timeout").key == "b.example.com/timeout"
    assert resolve_key(entry, "a.example.com/timeout").key == "a.example.com/timeout"


def test_a_full_key_wins_over_a_short_name_it_shares(kb):
    entry = entry_with(
        kb.get(GRPC_ENTRY), spec("x.example.com/timeout", "duration", default="1s"), spec("timeout", "duration")
    )
    assert resolve_key(entry, "timeout").key == "timeout"


def test_a_key_the_entry_does_not_allow_is_refused_with_the_allowed_ones_named(kb):
    with pytest.raises(InputError) as refused:
        resolve_key(kb.get(PORT_ENTRY), "ipvs-tcp-timeout")
    assert (
        str(refused.value) == f"'ipvs-tcp-timeout' is not an annotation entry {PORT_ENTRY} may set (allowed: {METRICS})"
    )


# -- the form that is written --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape_spec", "given", "written"),
    [
        (DURATION, " 1h ", "3600s"),
        (DURATION, "1h30m", "5400s"),
        (DURATION, "90000ms", "90s"),
        (DURATION, "1500ms", "1500ms"),  # not whole seconds: written as given, never rounded
        (DURATION, "2.5s", "2.5s"),
        (PORT, "09110", "9110"),
        (PORT, " 9110 ", "9110"),
        (JSON, ' {"InternetMaxBandwidthOut": 10} ', '{"InternetMaxBandwidthOut": 10}'),
        (STRING, "  fast  ", "fast"),
    ],
)
def test_values_are_written_in_their_canonical_form(shape_spec, given, written):
    assert normalise(shape_spec, given) == written


def test_a_value_whose_canonical_form_is_forbidden_is_refused_as_bad_input():
    no_hour = spec("example.com/timeout", "duration", forbidden=["3600s"])
    with pytest.raises(InputError, match="'3600s' is not allowed"):
        normalise(no_hour, "1h")
    with pytest.raises(InputError, match="'3600s' is not allowed"):
        normalise(no_hour, "3600s")
    assert normalise(no_hour, "2h") == "7200s"


def test_a_bad_value_is_refused_with_the_reason(kb):
    with pytest.raises(InputError) as refused:
        normalise(kb.get(GRPC_ENTRY).remedy.patch.spec(TCP), "60s")
    assert str(refused.value) == f"{TCP}: '60s' is shorter than the minimum '900s'"


# -- when two values are the same ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape_spec", "current", "wanted", "same"),
    [
        (DURATION, "30m", "1800s", True),
        (DURATION, "1800s", "1800s", True),
        (DURATION, "1800s", "3600s", False),
        (DURATION, "soon", "1800s", False),  # an unparsable current value is simply different
        (DURATION, "soon", "soon", True),
        (PORT, "09110", "9110", True),
        (PORT, "9110", "9110", True),
        (PORT, "9110", "9111", False),
        (PORT, "metrics", "9110", False),
        (PORT, "metrics", "metrics", True),
        (JSON, '{"a": 1, "b": 2}', '{ "b": 2, "a": 1 }', True),
        (JSON, '{"a": 1}', '{"a": 2}', False),
        (JSON, "{broken", "{}", False),
        (JSON, "{broken", "{broken", True),
        (STRING, "fast", "fast", True),
        (STRING, "fast", "slow", False),
        (STRING, "1800s", "30m", False),  # only durations compare by meaning
    ],
)
def test_values_are_the_same_when_they_mean_the_same(shape_spec, current, wanted, same):
    assert same_value(shape_spec, current, wanted) is same
    assert same_value(shape_spec, wanted, current) is same


@pytest.mark.parametrize("shape_spec", [DURATION, PORT, JSON, STRING])
def test_absent_equals_only_absent(shape_spec):
    assert same_value(shape_spec, None, None) is True
    assert same_value(shape_spec, None, "") is False
    assert same_value(shape_spec, "", None) is False
    assert same_value(shape_spec, None, "1") is False


# -- when a current timeout already covers the target --------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "covered"),
    [
        ("3600s", "1800s", True),
        ("30m", "1800s", True),  # equal is enough
        ("1799s", "1800s", False),
        (None, "1800s", False),
        ("soon", "1800s", False),  # an unparsable value covers nothing: it is replaced
        ("3600s", "soon", False),
    ],
)
def test_a_duration_at_or_above_the_target_covers_it(current, wanted, covered):
    assert covers(DURATION, current, wanted) is covered


@pytest.mark.parametrize("shape_spec", [PORT, STRING])
def test_only_durations_cover(shape_spec):
    assert covers(shape_spec, "9999", "9110") is False


# -- the client idle timeout people mention ------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "seconds"),
    [
        ("ms", 0.001), ("millisecond", 0.001), ("milliseconds", 0.001),
        ("s", 1), ("sec", 1), ("secs", 1), ("second", 1), ("seconds", 1), ("秒", 1), ("秒钟", 1),
        ("m", 60), ("min", 60), ("mins", 60), ("minute", 60), ("minutes", 60), ("分", 60), ("分钟", 60),
        ("h", 3600), ("hr", 3600), ("hrs", 3600), ("hour", 3600), ("hours", 3600), ("小时", 3600), ("个小时", 3600),
    ],
)  # fmt: skip
def test_every_unit_people_write_is_read_at_its_value(unit, seconds):
    assert idle_timeout_seconds(f"idle timeout is 30 {unit}") == pytest.approx(30 * seconds)
    assert idle_timeout_seconds(f"30{unit} idle") == pytest.approx(30 * seconds)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (None, None),
        ("", None),
        ("idleTimeout(90, TimeUnit.SECONDS)", 90),
        ("idleTimeout(2, TimeUnit.HOURS)", 7200),
        ("idletimeout( 5L , MINUTES )", 300),
        ("after 45m idle the call fails", 2700),
        ("max connection idle 20 min", 1200),
        ("空闲时间 2 小时", 7200),
        ("idle timeout 1.5 hours", 5400),
        # Several mentioned: the ipvs timeout must cover the longest.
        ("idle timeout 30 minutes on one client, idleTimeout(2, TimeUnit.HOURS) on another", 7200),
        ("idleTimeout(3, TimeUnit.HOURS) and an idle timeout of 10 minutes", 10800),
        ("idle timeout of 10 minutes, or 90 minutes idle on the batch client", 5400),
    ],
)
def test_the_longest_idle_timeout_mentioned_is_read(text, seconds):
    assert idle_timeout_seconds(text) == seconds


# -- suggested values and why --------------------------------------------------------------------


RAISED = "covers the client's idle timeout you mentioned"
KEPT = "the default already covers the client's idle timeout you mentioned"
WHY_RAISED = "a shorter ipvs timeout drops idle connections the client still uses"


@pytest.mark.parametrize(
    ("symptom", "value", "reason"),
    [
        (None, "1800s", "covers grpc-java's default idle timeout (30 min); raise it if your client idles longer"),
        ("our idle timeout is 60 minutes", "3600s", f"{RAISED} (1 hour, 3600s); {WHY_RAISED}"),
        ("idle timeout is 2 hours", "7200s", f"{RAISED} (2 hours, 7200s); {WHY_RAISED}"),
        ("idle timeout is 90 minutes", "5400s", f"{RAISED} (90 min, 5400s); {WHY_RAISED}"),
        ("idle timeout is 3601 seconds", "3601s", f"{RAISED} (3601s); {WHY_RAISED}"),
        ("idle timeout is 1801 seconds", "1801s", f"{RAISED} (1801s); {WHY_RAISED}"),
        ("idle timeout is 30 minutes", "1800s", f"{KEPT} (30 min, 1800s)"),
        ("idle timeout is 1 minute", "1800s", f"{KEPT} (1 min, 60s)"),
        ("idle timeout is 59 seconds", "1800s", f"{KEPT} (59s)"),
        ("idle timeout is 1.5 seconds", "1800s", f"{KEPT} (1.5s)"),
        ("idle timeout is 90 seconds", "1800s", f"{KEPT} (90s)"),
    ],
)
def test_the_tcp_timeout_follows_the_client_idle_timeout_and_says_why(kb, symptom, value, reason):
    suggestion = suggest(kb.get(GRPC_ENTRY), symptom)[TCP]
    assert (suggestion.value, suggestion.reason) == (value, reason)


def test_the_tcp_timeout_reason_names_the_hours_in_the_singular_only_for_one(kb):
    assert "(1 hour, 3600s)" in suggest(kb.get(GRPC_ENTRY), "idle timeout is 1 hour")[TCP].reason
    assert "(3 hours, 10800s)" in suggest(kb.get(GRPC_ENTRY), "idle timeout is 3 hours")[TCP].reason


@pytest.mark.parametrize(
    ("used", "value", "reason"),
    [
        ([], "9110", "no container uses 9110"),
        ([9090, 80, 9090], "9110", "no container uses 9110 (containers use 80, 9090)"),
        ([9100, 9110], "9111", "the default 9110 is used by a container; 9111 is free"),
        ([9110, 9111, 9113], "9112", "the default 9110 is used by a container; 9112 is free"),
    ],
)
def test_the_metrics_port_avoids_the_containers_ports_and_says_why(kb, used, value, reason):
    suggestion = suggest(kb.get(PORT_ENTRY), None, used_ports=used)[METRICS]
    assert (suggestion.value, suggestion.reason) == (value, reason)


def test_the_metrics_port_skips_ports_the_entry_forbids(kb):
    entry = entry_with(kb.get(PORT_ENTRY), spec(METRICS, "port", default="9110", forbidden=["9111", "none"]))
    assert suggest(entry, None, used_ports=[9110])[METRICS].value == "9112"


def test_other_keys_get_the_entry_default(kb):
    istio = suggest(kb.get("istio-dns-timeout-ipvs-udp"), "idle timeout is 60 minutes")
    assert istio[UDP].value == "120s" and istio[UDP].reason == "the entry's default"
    egress = suggest(kb.get("public-network-egress"), None, used_ports=[9110])
    assert egress[EIP].value == "{}" and egress[EIP].reason == "the entry's default"
    port = spec("example.com/admin-port", "port", default="8080")
    admin = suggest(entry_with(kb.get(PORT_ENTRY), port), None)["example.com/admin-port"]
    assert (admin.value, admin.reason) == ("8080", "the entry's default")  # only the metrics port is moved
    assert (
        suggest(entry_with(kb.get(PORT_ENTRY), port), None, used_ports=[8080])["example.com/admin-port"].value == "8080"
    )


def test_defaults_are_suggested_in_canonical_form(kb):
    entry = entry_with(kb.get(GRPC_ENTRY), spec("example.com/ipvs-tcp-timeout", "duration", default="1h"))
    assert suggest(entry, None)["example.com/ipvs-tcp-timeout"].value == "3600s"


def test_only_keys_applied_by_default_are_suggested(kb):
    entry = entry_with(
        kb.get(GRPC_ENTRY), spec(TCP, "duration", default="1800s"), spec(UDP, "duration", default="120s"), apply=[UDP]
    )
    assert list(suggest(entry, None)) == [UDP]
    assert suggest(kb.get("quota-pods-per-cluster"), "idle timeout 60 minutes") == {}


# -- looking for a free port ---------------------------------------------------------------------


def test_a_free_port_is_looked_for_within_200_ports_of_the_default():
    assert free_port(9110, used=range(9110, 9309), forbidden=[]) == 9309
    assert free_port(9110, used=range(9110, 9310), forbidden=[]) is None
    assert free_port(9110, used=[], forbidden=["9110", "9111"]) == 9112


def test_no_port_above_65535_is_offered():
    assert free_port(65534, used=[65534], forbidden=[]) == 65535
    assert free_port(65534, used=[65534, 65535], forbidden=[]) is None


# -- values a user types that cannot be written --------------------------------------------------


def _input_error(spec_, value: str) -> str:
    with pytest.raises(InputError) as refused:
        normalise(spec_, value)
    return refused.value.message


def test_a_port_typed_as_words_is_refused_as_not_a_port():
    assert _input_error(PORT, "http") == "example.com/port: 'http' is not a port number (1-65535)"
    assert _input_error(PORT, "9100a") == "example.com/port: '9100a' is not a port number (1-65535)"


def test_durations_up_to_seven_days_are_written_and_longer_ones_refused_with_the_value_shown():
    assert normalise(DURATION, "168h") == "604800s"
    longest = "the longest duration accepted"
    assert _input_error(DURATION, "168h1s") == f"example.com/timeout: '168h1s' is longer than 604800s, {longest}"
    forty = "1" * 39 + "s"  # shown whole
    assert _input_error(DURATION, forty) == f"example.com/timeout: {forty!r} is longer than 604800s, {longest}"
    long = "1" * 40 + "s"  # cut at 40 characters
    assert _input_error(DURATION, long) == f"example.com/timeout: {long[:40]!r}… is longer than 604800s, {longest}"


def test_an_idle_timeout_of_exactly_seven_days_still_counts():
    assert idle_timeout_seconds("the idle timeout is 168 hours") == 604800
    assert idle_timeout_seconds("the idle timeout is 169 hours") is None
