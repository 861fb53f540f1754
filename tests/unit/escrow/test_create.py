"""TaskEscrow: creating tasks (with approval or permit) and cancelling them."""

import boa
import pytest

from labeldao.escrow import TaskStatus
from labeldao.signing import sign_permit
from tests.helpers import events
from tests.unit.escrow.conftest import (
    COST,
    DAY,
    DEADLINE_IN,
    FEE,
    GOLD_BOND,
    N_ITEMS,
    REVIEW_PERIOD,
    REWARD,
    SPEC_HASH,
    SPEC_URI,
    STAKE,
    now,
)

ZERO32 = b"\x00" * 32
MAX_AMOUNT = 2**96 - 1


def _create(escrow, requester, **changes):
    """Calls `create_task` with the default arguments, some changed."""
    args = {
        "spec_hash": SPEC_HASH,
        "spec_uri": SPEC_URI,
        "n_items": N_ITEMS,
        "reward": REWARD,
        "stake": STAKE,
        "deadline": now() + DEADLINE_IN,
        "review_period": REVIEW_PERIOD,
        "gold_root": b"\x11" * 32,
    }
    args.update(changes)
    return escrow.create_task(*args.values(), sender=requester.address)


@pytest.fixture
def funded(escrow, token, fund, requester):
    """The requester holds and approved far more than any task costs."""
    fund(requester.address, 10**9 * 10**18)
    token.approve(escrow.address, 2**256 - 1, sender=requester.address)


def test_create_task__records_task_pulls_cost_and_logs(escrow, token, funded, requester, gold):
    deadline = now() + DEADLINE_IN
    task_id = _create(escrow, requester, deadline=deadline, gold_root=gold.root)
    (created,) = events(escrow, "TaskCreated")
    (meta,) = events(escrow, "MetaEvidence")
    assert task_id == 0
    assert escrow.task_count() == 1
    task = escrow.tasks(task_id)
    assert task.requester == requester.address
    assert task.status == TaskStatus.OPEN
    assert (task.n_items, task.reward, task.fee, task.stake) == (N_ITEMS, REWARD, FEE, STAKE)
    assert (task.deadline, task.review_period, task.review_end) == (deadline, REVIEW_PERIOD, 0)
    assert (task.gold_root, task.result_root, task.params_id) == (gold.root, ZERO32, 0)
    assert (task.gold_bond, task.contest_end, task.claim_deadline) == (GOLD_BOND, 0, deadline)
    assert token.balanceOf(escrow.address) == COST
    assert escrow.liabilities() == COST
    assert (created.task_id, created.requester, created.spec_hash) == (
        0,
        requester.address,
        SPEC_HASH,
    )
    assert (created.reward, created.fee, created.stake, created.n_items) == (
        REWARD,
        FEE,
        STAKE,
        N_ITEMS,
    )
    assert (created.deadline, created.review_period, created.gold_root) == (
        deadline,
        REVIEW_PERIOD,
        gold.root,
    )
    assert (meta.meta_evidence_id, meta.evidence) == (0, SPEC_URI)


def test_create_task__ids_increase(escrow, funded, requester):
    assert [_create(escrow, requester) for _ in range(3)] == [0, 1, 2]
    assert escrow.task_count() == 3


def test_create_task__without_gold_root__is_allowed(escrow, funded, requester):
    task_id = _create(escrow, requester, gold_root=ZERO32)
    assert escrow.tasks(task_id).gold_root == ZERO32


def test_create_task__without_allowance__reverts(escrow, fund, requester):
    fund(requester.address, COST)
    with boa.reverts("erc20: insufficient allowance"):
        _create(escrow, requester)


def test_create_task__with_allowance_for_reward_only__reverts(escrow, token, fund, requester):
    fund(requester.address, COST)
    token.approve(escrow.address, REWARD, sender=requester.address)
    with boa.reverts("erc20: insufficient allowance"):
        _create(escrow, requester)


def test_task_cost__is_reward_plus_fee_plus_gold_bond(escrow):
    assert escrow.task_cost(REWARD) == REWARD + FEE + GOLD_BOND
    assert escrow.task_cost(1) == 1 + GOLD_BOND  # the fee rounds down


def test_create_task__with_gold_root__holds_the_gold_bond(escrow, token, funded, requester):
    task_id = _create(escrow, requester)
    (created,) = events(escrow, "TaskCreated")
    assert created.gold_bond == escrow.tasks(task_id).gold_bond == GOLD_BOND
    assert token.balanceOf(escrow.address) == escrow.liabilities() == COST


def test_create_task__without_gold_root__posts_no_bond(escrow, token, funded, requester):
    task_id = _create(escrow, requester, gold_root=ZERO32)
    (created,) = events(escrow, "TaskCreated")
    assert created.gold_bond == escrow.tasks(task_id).gold_bond == 0
    assert token.balanceOf(escrow.address) == escrow.liabilities() == REWARD + FEE
    escrow.cancel_task(task_id, sender=requester.address)
    assert escrow.claimable(requester.address) == REWARD + FEE


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"n_items": 0}, "escrow: no items"),
        ({"n_items": 1_000_001}, "escrow: too many items"),
        ({"reward": 0}, "escrow: reward is zero"),
        ({"reward": MAX_AMOUNT + 1}, "escrow: reward too large"),
        ({"stake": 0}, "escrow: stake is zero"),
        ({"stake": MAX_AMOUNT + 1}, "escrow: stake too large"),
        ({"review_period": DAY - 1}, "escrow: review period too short"),
        ({"review_period": 14 * DAY + 1}, "escrow: review period too long"),
    ],
)
def test_create_task__with_bad_argument__reverts(escrow, funded, requester, changes, error):
    with boa.reverts(error):
        _create(escrow, requester, **changes)


def test_create_task__with_deadline_now__reverts(escrow, funded, requester):
    with boa.reverts("escrow: deadline not in the future"):
        _create(escrow, requester, deadline=now())


def test_create_task__with_deadline_past_max_duration__reverts(escrow, funded, requester):
    with boa.reverts("escrow: deadline too far"):
        _create(escrow, requester, deadline=now() + 90 * DAY + 1)


def test_create_task__at_every_upper_bound__succeeds(escrow, funded, requester):
    task_id = _create(
        escrow,
        requester,
        n_items=1_000_000,
        stake=MAX_AMOUNT,
        deadline=now() + 90 * DAY,
        review_period=14 * DAY,
    )
    task = escrow.tasks(task_id)
    assert (task.n_items, task.stake, task.review_period) == (1_000_000, MAX_AMOUNT, 14 * DAY)
    assert task.deadline == now() + 90 * DAY
    assert task.requester == requester.address  # packing kept the neighbours intact


def test_create_task__while_paused__reverts(escrow, funded, requester, guardian):
    escrow.pause(sender=guardian)
    with boa.reverts("pausable: contract is paused"):
        _create(escrow, requester)


# ---------------------------------------------------------------------------
# create_task_with_permit
# ---------------------------------------------------------------------------


def _permit_args(escrow, token, owner, value, deadline=None):
    deadline = now() + DAY if deadline is None else deadline
    sig = sign_permit(
        owner.key,
        token=str(token.address),
        chain_id=boa.env.evm.patch.chain_id,
        owner=owner.address,
        spender=str(escrow.address),
        value=value,
        nonce=token.nonces(owner.address),
        deadline=deadline,
    )
    return (deadline, *sig.as_args())


def _create_with_permit(escrow, requester, permit_args):
    return escrow.create_task_with_permit(
        SPEC_HASH,
        SPEC_URI,
        N_ITEMS,
        REWARD,
        STAKE,
        now() + DEADLINE_IN,
        REVIEW_PERIOD,
        b"\x11" * 32,
        *permit_args,
        sender=requester.address,
    )


def test_create_task_with_permit__needs_no_prior_approval(escrow, token, fund, requester):
    fund(requester.address, COST)
    args = _permit_args(escrow, token, requester, COST)
    task_id = _create_with_permit(escrow, requester, args)
    assert escrow.tasks(task_id).status == TaskStatus.OPEN
    assert token.balanceOf(escrow.address) == COST
    assert token.allowance(requester.address, escrow.address) == 0
    assert token.nonces(requester.address) == 1


def test_create_task_with_permit__already_used_by_front_runner__still_succeeds(
    escrow, token, fund, requester, stranger
):
    fund(requester.address, COST)
    args = _permit_args(escrow, token, requester, COST)
    # Someone submits the permit from the mempool first: the allowance exists.
    token.permit(requester.address, escrow.address, COST, *args, sender=stranger.address)
    task_id = _create_with_permit(escrow, requester, args)
    assert escrow.tasks(task_id).requester == requester.address


def test_create_task_with_permit__for_too_little__reverts(escrow, token, fund, requester):
    fund(requester.address, COST)
    args = _permit_args(escrow, token, requester, REWARD)  # forgot the fee
    with boa.reverts("erc20: insufficient allowance"):
        _create_with_permit(escrow, requester, args)


def test_create_task_with_permit__expired__reverts(escrow, token, fund, requester):
    fund(requester.address, COST)
    args = _permit_args(escrow, token, requester, COST, deadline=now() - 1)
    with boa.reverts("erc20: insufficient allowance"):
        _create_with_permit(escrow, requester, args)


def test_create_task_with_permit__while_paused__reverts(escrow, token, fund, requester, guardian):
    fund(requester.address, COST)
    args = _permit_args(escrow, token, requester, COST)
    escrow.pause(sender=guardian)
    with boa.reverts("pausable: contract is paused"):
        _create_with_permit(escrow, requester, args)


# ---------------------------------------------------------------------------
# cancel_task
# ---------------------------------------------------------------------------


def test_cancel_task__open__refunds_reward_and_fee(escrow, token, new_task, requester, treasury):
    task_id = new_task()
    escrow.cancel_task(task_id, sender=requester.address)
    (settled,) = events(escrow, "TaskSettled")
    assert escrow.tasks(task_id).status == TaskStatus.CANCELLED
    assert escrow.claimable(requester.address) == COST
    assert escrow.claimable(treasury) == 0
    assert escrow.liabilities() == token.balanceOf(escrow.address) == COST
    assert (settled.task_id, settled.status, settled.requester_amount) == (
        task_id,
        TaskStatus.CANCELLED,
        COST,
    )
    assert (settled.annotator_amount, settled.treasury_amount, settled.bonus) == (0, 0, 0)


def test_cancel_task__by_stranger__reverts(escrow, new_task, stranger):
    task_id = new_task()
    with boa.reverts("escrow: caller is not the requester"):
        escrow.cancel_task(task_id, sender=stranger.address)


def test_cancel_task__claimed__reverts(escrow, claimed_task, requester):
    task_id = claimed_task()
    with boa.reverts("escrow: task not open"):
        escrow.cancel_task(task_id, sender=requester.address)


def test_cancel_task__twice__reverts(escrow, new_task, requester):
    task_id = new_task()
    escrow.cancel_task(task_id, sender=requester.address)
    with boa.reverts("escrow: task not open"):
        escrow.cancel_task(task_id, sender=requester.address)


def test_cancel_task__unknown_task__reverts(escrow, requester):
    with boa.reverts("escrow: task not open"):
        escrow.cancel_task(42, sender=requester.address)


def test_cancel_task__while_paused__succeeds(escrow, new_task, requester, guardian):
    task_id = new_task()
    escrow.pause(sender=guardian)
    escrow.cancel_task(task_id, sender=requester.address)
    assert escrow.tasks(task_id).status == TaskStatus.CANCELLED


def _odd_address(tag: str) -> str:
    """An address whose lowest bit is set (a mask one bit short would drop it)."""
    for i in range(64):
        address = boa.env.generate_address(f"{tag}-{i}")
        if int(address, 16) & 1:
            return address
    raise AssertionError("no odd address in 64 tries")


def test_task__odd_amounts_and_addresses__read_back_exactly(escrow, new_task, claim):
    """Every bit of the packed task words survives the round trip: odd
    fields and odd addresses (lowest bits set, next to their neighbours'
    highest) read back as written."""
    requester, annotator = _odd_address("odd-requester"), _odd_address("odd-annotator")
    deadline = now() + DEADLINE_IN + 1
    task_id = new_task(
        reward=REWARD + 1, deadline=deadline, review_period=REVIEW_PERIOD + 1, sender=requester
    )
    claim(task_id, sender=annotator)
    task = escrow.tasks(task_id)
    assert (task.requester, task.annotator) == (requester, annotator)
    assert (task.reward, task.deadline, task.review_period) == (
        REWARD + 1,
        deadline,
        REVIEW_PERIOD + 1,
    )
