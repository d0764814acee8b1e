"""The ranges of the annotation allow-list, at their edges: what the platform's keys admit and refuse,
what a config widening admits, how each range is described to people, and how an entry that would
widen a key is refused when the knowledge base loads."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.config import DoctorConfig, ExtraAnnotation
from bot.errors import RefusedError
from bot.remedies.allowlist import admit
from knowledge.loader import BUNDLED_ENTRIES, validate_folder
from knowledge.platform import AllowList, AnnotationRule
from knowledge.schema import AnnotationSpec

UDP = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"
TCP = "eks.tke.cloud.tencent.com/ipvs-tcp-timeout"
METRICS = "eks.tke.cloud.tencent.com/metrics-port"
EIP = "eks.tke.cloud.tencent.com/eip-attributes"
CUSTOM = "example.com/setting"
PLATFORM_KEYS = f"{EIP}, {TCP}, {UDP}, {METRICS}"


def refusal(allowed: AllowList, key: str, value: str | None) -> str:
    with pytest.raises(RefusedError) as refused:
        admit(allowed, {key: value})
    assert refused.value.hint == "nothing was written"
    return refused.value.message


def widened(**item) -> AllowList:
    return DoctorConfig(extra_annotations=[ExtraAnnotation(key=CUSTOM, **item)]).allow_list()


@pytest.mark.parametrize("key", [UDP, TCP])
def test_ipvs_timeouts_admit_one_second_to_seven_days(key):
    for value in ("1s", "120s", "604800s", "7h"):
        assert admit(AllowList(), {key: value}) == []
    assert refusal(AllowList(), key, "0s") == f"{key}: '0s' is outside the allowed range (duration 1s-604800s)"
    assert refusal(AllowList(), key, "604801s") == (
        f"{key}: '604801s' is outside the allowed range (duration 1s-604800s)"
    )
    assert refusal(AllowList(), key, "soon") == f"{key}: 'soon' is not a duration (duration 1s-604800s)"
    assert refusal(AllowList(), key, "") == f"{key}: '' is not a duration (duration 1s-604800s)"


def test_the_metrics_port_admits_1_to_65535_in_ascii_digits_only():
    for value in ("1", "9101", "65535"):
        assert admit(AllowList(), {METRICS: value}) == []
    assert refusal(AllowList(), METRICS, "0") == f"{METRICS}: '0' is outside the allowed range (port 1-65535)"
    assert refusal(AllowList(), METRICS, "65536") == f"{METRICS}: '65536' is outside the allowed range (port 1-65535)"
    for value in ("http", "-1", "٩١٠١", "9101 "):  # Arabic-Indic digits are digits to Python, not to the platform
        assert refusal(AllowList(), METRICS, value) == f"{METRICS}: {value!r} is not a port number (port 1-65535)"


def test_eip_attributes_take_a_json_object_of_at_most_1024_characters():
    fits = json.dumps({"InternetMaxBandwidthOut": 100, "pad": ""})
    fits = fits.replace('"pad": ""', '"pad": "' + "x" * (1024 - len(fits)) + '"')
    assert len(fits) == 1024 and admit(AllowList(), {EIP: fits}) == []
    described = "JSON object of at most 1024 characters"
    assert refusal(AllowList(), EIP, fits + " ") == f"{EIP}: longer than 1024 characters ({described})"
    assert refusal(AllowList(), EIP, "{bandwidth: 1}") == f"{EIP}: not valid JSON ({described})"
    assert refusal(AllowList(), EIP, "[" * 500 + "]" * 500) == f"{EIP}: must be a JSON object ({described})"


def test_a_key_outside_the_list_is_refused_naming_what_is_allowed():
    expected = (
        f"{CUSTOM} is not an annotation EKS Doctor may write (allowed: {PLATFORM_KEYS}; "
        "EKS_DOCTOR_CONFIG extra_annotations can add one)"
    )
    assert refusal(AllowList(), CUSTOM, "on") == expected
    assert refusal(AllowList(), CUSTOM, None) == expected  # removing a key is a write too


def test_removing_a_listed_key_needs_no_value_check():
    assert admit(AllowList(), {TCP: None, METRICS: None}) == []
    assert admit(None, {UDP: None}) == []  # no list given: the platform's
    notes = admit(widened(shape="string", values=["on"]), {CUSTOM: None})
    assert notes == [f"{CUSTOM} is outside the platform allow-list; EKS_DOCTOR_CONFIG allows it (string: one of on)"]


def test_a_config_built_without_a_file_is_named_as_the_setting():
    rule = widened(shape="string", values=["on"]).rule(CUSTOM)
    assert rule.source == "EKS_DOCTOR_CONFIG" and rule.widened


def test_a_widened_string_admits_only_what_its_pattern_matches_whole():
    allowed = widened(shape="string", pattern="[a-z]+-[0-9]+", max_length=8)
    described = "string matching '[a-z]+-[0-9]+'"
    assert admit(allowed, {CUSTOM: "blue-42"})[0].endswith(f"({described})")
    assert refusal(allowed, CUSTOM, "blue-42x") == f"{CUSTOM}: 'blue-42x' is not allowed ({described})"
    assert refusal(allowed, CUSTOM, "Blue-42") == f"{CUSTOM}: 'Blue-42' is not allowed ({described})"
    assert refusal(allowed, CUSTOM, "blue-4200") == f"{CUSTOM}: longer than 8 characters ({described})"


def test_a_widened_string_with_listed_values_admits_the_empty_value_only_if_listed():
    assert admit(widened(shape="string", values=["", "off"]), {CUSTOM: ""}) != []
    assert refusal(widened(shape="string", values=["off"]), CUSTOM, "") == (
        f"{CUSTOM}: '' is not allowed (string: one of off)"
    )


def test_a_string_rule_that_lists_nothing_admits_nothing():
    bare = AllowList([AnnotationRule(CUSTOM, "string", source="test")])
    assert refusal(bare, CUSTOM, "anything") == f"{CUSTOM}: no string value is allowed (the rule lists none)"


def test_a_widened_port_or_duration_without_bounds_takes_the_shapes_own():
    port = widened(shape="port")
    assert port.rule(CUSTOM).describe() == "port 1-65535"
    assert admit(port, {CUSTOM: "1"}) and admit(port, {CUSTOM: "65535"})
    assert refusal(port, CUSTOM, "0") == f"{CUSTOM}: '0' is outside the allowed range (port 1-65535)"
    assert refusal(port, CUSTOM, "65536") == f"{CUSTOM}: '65536' is outside the allowed range (port 1-65535)"
    narrow = widened(shape="port", minimum=8000, maximum=8080)
    assert narrow.rule(CUSTOM).describe() == "port 8000-8080"
    assert refusal(narrow, CUSTOM, "8081") == f"{CUSTOM}: '8081' is outside the allowed range (port 8000-8080)"
    duration = widened(shape="duration")
    assert duration.rule(CUSTOM).describe() == "duration 0s-604800s"
    assert admit(duration, {CUSTOM: "0s"}) and admit(duration, {CUSTOM: "604800s"})


def test_a_widened_json_value_need_not_be_an_object():
    allowed = widened(shape="json", max_length=20)
    assert admit(allowed, {CUSTOM: "[1, 2]"}) == [
        f"{CUSTOM} is outside the platform allow-list; EKS_DOCTOR_CONFIG allows it (JSON of at most 20 characters)"
    ]
    assert refusal(allowed, CUSTOM, "[1,") == f"{CUSTOM}: not valid JSON (JSON of at most 20 characters)"


def test_the_fingerprint_changes_with_the_rules_and_only_with_them():
    assert AllowList().fingerprint() == AllowList().fingerprint()
    assert widened(shape="port").fingerprint() == widened(shape="port").fingerprint()
    assert widened(shape="port").fingerprint() != AllowList().fingerprint()
    assert widened(shape="port").fingerprint() != widened(shape="port", maximum=80).fingerprint()


def spec(key: str = UDP, **fields) -> AnnotationSpec:
    return AnnotationSpec(key=key, **{"shape": "duration", **fields})


def test_an_entry_may_narrow_a_platform_key():
    assert AllowList().spec_problems(spec(default="30s", minimum="1s")) == []
    assert AllowList().spec_problems(spec(default="30s", minimum="10s")) == []
    assert AllowList().spec_problems(spec()) == []
    assert widened(shape="duration").spec_problems(spec(CUSTOM, minimum="0s", default="0s")) == []


def test_an_entry_may_not_widen_a_platform_key():
    allowed = AllowList()
    assert allowed.spec_problems(spec(minimum="0.5s")) == [
        ("minimum", "'0.5s' is below the allow-list's range (duration 1s-604800s)")
    ]
    assert allowed.spec_problems(spec(default="200h")) == [
        ("default", f"{UDP}: '200h' is outside the allowed range (duration 1s-604800s)")
    ]
    assert allowed.spec_problems(spec(shape="string", default="5s")) == [
        ("shape", f"'string' is not the allow-list's 'duration' for {UDP}")
    ]
    assert allowed.spec_problems(spec(CUSTOM)) == [
        ("key", f"{CUSTOM} is not an annotation EKS Doctor may write (allowed: {PLATFORM_KEYS}; "
                "EKS_DOCTOR_CONFIG extra_annotations can add one)")
    ]  # fmt: skip


def test_the_loader_refuses_an_entry_that_widens_naming_the_field(tmp_path):
    data = yaml.safe_load((BUNDLED_ENTRIES / "istio-dns-timeout-ipvs-udp.yaml").read_text())
    data["id"] = "udp-too-short"
    data["remedy"]["patch"]["allowed"][0]["minimum"] = "0.5s"
    (tmp_path / "udp.yaml").write_text(yaml.safe_dump(data))
    problems = validate_folder(tmp_path)
    assert any("remedy.patch.allowed.0.minimum: '0.5s' is below the allow-list's range" in p for p in problems)
