"""QualityCourt: two-sided appeal funding, bigger panels, default wins, refunds."""

import boa
import pytest

from tests.helpers import events
from tests.unit.court.conftest import (
    FEE_PER_JUROR,
    MIN_STAKE,
    PERIOD_APPEAL,
    PERIOD_EXECUTION,
    PERIOD_REVEAL,
    params_tuple,
)

APPEAL_COST = 7 * FEE_PER_JUROR  # the second panel has 2 * 3 + 1 seats


def side(choice: int) -> bytes:
    """`abi_encode(uint256 side)`."""
    return choice.to_bytes(32, "big")


def to_appeal(flow, keys, dispute, votes=None, choice=1):
    """Draws the current round, votes (all `choice` unless `votes` maps
    seat index -> choice), and travels to its appeal period."""
    flow.draw_all(dispute)
    round_ = flow.current_round(dispute)
    seated = flow.seated(dispute, round_)
    plan = {a: (votes or {}).get(i, choice) for i, a in enumerate(seated)}
    flow.vote(dispute, round_, plan, keys)
    flow.goto(dispute, PERIOD_APPEAL)


def appeal_rounds(court, flow, keys, dispute, rounds, appellant, defender):
    """Votes and appeals `rounds` rounds (the appellant funds side 2, the
    defender side 1), then draws the panel of the round they open."""
    for _ in range(rounds):
        to_appeal(flow, keys, dispute)
        court.appeal(dispute, side(2), sender=appellant)
        court.appeal(dispute, side(1), sender=defender)
    flow.draw_all(dispute)


@pytest.fixture
def appealable(court, flow, keys, whole_seats, pay, appellant, defender):
    """A dispute ruled 1 by its first panel, in its appeal period; the
    appellant and the defender hold and approved enough for one side each."""
    whole_seats(8, seats=4)
    dispute = flow.create()
    to_appeal(flow, keys, dispute)
    pay(appellant, 10 * APPEAL_COST)
    pay(defender, 10 * APPEAL_COST)
    return dispute


def test_appeal_cost__is_the_fee_of_the_next_panel(court, appealable):
    assert court.appealCost(appealable, side(2)) == APPEAL_COST


def test_appeal__one_side__records_funding_without_a_new_round(
    court, lens, appealable, appellant, token
):
    before = token.balanceOf(appellant)
    court.appeal(appealable, side(2), sender=appellant)
    (funded,) = events(court, "AppealFunded")
    assert (funded.side, funded.funder, funded.amount) == (2, appellant, APPEAL_COST)
    assert events(court, "AppealDecision") == []
    assert token.balanceOf(appellant) == before - APPEAL_COST
    funding = court.funding(appealable, 0)
    assert (funding.side_a, funding.funder_a, funding.cost, funding.side_b) == (
        2,
        appellant,
        APPEAL_COST,
        0,
    )
    assert lens.dispute_info(court.address, appealable).rounds == 1


def test_appeal__second_side__raises_the_appeal(court, lens, appealable, appellant, defender):
    court.appeal(appealable, side(2), sender=appellant)
    court.appeal(appealable, side(1), sender=defender)
    (decision,) = events(court, "AppealDecision")
    (opened,) = events(court, "RoundCreated")
    assert decision.dispute_id == appealable
    assert (opened.round, opened.panel, opened.fee) == (1, 7, APPEAL_COST)
    info = lens.dispute_info(court.address, appealable)
    assert info.rounds == 2
    assert lens.round_info(court.address, appealable, 1).panel == 7
    assert court.disputeStatus(appealable) == 0
    assert court.appealPeriod(appealable) == (0, 0)
    assert court.appealCost(appealable, b"") == 15 * FEE_PER_JUROR


def test_appeal__defender_may_fund_first(court, lens, appealable, appellant, defender):
    court.appeal(appealable, side(1), sender=defender)
    court.appeal(appealable, side(2), sender=appellant)
    assert lens.dispute_info(court.address, appealable).rounds == 2


def test_appeal__losing_side_after_half_the_period__reverts(court, appealable, appellant):
    start, end = court.appealPeriod(appealable)
    boa.env.time_travel(seconds=(end - start) // 2)
    with boa.reverts("court: funding window over"):
        court.appeal(appealable, side(2), sender=appellant)


def test_appeal__losing_side_below_the_ruling_after_half_the_period__reverts(
    court, flow, keys, whole_seats, pay, appellant
):
    # Ruled 2: the losing side 1 is a lower number than the ruling, and its
    # window is the first half of the period all the same.
    whole_seats(8, seats=4)
    dispute = flow.create()
    to_appeal(flow, keys, dispute, choice=2)
    assert court.currentRuling(dispute) == 2
    pay(appellant, APPEAL_COST)
    start, end = court.appealPeriod(dispute)
    boa.env.time_travel(seconds=(end - start) // 2)
    with boa.reverts("court: funding window over"):
        court.appeal(dispute, side(1), sender=appellant)


def test_appeal__winning_side_after_half_the_period__succeeds(court, appealable, defender):
    start, end = court.appealPeriod(appealable)
    boa.env.time_travel(seconds=end - start - 1)
    court.appeal(appealable, side(1), sender=defender)
    assert court.funding(appealable, 0).side_a == 1


def test_appeal__counter_funding_after_half_the_period__raises(
    court, lens, appealable, appellant, defender
):
    court.appeal(appealable, side(2), sender=appellant)
    start, end = court.appealPeriod(appealable)
    boa.env.time_travel(seconds=end - boa.env.evm.patch.timestamp - 1)
    court.appeal(appealable, side(1), sender=defender)
    assert lens.dispute_info(court.address, appealable).rounds == 2


def test_appeal__same_side_twice__reverts(court, appealable, appellant, defender):
    court.appeal(appealable, side(2), sender=appellant)
    with boa.reverts("court: side already funded"):
        court.appeal(appealable, side(2), sender=defender)


@pytest.mark.parametrize("choice", [0, 3])
def test_appeal__invalid_side__reverts(court, appealable, appellant, choice):
    with boa.reverts("court: invalid side"):
        court.appeal(appealable, side(choice), sender=appellant)


@pytest.mark.parametrize("data", [b"", b"\x02", side(2) + side(1)])
def test_appeal__extra_data_not_one_word__reverts(court, appealable, appellant, data):
    with boa.reverts("court: extra_data is not a side"):
        court.appeal(appealable, data, sender=appellant)


def test_appeal__unknown_dispute__reverts(court, appellant):
    with boa.reverts("court: unknown dispute"):
        court.appeal(5, side(1), sender=appellant)


def test_appeal__before_the_appeal_period__reverts(court, flow, keys, whole_seats, appellant):
    whole_seats(8, seats=2)  # room for the 7-seat appeal round
    dispute = flow.create()
    flow.draw_all(dispute)
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: not in appeal period"):
        court.appeal(dispute, side(2), sender=appellant)


def test_appeal__after_the_appeal_period__reverts(court, appealable, flow, appellant):
    flow.goto(appealable, PERIOD_EXECUTION)
    with boa.reverts("court: not in appeal period"):
        court.appeal(appealable, side(2), sender=appellant)
    assert court.disputeStatus(appealable) == 2


def test_appeal__without_allowance__reverts(court, appealable, treasury):
    with boa.reverts("erc20: insufficient allowance"):
        court.appeal(appealable, side(2), sender=treasury)


def test_appeal__of_the_last_round__reverts(
    court, lens, flow, keys, whole_seats, pay, appellant, defender
):
    whole_seats(8, seats=4)
    dispute = flow.create()
    pay(appellant, 100 * APPEAL_COST)
    pay(defender, 100 * APPEAL_COST)
    appeal_rounds(court, flow, keys, dispute, 2, appellant, defender)  # rounds 0 and 1
    info = lens.round_info(court.address, dispute, 2)
    assert info.panel == 15
    assert info.appeal_start == info.appeal_end  # no appeal period
    assert court.appealPeriod(dispute) == (0, 0)
    assert court.appealCost(dispute, b"") == 2**256 - 1
    flow.goto(dispute, PERIOD_REVEAL)
    with boa.reverts("court: no more appeals"):
        court.appeal(dispute, side(2), sender=appellant)


def test_appeal__max_rounds_alone__ends_the_appeals(
    court, lens, flow, keys, whole_seats, pay, appellant, defender, governor, randomness
):
    whole_seats(8, seats=4)
    # Two rounds at most; the 15-seat panel limit would allow a third.
    court.set_params(params_tuple(randomness.address, max_rounds=2), sender=governor)
    dispute = flow.create()
    pay(appellant, 10 * APPEAL_COST)
    pay(defender, 10 * APPEAL_COST)
    appeal_rounds(court, flow, keys, dispute, 1, appellant, defender)
    info = lens.round_info(court.address, dispute, 1)
    assert info.panel == 7
    assert info.appeal_start == info.appeal_end  # round 1 is the last
    assert court.appealCost(dispute, b"") == 2**256 - 1


def test_dispute_status__follows_the_periods(court, lens, flow, keys, whole_seats):
    whole_seats(8, seats=2)  # room for the 7-seat appeal round
    dispute = flow.create()
    assert court.disputeStatus(dispute) == 0
    flow.draw_all(dispute)
    flow.goto(dispute, PERIOD_APPEAL)
    assert court.disputeStatus(dispute) == 1
    flow.goto(dispute, PERIOD_EXECUTION)
    assert court.disputeStatus(dispute) == 2
    assert lens.dispute_info(court.address, dispute).final


def test_lone_losing_side__wins_by_default_and_is_refunded(
    court, appealable, flow, appellant, token, lens
):
    pool = lens.round_balance(court.address, appealable, 0)
    court.appeal(appealable, side(2), sender=appellant)
    # The round holds the lone deposit until its execution returns it.
    assert lens.round_balance(court.address, appealable, 0) == pool + APPEAL_COST
    flow.goto(appealable, PERIOD_EXECUTION)
    assert court.currentRuling(appealable) == 2
    flow.execute_all(appealable)
    assert court.claimable(appellant) == APPEAL_COST
    assert lens.round_balance(court.address, appealable, 0) == 0
    # The jurors, who all voted 1, are judged against the jury: all coherent.
    for juror in flow.seated(appealable, 0):
        assert lens.juror_round(court.address, appealable, 0, juror).settled
        assert lens.juror_status(court.address, juror).locked == 0
    assert lens.round_info(court.address, appealable, 0).slashed == 0


def test_lone_winning_side__keeps_the_ruling_and_is_refunded(court, appealable, flow, defender):
    court.appeal(appealable, side(1), sender=defender)
    flow.goto(appealable, PERIOD_EXECUTION)
    assert court.currentRuling(appealable) == 1
    flow.execute_all(appealable)
    assert court.claimable(defender) == APPEAL_COST


def test_appeal_funds__winning_funder_is_refunded(
    court, lens, appealable, flow, keys, appellant, defender
):
    court.appeal(appealable, side(2), sender=appellant)
    court.appeal(appealable, side(1), sender=defender)
    to_appeal(flow, keys, appealable, choice=2)  # the bigger panel overturns
    flow.goto(appealable, PERIOD_EXECUTION)
    assert court.currentRuling(appealable) == 2
    court.execute(appealable, 0, 128)
    (returned,) = events(court, "AppealFundsReturned")
    assert (returned.funder, returned.amount) == (appellant, APPEAL_COST)
    assert court.claimable(defender) == 0
    # The defender's deposit paid the second panel.
    assert lens.round_info(court.address, appealable, 1).fee == APPEAL_COST


def test_appeal_funds__neither_side_wins__funders_share_the_deposit(
    court, flow, keys, whole_seats, pay, appellant, defender
):
    whole_seats(8, seats=4)
    dispute = flow.create(choices=3)
    pay(appellant, 10 * APPEAL_COST)
    pay(defender, 10 * APPEAL_COST)
    to_appeal(flow, keys, dispute, choice=1)
    court.appeal(dispute, side(2), sender=appellant)
    court.appeal(dispute, side(1), sender=defender)
    to_appeal(flow, keys, dispute, choice=3)
    flow.goto(dispute, PERIOD_EXECUTION)
    assert court.currentRuling(dispute) == 3
    court.execute(dispute, 0, 128)
    assert court.claimable(appellant) == APPEAL_COST // 2
    assert court.claimable(defender) == APPEAL_COST - APPEAL_COST // 2


def test_appeal__tie_lets_the_first_side_fund_in_the_first_half_only(
    court, flow, keys, whole_seats, pay, appellant, defender
):
    whole_seats(8, seats=2)
    dispute = flow.create()
    # Seat 0 votes 1, seat 1 votes 2, seat 2 does not reveal: 1-1 tie.
    flow.draw_all(dispute)
    seated = flow.seated(dispute, 0)
    assert len(seated) == 3
    flow.vote(dispute, 0, {seated[0]: 1, seated[1]: 2, seated[2]: None}, keys)
    flow.goto(dispute, PERIOD_APPEAL)
    assert court.currentRuling(dispute) == 0
    pay(appellant, APPEAL_COST)
    pay(defender, APPEAL_COST)
    start, end = court.appealPeriod(dispute)
    boa.env.time_travel(seconds=(end - start) // 2)
    with boa.reverts("court: funding window over"):
        court.appeal(dispute, side(1), sender=defender)


def test_appeal__tie_lets_the_other_side_answer_until_the_end(
    court, lens, flow, keys, whole_seats, pay, appellant, defender
):
    whole_seats(8, seats=2)
    dispute = flow.create()
    flow.draw_all(dispute)
    seated = flow.seated(dispute, 0)
    flow.vote(dispute, 0, {a: 0 for a in seated}, keys)  # refuse: ruling 0
    flow.goto(dispute, PERIOD_APPEAL)
    pay(appellant, APPEAL_COST)
    pay(defender, APPEAL_COST)
    court.appeal(dispute, side(1), sender=appellant)
    start, end = court.appealPeriod(dispute)
    boa.env.time_travel(seconds=end - boa.env.evm.patch.timestamp - 1)
    court.appeal(dispute, side(2), sender=defender)
    assert lens.dispute_info(court.address, dispute).rounds == 2


def test_appeal__raised_round_can_be_drawn_and_voted(
    court, appealable, flow, keys, appellant, defender, lens
):
    court.appeal(appealable, side(2), sender=appellant)
    court.appeal(appealable, side(1), sender=defender)
    flow.draw_all(appealable)
    seated = flow.seated(appealable, 1)
    assert sum(lens.juror_round(court.address, appealable, 1, a).seats for a in seated) == 7
    assert all(lens.juror_round(court.address, appealable, 1, a).seats <= 4 for a in seated)
    assert lens.round_info(court.address, appealable, 1).seat_lock == MIN_STAKE


def test_appeal__underfunded__reverts_and_records_nothing(court, appealable, token):
    poor = boa.env.generate_address("poor-appellant")
    token.approve(court.address, APPEAL_COST, sender=poor)
    with boa.reverts("erc20: transfer amount exceeds balance"):
        court.appeal(appealable, side(2), sender=poor)
    assert court.funding(appealable, 0).side_a == 0
