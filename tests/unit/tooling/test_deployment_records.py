"""labeldao.deployments: the one reader of `deployments/<network>.json` that
the court, task, node and govern CLIs share (issue 13: it was written three
times, and the task/node CLIs looked for `sepolia.json` on every L2)."""

from __future__ import annotations

import pytest

from labeldao.deploy import Record
from labeldao.deployments import Network, RecordError, load_record, read_record, record_slug

COURT = "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318"
ESCROW = "0x610178dA211FEF7D417bC0e6FeD39F05609AD788"
LOCAL = Network("local", "foundry")


def _write(path, chain_id=31337, contracts=None):
    """A record as `ape run deploy` writes it (through its own writer)."""
    record = Record(path)
    record.data["chain_id"] = chain_id
    record.contracts.update(
        contracts
        or {
            "QualityCourt": {"address": COURT.lower(), "block": 7},
            "TaskEscrow": {"address": ESCROW, "block": 9},
        }
    )
    record.save()
    return path


def test_record_slug__local_networks_carry_the_provider():
    assert record_slug("local", "foundry") == "local-foundry"
    assert record_slug("sepolia", "node") == "sepolia"


def test_record_slug__other_ecosystems_are_prefixed():
    assert record_slug("sepolia", "node", "arbitrum") == "arbitrum-sepolia"
    assert record_slug("sepolia", "node", "optimism") == "optimism-sepolia"
    assert record_slug("local", "foundry", "base") == "base-local-foundry"


def test_network__of_ape_objects__names_the_record_and_the_network_choice(tmp_path):
    class Named:
        def __init__(self, name, **rest):
            self.name = name
            self.__dict__.update(rest)

    ape_network = Named("sepolia", ecosystem=Named("base"))
    network = Network.of(ape_network, Named("node"))
    assert network == Network("sepolia", "node", "base")
    assert network.choice == "base:sepolia:node"
    assert network.record_path(tmp_path) == tmp_path / "base-sepolia.json"


def test_load_record__found__addresses_checksummed_and_first_block(tmp_path):
    _write(tmp_path / "local-foundry.json")
    record = load_record(LOCAL, 31337, root=tmp_path)
    assert record.path == tmp_path / "local-foundry.json"
    assert record.chain_id == 31337
    assert record.addresses == {"QualityCourt": COURT, "TaskEscrow": ESCROW}
    assert record.address("QualityCourt") == COURT
    assert record.first_block == 7


def test_load_record__an_l2_network__reads_its_ecosystem_prefixed_record(tmp_path):
    _write(tmp_path / "sepolia.json", chain_id=11_155_111)
    _write(tmp_path / "arbitrum-sepolia.json", chain_id=421_614)
    record = load_record(Network("sepolia", "node", "arbitrum"), 421_614, root=tmp_path)
    assert record.path == tmp_path / "arbitrum-sepolia.json"
    assert record.chain_id == 421_614


def test_load_record__missing_file__one_line_naming_the_path_and_the_deploy_command(tmp_path):
    with pytest.raises(RecordError) as refused:
        load_record(Network("sepolia", "node", "optimism"), 11_155_420, root=tmp_path)
    message = str(refused.value)
    assert message == (
        f"no deployment record {tmp_path / 'optimism-sepolia.json'} "
        "(run `ape run deploy --network optimism:sepolia:node` first); "
        "or pass --deployment FILE"
    )


def test_load_record__given_file_missing__names_it_without_a_deploy_hint(tmp_path):
    given = tmp_path / "mine.json"
    with pytest.raises(RecordError, match=f"^no deployment record {given}; or pass --court X$"):
        load_record(LOCAL, 1, given=given, root=tmp_path, instead="--court X")


def test_load_record__given_file__wins_over_the_network_record(tmp_path):
    _write(tmp_path / "local-foundry.json", contracts={"TaskEscrow": {"address": COURT}})
    given = _write(tmp_path / "other.json")
    assert load_record(LOCAL, 31337, given=given, root=tmp_path).address("TaskEscrow") == ESCROW


def test_address__missing_contract__one_line_with_reason_and_option(tmp_path):
    record = read_record(_write(tmp_path / "d.json"))
    with pytest.raises(RecordError) as refused:
        record.address("LabelDAOGovernor", why="no [governor] table", instead="--governor A")
    assert str(refused.value) == (
        f"{tmp_path / 'd.json'}: this deployment has no LabelDAOGovernor "
        "(no [governor] table); or pass --governor A"
    )


def test_read_record__other_chain__refused(tmp_path):
    path = _write(tmp_path / "d.json", chain_id=11_155_111)
    with pytest.raises(RecordError, match="deployment on chain 11155111, but the connected chain"):
        read_record(path, 31337)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "{}",
        "[]",
        '{"contracts": []}',
        '{"contracts": {"TaskEscrow": {}}}',
        '{"contracts": {"TaskEscrow": {"address": "0x12"}}}',
        '{"contracts": {}, "chain_id": "x"}',
    ],
)
def test_read_record__malformed__one_line(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(RecordError, match=f"^{path}: not a deployment record$"):
        read_record(path, 1)


def test_record_error__is_a_cli_refusal():
    """The CLIs' one-line error handler (`ape_clients.cli_errors`) prints
    every JurorError as it is."""
    from labeldao.client_base import JurorError

    assert issubclass(RecordError, JurorError)
