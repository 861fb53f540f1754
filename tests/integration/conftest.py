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
