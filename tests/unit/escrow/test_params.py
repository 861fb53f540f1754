"""TaskEscrow: parameters (PARAMS_ROLE, bounds, new tasks only), treasury and pause."""

import boa
import pytest

from labeldao.boa_tools import deployer
from labeldao.escrow import Ruling, TaskStatus
from tests.helpers import events
from tests.unit.escrow.conftest import DAY, FEE, GOLD_BOND, REWARD, STAKE

ZERO = "0x0000000000000000000000000000000000000000"
MISSING_ROLE = "access_control: account is missing role"


def test_set_params__by_timelock__adds_a_version_and_logs(escrow, params_with, timelock):
    new = params_with(fee_bps=500, reject_slash_bps=8_000)
    assert escrow.set_params(new, sender=timelock) == 1
    (logged,) = events(escrow, "ParamsChanged")
    assert escrow.params_count() == 2
    assert tuple(escrow.current_params()) == new
    assert tuple(escrow.params(1)) == new
    assert escrow.params(0).fee_bps == 250
    assert logged.version == 1
    assert tuple(logged.params) == new


def test_set_params__by_anyone_else__reverts(escrow, params_with, admin, guardian):
    for caller in (admin, guardian):
        with boa.reverts(MISSING_ROLE):
            escrow.set_params(params_with(fee_bps=0), sender=caller)


def test_set_params__applies_to_new_tasks_only(
    escrow, arbitrator, disputed_task, params_with, timelock, requester, annotator, treasury
):
    """A task settles with the fee and slash rates of its creation."""
    task_id, dispute_id = disputed_task()
    escrow.set_params(
        params_with(fee_bps=1_000, reject_slash_bps=10_000, slash_treasury_bps=10_000),
        sender=timelock,
    )
    assert escrow.tasks(task_id).fee == FEE
    assert escrow.task_cost(REWARD) == REWARD + REWARD // 10 + GOLD_BOND
    arbitrator.give_ruling(dispute_id, Ruling.REJECT)
    slash = STAKE // 2  # reject_slash_bps of the task's version: 50 %
    assert escrow.claimable(annotator.address) == STAKE - slash
    assert escrow.claimable(treasury) == slash // 5
    assert escrow.claimable(requester.address) == REWARD + FEE + GOLD_BOND + slash - slash // 5


def test_set_params__new_task_gets_the_new_version(escrow, new_task, params_with, timelock):
    escrow.set_params(params_with(fee_bps=0), sender=timelock)
    task = escrow.tasks(new_task())
    assert (task.params_id, task.fee) == (1, 0)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"fee_bps": 1_001}, "escrow: fee above maximum"),
        ({"gold_fail_limit": 0}, "escrow: gold fail limit is zero"),
        ({"gold_fail_limit": 65, "gold_slash_bps": 0}, "escrow: gold fail limit above maximum"),
        ({"gold_fail_limit": 3, "gold_slash_bps": 3_334}, "escrow: gold slashes exceed the stake"),
        ({"gold_fail_limit": 1, "gold_slash_bps": 10_001}, "escrow: gold slashes exceed the stake"),
        ({"reject_slash_bps": 10_001}, "escrow: reject slash above 100%"),
        ({"late_slash_bps": 10_001}, "escrow: late slash above 100%"),
        ({"slash_treasury_bps": 10_001}, "escrow: treasury share above 100%"),
        ({"min_review_period": 3_599}, "escrow: min review period too short"),
        ({"max_review_period": 30 * DAY + 1}, "escrow: max review period too long"),
        (
            {"min_review_period": 2 * DAY, "max_review_period": DAY},
            "escrow: review period bounds inverted",
        ),
        ({"max_task_duration": 0}, "escrow: max task duration is zero"),
        ({"max_task_duration": 365 * DAY + 1}, "escrow: max task duration too long"),
        ({"max_items": 0}, "escrow: max items is zero"),
        ({"max_items": 2**32}, "escrow: max items above maximum"),
        ({"bonus_per_item": 1_000 * 10**18 + 1}, "escrow: bonus per item above maximum"),
        ({"bonus_fee_cap_bps": 10_001}, "escrow: bonus fee cap above 100%"),
        ({"epoch_budget": 100_000_000 * 10**18 + 1}, "escrow: epoch budget above maximum"),
        ({"arbitrator": ZERO}, "escrow: arbitrator is the zero address"),
        ({"gold_bond": 1_000_000 * 10**18 + 1}, "escrow: gold bond above maximum"),
        ({"gold_contest_period": DAY - 1}, "escrow: gold contest period too short"),
        ({"gold_contest_period": 30 * DAY + 1}, "escrow: gold contest period too long"),
    ],
)
def test_set_params__out_of_bounds__reverts(escrow, params_with, timelock, changes, error):
    with boa.reverts(error):
        escrow.set_params(params_with(**changes), sender=timelock)


def test_set_params__at_every_bound__succeeds(escrow, params_with, timelock):
    at_max = params_with(
        fee_bps=1_000,
        gold_fail_limit=64,
        gold_slash_bps=156,  # 64 x 156 = 9,984 <= 10,000
        reject_slash_bps=10_000,
        late_slash_bps=10_000,
        slash_treasury_bps=10_000,
        min_review_period=30 * DAY,
        max_review_period=30 * DAY,
        max_task_duration=365 * DAY,
        max_items=2**32 - 1,
        bonus_per_item=1_000 * 10**18,
        bonus_fee_cap_bps=10_000,
        epoch_budget=100_000_000 * 10**18,
        gold_bond=1_000_000 * 10**18,
        gold_contest_period=30 * DAY,
        arbitrator_extra_data=b"\x01" * 192,  # ERC-792's 256 bytes less the parties' 64
    )
    escrow.set_params(at_max, sender=timelock)
    at_min = params_with(
        fee_bps=0,
        gold_fail_limit=1,
        gold_slash_bps=10_000,
        reject_slash_bps=0,
        late_slash_bps=0,
        slash_treasury_bps=0,
        min_review_period=3_600,
        max_review_period=3_600,
        max_task_duration=1,
        max_items=1,
        bonus_per_item=0,
        bonus_fee_cap_bps=0,
        epoch_budget=0,
        gold_bond=0,
        gold_contest_period=DAY,
    )
    escrow.set_params(at_min, sender=timelock)
    assert tuple(escrow.params(1)) == at_max
    assert tuple(escrow.params(2)) == at_min


def test_largest_task__packs_and_settles(arbitrator, treasury, requester, annotator):
    """The widest values every packed field holds round-trip through storage
    (on a token whose cap allows a 2**96 - 1 stake)."""
    token = deployer("RewardToken").deploy(2**96 - 1)
    escrow = deployer("TaskEscrow").deploy(token.address, arbitrator.address, treasury)
    escrow.grantRole(escrow.PARAMS_ROLE(), boa.env.eoa)
    token.grantRole(token.MINTER_ROLE(), boa.env.eoa)
    fields = escrow.current_params()._asdict()
    fields.update(
        max_items=2**32 - 1,
        max_review_period=30 * DAY,
        max_task_duration=365 * DAY,
        gold_bond=10**17,  # reward + fee + bond + stake within the cap
    )
    escrow.set_params(tuple(fields.values()))
    stake, reward = 2**96 - 1 - 10**18, 10**18 // 2
    token.mint(requester.address, escrow.task_cost(reward))
    token.mint(annotator.address, stake)
    token.approve(escrow.address, 2**256 - 1, sender=requester.address)
    token.approve(escrow.address, 2**256 - 1, sender=annotator.address)
    deadline = boa.env.evm.patch.timestamp + 365 * DAY
    task_id = escrow.create_task(
        b"\x01" * 32,
        "",
        2**32 - 1,
        reward,
        stake,
        deadline,
        30 * DAY,
        b"\x02" * 32,
        sender=requester.address,
    )
    escrow.claim_task(task_id, sender=annotator.address)
    escrow.submit(task_id, b"\x03" * 32, "ipfs://r", sender=annotator.address)
    task = escrow.tasks(task_id)
    assert (task.n_items, task.stake, task.reward, task.deadline) == (
        2**32 - 1,
        stake,
        reward,
        deadline,
    )
    assert (task.review_period, task.review_end) == (
        30 * DAY,
        boa.env.evm.patch.timestamp + 30 * DAY,
    )
    assert (task.params_id, task.status) == (1, TaskStatus.SUBMITTED)
    assert (task.requester, task.annotator) == (requester.address, annotator.address)
    escrow.accept(task_id, sender=requester.address)
    assert escrow.claimable(annotator.address) >= stake + reward
    assert token.balanceOf(escrow.address) == escrow.liabilities()


# ---------------------------------------------------------------------------
# treasury
# ---------------------------------------------------------------------------


def test_set_treasury__by_timelock__redirects_new_credits(
    escrow, submitted_task, requester, timelock, treasury, stranger
):
    first = submitted_task()
    escrow.accept(first, sender=requester.address)
    escrow.set_treasury(stranger.address, sender=timelock)
    (logged,) = events(escrow, "TreasuryChanged")
    second = submitted_task()
    escrow.accept(second, sender=requester.address)
    assert escrow.treasury() == stranger.address
    assert escrow.claimable(treasury) == FEE
    assert escrow.claimable(stranger.address) == FEE
    assert (logged.previous, logged.treasury) == (treasury, stranger.address)
