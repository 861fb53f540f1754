"""Shared test configuration: Hypothesis profiles and titanoboa fixtures.

Profiles (select with HYPOTHESIS_PROFILE; CI=true selects `ci`):

- `default`: quick local runs, shrinking on.
- `ci`: what CI runs; enough examples for >= 5,000 stateful steps in the
  property suite, derandomized (a CI failure reproduces locally with
  HYPOTHESIS_PROFILE=ci), no shrinking (a minimal example is `deep`'s job).
- `deep`: the auditor's profile: >= 250,000 steps, shrinking on, failing
  examples kept in .hypothesis/ so that `make fuzz-replay` replays them.

Contract tests run on titanoboa directly (see docs/decisions.md); the Ape
integration tests in tests/integration/ override the fixtures they need.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, Verbosity, settings

_QUIET_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "default",
    max_examples=25,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=_QUIET_CHECKS,
)
settings.register_profile(
    "ci",
    max_examples=80,
    stateful_step_count=75,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    suppress_health_check=_QUIET_CHECKS,
)
settings.register_profile(
    "deep",
    max_examples=2_500,
    stateful_step_count=100,
    deadline=None,
    print_blob=True,
    verbosity=Verbosity.normal,
    suppress_health_check=_QUIET_CHECKS,
)


def _profile_name() -> str:
    """The profile asked for, `ci` under CI, else `default`."""
    if name := os.environ.get("HYPOTHESIS_PROFILE"):
        return name
    return "ci" if os.environ.get("CI") else "default"


settings.load_profile(_profile_name())
if _examples := os.environ.get("HYPOTHESIS_MAX_EXAMPLES"):
    # The fuzz runner's batches: the profile with fewer examples per process.
    settings.register_profile("batch", settings.default, max_examples=int(_examples))
    settings.load_profile("batch")


# ---------------------------------------------------------------------------
# titanoboa fixtures (unit and property tests). Each test runs inside a boa
# anchor (titanoboa's pytest plugin), so module-scoped deployments are shared
# and every test starts from the same state.
# ---------------------------------------------------------------------------

import boa  # noqa: E402
import pytest  # noqa: E402

from labeldao.boa_tools import deployer as _deployer  # noqa: E402
from tests.helpers import KeyedAccount, keyed_account  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_storage_traces():
    """Forgets titanoboa's storage traces after every test. titanoboa keeps,
    per address, every slot written and every keccak preimage, to print a
    reverted contract's storage. A test's anchor undoes its writes but not
    these traces, so a later test that deploys another contract at the same
    address fails while printing its expected revert (titanoboa 0.2.8 decodes
    the old slots with the new layout: "'StructT' object has no attribute
    'key_type'"). Met by the mutation baselines, which run the admin-surface
    tests before the escrow's in one process."""
    yield
    boa.env.sstore_trace = {}
    boa.env.sha3_trace = {}


TOKEN_CAP = 1_000_000_000 * 10**18  # 1 billion LDAO


@pytest.fixture(scope="session")
def admin() -> str:
    """Deploys the contracts; holds DEFAULT_ADMIN_ROLE until it hands it over."""
    return boa.env.generate_address("admin")


@pytest.fixture(scope="session")
def minter() -> str:
    """Holds MINTER_ROLE on the token (stands in for the escrow/registry)."""
    return boa.env.generate_address("minter")


@pytest.fixture(scope="session")
def alice() -> KeyedAccount:
    """A holder with a private key (signs permits and delegations)."""
    return keyed_account("alice")


@pytest.fixture(scope="session")
def bob() -> KeyedAccount:
    """A second holder with a private key."""
    return keyed_account("bob")


@pytest.fixture(scope="session")
def carol() -> KeyedAccount:
    """A third holder with a private key."""
    return keyed_account("carol")


@pytest.fixture(scope="session")
def governor() -> str:
    """Holds PARAMS_ROLE of the contract under test (the timelock in production)."""
    return boa.env.generate_address("governor")


@pytest.fixture(scope="session")
def guardian() -> str:
    """Holds GUARDIAN_ROLE: pauses entries, never exits."""
    return boa.env.generate_address("guardian")


@pytest.fixture(scope="session")
def treasury() -> str:
    """Receives protocol fees and the treasury's share of slashes."""
    return boa.env.generate_address("treasury")


@pytest.fixture(scope="module")
def token(admin, minter):
    """RewardToken with a 1e9 LDAO cap; `minter` holds MINTER_ROLE."""
    with boa.env.prank(admin):
        contract = _deployer("RewardToken").deploy(TOKEN_CAP)
        contract.grantRole(contract.MINTER_ROLE(), minter)
    return contract


@pytest.fixture(scope="module")
def fund(token, minter):
    """Mints LDAO to an account: `fund(account, amount)`."""

    def _fund(account: str, amount: int) -> None:
        token.mint(account, amount, sender=minter)

    return _fund
