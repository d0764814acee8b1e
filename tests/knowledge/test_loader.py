"""Loading and validating knowledge-base folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.loader import BUNDLED_ENTRIES, KnowledgeBaseInvalid, load_knowledge_base, validate_folder

CONTRACT_IDS = {
    "public-network-egress",
    "port-9100-conflict",
    "quota-pods-per-cluster",
    "quota-security-group-instances",
    "istio-dns-timeout-ipvs-udp",
    "grpc-connection-reset-ipvs-tcp",
}


def bundled(entry_id: str) -> dict:
    return yaml.safe_load((BUNDLED_ENTRIES / f"{entry_id}.yaml").read_text())


def write(folder: Path, name: str, data: dict | str) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True))
    return path


def test_bundled_base_has_the_contract_ids_with_both_languages():
    kb = load_knowledge_base()
    assert set(kb.entries) == CONTRACT_IDS
    for entry in kb.entries.values():
        assert entry.symptoms.en and entry.symptoms.zh
        assert entry.source.section
        assert kb.sources[entry.id] == "bundled"


def test_patchable_keys_come_from_the_remedy():
    kb = load_knowledge_base()
    assert kb.get("istio-dns-timeout-ipvs-udp").patchable_keys() == {"eks.tke.cloud.tencent.com/ipvs-udp-timeout"}
    assert kb.get("quota-pods-per-cluster").patchable_keys() == set()


def test_every_problem_is_reported_with_file_and_field(tmp_path):
    unknown_check = bundled("port-9100-conflict")
    unknown_check["checks"]["items"][0]["kind"] = "listens_on_moon"
    outside_key = bundled("istio-dns-timeout-ipvs-udp")
    outside_key["remedy"]["patch"]["apply"] = ["eks.tke.cloud.tencent.com/ipvs-tcp-timeout"]
    bad_value = bundled("grpc-connection-reset-ipvs-tcp")
    bad_value["remedy"]["patch"]["allowed"][0]["default"] = "soon"
    write(tmp_path, "a.yaml", unknown_check)
    write(tmp_path, "b.yaml", outside_key)
    write(tmp_path, "c.yaml", bad_value)
    write(tmp_path, "d.yaml", "id: [unclosed\n")
    write(tmp_path, "e.yaml", bundled("public-network-egress"))
    write(tmp_path, "f.yaml", bundled("public-network-egress"))

    problems = validate_folder(tmp_path)

    text = "\n".join(problems)
    assert f"{tmp_path / 'a.yaml'}: checks.items.0" in text and "listens_on_moon" in text
    assert f"{tmp_path / 'b.yaml'}: remedy.patch" in text and "not in the allowed set" in text
    assert f"{tmp_path / 'c.yaml'}: remedy.patch.allowed.0" in text and "not a duration" in text
    assert f"{tmp_path / 'd.yaml'}:2" in text or f"{tmp_path / 'd.yaml'}:1" in text
    assert "duplicate id 'public-network-egress'" in text
    assert len(problems) == 5


def test_unknown_concepts_and_fields_are_errors(tmp_path):
    entry = bundled("port-9100-conflict")
    entry["match"]["concepts"]["martian_port"] = 2
    entry["colour"] = "blue"
    write(tmp_path, "x.yaml", entry)
    problems = validate_folder(tmp_path)
    assert any("colour: unknown field" in p for p in problems)


def test_an_entry_can_bring_its_own_terms(tmp_path):
    entry = bundled("port-9100-conflict")
    entry["id"] = "port-8125-statsd"
    entry["match"] = {
        "concepts": {"statsd_port": 5, "address_in_use": 3},
        "anchors": [["statsd_port"]],
        "terms": {"statsd_port": {"patterns": ["(?<!\\d)8125(?!\\d)"]}},
    }
    write(tmp_path, "statsd.yaml", entry)
    assert validate_folder(tmp_path) == []
    kb = load_knowledge_base(extra_paths=[tmp_path])
    assert (
        kb.matcher.match("statsd exporter cannot bind 8125: address already in use")[0].entry_id == "port-8125-statsd"
    )


def test_a_user_entry_replaces_the_bundled_one(tmp_path):
    entry = bundled("port-9100-conflict")
    entry["title"] = "Our own wording of the 9100 problem"
    path = write(tmp_path, "ours.yaml", entry)
    kb = load_knowledge_base(extra_paths=[tmp_path])
    assert kb.get("port-9100-conflict").title == "Our own wording of the 9100 problem"
    assert kb.replaced == {"port-9100-conflict": str(path)}
    assert kb.sources["port-9100-conflict"] == str(path)


def test_a_broken_user_folder_stops_loading_with_all_problems(tmp_path):
    write(tmp_path, "broken.yaml", {"id": "Not An Id"})
    with pytest.raises(KnowledgeBaseInvalid) as caught:
        load_knowledge_base(extra_paths=[tmp_path])
    assert any("broken.yaml: id:" in p for p in caught.value.problems)
    assert any("broken.yaml: title: Field required" in p for p in caught.value.problems)


def test_a_missing_folder_is_reported(tmp_path):
    assert validate_folder(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: not a folder"]


def test_an_entry_must_speak_both_languages(tmp_path):
    entry = bundled("istio-dns-timeout-ipvs-udp")
    del entry["summary_zh"]
    del entry["mechanism_zh"]
    del entry["remedy"]["summary_zh"]
    write(tmp_path, "english-only.yaml", entry)
    problems = "\n".join(validate_folder(tmp_path))
    for field in ("summary_zh", "mechanism_zh", "remedy.summary_zh"):
        assert f"english-only.yaml: {field}: Field required" in problems


def test_still_works_concepts_must_exist(tmp_path):
    entry = bundled("public-network-egress")
    entry["match"]["still_works"]["telepathy"] = 2
    write(tmp_path, "egress.yaml", entry)
    assert any("unknown concept(s) telepathy" in p for p in validate_folder(tmp_path))


def test_every_bundled_entry_has_a_hallmark_and_look_alikes_in_both_languages():
    for entry in load_knowledge_base().entries.values():
        assert entry.hallmark is not None and entry.hallmark.en and entry.hallmark.zh
        assert entry.look_alikes.en and entry.look_alikes.zh
        assert entry.summary_zh and entry.mechanism_zh and entry.remedy.summary_zh
