"""Ape fixtures for the integration tests.

These tests run through Ape (`ape test tests/integration`), on the embedded
chain by default and on a real anvil node with `--network
ethereum:local:foundry`, so they use only what both offer: `accounts`,
`project`, `chain`. Test-only contracts under `tests/mocks/` are compiled
with Ape's own compiler manager (`mock`), since they are not part of the
project's `contracts/`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ape import compilers
from ape.contracts import ContractContainer

MOCKS = Path(__file__).resolve().parents[1] / "mocks"
LDAO = 10**18
CAP = 10**9 * LDAO


@pytest.fixture(scope="module")
def deployer(accounts):
    """Deploys each module's contracts; Ape's first test account."""
    return accounts[0]


@pytest.fixture(scope="module")
def token(project, deployer):
    """A fresh RewardToken (cap 10^9 LDAO) whose deployer may mint, per module."""
    contract = project.RewardToken.deploy(CAP, sender=deployer)
    contract.grantRole(contract.MINTER_ROLE(), deployer, sender=deployer)
    return contract


@pytest.fixture(scope="session")
def mock():
    """Returns the `ContractContainer` of a test-only contract: `mock("MockArbitrator")`."""
    cache: dict[str, ContractContainer] = {}

    def _container(name: str) -> ContractContainer:
        if name not in cache:
            (contract_type,) = compilers.compile([MOCKS / f"{name}.vy"])
            cache[name] = ContractContainer(contract_type)
        return cache[name]

    return _container
