"""`NodeClient` on titanoboa, on the suite as `ape run deploy` wires it:
register with a permit, report from a receipts file within the node's
bound, claim, challenge (the compute MetaEvidence is found from the court's
dispute), deactivate and unbond — each refusal saying why and when."""

from __future__ import annotations

from pathlib import Path

import pytest

from labeldao.client_base import InputError, Refusal
from labeldao.metaevidence import MetaEvidenceReader
from labeldao.nodes_client import read_receipts
from tests.unit.clients.conftest import DAY, LDAO, travel

SPECS = b"\x11" * 32


def receipts_file(path: Path, node_id: int, epoch: int, units: list[int]) -> Path:
    rows = ["job_id,client,work_units,output_hash,node_id,epoch"]
    for i, amount in enumerate(units):
        job = f"0x{i + 1:064x}"
        rows.append(f"{job},0x{'ab' * 20},{amount},0x{'cd' * 32},{node_id},{epoch}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_register__with_permit__bonds_the_tier_stake(nodes, provider, system):
    client = nodes(provider)
    assert client.required_stake(1, 4) == 1_000 * LDAO
    node_id = client.register(SPECS, "file:///specs.json", 4, 1)
    node = client.node(node_id)
    assert (node.status_name, node.stake, node.gpu_count) == ("ACTIVE", 1_000 * LDAO, 4)
    assert node.first_epoch == client.current_epoch() + 1


def test_register__bad_shape__says_the_ranges(nodes, provider):
    with pytest.raises(Refusal, match="tier 4 does not exist: tiers are 0 to 3"):
        nodes(provider).register(SPECS, "u", 1, 4)
    with pytest.raises(Refusal, match="a node has 1 to 1,024 GPUs, not 2,000"):
        nodes(provider).register(SPECS, "u", 2_000, 0)


def test_report__lifecycle_with_refusals__claims_the_epoch_emission(
    nodes, provider, outsider, tmp_path
):
    client = nodes(provider)
    node_id = client.register(SPECS, "u", 1, 0)
    epoch = client.node(node_id).first_epoch
    batch = read_receipts(
        receipts_file(tmp_path / "r.csv", node_id, epoch, [100, 200]), node_id, epoch
    )
    with pytest.raises(Refusal, match=f"epoch {epoch} is not finished: it can be reported from"):
        client.file_report(node_id, epoch, batch, 10_000)
    travel(2 * DAY)
    bound = client.max_work_units(node_id, epoch)
    assert bound == 100 * 86_400  # 1 GPU x 100 units/GPU-second (tier 0) x 1 day
    too_much = read_receipts(
        receipts_file(tmp_path / "big.csv", node_id, epoch, [bound, 1]), node_id, epoch
    )
    with pytest.raises(Refusal, match="exceed node .* capacity .* at most 8,640,000 \\(1 GPU"):
        client.file_report(node_id, epoch, too_much, 10_000)
    with pytest.raises(Refusal, match="only node .* owner"):
        nodes(outsider).file_report(node_id, epoch, batch, 10_000)
    filed = client.file_report(node_id, epoch, batch, 9_000)
    assert (filed.status_name, filed.work_units, filed.effective_units) == ("FILED", 300, 270)
    with pytest.raises(Refusal, match="already reported epoch"):
        client.file_report(node_id, epoch, batch, 9_000)
    with pytest.raises(Refusal, match=f"epoch {epoch} becomes final"):
        client.claim(node_id)
    travel(5 * DAY)
    assert client.claimable_epochs(node_id)[0][0] == epoch
    assert client.claim(node_id) > 0
    with pytest.raises(Refusal, match="already claimed"):
        client.claim(node_id, [epoch])


def test_challenge__dispute_shows_the_compute_meta_evidence(
    nodes, provider, annotator, tmp_path, system, journal
):
    client = nodes(provider)
    node_id = client.register(SPECS, "u", 1, 0)
    epoch = client.node(node_id).first_epoch
    travel(2 * DAY)
    batch = read_receipts(receipts_file(tmp_path / "r.csv", node_id, epoch, [50]), node_id, epoch)
    client.file_report(node_id, epoch, batch, 10_000)
    watcher = nodes(annotator)
    with pytest.raises(Refusal, match="the evidence URI is required"):
        watcher.challenge(node_id, epoch, "")
    dispute_id = watcher.challenge(node_id, epoch, "data:application/json,{}")
    assert client.report(node_id, epoch).status_name == "CHALLENGED"
    with pytest.raises(Refusal, match="is CHALLENGED: a report is challenged once, ever"):
        watcher.challenge(node_id, epoch, "data:,{}")
    travel(5 * DAY)
    with pytest.raises(Refusal, match="under challenge: its rewards wait for the court's ruling"):
        client.claim(node_id)
    assert client.pending_reward(node_id, epoch) == 0
    with pytest.raises(Refusal, match="was not convicted of fraud: its reports stand"):
        watcher.forfeit(node_id)
    assert watcher.forfeitable_epochs(node_id) == []
    context = MetaEvidenceReader(journal).for_dispute(
        system.court.address, dispute_id, system.registry.address
    )
    assert context.problem is None, context.problem
    assert context.uri == "metaevidence/compute-fraud.json"
    assert context.hash_matches is None  # the registry commits no hash
    assert context.choice_title(2) == "Fraud: the report is false"
    assert "bond is returned" in context.document.choice_meaning(0)
    evidence = MetaEvidenceReader(journal).evidence(
        system.court.address, context.evidence_group_id, [system.registry.address]
    )
    assert [e.uri for e in evidence] == ["data:application/json,{}"]
    client.deactivate(node_id)
    with pytest.raises(Refusal, match="unbonding period ends"):
        client.withdraw_stake(node_id)
    travel(15 * DAY)
    with pytest.raises(Refusal, match="1 report\\(s\\) under challenge"):
        client.withdraw_stake(node_id)


def test_withdraw_stake__active_node__says_to_deactivate_first(nodes, provider):
    client = nodes(provider)
    node_id = client.register(SPECS, "u", 1, 0)
    with pytest.raises(Refusal, match="is active: `node deactivate` it first.*14d"):
        client.withdraw_stake(node_id)
    client.deactivate(node_id)
    travel(15 * DAY)
    assert client.withdraw_stake(node_id) == 100 * LDAO
    with pytest.raises(Refusal, match="already withdrawn"):
        client.withdraw_stake(node_id)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("job_id,client,work_units,output_hash\n0x12,0x" + "ab" * 20 + ",1,0x" + "cd" * 32,
         "job_id is 1 bytes, not 32"),
        ("job_id,client,work_units,output_hash\n0x" + "01" * 32 + ",nobody,1,0x" + "cd" * 32,
         "client: 'nobody' is not an address"),
        ("job_id,client,work_units,output_hash,epoch\n0x" + "01" * 32 + ",0x" + "ab" * 20
         + ",1,0x" + "cd" * 32 + ",9", "epoch 9 is not the report's 3"),
        ("job_id,work_units\n0x" + "01" * 32 + ",1", "no 'client' column"),
    ],
)  # fmt: skip
def test_read_receipts__bad_rows__one_line_error(tmp_path, text, message):
    path = tmp_path / "r.csv"
    path.write_text(text + "\n")
    with pytest.raises(InputError, match=message):
        read_receipts(path, 1, 3)
