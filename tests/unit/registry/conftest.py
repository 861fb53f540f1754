"""Fixtures of the ComputeRegistry unit tests (titanoboa).

The registry runs with one-day epochs from its deployment time, the
constructor's default parameters, and a `MockArbitrator` in place of the
court. Personas: `provider` (alice, holds a key for permits), `provider2`
(bob), `challenger` (carol), `governor` (PARAMS_ROLE), `guardian`
(GUARDIAN_ROLE), `treasury`.
"""

from __future__ import annotations

import boa
import pytest
from eth_utils import keccak

from labeldao.boa_tools import deployer
from labeldao.registry import LDAO, EpochClock, EpochTerms, Params

EPOCH = 86_400
EMISSION = 1_000 * LDAO
FEE = 30 * LDAO
BOND = 500 * LDAO
SPECS = keccak(text="specs: 4x RTX 4090, 128 GB RAM")
ROOT = keccak(text="receipts root")
META = "ipfs://registry-rules"


@pytest.fixture(scope="session")
def provider(alice) -> str:
    """A GPU provider."""
    return alice.address


@pytest.fixture(scope="session")
def provider2(bob) -> str:
    """A second GPU provider."""
    return bob.address


@pytest.fixture(scope="session")
def challenger(carol) -> str:
    """A watcher who challenges reports."""
    return carol.address


@pytest.fixture(scope="module")
def arbitrator(token):
    """The test arbitrator, charging FEE LDAO per dispute."""
    return deployer("MockArbitrator", "tests/mocks").deploy(token.address, FEE)


@pytest.fixture(scope="module")
def registry(token, arbitrator, admin, governor, guardian, treasury):
    """ComputeRegistry with one-day epochs from now; minter of LDAO."""
    with boa.env.prank(admin):
        contract = deployer("ComputeRegistry").deploy(
            token.address,
            arbitrator.address,
            treasury,
            EPOCH,
            boa.env.evm.patch.timestamp,
            EMISSION,
            META,
        )
        contract.grantRole(contract.PARAMS_ROLE(), governor)
        contract.grantRole(contract.GUARDIAN_ROLE(), guardian)
        token.grantRole(token.MINTER_ROLE(), contract.address)
    return contract


@pytest.fixture(scope="module")
def lens(registry):
    """The registry's lens (receipt proofs, pending rewards, epoch terms)."""
    return deployer("ComputeRegistryLens").deploy(registry.address)


@pytest.fixture(scope="module")
def clock(registry) -> EpochClock:
    """The registry's epoch arithmetic."""
    return EpochClock(registry.GENESIS(), registry.EPOCH_LENGTH())


@pytest.fixture(scope="module")
def default_params(arbitrator, treasury) -> Params:
    """The constructor's parameters."""
    return Params(arbitrator=arbitrator.address, treasury=treasury)


@pytest.fixture(scope="module")
def default_terms() -> EpochTerms:
    """The constructor's epoch terms."""
    return EpochTerms(epoch_emission=EMISSION)


def now() -> int:
    """The timestamp of the next block."""
    return boa.env.evm.patch.timestamp


def warp(timestamp: int) -> None:
    """Moves time forward to `timestamp` (no-op if already past it)."""
    if timestamp > now():
        boa.env.time_travel(seconds=timestamp - now())


@pytest.fixture(scope="module")
def register(registry, token, fund):
    """Funds, approves and registers a node: `register(owner, gpus, tier)`."""

    def _register(owner: str, gpus: int = 4, tier: int = 1, specs: bytes = SPECS) -> int:
        stake = registry.required_stake(tier, gpus)
        fund(owner, stake)
        token.approve(registry.address, stake, sender=owner)
        return registry.register_node(specs, "ipfs://specs", gpus, tier, sender=owner)

    return _register


@pytest.fixture(scope="module")
def file_report(registry, clock):
    """Moves to the end of `epoch` if needed and files a report."""

    def _file(
        owner: str,
        node_id: int,
        epoch: int,
        units: int = 1_000_000,
        uptime: int = 10_000,
        root: bytes = ROOT,
    ) -> None:
        warp(clock.end(epoch))
        registry.report(node_id, epoch, units, uptime, root, sender=owner)

    return _file


@pytest.fixture(scope="module")
def open_challenge(registry, token, fund):
    """Funds, approves and challenges a report; returns the dispute id."""

    def _challenge(challenger: str, node_id: int, epoch: int, evidence: str = "ipfs://ev") -> int:
        cost = registry.params().challenge_bond + FEE
        fund(challenger, cost)
        token.approve(registry.address, cost, sender=challenger)
        return registry.challenge(node_id, epoch, evidence, sender=challenger)

    return _challenge
