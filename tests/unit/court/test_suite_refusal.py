"""Attack 5 on the real suite (`labeldao.system.deploy_boa`, the deploy plan's
contracts and default parameters): a task rejected while the court has no
juror stake at all. Before issue 14 the reward, the fee and the annotator's
stake stayed locked until someone staked (and judged alone); now the
dispute ends at its draw deadline as "refused to arbitrate" (ruling 0,
the escrow's SPLIT) and the requester's arbitration fee comes back. The
same from the registry: a challenged report with no juror stake."""

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


def _to_the_start_of_an_epoch(court) -> None:
    """Moves to the first second of the next snapshot epoch, so that a draw
    a few blocks later is in the epoch of the dispute's randomness request
    (one crossing a boundary asks for new randomness instead of drawing)."""
    length = court.epoch_seconds()
    boa.env.time_travel(seconds=length - boa.env.evm.patch.timestamp % length)


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
    _to_the_start_of_an_epoch(court)  # the draw below stays in the request's epoch
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


def test_challenged_report__no_juror_stake__ends_refused_with_every_token_back(suite):
    """The registry's side of attack 5: a report challenged while the court
    has no juror stake. The dispute closes at its draw deadline with ruling
    0 (the report stands, the challenger's bond comes back) and the court
    refunds the challenger's arbitration fee; the node's claims, held while
    the challenge was open, are paid."""
    registry, court, token = suite.registry, suite.court, suite.token
    lens = deployer("QualityCourtLens").at(court.LENS())
    provider, watcher = _funded(suite, "suite-provider"), _funded(suite, "suite-watcher")
    token.approve(registry.address, 2**256 - 1, sender=provider)
    token.approve(registry.address, 2**256 - 1, sender=watcher)
    node = registry.register_node(b"\x04" * 32, "ipfs://specs", 1, 0, sender=provider)
    epoch = registry.current_epoch() + 1  # the first whole epoch after registration
    info = registry.epoch_total(epoch)
    boa.env.time_travel(seconds=info.end - boa.env.evm.patch.timestamp)
    registry.report(node, epoch, 1, 10_000, b"\x05" * 32, sender=provider)
    before = {a: token.balanceOf(a) for a in (provider, watcher)}
    fee = court.arbitrationCost(b"")
    bond = registry.params().challenge_bond
    _to_the_start_of_an_epoch(court)  # the draw below stays in the request's epoch
    dispute = registry.challenge(node, epoch, "ipfs://evidence", sender=watcher)
    assert court.parties(dispute) == (watcher, provider)
    assert court.total_free_stake() == 0
    boa.env.time_travel(blocks=3)
    with boa.reverts("court: too little drawable stake"):
        court.draw(dispute, 64)
    boa.env.time_travel(
        seconds=lens.draw_deadline(court.address, dispute) - boa.env.evm.patch.timestamp
    )
    court.close_undrawn(dispute)
    court.execute_ruling(dispute)
    assert registry.challenge_of(node, epoch).ruling == 0  # refused: the report stands
    assert court.claimable(watcher) == fee
    assert registry.credits(watcher) == bond
    court.withdraw(sender=watcher)
    registry.withdraw(sender=watcher)
    assert token.balanceOf(watcher) == before[watcher]  # bond and fee back: nothing lost
    final_at = registry.epoch_total(epoch).final_at
    if final_at > boa.env.evm.patch.timestamp:
        boa.env.time_travel(seconds=final_at - boa.env.evm.patch.timestamp)
    paid = registry.claim(node, [epoch], sender=provider)
    assert paid > 0  # the node's reward, held while challenged, is paid
    assert token.balanceOf(provider) == before[provider] + paid
    assert token.balanceOf(court.address) == 0
