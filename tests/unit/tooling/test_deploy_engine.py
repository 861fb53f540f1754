"""labeldao.deploy.Engine: idempotent, resumable steps against a fake chain."""

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from labeldao.deploy import DeployError, Engine, Record, Step, create_address, publish_sources

DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@dataclass
class FakeChain:
    """Contracts by address and the deployer's nonce."""

    code: dict[str, bytes] = field(default_factory=dict)
    nonces: dict[str, int] = field(default_factory=dict)
    # One block per transaction, starting at block 100: (sender, nonce) by block.
    blocks: list[tuple[str, int]] = field(default_factory=list)

    def code_at(self, address: str) -> bytes:
        return self.code.get(address, b"")

    def nonce(self, account: str) -> int:
        return self.nonces.get(account, 0)

    def block_number(self) -> int:
        return 99 + len(self.blocks)

    def mined_in(self, sender: str, nonce: int, since: int) -> int | None:
        for number in range(max(since, 100), self.block_number() + 1):
            if self.blocks[number - 100] == (sender, nonce):
                return number
        return None

    def create(self, sender: str) -> SimpleNamespace:
        nonce = self.nonce(sender)
        address = create_address(sender, nonce)
        self.code[address] = b"\x60\x00"
        self.nonces[sender] = nonce + 1
        self.blocks.append((sender, nonce))
        return SimpleNamespace(address=address, txn_hash=f"0xtx{nonce}")


def _engine(tmp_path, chain=None) -> Engine:
    record = Record.load(tmp_path / "net.json")
    return Engine(record, chain or FakeChain(), DEPLOYER, log=lambda _: None)


def test_create_address__matches_known_vector():
    # Hardhat/anvil's first contract from account 0 at nonce 0.
    assert create_address(DEPLOYER, 0) == "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_deploy__records_and_is_skipped_on_rerun(tmp_path):
    chain = FakeChain()
    engine = _engine(tmp_path, chain)
    engine.deploy("Token", lambda _: chain.create(DEPLOYER), lambda: [1])
    again = _engine(tmp_path, chain)
    line = again.deploy("Token", lambda _: pytest.fail("must not redeploy"), lambda: [1])
    assert "already at" in line
    assert again.record.data["pending"] is None
    assert again.record.contracts["Token"]["tx_hash"] == "0xtx0"
    assert again.record.contracts["Token"]["block"] == 100


def test_deploy__of_a_recorded_contract__computes_no_arguments(tmp_path):
    """Arguments may read the chain or refuse (the court's tree check): a
    rerun that has nothing to send must not compute them."""
    chain = FakeChain()
    engine = _engine(tmp_path, chain)
    sent: list[list[int]] = []

    def send(values: list[int]) -> object:
        sent.append(values)
        return chain.create(DEPLOYER)

    engine.deploy("Token", send, lambda: [7])
    assert sent == [[7]]
    assert engine.record.contracts["Token"]["args"] == [7]
    again = _engine(tmp_path, chain)
    line = again.deploy("Token", lambda _: pytest.fail("sent"), lambda: pytest.fail("computed"))
    assert "already at" in line


def test_deploy__records_the_block_that_mined_each_creation(tmp_path):
    chain = FakeChain()
    chain.create("0x" + "11" * 20)  # someone else's transaction: block 100
    engine = _engine(tmp_path, chain)
    engine.deploy("Token", lambda _: chain.create(DEPLOYER), lambda: [])
    chain.create("0x" + "11" * 20)  # block 102
    line = engine.deploy("Court", lambda _: chain.create(DEPLOYER), lambda: [])
    assert line.endswith("(block 103)")
    assert {n: c["block"] for n, c in engine.record.contracts.items()} == {
        "Token": 101,
        "Court": 103,
    }


def test_deploy__killed_after_sending__adopts_the_mined_contract(tmp_path):
    chain = FakeChain()
    engine = _engine(tmp_path, chain)

    def send_then_die():
        chain.create(DEPLOYER)  # mined...
        raise KeyboardInterrupt  # ...but the process dies before recording it

    with pytest.raises(KeyboardInterrupt):
        engine.deploy("Token", lambda _: send_then_die(), lambda: [])
    resumed = _engine(tmp_path, chain)
    line = resumed.deploy("Token", lambda _: pytest.fail("must not redeploy"), lambda: [])
    assert "adopted" in line
    assert resumed.record.address("Token") == create_address(DEPLOYER, 0)
    assert resumed.record.contracts["Token"]["block"] == 100


def test_deploy__killed_before_mining__sends_again(tmp_path):
    chain = FakeChain()
    engine = _engine(tmp_path, chain)

    def die():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.deploy("Token", lambda _: die(), lambda: [])
    resumed = _engine(tmp_path, chain)
    resumed.deploy("Token", lambda _: chain.create(DEPLOYER), lambda: [])
    assert resumed.record.address("Token") == create_address(DEPLOYER, 0)


def test_record__of_another_chain__is_refused(tmp_path):
    engine = _engine(tmp_path)
    engine.check_record_matches_chain(1)
    engine.record.save()
    with pytest.raises(DeployError, match="chain id 1, not 5"):
        _engine(tmp_path).check_record_matches_chain(5)


def test_record__whose_contracts_vanished__starts_over_and_keeps_a_backup(tmp_path):
    chain = FakeChain()
    engine = _engine(tmp_path, chain)
    engine.check_record_matches_chain(31337)
    engine.deploy("Token", lambda _: chain.create(DEPLOYER), lambda: [])
    fresh = _engine(tmp_path, FakeChain())  # the node restarted empty
    fresh.check_record_matches_chain(31337)
    assert fresh.record.contracts == {}
    assert (tmp_path / "net.stale.json").exists()


def test_record__with_some_contracts_missing__is_an_error(tmp_path):
    chain = FakeChain()
    engine = _engine(tmp_path, chain)
    engine.deploy("A", lambda _: chain.create(DEPLOYER), lambda: [])
    engine.deploy("B", lambda _: chain.create(DEPLOYER), lambda: [])
    del chain.code[engine.record.address("B")]
    with pytest.raises(DeployError, match=r"\['B'\] have no code"):
        _engine(tmp_path, chain).check_record_matches_chain(31337)


def test_set_role__only_sends_when_needed(tmp_path):
    engine = _engine(tmp_path)
    held = {"value": False}

    def grant():
        held["value"] = True
        return SimpleNamespace(txn_hash="0xgrant")

    assert "granted" in engine.set_role("T", "R", "0xabc", True, lambda: held["value"], grant)
    line = engine.set_role("T", "R", "0xabc", True, lambda: held["value"], lambda: pytest.fail())
    assert "already held" in line


def test_run__marks_the_record_complete(tmp_path):
    engine = _engine(tmp_path)
    engine.run([Step("one", lambda: "done")])
    assert Record.load(tmp_path / "net.json").data["complete"] is True


class Refused(Exception):
    """What the block explorer raises for a contract it will not verify."""


def test_publish_sources__a_refusal__leaves_no_other_contract_unverified():
    """`ape run deploy --verify`: one contract the explorer refuses, and one
    the publisher cannot handle (the solc-js Governor), do not stop the
    others; the refused one is reported, the skipped one says why."""
    contracts = {
        name: {"address": f"0x{i:040x}"}
        for i, name in enumerate(
            ["ComputeRegistry", "LabelDAOGovernor", "QualityCourt", "Timelock"]
        )
    }
    published, lines = [], []

    def publish(address: str) -> None:
        if address == contracts["QualityCourt"]["address"]:
            raise Refused("bytecode does not match")
        published.append(address)

    failed = publish_sources(
        contracts,
        publish,
        unpublishable={"LabelDAOGovernor": "compiled outside Ape"},
        errors=(Refused,),
        log=lines.append,
    )
    assert failed == ["QualityCourt"]
    assert published == [contracts[n]["address"] for n in ("ComputeRegistry", "Timelock")]
    assert lines == [
        "  verified ComputeRegistry",
        "  skipped LabelDAOGovernor: compiled outside Ape",
        "  not verified QualityCourt: Refused: bytecode does not match",
        "  verified Timelock",
    ]


def test_publish_sources__an_unexpected_error__is_not_swallowed():
    with pytest.raises(KeyError):
        publish_sources(
            {"Timelock": {"address": "0x" + "00" * 20}},
            lambda _: {}["x"],
            unpublishable={},
            errors=(Refused,),
            log=print,
        )
