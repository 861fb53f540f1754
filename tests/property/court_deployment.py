"""One court for a property machine: token, lens, tree, court, and funded accounts.

The court randomness machine (`test_court_randomness_machine.py`) starts from
this deployment and adds its VRF subscription; the court's other properties
run on the system world (`tests/property/system/machines.py`).
"""

from __future__ import annotations

from types import SimpleNamespace

import boa

from labeldao import boa_tools
from labeldao.boa_tools import deployer

LDAO = 10**18


def deploy_court(
    tag: str, randomness_seed: int, epoch_seconds: int, accounts: dict[str, int]
) -> SimpleNamespace:
    """A court whose first source is a `MockRandomness(randomness_seed)`, with
    PARAMS_ROLE held by its admin; `accounts` maps a role ("juror", "funder",
    ...) to how many accounts of it get 100,000 LDAO each, approved to the court."""
    boa.env.sstore_trace = {}
    admin = boa.env.generate_address(f"{tag}-admin")
    funded = {
        role: [boa.env.generate_address(f"{tag}-{role}-{i}") for i in range(count)]
        for role, count in accounts.items()
    }
    with boa.env.prank(admin):
        token = deployer("RewardToken").deploy(10**27)
        token.grantRole(token.MINTER_ROLE(), admin)
        randomness = deployer("MockRandomness", "tests/mocks").deploy(randomness_seed)
        treasury = boa.env.generate_address(f"{tag}-treasury")
        lens = deployer("QualityCourtLens").deploy()
        court = boa_tools.deploy_court(
            token.address, treasury, randomness.address, epoch_seconds, lens.address
        )
        court.grantRole(court.PARAMS_ROLE(), admin)
        for account in (a for group in funded.values() for a in group):
            token.mint(account, 10**5 * LDAO)
    for account in (a for group in funded.values() for a in group):
        token.approve(court.address, 2**256 - 1, sender=account)
    return SimpleNamespace(
        token=token,
        court=court,
        lens=lens,
        randomness=randomness,
        treasury=treasury,
        admin=admin,
        accounts=funded,
    )
