"""`eks-doctor kb gaps`: what the matcher missed, grouped by what people chose or the cluster confirmed,
and exported as labelled JSONL for review."""

from __future__ import annotations

import json

from bot.config import DoctorConfig
from bot.core import Doctor, incidents, triage
from bot.domain import Actor, Channel
from bot.settings import Settings

ALICE = Actor("U0ALICE", Channel.SLACK)


def _doctor(tmp_path):
    return Doctor(Settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}"), config=DoctorConfig())


def _triaged(doctor, text):
    return triage.triage(doctor, actor=ALICE, text=text).recording.incident_id


def test_unmatched_and_rejected_queries_are_listed_by_what_was_chosen(cli, tmp_path):
    doctor = _doctor(tmp_path)
    unmatched = _triaged(doctor, "the frobnicator is sad")
    rejected = _triaged(doctor, "DNS timeouts with istio sidecars")
    incidents.record_feedback(
        doctor, actor=ALICE, incident_id=rejected, entry_id="istio-dns-timeout-ipvs-udp", vote="not_this"
    )
    incidents.record_feedback(
        doctor, actor=ALICE, incident_id=rejected, entry_id="public-network-egress", vote="helped"
    )
    _triaged(doctor, "port 9100 already in use")  # matched and not rejected: not a gap
    doctor.close()
    export = tmp_path / "gaps.jsonl"
    result = cli("kb", "gaps", "--export", str(export))
    assert result.exit_code == 0
    assert "public-network-egress (1)" in result.stdout
    assert "nothing chosen or confirmed (1)" in result.stdout
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert {(line["q"], line["expect"]) for line in lines} == {
        ("DNS timeouts with istio sidecars", "public-network-egress"),
        ("the frobnicator is sad", "none"),
    }
    assert {line["incident"] for line in lines} == {unmatched, rejected}


def test_no_gaps_says_so(cli):
    result = cli("kb", "gaps")
    assert result.exit_code == 0
    assert "no gaps" in result.stdout
