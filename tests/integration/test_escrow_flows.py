"""TaskEscrow end to end through Ape (embedded chain, or anvil with
`--network ethereum:local:foundry`), with `MockArbitrator` standing in for
the court. One test per flow:

- create (one transaction, EIP-2612 permit) -> claim -> submit -> accept -> withdraw;
- silence is consent: submit -> review period passes -> anyone finalizes;
- hidden gold items: wrong answers proven on chain -> rejected, refunded, slashed;
- reject -> dispute -> each ruling (work stands, rejected, refused);
- missed deadline: claimed, never submitted -> reclaim slashes the late annotator.

Each flow ends by rebuilding every task and claimable from the escrow's
logs (`labeldao.escrow.rebuild`) and comparing them with the views.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from labeldao.annotations import (
    GoldItem,
    answer_hash,
    answer_tree,
    gold_failure_args,
    gold_tree,
)
from labeldao.escrow import TaskStatus, bps_of, fee_of, rebuild
from labeldao.signing import sign_permit

LDAO = 10**18
DAY = 86_400
REWARD = 100 * LDAO
STAKE = 20 * LDAO
FEE = fee_of(REWARD, 250)
ARBITRATION_FEE = 5 * LDAO
GOLD_BOND = 30 * LDAO  # TaskEscrow's default
GOLD_CONTEST_PERIOD = 3 * DAY
N_ITEMS = 6
GOLD = gold_tree(
    [GoldItem(i, answer_hash(f"gold-{i}"), keccak(text=f"salt-{i}")) for i in (0, 2, 4)]
)
HONEST = answer_tree(
    {i: answer_hash(f"gold-{i}" if i % 2 == 0 else f"label-{i}") for i in range(N_ITEMS)}
)
CHEATER = answer_tree({i: answer_hash("cat") for i in range(N_ITEMS)})
VIEW_FIELDS = ("requester", "annotator", "status", "reward", "fee", "stake", "review_end")


@pytest.fixture(scope="module")
def requester(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def annotator(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def treasury(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def arbitrator(mock, token, deployer):
    return mock("MockArbitrator").deploy(token, ARBITRATION_FEE, sender=deployer)


@pytest.fixture(scope="module")
def escrow(project, token, arbitrator, deployer, treasury, requester, annotator):
    contract = project.TaskEscrow.deploy(token, arbitrator, treasury, sender=deployer)
    token.grantRole(token.MINTER_ROLE(), contract, sender=deployer)
    for account in (requester, annotator):
        token.mint(account, 10_000 * LDAO, sender=deployer)
        token.approve(contract, 2**256 - 1, sender=account)
    return contract


@pytest.fixture
def warp(chain):
    """Mines a block `seconds` after the head, so that the next calls see it."""

    def _warp(seconds: int) -> None:
        chain.mine(timestamp=chain.blocks.head.timestamp + seconds)

    return _warp


def _create(escrow, chain, requester, deadline_in: int = 7 * DAY) -> int:
    receipt = escrow.create_task(
        keccak(text="spec"),
        "ipfs://spec",
        N_ITEMS,
        REWARD,
        STAKE,
        chain.blocks.head.timestamp + deadline_in,
        3 * DAY,
        GOLD.root,
        sender=requester,
    )
    (created,) = receipt.decode_logs(escrow.TaskCreated)
    return created.task_id


def _submitted(escrow, chain, requester, annotator, sheet=HONEST) -> int:
    task_id = _create(escrow, chain, requester)
    escrow.claim_task(task_id, sender=annotator)
    escrow.submit(task_id, sheet.root, "ipfs://answers", sender=annotator)
    return task_id


def _escrow_logs(escrow, chain) -> list:
    """Every event the escrow logged, in chain order."""
    head = chain.blocks.head.number
    logs = [
        log
        for abi in escrow.contract_type.events
        for log in getattr(escrow, abi.name).range(0, head + 1)
    ]
    return sorted(logs, key=lambda log: (log.block_number, log.log_index))


def _assert_logs_rebuild_views(escrow, chain, accounts) -> None:
    history = rebuild((log.event_name, log.event_arguments) for log in _escrow_logs(escrow, chain))
    assert len(history.tasks) == escrow.task_count()
    for task_id, record in history.tasks.items():
        view = escrow.tasks(task_id)
        for name in VIEW_FIELDS:
            assert getattr(record, name) == getattr(view, name), (task_id, name)
    for account in accounts:
        assert history.claimable.get(str(account), 0) == escrow.claimable(account)


def test_flow__permit_create_claim_submit_accept_withdraw(
    escrow, token, chain, requester, annotator, treasury
):
    cost = escrow.task_cost(REWARD)
    deadline = chain.blocks.head.timestamp + 7 * DAY
    signature = sign_permit(
        requester.private_key,
        token=str(token.address),
        chain_id=chain.chain_id,
        owner=str(requester.address),
        spender=str(escrow.address),
        value=cost,
        nonce=token.nonces(requester),
        deadline=deadline,
    )
    token.approve(escrow, 0, sender=requester)  # the permit alone pays
    receipt = escrow.create_task_with_permit(
        keccak(text="spec"),
        "ipfs://spec",
        N_ITEMS,
        REWARD,
        STAKE,
        deadline,
        3 * DAY,
        GOLD.root,
        deadline,
        *signature.as_args(),
        sender=requester,
    )
    (created,) = receipt.decode_logs(escrow.TaskCreated)
    task_id = created.task_id
    escrow.claim_task(task_id, sender=annotator)
    escrow.submit(task_id, HONEST.root, "ipfs://answers", sender=annotator)
    receipt = escrow.accept(task_id, sender=requester)
    (settled,) = receipt.decode_logs(escrow.TaskSettled)

    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert settled.bonus > 0
    before = token.balanceOf(annotator)
    escrow.withdraw(sender=annotator)
    escrow.withdraw(sender=treasury)
    assert token.balanceOf(annotator) == before + REWARD + STAKE + settled.bonus
    assert token.balanceOf(treasury) == FEE
    assert escrow.claimable(requester) == GOLD_BOND  # its gold was not found wrong
    escrow.withdraw(sender=requester)
    assert token.balanceOf(escrow) == escrow.liabilities() == 0
    _assert_logs_rebuild_views(escrow, chain, (requester, annotator, treasury))


def test_flow__silence_is_consent(escrow, chain, warp, requester, annotator, stranger):
    task_id = _submitted(escrow, chain, requester, annotator)
    warp(3 * DAY)
    receipt = escrow.finalize(task_id, sender=stranger)
    (finalized,) = receipt.decode_logs(escrow.TaskFinalized)

    assert finalized.caller == stranger
    assert escrow.tasks(task_id).status == TaskStatus.ACCEPTED
    assert escrow.claimable(annotator) >= REWARD + STAKE
    _assert_logs_rebuild_views(escrow, chain, (requester, annotator, stranger))


def test_flow__gold_failures_reject_after_the_contest_window(
    escrow, token, chain, warp, requester, annotator, treasury, stranger
):
    task_id = _submitted(escrow, chain, requester, annotator, CHEATER)
    for item in GOLD.items:
        escrow.prove_gold_failure(
            *gold_failure_args(task_id, GOLD, CHEATER, item), sender=requester
        )
    assert escrow.tasks(task_id).status == TaskStatus.GOLD_FAILED
    assert escrow.claimable(treasury) == 0  # the gold slashes are held
    warp(GOLD_CONTEST_PERIOD)
    escrow.finalize(task_id, sender=stranger)

    slash = bps_of(STAKE, 1_000)
    assert escrow.tasks(task_id).status == TaskStatus.REJECTED
    assert escrow.claimable(requester) == REWARD + FEE + GOLD_BOND
    assert escrow.claimable(annotator) == STAKE - 3 * slash
    assert escrow.claimable(treasury) == 3 * slash
    assert token.balanceOf(escrow) == escrow.liabilities()
    _assert_logs_rebuild_views(escrow, chain, (requester, annotator, treasury))


def test_flow__gold_contest_won_by_the_annotator(
    escrow, token, arbitrator, deployer, chain, requester, annotator, treasury
):
    """Wrong gold: the annotator contests, the arbitrator rules the work stands;
    the annotator gets the reward, its whole stake and the requester's bond."""
    task_id = _submitted(escrow, chain, requester, annotator, CHEATER)
    for item in GOLD.items:
        escrow.prove_gold_failure(
            *gold_failure_args(task_id, GOLD, CHEATER, item), sender=requester
        )
    token.mint(annotator, ARBITRATION_FEE, sender=deployer)
    token.approve(escrow, ARBITRATION_FEE, sender=annotator)
    receipt = escrow.contest_gold(task_id, "ipfs://the-gold-is-wrong", sender=annotator)
    (contested,) = receipt.decode_logs(escrow.GoldContested)
    receipt = arbitrator.give_ruling(contested.dispute_id, 1, sender=deployer)
    (settled,) = receipt.decode_logs(escrow.TaskSettled)
    assert settled.status == TaskStatus.ACCEPTED
    assert settled.annotator_amount == REWARD + STAKE + GOLD_BOND + settled.bonus
    assert (settled.requester_amount, settled.treasury_amount) == (0, FEE)
    assert token.balanceOf(escrow) == escrow.liabilities()
    _assert_logs_rebuild_views(escrow, chain, (requester, annotator, treasury))


def test_flow__reject_dispute_each_ruling(
    escrow, token, arbitrator, deployer, chain, requester, annotator, treasury
):
    token.mint(requester, 3 * ARBITRATION_FEE, sender=deployer)
    outcomes = {}
    for ruling in (1, 2, 0):
        task_id = _submitted(escrow, chain, requester, annotator)
        receipt = escrow.reject(task_id, keccak(text="off-spec"), sender=requester)
        (rejected,) = receipt.decode_logs(escrow.TaskRejected)
        escrow.submit_evidence(task_id, "ipfs://why", sender=requester)
        escrow.submit_evidence(task_id, "ipfs://why-not", sender=annotator)
        receipt = arbitrator.give_ruling(rejected.dispute_id, ruling, sender=deployer)
        (settled,) = receipt.decode_logs(escrow.TaskSettled)
        outcomes[ruling] = settled

    slash = bps_of(STAKE, 5_000)
    accepted, rejected, refused = outcomes[1], outcomes[2], outcomes[0]
    assert accepted.status == TaskStatus.ACCEPTED
    assert accepted.annotator_amount == REWARD + STAKE + accepted.bonus
    assert rejected.status == TaskStatus.REJECTED
    assert (rejected.requester_amount, rejected.annotator_amount) == (
        REWARD + FEE + GOLD_BOND + slash - bps_of(slash, 2_000),
        STAKE - slash,
    )
    assert refused.status == TaskStatus.SPLIT
    assert (refused.annotator_amount, refused.treasury_amount) == (REWARD // 2 + STAKE, FEE // 2)
    assert token.balanceOf(arbitrator) == 3 * ARBITRATION_FEE
    assert token.balanceOf(escrow) == escrow.liabilities()
    _assert_logs_rebuild_views(escrow, chain, (requester, annotator, treasury))


def test_flow__missed_deadline(escrow, token, chain, warp, requester, annotator, treasury):
    task_id = _create(escrow, chain, requester, deadline_in=DAY)
    escrow.claim_task(task_id, sender=annotator)
    warp(DAY + 1)
    escrow.reclaim(task_id, sender=requester)

    slash = bps_of(STAKE, 1_000)
    to_treasury = bps_of(slash, 2_000)
    assert escrow.tasks(task_id).status == TaskStatus.EXPIRED
    assert escrow.claimable(requester) == REWARD + FEE + GOLD_BOND + slash - to_treasury
    assert escrow.claimable(annotator) == STAKE - slash
    assert escrow.claimable(treasury) == to_treasury
    assert token.balanceOf(escrow) == escrow.liabilities()
    _assert_logs_rebuild_views(escrow, chain, (requester, annotator, treasury))
