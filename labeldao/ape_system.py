"""The Ape adapter of the deployment plan (`labeldao.system`): the chain as
the plan's engine sees it, contract containers, and the in-process
deployment the integration tests use. `ape run deploy` runs the same plan.
"""

from __future__ import annotations

from typing import Any

from labeldao import solidity
from labeldao.config import DeployParams
from labeldao.deploy import DeployError, Deployment, Engine, Record
from labeldao.paths import REPO_ROOT
from labeldao.system import GOVERNOR, GOVERNOR_SOURCE, contract_names, leftover_roles, system_steps


class ApeChain:
    """The engine's view of the chain Ape is connected to."""

    def code_at(self, address: str) -> bytes:
        from ape import chain

        return bytes(chain.provider.get_code(address))

    def nonce(self, account: str) -> int:
        from ape import chain

        return chain.provider.get_nonce(account)

    def block_number(self) -> int:
        from ape import chain

        return chain.blocks.height

    def mined_in(self, sender: str, nonce: int, since: int) -> int | None:
        from ape import chain

        eth = chain.provider.web3.eth
        for number in range(since, chain.blocks.height + 1):
            block = eth.get_block(number, full_transactions=True)
            for tx in block["transactions"]:
                if tx["from"].lower() == sender.lower() and tx["nonce"] == nonce:
                    return number
        return None


def deploy_ape(project: Any, deployer: Any, params: DeployParams) -> dict[str, Any]:
    """Runs the plan in-process through Ape (no record file) and returns the
    contract instances by name; used by the integration tests."""
    from ape import chain

    engine = Engine(Record(None), ApeChain(), str(deployer.address), log=lambda _: None)
    plan = Deployment(ape_containers(project, contract_names(params)), deployer, params, engine)
    engine.run(system_steps(plan, chain.blocks.head.timestamp))
    if leftover := leftover_roles(plan):
        raise DeployError(f"the deployer still holds {leftover}")
    return {name: plan.at(name) for name in contract_names(params)}


def ape_containers(project: Any, names: list[str]) -> dict[str, Any]:
    """Ape contract containers of every contract of the plan: the project's
    (Vyper, compiled by ape-vyper) and the Governor's (solc-js artifact)."""
    return {
        name: solidity_container_ape(GOVERNOR_SOURCE, name)
        if name == GOVERNOR
        else getattr(project, name)
        for name in names
    }


def solidity_container_ape(source: str, name: str) -> Any:
    """An Ape ContractContainer for a Solidity contract compiled with solc-js."""
    from ape.contracts import ContractContainer
    from ethpm_types import ContractType

    built = solidity.artifact(REPO_ROOT / source, name)
    contract_type = ContractType.model_validate(
        {
            "contractName": name,
            "abi": built["abi"],
            "deploymentBytecode": {"bytecode": "0x" + built["bytecode"]},
        }
    )
    return ContractContainer(contract_type)
