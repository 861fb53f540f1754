"""End to end through Ape: a rejected annotation goes to the QualityCourt.

The test arbitrable (tests/mocks/MockArbitrable.vy) stands in for the
escrow: it opens the dispute and pays the fee. Round 0 (3 seats) rules that
the work stands; the requester's side appeals, the annotator's side funds
the defence, a 7-seat panel overturns it with one silent juror; every round
is executed in batches, the ruling reaches the arbitrable once, everyone
withdraws, and every party's balance is checked against an independent
computation from the seats and votes on chain.

Jurors derive their salts from a signature of their Ape account
(`labeldao.court.derive_salt_with`), as the juror CLI does.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from labeldao.deploy import create_address
from tests.integration import court_steps

LDAO = 10**18
SEAT = 100 * LDAO  # alpha 100 %: a seat locks the whole minimum stake
FEE_PER_JUROR = 10 * LDAO
PERIOD = 600
EPOCH_SECONDS = 600  # the court's stake-snapshot epoch, seconds
STAKE = 2 * SEAT
MULTIPLIER_BPS = 20_000


@pytest.fixture(scope="module")
def people(accounts):
    names = ["deployer", "treasury", "appellant", "defender"]
    people = dict(zip(names, accounts[:4], strict=True))
    people["jurors"] = list(accounts[4:10])
    return people


@pytest.fixture(scope="module")
def system(project, people, mock):
    deployer = people["deployer"]
    token = project.RewardToken.deploy(10**27, sender=deployer)
    token.grantRole(token.MINTER_ROLE(), deployer, sender=deployer)
    randomness = project.PrevrandaoRandomness.deploy(1, sender=deployer)
    lens = project.QualityCourtLens.deploy(sender=deployer)
    # The tree is made for the court's address: the deployer's next creation.
    court_address = create_address(deployer.address, deployer.nonce + 1)
    tree = project.SortitionTree.deploy(EPOCH_SECONDS, court_address, sender=deployer)
    court = project.QualityCourt.deploy(
        token, people["treasury"], randomness, tree, lens, sender=deployer
    )
    court.grantRole(court.PARAMS_ROLE(), deployer, sender=deployer)
    court.set_params(
        (
            SEAT,  # min juror stake
            10_000,  # alpha
            MULTIPLIER_BPS,
            3_600,  # unstake delay
            3,  # panel
            7,  # max panel: one appeal
            2,  # max rounds
            FEE_PER_JUROR,
            PERIOD,
            PERIOD,
            PERIOD,
            2 * PERIOD,
            PERIOD,  # draw timeout
            10_000,  # max dispute lock: the whole court (one appeal of 7 seats)
            randomness.address,
        ),
        sender=deployer,
    )
    arbitrable = mock("MockArbitrable").deploy(court, token, sender=deployer)
    token.mint(arbitrable, 1_000 * LDAO, sender=deployer)
    for account in [people["appellant"], people["defender"], *people["jurors"]]:
        token.mint(account, 1_000 * LDAO, sender=deployer)
        token.approve(court, 2**256 - 1, sender=account)
    return {"token": token, "court": court, "lens": lens, "arbitrable": arbitrable}


def _expected_round(court, lens, dispute, round_, final_ruling, stakes):
    """Each juror's change of holdings in one round, from seats and votes only:
    coherent jurors share fee plus penalties pro rata by seats (the last in
    order takes the dust); incoherent ones lose their locks; silent ones lose
    twice their locks, capped by their stake."""
    info = lens.round_info(court, dispute, round_)
    jurors = [court.round_juror(dispute, round_, i) for i in range(info.jurors)]
    records = {j: lens.juror_round(court, dispute, round_, j) for j in jurors}
    penalties = {}
    for juror, record in records.items():
        lock = record.seats * SEAT
        if not record.revealed:
            penalties[juror] = min(lock * MULTIPLIER_BPS // 10_000, stakes[juror])
        elif record.choice != final_ruling:
            penalties[juror] = lock
    pool = info.fee + sum(penalties.values())
    coherent = [j for j in jurors if j not in penalties]
    seats = sum(records[j].seats for j in coherent)
    rewards, paid = {}, 0
    for i, juror in enumerate(coherent):
        share = pool - paid if i == len(coherent) - 1 else pool * records[juror].seats // seats
        rewards[juror] = share
        paid += share
    return penalties, rewards, (pool if not coherent else 0)


def test_rejected_annotation__through_appeal__to_a_ruling(people, system, chain):
    token, court, arbitrable = system["token"], system["court"], system["arbitrable"]
    jurors = people["jurors"]
    by_address = {j.address: j for j in jurors}
    parties = [arbitrable, people["treasury"], people["appellant"], people["defender"], *jurors]
    start = {p.address if hasattr(p, "address") else p: token.balanceOf(p) for p in parties}

    for juror in jurors:
        court.stake(STAKE, sender=juror)
    court_steps.next_epoch(chain, EPOCH_SECONDS)

    # The requester rejected the work: the escrow (here the mock) opens a dispute.
    arbitrable.create_dispute(2, b"", sender=people["deployer"])
    dispute = 0
    assert system["lens"].dispute_info(court, dispute).arbitrable == arbitrable.address
    first = court_steps.draw(court, chain, people["deployer"], dispute)
    assert first.panel == 3

    # Round 0: the panel says the work stands (1).
    seated = [court.round_juror(dispute, 0, i) for i in range(first.jurors)]
    court_steps.vote(court, chain, by_address, dispute, 0, dict.fromkeys(seated, 1))
    court_steps.travel_to(chain, first.appeal_start)
    assert court.disputeStatus(dispute) == 1
    assert court.currentRuling(dispute) == 1

    # The requester's side appeals (2); the annotator's side defends (1).
    cost = court.appealCost(dispute, (2).to_bytes(32, "big"))
    assert cost == 7 * FEE_PER_JUROR
    court.appeal(dispute, (2).to_bytes(32, "big"), sender=people["appellant"])
    court.appeal(dispute, (1).to_bytes(32, "big"), sender=people["defender"])
    assert system["lens"].dispute_info(court, dispute).rounds == 2

    # Round 1: a 7-seat panel, drawn in batches, rejects the work (2); one
    # juror never reveals, one votes 1.
    second = court_steps.draw(court, chain, people["deployer"], dispute)
    assert second.panel == 7
    seated = [court.round_juror(dispute, 1, i) for i in range(second.jurors)]
    plan = dict.fromkeys(seated, 2)
    plan[seated[0]] = None
    if len(seated) > 2:
        plan[seated[1]] = 1
    court_steps.vote(court, chain, by_address, dispute, 1, plan)
    court_steps.travel_to(chain, second.appeal_end)  # the last round has no appeal period
    assert court.disputeStatus(dispute) == 2
    assert court.currentRuling(dispute) == 2

    # Expected outcome, computed from seats and votes before execution.
    stakes = {j.address: STAKE for j in jurors}
    change = defaultdict(int)
    to_treasury = 0
    for round_ in (0, 1):
        penalties, rewards, lost = _expected_round(
            court, system["lens"], dispute, round_, 2, stakes
        )
        for juror, amount in penalties.items():
            stakes[juror] -= amount
            change[juror] -= amount
        for juror, amount in rewards.items():
            change[juror] += amount
        to_treasury += lost

    # Keepers execute each round in batches, then deliver the ruling.
    for round_ in (0, 1):
        while True:
            info = system["lens"].round_info(court, dispute, round_)
            if info.execution_steps_done == info.execution_steps:
                break
            court.execute(dispute, round_, 3, sender=people["deployer"])
    court.execute_ruling(dispute, sender=people["deployer"])
    assert arbitrable.ruling_of(dispute) == 2
    assert arbitrable.rule_calls(dispute) == 1

    # Everyone leaves: stakes are requested, rewards and refunds withdrawn.
    for juror in jurors:
        status = system["lens"].juror_status(court, juror)
        assert status.locked == 0
        if status.free:
            court.request_unstake(status.free, sender=juror)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 3_600)
    for account in [people["treasury"], people["appellant"], *jurors]:
        if system["lens"].juror_status(court, account).withdrawable_now:
            court.withdraw(sender=account)

    end = {p.address if hasattr(p, "address") else p: token.balanceOf(p) for p in parties}
    delta = {a: end[a] - start[a] for a in start}
    assert delta[arbitrable.address] == -3 * FEE_PER_JUROR
    assert delta[people["appellant"].address] == 0  # the winning side is refunded
    assert delta[people["defender"].address] == -cost  # its deposit paid the 7 jurors
    assert delta[people["treasury"].address] == to_treasury
    for juror in jurors:
        assert delta[juror.address] == change[juror.address], juror.address
    assert sum(delta.values()) == 0
    assert token.balanceOf(court) == 0
    assert court.total_free_stake() == 0
