"""Rehearsals of a public-testnet deployment, one per network: anvil started
with the network's chain id, Chainlink's VRFCoordinatorV2_5Mock deployed on it
in place of the network's coordinator, `ape run deploy` through the network's
own Ape network name (`arbitrum:sepolia`, ...) pointed at the local node, the
full wiring checked on chain, then one dispute opened and drawn with the mock
answering the court's randomness request.

What differs from the real network, and why:
- the node: `--network <ecosystem>:sepolia:<anvil URL>` (Ape's node provider
  with a URI) instead of `<ecosystem>:sepolia:node` with a provider URL;
- confirmations: `APE_ETHEREUM_SEPOLIA` sets `required_confirmations = 0`
  (anvil mines a block per transaction, and no other block ever comes; see
  `SEPOLIA_OVERRIDES`); the gas-estimate multiplier is the one an operator
  gets, 2.0 from `ape-config.yaml` (checked below);
- the deployer: `--account TEST::0`, the key anvil funds, instead of an
  imported keyfile account (which asks for a passphrase and a confirmation);
- the parameter file: written here with anvil's accounts and the mock's
  address and subscription (the checked-in file holds placeholders).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak
from vyper.compiler.output import build_abi_output
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from labeldao import solidity
from labeldao.boa_tools import REPO_ROOT, deployer
from labeldao.config import params_path
from labeldao.governance import load_abi
from labeldao.system import GOVERNOR, GOVERNOR_ROLES, ROLELESS
from tests.deploy.conftest import Anvil, start_anvil, stop_anvil

LDAO = 10**18
KEY_HASH = "0x" + "9e" * 32
ZERO_ROLE = b"\x00" * 32
MOCK_ARGS = (10**17, 10**9, 4 * 10**15)
# Ape's settings of every `<ecosystem>:sepolia` network for the rehearsal (the
# variable reaches all four: their configs share the APE_ETHEREUM_ prefix, and
# Ape merges it with ape-config.yaml field by field). anvil mines one block per
# transaction and no other, so no confirmation can come.
SEPOLIA_OVERRIDES = {"required_confirmations": 0, "block_time": 1}
# The gas-estimate multiplier ape-config.yaml sets for the four public
# testnets: anvil (like geth) estimates gas in the latest block's context, and
# a token checkpoint written at a later timepoint costs up to 1.914x the
# estimate (`python -m benchmarks.estimate_gap`; docs/decisions.md, "The
# gas-estimate multiplier"), so Ape's default 1.0 (and 1.5) is not enough.
PUBLIC_GAS_MULTIPLIER = 2.0


@dataclass(frozen=True)
class Network:
    """A public testnet as the rehearsal plays it."""

    ecosystem: str
    chain_id: int
    native_payment: bool

    @property
    def network(self) -> str:
        return f"{self.ecosystem}:sepolia"


TESTNETS = {
    "sepolia": Network("ethereum", 11_155_111, False),
    "arbitrum-sepolia": Network("arbitrum", 421_614, False),
    "base-sepolia": Network("base", 84_532, True),
    "optimism-sepolia": Network("optimism", 11_155_420, True),
}

PARAMS = """
network = "{name}"

[token]
cap = 1_000_000_000_000_000_000_000_000_000
initial_mints = [
  {{ to = "{a[1]}", amount = 1_000_000_000_000_000_000_000_000 }},
  {{ to = "{a[2]}", amount = 1_000_000_000_000_000_000_000_000 }},
  {{ to = "{a[3]}", amount = 1_000_000_000_000_000_000_000_000 }},
]

[timelock]
min_delay = 172_800
proposers = ["{a[9]}"]
executors = ["{a[9]}"]
{governor}

[roles]
guardian = "{a[8]}"
treasury = "{a[7]}"

[court]
randomness_delay = 4
epoch_seconds = 7_200

[registry]
epoch_length = 86_400
epoch_emission = 100_000_000_000_000_000_000_000
meta_evidence_uri = "ipfs://labeldao/registry/reporting-rules.json"

[randomness]
source = "chainlink_vrf"
coordinator = "{coordinator}"
key_hash = "{key_hash}"
subscription_id = "{subscription}"
native_payment = {native}
request_confirmations = 3
callback_gas_limit = 200_000
fallback_timeout = 1_800
max_rerequests = 1
fallback_delay = 4
"""


def _governor_table(name: str) -> dict[str, int]:
    """The checked-in parameter file's [governor] table (seconds)."""
    return tomllib.loads(params_path(name).read_text())["governor"]


def _toml_table(title: str, table: dict[str, int]) -> str:
    return "\n".join([f"[{title}]", *(f"{key} = {value}" for key, value in table.items())]) + "\n"


def _role(name: str) -> bytes:
    return ZERO_ROLE if name == "DEFAULT_ADMIN_ROLE" else keccak(text=name)


class Chain:
    """web3.py on the anvil node, sending from anvil's unlocked accounts."""

    def __init__(self, node: Anvil) -> None:
        self.w3 = Web3(Web3.HTTPProvider(node.url))
        self.accounts = self.w3.eth.accounts

    def governor(self, address: str) -> Any:
        return self.w3.eth.contract(address=address, abi=load_abi(GOVERNOR))

    def vyper(self, name: str, address: str) -> Any:
        abi = build_abi_output(deployer(name).compiler_data)
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    def send(self, call: Any, sender: str, value: int = 0) -> Any:
        tx = call.transact({"from": sender, "value": value})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt.status == 1
        return receipt

    def deploy_coordinator(self) -> Any:
        built = solidity.artifact(
            REPO_ROOT / "tests/mocks/VRFCoordinatorV2_5Mock.sol", "VRFCoordinatorV2_5Mock"
        )
        factory = self.w3.eth.contract(abi=built["abi"], bytecode=built["bytecode"])
        receipt = self.send(factory.constructor(*MOCK_ARGS), self.accounts[0])
        return self.w3.eth.contract(address=receipt.contractAddress, abi=built["abi"])

    def struct(self, contract: Any, fn: str, *args: Any) -> dict[str, Any]:
        """A struct view's result by field name."""
        (abi,) = [i for i in contract.abi if i.get("name") == fn]
        names = [c["name"] for c in abi["outputs"][0]["components"]]
        return dict(zip(names, getattr(contract.functions, fn)(*args).call(), strict=True))


def _subscription(chain: Chain, coordinator: Any, native: bool) -> int:
    owner = chain.accounts[0]
    receipt = chain.send(coordinator.functions.createSubscription(), owner)
    (created,) = coordinator.events.SubscriptionCreated().process_receipt(receipt, errors=DISCARD)
    subscription = created.args.subId
    if native:
        chain.send(coordinator.functions.fundSubscriptionWithNative(subscription), owner, 10**19)
    else:
        chain.send(coordinator.functions.fundSubscription(subscription, 10**24), owner)
    return subscription


def _ape_deploy(node: Anvil, testnet: Network, params: Path, record: Path):
    command = [
        shutil.which("ape") or "ape",
        "run",
        "deploy",
        "--network",
        f"{testnet.network}:{node.url}",
        "--account",
        "TEST::0",
        "--params",
        str(params),
        "--record",
        str(record),
    ]
    env = {
        **os.environ,
        "APE_ETHEREUM_SEPOLIA": json.dumps(SEPOLIA_OVERRIDES),
    }
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )


def _check_wiring(chain: Chain, record: dict, coordinator: Any, subscription: int) -> dict:
    """Every role, the randomness chain and the deployer's empty hands."""
    at = {name: entry["address"] for name, entry in record["contracts"].items()}
    assert set(at) == {
        "Timelock",
        "RewardToken",
        "ChainlinkVRFRandomness",
        "RandomnessWithFallback",
        "QualityCourtLens",
        "SortitionTree",
        "QualityCourt",
        "TaskEscrow",
        "ComputeRegistry",
        "ComputeRegistryLens",
        GOVERNOR,
    }
    c = {name: chain.vyper(name, address) for name, address in at.items() if name != GOVERNOR}
    roles = record["params"]["roles"]
    me = record["deployer"]

    def has(contract: str, role: str, account: str) -> bool:
        return c[contract].functions.hasRole(_role(role), account).call()

    for minter in ("TaskEscrow", "ComputeRegistry", "Timelock"):
        assert has("RewardToken", "MINTER_ROLE", at[minter])
    for governed in ("QualityCourt", "TaskEscrow", "ComputeRegistry"):
        assert has(governed, "PARAMS_ROLE", at["Timelock"])
        assert has(governed, "GUARDIAN_ROLE", roles["guardian"])
    for administered in ("RewardToken", "QualityCourt", "TaskEscrow", "ComputeRegistry"):
        assert has(administered, "DEFAULT_ADMIN_ROLE", at["Timelock"])
    for name in set(at) - ROLELESS:  # randomness sources and lenses have no roles
        for role in ("DEFAULT_ADMIN_ROLE", "MINTER_ROLE", "PARAMS_ROLE", "GUARDIAN_ROLE"):
            assert not has(name, role, me), (name, role)
    for role in ("PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"):
        assert not has("Timelock", role, me)
    court = c["QualityCourt"]
    version = court.functions.params_version().call()
    assert chain.struct(court, "params", version)["randomness"] == at["RandomnessWithFallback"]
    fallback, vrf = c["RandomnessWithFallback"].functions, c["ChainlinkVRFRandomness"].functions
    assert fallback.PRIMARY().call() == at["ChainlinkVRFRandomness"]
    assert fallback.consumer().call() == at["QualityCourt"]
    assert vrf.consumer().call() == at["RandomnessWithFallback"]
    assert vrf.COORDINATOR().call() == coordinator.address
    assert vrf.SUBSCRIPTION_ID().call() == subscription
    assert vrf.KEY_HASH().call() == bytes.fromhex(KEY_HASH[2:])
    assert c["TaskEscrow"].functions.TOKEN().call() == at["RewardToken"]
    assert court.functions.TOKEN().call() == at["RewardToken"]
    _check_governor(chain, c, at, record["params"]["governor"])
    return c


def _check_governor(chain: Chain, c: dict, at: dict[str, str], table: dict[str, int]) -> None:
    """LDAO holders propose: the Governor holds the timelock's proposer and
    canceller roles, votes with LDAO on the token's timestamp clock, and has
    the parameter file's delay and period in seconds."""
    governor = chain.governor(at[GOVERNOR]).functions
    for role in GOVERNOR_ROLES:
        assert c["Timelock"].functions.hasRole(_role(role), at[GOVERNOR]).call(), role
    assert governor.token().call() == at["RewardToken"]
    assert governor.CLOCK_MODE().call() == "mode=timestamp"
    assert governor.votingDelay().call() == table["voting_delay"]
    assert governor.votingPeriod().call() == table["voting_period"]
    assert governor.quorumNumerator().call() == table["quorum_percent"]
    assert governor.proposalThreshold().call() == table["proposal_threshold"]


def _draw_one_dispute(chain: Chain, c: dict, coordinator: Any, subscription: int) -> None:
    """The subscription owner adds the adapter as a consumer (a step of the
    real network too); three jurors stake; a dispute is opened; the draw
    waits for the coordinator, which answers; the panel is drawn."""
    court, token = c["QualityCourt"], c["RewardToken"]
    vrf, fallback = c["ChainlinkVRFRandomness"], c["RandomnessWithFallback"]
    keeper = chain.accounts[0]
    chain.send(coordinator.functions.addConsumer(subscription, vrf.address), keeper)
    stake = chain.struct(court, "params", court.functions.params_version().call())
    jurors = chain.accounts[1:4]
    for juror in jurors:
        chain.send(token.functions.approve(court.address, 2**256 - 1), juror)
        chain.send(court.functions.stake(stake["min_juror_stake"] * 10), juror)
    epoch, now = court.functions.epoch_seconds().call(), chain.w3.eth.get_block("latest").timestamp
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [now - now % epoch + epoch])
    chain.w3.provider.make_request("evm_mine", [])  # the stakes enter the next epoch's snapshot
    chain.send(court.functions.createDispute(2, b""), jurors[0])
    dispute = court.functions.dispute_count().call() - 1
    with pytest.raises(ContractLogicError, match="court: randomness not ready"):
        court.functions.draw(dispute, 16).call({"from": keeper})
    lens = c["QualityCourtLens"]
    request = chain.struct(lens, "round_info", court.address, dispute, 0)["randomness_request"]
    vrf_id = vrf.functions.vrf_request_id(fallback.functions.primary_request_id(request).call())
    receipt = chain.send(
        coordinator.functions.fulfillRandomWords(vrf_id.call(), vrf.address), keeper
    )
    fulfilled_event = coordinator.events.RandomWordsFulfilled()
    (fulfilled,) = fulfilled_event.process_receipt(receipt, errors=DISCARD)
    assert fulfilled.args.success
    chain.send(court.functions.draw(dispute, 16), keeper)
    info = chain.struct(lens, "round_info", court.address, dispute, 0)
    assert info["drawn"] == info["panel"] >= 1
    (answered,) = fallback.events.RandomnessAnswered().get_logs(from_block=0)
    assert answered.args.source == vrf.address and not answered.args.fallback


@pytest.mark.parametrize("name", list(TESTNETS))
def test_rehearsal__deploy_wire_and_draw_a_dispute_with_vrf(name, tmp_path, free_port):
    testnet = TESTNETS[name]
    node = start_anvil(free_port, chain_id=testnet.chain_id)
    try:
        chain = Chain(node)
        assert chain.w3.eth.chain_id == testnet.chain_id
        coordinator = chain.deploy_coordinator()
        subscription = _subscription(chain, coordinator, testnet.native_payment)
        params = tmp_path / f"{name}.toml"
        governor = _governor_table(name)
        params.write_text(
            PARAMS.format(
                name=name,
                a=chain.accounts,
                governor=_toml_table("governor", governor),
                coordinator=coordinator.address,
                key_hash=KEY_HASH,
                subscription=subscription,
                native=str(testnet.native_payment).lower(),
            )
        )
        record_path = tmp_path / f"{name}.json"
        result = _ape_deploy(node, testnet, params, record_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "holds no role" in result.stdout
        assert f"next: the owner of VRF subscription {subscription} adds" in result.stdout
        record = json.loads(record_path.read_text())
        assert record["complete"] is True and record["chain_id"] == testnet.chain_id
        assert record["params"]["governor"] == governor
        contracts = _check_wiring(chain, record, coordinator, subscription)
        _draw_one_dispute(chain, contracts, coordinator, subscription)
    finally:
        stop_anvil(node)


@pytest.mark.parametrize("name", ["arbitrum-sepolia", "base-sepolia", "optimism-sepolia"])
def test_rehearsal__prevrandao_on_an_l2__refused_before_any_transaction(name, tmp_path, free_port):
    testnet = TESTNETS[name]
    node = start_anvil(free_port, chain_id=testnet.chain_id)
    try:
        chain = Chain(node)
        text = PARAMS.format(
            name=name,
            a=chain.accounts,
            governor="",
            coordinator="",
            key_hash="",
            subscription="",
            native="",
        )
        params = tmp_path / f"{name}.toml"
        params.write_text(text[: text.index("[randomness]")])
        result = _ape_deploy(node, testnet, params, tmp_path / f"{name}.json")
        assert result.returncode != 0
        output = result.stdout + result.stderr
        refused = f"randomness.source: 'prevrandao' is refused on chain id {testnet.chain_id}"
        assert refused in output
        assert "Traceback" not in output
        assert chain.w3.eth.get_transaction_count(chain.accounts[0]) == 0
    finally:
        stop_anvil(node)


# Prints, per ecosystem, the gas limit Ape applies on its `sepolia` and
# `local` networks with the project's ape-config.yaml, and the plugin's
# default (its config class without the file).
_GAS_SETTINGS = """
import json
from ape import networks
from ape.types.gas import AutoGasLimit

def shown(limit):
    return {"multiplier": limit.multiplier} if isinstance(limit, AutoGasLimit) else limit

out = {}
for ecosystem in %r:
    config = networks.get_ecosystem(ecosystem).config
    default = type(config)()
    out[ecosystem] = {
        net: [shown(getattr(config, net).gas_limit), shown(getattr(default, net).gas_limit)]
        for net in ("sepolia", "local")
    }
    out[ecosystem]["applied"] = networks.get_ecosystem(ecosystem).get_network(
        "sepolia"
    ).auto_gas_multiplier
print(json.dumps(out))
"""


def test_ape_config__public_testnets_send_twice_the_gas_estimate_local_keep_theirs():
    """ape-config.yaml sets the 2.0 multiplier for `ethereum:sepolia`,
    `arbitrum:sepolia`, `base:sepolia` and `optimism:sepolia` (Ape's own
    default is 1.0); the local networks keep the plugins' defaults. Loaded by
    Ape itself in a fresh interpreter at the repository root, without the
    rehearsal's environment overrides."""
    ecosystems = sorted({t.ecosystem for t in TESTNETS.values()})
    env = {k: v for k, v in os.environ.items() if not k.startswith("APE_")}
    out = subprocess.run(
        [sys.executable, "-c", _GAS_SETTINGS % (ecosystems,)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    settings = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(settings) == {"ethereum", "arbitrum", "base", "optimism"}
    for ecosystem, networks in settings.items():
        configured, default = networks["sepolia"]
        assert configured == {"multiplier": PUBLIC_GAS_MULTIPLIER}, ecosystem
        assert default == {"multiplier": 1.0}, ecosystem
        assert networks["applied"] == PUBLIC_GAS_MULTIPLIER, ecosystem
        configured, default = networks["local"]
        assert configured == default, ecosystem
