"""Fixtures of the QualityCourt unit tests: personas, a court with short
periods, a test arbitrable, and factories that walk a dispute through its
periods.

Personas: `governor` holds PARAMS_ROLE, `guardian` GUARDIAN_ROLE, `treasury`
receives what no coherent juror earns; jurors are keyed accounts (they sign
their salts); `appellant` and `defender` fund appeals; the `arbitrable`
(tests/mocks/MockArbitrable.vy) opens disputes and records rulings.
"""

from __future__ import annotations

from dataclasses import dataclass

import boa
import pytest

from labeldao.boa_tools import deploy_court, deployer
from labeldao.court import commitment, derive_salt
from tests.helpers import KeyedAccount, keyed_account

LDAO = 10**18
MOCKS = "tests/mocks"
EPOCH_SECONDS = 1_200  # the stake-snapshot epoch: 100 blocks of 12 s
HOUR = 3_600

MIN_STAKE = 100 * LDAO
ALPHA_BPS = 2_000
SEAT_LOCK = MIN_STAKE * ALPHA_BPS // 10_000  # 20 LDAO
NON_REVEAL_BPS = 20_000
FEE_PER_JUROR = 10 * LDAO
UNSTAKE_DELAY = 86_400

PERIOD_EVIDENCE, PERIOD_COMMIT, PERIOD_REVEAL, PERIOD_APPEAL, PERIOD_EXECUTION = range(5)

# Panels of 3, 7 and 15 seats: round 2 is the last one.
TEST_PARAMS = {
    "min_juror_stake": MIN_STAKE,
    "alpha_bps": ALPHA_BPS,
    "non_reveal_multiplier_bps": NON_REVEAL_BPS,
    "unstake_delay": UNSTAKE_DELAY,
    "panel_size": 3,
    "max_panel": 15,
    "max_rounds": 3,
    "fee_per_juror": FEE_PER_JUROR,
    "evidence_period": HOUR,
    "commit_period": HOUR,
    "reveal_period": HOUR,
    "appeal_period": 2 * HOUR,
    "draw_timeout": 6 * HOUR,
    # The whole court may be locked by one dispute in these tests (the
    # default, 5,000, is tested in test_incentives.py).
    "max_dispute_lock_bps": 10_000,
}


def params_tuple(randomness: str, **overrides: int | str) -> tuple:
    """The `Params` struct as a tuple, from TEST_PARAMS and `overrides`."""
    values = {**TEST_PARAMS, "randomness": randomness, **overrides}
    order = [*TEST_PARAMS, "randomness"]
    return tuple(values[name] for name in order)


@pytest.fixture(autouse=True)
def _fresh_storage_traces():
    """Forgets titanoboa's record of storage writes before each test.

    titanoboa 0.2.8 keeps, for the whole session, every storage key written at
    every address, and decodes them when it prints a contract in a revert
    report. Tests that revert deployments reuse addresses, so a contract can
    inherit keys another contract wrote at its address, and printing it then
    crashes (`'IntegerT' object has no attribute 'key_type'`) instead of
    reporting the revert. The trace only feeds those reports.
    """
    boa.env.sstore_trace = {}


@pytest.fixture(scope="session")
def appellant() -> str:
    """Funds appeals."""
    return boa.env.generate_address("appellant")


@pytest.fixture(scope="session")
def defender() -> str:
    """Funds the other side of appeals."""
    return boa.env.generate_address("defender")


@pytest.fixture(scope="session")
def jurors() -> list[KeyedAccount]:
    """Eight jurors with private keys (they sign their salts)."""
    return [keyed_account(f"juror-{i}") for i in range(8)]


@pytest.fixture(scope="module")
def randomness():
    """MockRandomness in automatic mode: every request is ready at once."""
    return deployer("MockRandomness", MOCKS).deploy(7)


@pytest.fixture(scope="module")
def lens():
    """The court's lens (parameter bounds and derived views)."""
    return deployer("QualityCourtLens").deploy()


@pytest.fixture(scope="module")
def court(token, admin, governor, guardian, treasury, randomness, lens):
    """A court with the test parameters; roles granted by `admin`."""
    with boa.env.prank(admin):
        contract = deploy_court(
            token.address, treasury, randomness.address, EPOCH_SECONDS, lens.address
        )
        contract.grantRole(contract.PARAMS_ROLE(), governor)
        contract.grantRole(contract.GUARDIAN_ROLE(), guardian)
    contract.set_params(params_tuple(randomness.address), sender=governor)
    return contract


@pytest.fixture(scope="module")
def tree(court):
    """The court's SortitionTree (leaf owners and weights)."""
    return deployer("SortitionTree").at(court.TREE())


@pytest.fixture(scope="module")
def arbitrable(court, token, fund):
    """A test arbitrable holding 10,000 LDAO for fees."""
    contract = deployer("MockArbitrable", MOCKS).deploy(court.address, token.address)
    fund(contract.address, 10_000 * LDAO)
    return contract


@pytest.fixture(scope="module")
def stake(court, token, fund):
    """`stake(juror, amount)`: mints, approves and stakes."""

    def _stake(juror: KeyedAccount | str, amount: int) -> None:
        address = str(juror)
        fund(address, amount)
        token.approve(court.address, amount, sender=address)
        court.stake(amount, sender=address)

    return _stake


@pytest.fixture(scope="module")
def pay(token, court, fund):
    """`pay(account, amount)`: mints LDAO and approves the court (appeal funders)."""

    def _pay(account: str, amount: int) -> None:
        fund(account, amount)
        token.approve(court.address, amount, sender=account)

    return _pay


@dataclass
class Flow:
    """Walks disputes through their periods (a factory fixture)."""

    court: object
    arbitrable: object
    token: object
    lens: object

    def create(self, choices: int = 2) -> int:
        """Opens a dispute from the test arbitrable; returns its id."""
        return self.arbitrable.create_dispute(choices, b"")

    def next_epoch(self) -> None:
        """Moves to the first second of the next snapshot epoch (blocks move
        with it, one every 12 s)."""
        seconds = EPOCH_SECONDS - boa.env.evm.patch.timestamp % EPOCH_SECONDS
        boa.env.time_travel(seconds=seconds)

    def current_round(self, dispute_id: int) -> int:
        """The index of the dispute's current round."""
        return self.lens.dispute_info(self.court.address, dispute_id).rounds - 1

    def draw_all(self, dispute_id: int) -> None:
        """Draws the current round's whole panel."""
        for _ in range(50):
            info = self.lens.round_info(
                self.court.address, dispute_id, self.current_round(dispute_id)
            )
            if info.drawn == info.panel:
                return
            self.court.draw(dispute_id, 64)
        raise AssertionError("panel not drawn after 50 calls")

    def seated(self, dispute_id: int, round_: int) -> list[str]:
        """The distinct jurors of a round."""
        count = self.lens.round_info(self.court.address, dispute_id, round_).jurors
        return [self.court.round_juror(dispute_id, round_, i) for i in range(count)]

    def goto(self, dispute_id: int, period: int) -> None:
        """Travels to the start of `period` of the current round (panel drawn)."""
        info = self.lens.round_info(self.court.address, dispute_id, self.current_round(dispute_id))
        start = {
            PERIOD_COMMIT: info.commit_start,
            PERIOD_REVEAL: info.reveal_start,
            PERIOD_APPEAL: info.appeal_start,
            PERIOD_EXECUTION: info.appeal_end,
        }[period]
        now = boa.env.evm.patch.timestamp
        if start > now:
            boa.env.time_travel(seconds=start - now)

    def salt(self, juror: KeyedAccount, dispute_id: int, round_: int) -> bytes:
        """The juror's wallet-derived salt."""
        return derive_salt(
            juror.key,
            court=self.court.address,
            chain_id=boa.env.evm.patch.chain_id,
            dispute_id=dispute_id,
            round_=round_,
        )

    def commit(self, juror: KeyedAccount, dispute_id: int, round_: int, choice: int) -> bytes:
        """Commits `choice` for `juror`; returns the salt."""
        salt = self.salt(juror, dispute_id, round_)
        digest = commitment(dispute_id, round_, juror.address, choice, salt)
        self.court.commit(dispute_id, round_, digest, sender=juror.address)
        return salt

    def reveal(self, juror: KeyedAccount, dispute_id: int, round_: int, choice: int) -> None:
        """Reveals `choice` for `juror` with the derived salt."""
        salt = self.salt(juror, dispute_id, round_)
        self.court.reveal(dispute_id, round_, choice, salt, sender=juror.address)

    def vote(self, dispute_id: int, round_: int, choices: dict[str, int], keys: dict) -> None:
        """Commits then reveals `choices` (juror address -> choice); None skips the reveal."""
        self.goto(dispute_id, PERIOD_COMMIT)
        for address, choice in choices.items():
            self.commit(keys[address], dispute_id, round_, choice if choice is not None else 1)
        self.goto(dispute_id, PERIOD_REVEAL)
        for address, choice in choices.items():
            if choice is not None:
                self.reveal(keys[address], dispute_id, round_, choice)

    def execute_all(self, dispute_id: int) -> None:
        """Executes every round of a final dispute."""
        rounds = self.lens.dispute_info(self.court.address, dispute_id).rounds
        for round_ in range(rounds):
            info = self.lens.round_info(self.court.address, dispute_id, round_)
            while info.execution_steps_done < info.execution_steps:
                self.court.execute(dispute_id, round_, 128)
                info = self.lens.round_info(self.court.address, dispute_id, round_)


@pytest.fixture(scope="module")
def flow(court, arbitrable, token, lens) -> Flow:
    """The `Flow` factory for this module's court."""
    return Flow(court=court, arbitrable=arbitrable, token=token, lens=lens)


@pytest.fixture(scope="module")
def keys(jurors) -> dict[str, KeyedAccount]:
    """Juror address -> keyed account."""
    return {juror.address: juror for juror in jurors}


@pytest.fixture(scope="module")
def staked(stake, jurors, flow):
    """Five jurors with 500 LDAO each, drawable from the next epoch on."""

    def _staked(count: int = 5, amount: int = 500 * LDAO) -> list[KeyedAccount]:
        for juror in jurors[:count]:
            stake(juror, amount)
        flow.next_epoch()
        return jurors[:count]

    return _staked


@pytest.fixture(scope="module")
def whole_seats(court, governor, randomness, stake, jurors, flow):
    """`whole_seats(count, seats)`: a seat locks the whole minimum stake
    (alpha 100 %, 100 LDAO), and `count` jurors stake `seats` seats' worth,
    so no juror holds more seats than that in one epoch's draws."""

    def _setup(count: int = 8, seats: int = 1) -> list[KeyedAccount]:
        court.set_params(params_tuple(randomness.address, alpha_bps=10_000), sender=governor)
        for juror in jurors[:count]:
            stake(juror, seats * MIN_STAKE)
        flow.next_epoch()
        return jurors[:count]

    return _setup
