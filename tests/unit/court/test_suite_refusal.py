"""Attack 5 on the real suite (`labeldao.system.deploy_boa`, the deploy plan's
contracts and default parameters): a task rejected while the court has no
juror stake at all. Before issue 14 the reward, the fee and the annotator's
stake stayed locked until someone staked (and judged alone); now the
dispute ends at its draw deadline as "refused to arbitrate" (ruling 0,
the escrow's SPLIT) and the requester's arbitration fee comes back."""

import boa
import pytest

from labeldao.boa_tools import deployer
from labeldao.system import deploy_boa
from tests.helpers import keyed_account

LDAO = 10**18
DAY = 86_400
REWARD = 100 * LDAO
STAKE = 50 * LDAO
SPLIT = 64  # TaskEscrow's `Status.SPLIT` flag


@pytest.fixture(scope="module")
def suite():
    return deploy_boa()


def _funded(suite, name):
    account = keyed_account(name).address
    holder = suite.params.token.initial_mints[0].to
    suite.token.transfer(account, 10_000 * LDAO, sender=holder)
    for spender in (suite.escrow.address, suite.court.address):
        suite.token.approve(spender, 2**256 - 1, sender=account)
    return account


def test_rejected_task__no_juror_stake__ends_refused_with_every_token_back(suite):
    escrow, court, token = suite.escrow, suite.court, suite.token
    lens = deployer("QualityCourtLens").at(court.LENS())
    requester, annotator = _funded(suite, "suite-requester"), _funded(suite, "suite-annotator")
    now = boa.env.evm.patch.timestamp
    task = escrow.create_task(
        b"\x01" * 32, "ipfs://spec", 1, REWARD, STAKE, now + 7 * DAY, DAY, b"\x00" * 32,
        sender=requester,
    )  # fmt: skip
    escrow.claim_task(task, sender=annotator)
    escrow.submit(task, b"\x02" * 32, "ipfs://result", sender=annotator)
    before = {a: token.balanceOf(a) for a in (requester, annotator)}
    fee = court.arbitrationCost(b"")
    dispute = escrow.reject(task, b"\x03" * 32, sender=requester)
    assert court.parties(dispute) == (requester, annotator)
    assert court.total_free_stake() == 0
    boa.env.time_travel(blocks=3)  # the randomness is ready: stake is what is missing
    with boa.reverts("court: too little drawable stake"):
        court.draw(dispute, 64)
    boa.env.time_travel(
        seconds=lens.draw_deadline(court.address, dispute) - boa.env.evm.patch.timestamp
    )
    court.close_undrawn(dispute)
    court.execute_ruling(dispute)
    assert escrow.tasks(task).status == SPLIT  # ruling 0: nobody proven wrong
    assert court.claimable(requester) == fee  # the arbitration fee comes back
    court.withdraw(sender=requester)
    for account in (requester, annotator):
        if escrow.claimable(account):
            escrow.withdraw(sender=account)
    # SPLIT: the annotator has its stake back and half the reward (less the
    # fee on it); the requester half the reward and its whole court fee.
    gained = {a: token.balanceOf(a) - before[a] for a in (requester, annotator)}
    assert gained[annotator] >= STAKE
    assert gained[requester] >= fee
    assert token.balanceOf(court.address) == 0
