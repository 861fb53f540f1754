"""The titanoboa adapter of the deployment plan (`labeldao.system`): the
whole suite deployed on the current titanoboa environment with the same plan
as `ape run deploy` (the simulation, the property tests, the benchmarks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boa
from boa.util.abi import Address

from labeldao import solidity
from labeldao.boa_tools import deploy_solidity
from labeldao.boa_tools import deployer as boa_deployer
from labeldao.config import DeployParams, load_params, params_path
from labeldao.deploy import DeployError, Deployment, Engine, Record
from labeldao.paths import REPO_ROOT
from labeldao.system import (
    GOVERNOR,
    GOVERNOR_SOURCE,
    contract_names,
    leftover_roles,
    randomness_source,
    system_steps,
)


class BoaAccount(str):
    """A titanoboa account: an address that can deploy (Ape's account API)."""

    @property
    def address(self) -> str:
        return str(self)

    def deploy(self, container: Any, *args: Any) -> Any:
        return container.deploy(*args, sender=str(self))


class BoaChain:
    """The engine's view of titanoboa's chain."""

    def code_at(self, address: str) -> bytes:
        return boa.env.get_code(Address(address))

    def nonce(self, account: str) -> int:
        return boa.env.evm.vm.state.get_nonce(Address(account).canonical_address)

    def block_number(self) -> int:
        return boa.env.evm.patch.block_number

    def mined_in(self, sender: str, nonce: int, since: int) -> int | None:
        # titanoboa executes every transaction in the current block.
        return self.block_number()


@dataclass
class BoaSystem:
    """A deployed suite on titanoboa, its parameters and named accounts."""

    contracts: dict[str, Any]
    params: DeployParams
    deployer: str
    accounts: dict[str, str]

    def __getattr__(self, name: str) -> Any:
        aliases = {
            "token": "RewardToken",
            "court": "QualityCourt",
            "court_lens": "QualityCourtLens",
            "tree": "SortitionTree",
            "escrow": "TaskEscrow",
            "registry": "ComputeRegistry",
            "timelock": "Timelock",
            "randomness": randomness_source(self.params),
            "governor": GOVERNOR,
        }
        if name in aliases:
            return self.contracts[aliases[name]]
        raise AttributeError(name)


@dataclass(frozen=True)
class BoaSolidity:
    """A titanoboa container (`deploy`, `at`) for a Solidity contract compiled
    with solc-js."""

    source: str
    name: str

    def deploy(self, *args: Any, sender: str | None = None) -> Any:
        return deploy_solidity(self.source, self.name, *args, sender=sender)

    def at(self, address: str) -> Any:
        built = solidity.artifact(REPO_ROOT / self.source, self.name)
        return boa.loads_abi(json.dumps(built["abi"]), name=self.name).at(address)


def boa_test_account(index: int) -> str:
    """The titanoboa address standing in for Ape's test account `index`."""
    return str(boa.env.generate_address(f"test:{index}"))


def deploy_boa(
    params_file: Path | None = None,
    *,
    deployer: str | None = None,
    log: Any = None,
) -> BoaSystem:
    """Deploys the whole suite on the current titanoboa environment with the
    same plan as `ape run deploy` (default: the local parameter file)."""
    params = load_params(
        params_file or params_path("local"), is_local=True, test_account=boa_test_account
    )
    account = BoaAccount(deployer or boa.env.generate_address("deployer"))
    containers = {
        name: BoaSolidity(GOVERNOR_SOURCE, name) if name == GOVERNOR else boa_deployer(name)
        for name in contract_names(params)
    }
    engine = Engine(Record(None), BoaChain(), str(account), log=log or (lambda _: None))
    plan = Deployment(containers, account, params, engine, sender=str(account))
    genesis = boa.env.evm.patch.timestamp
    engine.run(system_steps(plan, genesis))
    if leftover := leftover_roles(plan):
        raise DeployError(f"the deployer still holds {leftover}")
    contracts = {name: plan.at(name) for name in contract_names(params)}
    accounts = {
        "guardian": params.roles.guardian,
        "treasury": params.roles.treasury,
        **{f"proposer{i}": a for i, a in enumerate(params.timelock.proposers)},
    }
    return BoaSystem(contracts, params, str(account), accounts)
