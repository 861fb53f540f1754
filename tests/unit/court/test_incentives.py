"""QualityCourt against the attacks of issue 14 (docs/THREATS.md, QualityCourt):
parties never judge their own case (attack 4), a dispute nobody can judge
ends (attack 5), appeals cannot freeze the court or grind its draw
(attack 3), and a pause decides nothing (attack 6, the court's side)."""

from math import comb

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from tests.helpers import events
from tests.unit.court.conftest import (
    FEE_PER_JUROR,
    LDAO,
    MIN_STAKE,
    PERIOD_APPEAL,
    PERIOD_EXECUTION,
    params_tuple,
)

FEE = 3 * FEE_PER_JUROR  # round 0: three seats
APPEAL_COST = 7 * FEE_PER_JUROR  # round 1: seven seats
ANNOTATOR = "0x00000000000000000000000000000000000A1100"
DAY = 86_400


def side(choice: int) -> bytes:
    return choice.to_bytes(32, "big")


def parties(payer: str, other: str) -> bytes:
    """The arbitrable's extra data: `abi_encode(payer, other_party)`."""
    return encode(["address", "address"], [payer, other])


def vote_all(flow, keys, dispute, choice):
    """Draws the current round, everyone votes `choice`, to its appeal period."""
    flow.draw_all(dispute)
    round_ = flow.current_round(dispute)
    flow.vote(dispute, round_, dict.fromkeys(flow.seated(dispute, round_), choice), keys)
    flow.goto(dispute, PERIOD_APPEAL)


def past_deadline(court, lens, dispute):
    """Travels to the round's draw deadline."""
    now = boa.env.evm.patch.timestamp
    boa.env.time_travel(seconds=max(lens.draw_deadline(court.address, dispute) - now, 0))


# -- attack 4: a party on its own panel ------------------------------------------


def test_party__holding_most_of_the_stake__is_never_seated(
    court, lens, arbitrable, stake, jurors, flow
):
    requester = jurors[0]
    stake(requester, 10_000 * LDAO)  # 95 % of the court
    for juror in jurors[1:6]:
        stake(juror, 100 * LDAO)
    flow.next_epoch()
    dispute = arbitrable.create_dispute(2, parties(requester.address, ANNOTATOR))
    assert court.parties(dispute) == (requester.address, ANNOTATOR)
    flow.draw_all(dispute)
    assert requester.address not in flow.seated(dispute, 0)
    # Its tickets (about 95 % of them) were failed attempts.
    assert lens.round_info(court.address, dispute, 0).draw_attempts > 3
    assert lens.juror_status(court.address, requester.address).locked == 0


def test_party__alone_in_the_court__gets_no_seat_and_the_dispute_ends_refused(
    court, arbitrable, stake, jurors, flow, lens, token
):
    """Attack 4 played: the requester stakes, then rejects. Before, it held
    every seat and won; now it is never drawn, the dispute ends with ruling
    0 and its fee comes back to it: it gains nothing."""
    requester = jurors[0]
    stake(requester, 1_000 * LDAO)
    flow.next_epoch()
    arbitrable_before = token.balanceOf(arbitrable.address)
    dispute = arbitrable.create_dispute(2, parties(requester.address, ANNOTATOR))
    assert token.balanceOf(arbitrable.address) == arbitrable_before - FEE
    with boa.reverts("court: too little drawable stake"):
        court.draw(dispute, 64)
    with boa.reverts("court: draw deadline not over"):
        court.close_undrawn(dispute)
    past_deadline(court, lens, dispute)
    court.close_undrawn(dispute)
    (closed,) = events(court, "RoundClosed")
    assert (closed.round, closed.refunded_to, closed.refund) == (0, requester.address, FEE)
    assert court.disputeStatus(dispute) == 2
    court.execute_ruling(dispute)
    assert arbitrable.ruling_of(dispute) == 0
    # The requester's stake was never locked; the fee is its own again.
    status = lens.juror_status(court.address, requester.address)
    assert (status.locked, status.free, status.claimable) == (0, 1_000 * LDAO, FEE)
    with boa.reverts("court: panel already drawn"):
        court.close_undrawn(dispute)


# -- attack 5: nobody to judge -----------------------------------------------------


def test_no_stake__dispute_closes_at_its_deadline_with_ruling_zero_and_refund(
    court, arbitrable, flow, lens, token
):
    dispute = flow.create()  # no parties in the extra data: the arbitrable paid
    deadline = lens.draw_deadline(court.address, dispute)
    info = lens.round_info(court.address, dispute, 0)
    assert deadline == info.evidence_end + court.params(court.params_version()).draw_timeout
    boa.env.time_travel(seconds=deadline - boa.env.evm.patch.timestamp - 1)
    with boa.reverts("court: draw deadline not over"):
        court.close_undrawn(dispute)
    boa.env.time_travel(seconds=1)
    court.close_undrawn(dispute)
    assert court.claimable(arbitrable.address) == FEE
    assert lens.round_info(court.address, dispute, 0).period == PERIOD_EXECUTION
    court.execute_ruling(dispute)
    assert arbitrable.ruling_of(dispute) == 0
    assert token.balanceOf(court.address) == FEE  # all of it owed to the payer


def test_partly_drawn_round__closed__releases_every_seat_without_penalty(
    court, governor, randomness, arbitrable, stake, jurors, flow, lens
):
    # Seven seats of 20 LDAO from 200 LDAO: drawing starts, then the jurors
    # leave with their free stake and the panel can never be completed.
    court.set_params(params_tuple(randomness.address, panel_size=7), sender=governor)
    stake(jurors[0], MIN_STAKE)
    stake(jurors[1], MIN_STAKE)
    flow.next_epoch()
    dispute = flow.create()
    assert court.draw(dispute, 2) == 2
    for juror in jurors[:2]:
        free = lens.juror_status(court.address, juror.address).free
        if free:
            court.request_unstake(free, sender=juror.address)
    flow.next_epoch()
    assert court.draw(dispute, 1) == 0  # a new snapshot: new randomness
    with boa.reverts("court: too little drawable stake"):
        court.draw(dispute, 64)
    past_deadline(court, lens, dispute)
    court.close_undrawn(dispute)
    flow.execute_all(dispute)
    for juror in jurors[:2]:
        status = lens.juror_status(court.address, juror.address)
        assert (status.locked, status.open_rounds) == (0, 0)
        assert status.free + status.pending_withdrawal == MIN_STAKE  # no penalty
    assert court.claimable(arbitrable.address) == 7 * FEE_PER_JUROR
    assert lens.round_balance(court.address, dispute, 0) == 0


# -- attack 3: freezing the court, grinding the draw --------------------------------


def test_appeal__beyond_the_lock_cap__is_refused_and_the_ruling_is_final(
    court, governor, randomness, flow, keys, whole_seats, pay, lens
):
    """Attack 3 played: one funder would push the dispute to a panel the
    court cannot seat. With the default cap (50 % of the court's stake per
    dispute) round 0 has no appeal period; another dispute is still drawn."""
    seated = whole_seats(8, seats=2)  # 16 seats' worth
    court.set_params(
        params_tuple(randomness.address, alpha_bps=10_000, max_dispute_lock_bps=5_000),
        sender=governor,
    )
    dispute = flow.create()
    vote_all(flow, keys, dispute, 1)
    # 3 + 7 seats > 50 % of 16: no appeal window, the ruling is final.
    assert court.appealCost(dispute, side(2)) == 2**256 - 1
    assert court.appealPeriod(dispute) == (0, 0)
    assert court.disputeStatus(dispute) == 2
    griefer = seated[0].address
    pay(griefer, 2 * APPEAL_COST)
    with boa.reverts("court: no more appeals"):
        court.appeal(dispute, side(2), sender=griefer)
    other = flow.create()
    flow.draw_all(other)  # the court is not frozen
    assert lens.round_info(court.address, other, 0).drawn == 3


# Seat lock L = 100 LDAO, cap 50 %. Round 0 holds 3 L and the next round
# would add 7 L: it is the last round while 10 L > 50 % of (free stake + 3 L),
# i.e. while the free stake left after the draw is below 17 L.
@pytest.mark.parametrize(
    ("count", "seats", "final"),
    [(6, 3, True), (5, 4, False)],  # 18 L staked: 15 L free; 20 L: 17 L free
)
def test_appeal__lock_cap_counts_the_locks_already_held(
    court, governor, randomness, flow, keys, whole_seats, count, seats, final
):
    whole_seats(count, seats=seats)
    court.set_params(
        params_tuple(randomness.address, alpha_bps=10_000, max_dispute_lock_bps=5_000),
        sender=governor,
    )
    dispute = flow.create()
    vote_all(flow, keys, dispute, 1)
    assert court.total_free_stake() == (count * seats - 3) * MIN_STAKE
    assert (court.appealPeriod(dispute) == (0, 0)) is final
    assert (court.appealCost(dispute, side(2)) == 2**256 - 1) is final


def test_appeal__both_sides_by_one_funder__costs_the_round_fee(
    court, lens, flow, keys, whole_seats, pay, appellant, token
):
    """A grind attempt (funding both sides to redraw) costs the griefer one
    deposit, the whole fee of the round it buys, which goes to its jurors."""
    whole_seats(8, seats=4)
    dispute = flow.create()
    vote_all(flow, keys, dispute, 1)
    pay(appellant, 2 * APPEAL_COST)
    before = token.balanceOf(appellant)
    court.appeal(dispute, side(2), sender=appellant)
    court.appeal(dispute, side(1), sender=appellant)
    assert lens.round_info(court.address, dispute, 1).fee == APPEAL_COST
    vote_all(flow, keys, dispute, 2)
    flow.goto(dispute, PERIOD_EXECUTION)
    flow.execute_all(dispute)
    court.withdraw(sender=appellant)
    assert before - token.balanceOf(appellant) == APPEAL_COST  # one deposit lost
    paid = lens.round_info(court.address, dispute, 1)
    assert paid.rewarded + paid.to_treasury >= APPEAL_COST  # to its jurors


# Either ruling: the round-0 jury's ruling stands whichever side it is.
@pytest.mark.parametrize("ruling", [1, 2])
def test_appeal_round_never_drawn__appeal_fails_and_both_deposits_return(
    court, flow, keys, whole_seats, pay, appellant, defender, jurors, lens, ruling
):
    seated = whole_seats(8, seats=2)
    dispute = flow.create()
    vote_all(flow, keys, dispute, ruling)
    pay(appellant, APPEAL_COST)
    pay(defender, APPEAL_COST)
    court.appeal(dispute, side(3 - ruling), sender=appellant)
    court.appeal(dispute, side(ruling), sender=defender)
    # Every juror leaves with their free stake: round 1 cannot be drawn.
    for juror in seated:
        free = lens.juror_status(court.address, juror.address).free
        if free:
            court.request_unstake(free, sender=juror.address)
    flow.next_epoch()
    court.draw(dispute, 1)  # new snapshot: new randomness
    with boa.reverts("court: too little drawable stake"):
        court.draw(dispute, 64)
    past_deadline(court, lens, dispute)
    court.close_undrawn(dispute)
    (closed,) = events(court, "RoundClosed")
    assert (closed.round, closed.refunded_to, closed.refund) == (1, defender, APPEAL_COST)
    # Appealing into a thin court does not force ruling 0: round 0 stands.
    assert court.currentRuling(dispute) == ruling
    flow.execute_all(dispute)
    assert court.claimable(appellant) == APPEAL_COST
    assert court.claimable(defender) == APPEAL_COST
    court.execute_ruling(dispute)
    for juror in jurors[:8]:
        assert lens.juror_status(court.address, juror.address).locked == 0


# -- attack 6: pauses --------------------------------------------------------------


def test_pause__stops_the_draw_deadline_and_moves_it_by_its_length(court, flow, lens, guardian):
    dispute = flow.create()
    deadline = lens.draw_deadline(court.address, dispute)
    paused_at = boa.env.evm.patch.timestamp
    court.pause(sender=guardian)
    boa.env.time_travel(seconds=deadline - paused_at + DAY)
    # A day past the deadline, but the court was paused all along.
    with boa.reverts("court: draw deadline not over"):
        court.close_undrawn(dispute)
    unpaused_at = boa.env.evm.patch.timestamp
    court.unpause(sender=guardian)
    moved = lens.draw_deadline(court.address, dispute)
    assert moved == deadline + (unpaused_at - paused_at)
    boa.env.time_travel(seconds=moved - boa.env.evm.patch.timestamp - 1)
    with boa.reverts("court: draw deadline not over"):
        court.close_undrawn(dispute)
    boa.env.time_travel(seconds=1)
    court.close_undrawn(dispute)


def test_pause__draw_commit_reveal_and_appeal_keep_working(
    court, lens, flow, keys, whole_seats, pay, appellant, defender, guardian
):
    whole_seats(8, seats=2)
    dispute = flow.create()
    court.pause(sender=guardian)
    vote_all(flow, keys, dispute, 1)  # draw, commit, reveal while paused
    pay(appellant, APPEAL_COST)
    pay(defender, APPEAL_COST)
    court.appeal(dispute, side(2), sender=appellant)
    court.appeal(dispute, side(1), sender=defender)
    assert lens.dispute_info(court.address, dispute).rounds == 2
    court.unpause(sender=guardian)


# -- measured: a stake holder's chance to control a panel ----------------------------

# A holder of `share` of the drawable stake (the rest spread over other
# jurors) wins a panel majority with probability P. Exact: the draw takes
# seat-lock units without replacement from the stake (hypergeometric over
# N units); the table in docs/THREATS.md is this one, for N = 1,000.
PANELS = (3, 7, 15)
SHARES = (10, 30, 49)
UNITS = 1_000


def majority_probability(panel: int, share_pct: int, units: int = UNITS) -> float:
    """P(at least panel // 2 + 1 of `panel` units drawn without replacement
    from `units`, `share_pct` % of them the holder's)."""
    mine = units * share_pct // 100
    need = panel // 2 + 1
    total = comb(units, panel)
    return (
        sum(comb(mine, k) * comb(units - mine, panel - k) for k in range(need, panel + 1)) / total
    )


def empirical_majority(panel: int, share_pct: int, trials: int) -> float:
    """The court's draw, replayed: tickets `keccak(seed, dispute, round,
    attempt) % total` over the snapshot, each seat removing one lock."""
    mine = UNITS * share_pct // 100
    wins = 0
    for dispute in range(trials):
        left_mine, left_total, held = mine, UNITS, 0
        for attempt in range(panel):
            digest = keccak(encode(["uint256"] * 4, [12_345, dispute, 0, attempt]))
            ticket = int.from_bytes(digest, "big") % left_total
            if ticket < left_mine:
                left_mine -= 1
                held += 1
            left_total -= 1
        wins += held > panel // 2
    return wins / trials


@pytest.mark.parametrize("panel", PANELS)
@pytest.mark.parametrize("share", SHARES)
def test_majority_probability__exact_matches_the_seeded_draw(panel, share):
    exact = majority_probability(panel, share)
    empirical = empirical_majority(panel, share, trials=2_000)
    # Four standard errors of a 2,000-trial frequency.
    assert abs(empirical - exact) <= 4 * (exact * (1 - exact) / 2_000) ** 0.5 + 1e-9


def test_majority_probability__table_of_docs_threats():
    table = {(p, s): round(majority_probability(p, s), 4) for p in PANELS for s in SHARES}
    assert table[(3, 10)] < 0.03 and table[(15, 10)] < 1e-4
    assert table[(3, 49)] > table[(7, 49)] > table[(15, 49)]
    assert all(table[(p, 49)] < 0.5 for p in PANELS)
    print({f"panel {p}, {s} %": v for (p, s), v in table.items()})
