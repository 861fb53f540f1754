"""The integrator kit stays true to the sources: abi/ holds the ABI of every
contract the deploy plan deploys (a contract added to the plan is picked up
from `labeldao.system.deployable_contracts`), and docs/EVENTS.md documents each of their
events and status flags. `make abi` rewrites both."""

import json

import pytest

from labeldao import abi_export, events_doc
from labeldao.system import deployable_contracts


@pytest.fixture(scope="module")
def compiled():
    return abi_export.compile_all()


def test_abi_folder__matches_the_sources_of_every_deployed_contract(compiled):
    assert [c.name for c in compiled] == deployable_contracts()
    assert abi_export.drift(compiled) == [], "run `make abi` and commit abi/ and docs/EVENTS.md"


def test_drift__names_a_stale_a_missing_and_an_undeployed_file(compiled, tmp_path):
    abi_export.write(compiled, tmp_path)
    assert abi_export.drift(compiled, tmp_path) == []
    first, second = compiled[0].name, compiled[1].name
    stale = json.loads((tmp_path / f"{first}.json").read_text())[1:]
    (tmp_path / f"{first}.json").write_text(json.dumps(stale))
    (tmp_path / f"{second}.json").unlink()
    (tmp_path / "Retired.json").write_text("[]")
    assert abi_export.drift(compiled, tmp_path) == [
        f"abi/{first}.json: differs from the source",
        f"abi/{second}.json: missing",
        "abi/Retired.json: not a deployed contract",
    ]


def test_every_event_in_abi__is_documented_in_events_md():
    text = events_doc.EVENTS_MD.read_text()
    missing = [
        f"{contract}.{event['name']}"
        for contract, abi in events_doc.load_abis().items()
        for event in events_doc.events_of(abi)
        if f"### {contract}.{event['name']}\n" not in text or events_doc.topic0(event) not in text
    ]
    assert missing == [], "add their meanings to docs/events.toml and run `make abi`"


def test_events_md__is_what_make_abi_writes_and_every_meaning_is_written():
    assert events_doc.drift() == []


def test_status_flags_and_constants__are_each_documented():
    text = events_doc.EVENTS_MD.read_text()
    for contract in deployable_contracts():
        for flag, members in events_doc.source_flags(contract).items():
            assert f"Vyper `flag {flag}` of `{contract}`" in text
            assert all(f"| {member} |" in text for member in members)
    constants = [
        item["name"]
        for abi in events_doc.load_abis().values()
        for item in abi
        if item["type"] == "function" and events_doc.STATUS_CONSTANT.match(item["name"])
    ]
    assert constants, "the contracts expose their status constants"
    assert [c for c in constants if f"| `{c}` |" not in text] == []


def test_problems__an_event_without_meaning_and_a_wrong_flag_are_named():
    abis = {"TaskEscrow": events_doc.load_abis()["TaskEscrow"]}
    meanings = events_doc.load_meanings()
    del meanings["TaskEscrow"]["events"]["TaskClaimed"]
    meanings["TaskEscrow"]["events"]["TaskClamed"] = "a typo"
    meanings["status"][0]["values"] = meanings["status"][0]["values"][::-1]
    found = events_doc.problems(abis, meanings)
    assert "TaskEscrow.TaskClaimed: no meaning in docs/events.toml" in found
    stale = "TaskEscrow.TaskClamed: a meaning for an event the contract does not emit (renamed?)"
    assert stale in found
    assert any(p.startswith("status 'Task status': values differ from flag Status") for p in found)


def test_record_fields__name_the_abi_file_and_the_compiler():
    assert abi_export.record_fields("QualityCourt") == {
        "abi": "abi/QualityCourt.json",
        "compiler": "vyper 0.4.3",
    }


def test_unknown_contract__is_refused_by_name():
    with pytest.raises(abi_export.AbiError, match="Nowhere: no contracts/\\*\\*/Nowhere.vy"):
        abi_export.find_source("Nowhere")


def test_solidity_contract__is_exported_with_solc_js():
    """The path a Solidity contract added to the plan takes (the Governor)."""
    compiled = abi_export.compile_abi("OZGovernor")
    assert compiled.source.name == "OZGovernor.sol"
    assert compiled.compiler.startswith("solc 0.8.30")
    assert "ProposalCreated" in [e["name"] for e in events_doc.events_of(compiled.abi)]
    assert abi_export.record_fields("OZGovernor")["compiler"] == "solc 0.8.30"
