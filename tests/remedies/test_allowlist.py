"""The annotations a remedy may write come from the platform allow-list in code; an entry may narrow it,
never widen it; widening takes an explicit `extra_annotations` item in EKS_DOCTOR_CONFIG, which
`kb validate` and `fix` both show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.config import DoctorConfig, load_config
from bot.domain import WorkloadRef
from bot.errors import ConfigError, RefusedError
from bot.remedies.patches import plan_patch
from knowledge.loader import BUNDLED_ENTRIES
from knowledge.platform import PLATFORM_RULES, AllowList
from knowledge.schema import Entry

from .conftest import template_annotations, writes

CORPUS = Path(__file__).resolve().parents[1] / "hostile" / "kb_corpus"
WIDENING_FOLDER = CORPUS / "needs-config-widening"
INJECT = "sidecar.istio.io/inject"
CHECKOUT = WorkloadRef(kind="Deployment", namespace="shop", name="checkout")


def _entry(name: str, **remedy_patch) -> Entry:
    data = yaml.safe_load((BUNDLED_ENTRIES / name).read_text())
    data["remedy"]["patch"].update(remedy_patch)
    return Entry.model_validate(data)


def _config(tmp_path: Path, extra: list[dict]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"extra_annotations": extra}))
    return path


def test_the_platform_list_is_the_keys_the_bundled_remedies_write(kb):
    written = {
        spec.key for entry in kb.entries.values() for spec in (entry.remedy.patch.allowed if entry.remedy.patch else [])
    }
    assert written == {rule.key for rule in PLATFORM_RULES}
    assert all(key.startswith("eks.tke.cloud.tencent.com/") for key in written)


PATCHING_ENTRIES = [
    "grpc-connection-reset-ipvs-tcp",
    "istio-dns-timeout-ipvs-udp",
    "port-9100-conflict",
    "public-network-egress",
]


@pytest.mark.parametrize("entry_id", PATCHING_ENTRIES)
def test_bundled_plans_write_only_what_the_list_admits(kb, entry_id):
    plan = plan_patch(entry=kb.get(entry_id), workload=CHECKOUT, current_annotations={})
    allowed = AllowList()
    for key, value in plan.after.items():
        assert allowed.check(key, value).source == "platform"
    assert not any("allow-list" in warning for warning in plan.warnings)


def test_an_entry_that_slipped_past_the_loader_still_cannot_write_outside_the_list():
    """The loader refuses such an entry; the planner refuses it again, as the last gate before a write."""
    entry = _entry(
        "port-9100-conflict.yaml",
        allowed=[{"key": "eks.tke.cloud.tencent.com/role-name", "shape": "string", "default": "admin"}],
        apply=["eks.tke.cloud.tencent.com/role-name"],
    )
    with pytest.raises(RefusedError, match="role-name is not an annotation EKS Doctor may write"):
        plan_patch(entry=entry, workload=CHECKOUT, current_annotations={})


def test_a_value_outside_the_platform_range_is_refused_even_where_the_entry_allows_it():
    entry = _entry("public-network-egress.yaml")  # shape json: the entry alone would take any JSON
    key = "eks.tke.cloud.tencent.com/eip-attributes"
    with pytest.raises(RefusedError, match="must be a JSON object"):
        plan_patch(entry=entry, workload=CHECKOUT, current_annotations={}, overrides={key: "[1, 2]"})
    with pytest.raises(RefusedError, match="longer than 1024 characters"):
        plan_patch(
            entry=entry, workload=CHECKOUT, current_annotations={}, overrides={key: json.dumps({"a": "x" * 1100})}
        )


def test_a_config_widening_is_explicit_ranged_and_said_with_the_plan(tmp_path):
    path = _config(tmp_path, [{"key": INJECT, "shape": "string", "values": ["false"]}])
    allowed = load_config(path).allow_list()
    entry = _entry(
        "port-9100-conflict.yaml",
        allowed=[{"key": INJECT, "shape": "string", "default": "false"}],
        apply=[INJECT],
    )
    plan = plan_patch(entry=entry, workload=CHECKOUT, current_annotations={}, allowed=allowed)
    assert plan.after == {INJECT: "false"}
    assert plan.warnings[0] == (
        f"{INJECT} is outside the platform allow-list; EKS_DOCTOR_CONFIG ({path}) allows it (string: one of false)"
    )
    with pytest.raises(RefusedError, match="'true' is not allowed"):
        plan_patch(entry=entry, workload=CHECKOUT, current_annotations={}, overrides={INJECT: "true"}, allowed=allowed)
    with pytest.raises(RefusedError, match="not an annotation EKS Doctor may write"):
        plan_patch(entry=entry, workload=CHECKOUT, current_annotations={})  # without the config


def test_a_config_can_widen_a_platform_range_and_that_is_said_too(tmp_path):
    udp = "eks.tke.cloud.tencent.com/ipvs-udp-timeout"
    allowed = load_config(_config(tmp_path, [{"key": udp, "shape": "duration", "maximum": "1s"}])).allow_list()
    assert allowed.rule(udp).widened and allowed.rule(udp).describe() == "duration 0s-1s"
    entry = _entry("istio-dns-timeout-ipvs-udp.yaml")
    with pytest.raises(RefusedError, match="'120s' is outside the allowed range"):
        plan_patch(entry=entry, workload=CHECKOUT, current_annotations={}, allowed=allowed)


@pytest.mark.parametrize(
    ("item", "said"),
    [
        ({"key": INJECT, "shape": "string"}, "a string annotation needs `values` or a `pattern`"),
        (
            {"key": INJECT, "shape": "string", "values": ["false"], "colour": "red"},
            "extra_annotations.0.colour: unknown key",
        ),
        ({"key": "Not A Key!", "shape": "string", "values": ["x"]}, "extra_annotations.0.key"),
        ({"key": INJECT, "shape": "string", "pattern": "(?<!x)" + "a" * 600}, "longer than 500 characters"),
        ({"key": INJECT, "shape": "port", "values": ["1"]}, "`values` and `pattern` are for string annotations"),
        ({"key": INJECT, "shape": "port", "minimum": 9000, "maximum": 80}, "minimum is above maximum"),
        ({"key": INJECT, "shape": "duration", "maximum": "30d"}, "is not a duration"),
    ],
)
def test_a_bad_widening_is_a_config_error_naming_the_file_and_key(tmp_path, item, said):
    path = _config(tmp_path, [item])
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ") and said in str(caught.value)


def test_the_same_key_twice_is_refused(tmp_path):
    item = {"key": INJECT, "shape": "string", "values": ["false"]}
    with pytest.raises(ConfigError, match="each key may appear once"):
        load_config(_config(tmp_path, [item, item]))


def test_no_config_means_the_platform_list(tmp_path):
    assert DoctorConfig().allow_list().widened == ()
    with pytest.raises(ConfigError, match="source: unknown key"):
        load_config(_write(tmp_path, {"source": "x"}))


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "raw.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_kb_validate_shows_the_widening_it_relies_on(cli, tmp_path):
    refused = cli("kb", "validate", str(WIDENING_FOLDER))
    assert refused.exit_code == 2 and "sidecar.istio.io/inject is not an annotation" in refused.stdout
    config = _config(tmp_path, [{"key": INJECT, "shape": "string", "values": ["false", "true"]}])
    env = {"EKS_DOCTOR_CONFIG": str(config)}
    valid = cli("kb", "validate", str(WIDENING_FOLDER), env=env)
    assert valid.exit_code == 0, valid.stdout
    assert f"EKS_DOCTOR_CONFIG ({config}) widens the annotation allow-list: {INJECT} (string: one of false, true)" in (
        valid.stdout
    )
    report = json.loads(cli("kb", "validate", str(WIDENING_FOLDER), "--json", env=env).stdout)
    assert report["widened_annotations"] == [
        {
            "key": INJECT,
            "shape": "string",
            "range": "string: one of false, true",
            "source": f"EKS_DOCTOR_CONFIG ({config})",
        }
    ]


def test_fix_writes_a_widened_key_only_with_the_config_and_says_so(cli, kube, shop, kubeconfig, tmp_path):
    env = {"KUBECONFIG": str(kubeconfig), "EKS_DOCTOR_KB_PATH": str(WIDENING_FOLDER)}
    refused = cli("fix", "deploy/checkout", "-n", "shop", "--entry", "mesh-opt-out", "--yes", env=env)
    assert refused.exit_code == 2 and "sidecar.istio.io/inject is not an annotation" in refused.stderr
    assert writes(kube) == []
    config = _config(tmp_path, [{"key": INJECT, "shape": "string", "values": ["false"]}])
    env["EKS_DOCTOR_CONFIG"] = str(config)
    applied = cli("fix", "deploy/checkout", "-n", "shop", "--entry", "mesh-opt-out", "--yes", env=env)
    assert applied.exit_code == 0, applied.stderr
    assert (
        f"warning: {INJECT} is outside the platform allow-list; EKS_DOCTOR_CONFIG ({config}) allows it "
        "(string: one of false)"
    ) in " ".join(applied.stdout.split())
    assert template_annotations(kube)[INJECT] == "false"
    again = cli("fix", "deploy/checkout", "-n", "shop", "--entry", "mesh-opt-out", "--set", f"{INJECT}=true", "--yes",
                "--json", env=env)  # fmt: skip
    assert again.exit_code == 2 and json.loads(again.stdout)["error"]["message"].startswith(f"{INJECT}: 'true'")
    assert template_annotations(kube)[INJECT] == "false"


def test_the_readme_config_example_is_a_valid_config(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n# EKS_DOCTOR_CONFIG\n", 1)[1].split("```", 1)[0]
    widened = load_config(_write(tmp_path, yaml.safe_load(block))).allow_list().widened
    assert [(rule.key, rule.describe()) for rule in widened] == [
        (INJECT, "string: one of false"),
        ("eks.tke.cloud.tencent.com/ipvs-tcp-timeout", "duration 900s-7200s"),
    ]
