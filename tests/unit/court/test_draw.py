"""QualityCourt: drawing panels from the stake snapshot, in batches."""

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.court.conftest import (
    EPOCH_SECONDS,
    HOUR,
    LDAO,
    MIN_STAKE,
    PERIOD_APPEAL,
    PERIOD_COMMIT,
    PERIOD_EVIDENCE,
    PERIOD_EXECUTION,
    PERIOD_REVEAL,
    SEAT_LOCK,
)


def _seats(court, dispute, round_, juror):
    lens = deployer("QualityCourtLens").at(court.LENS())
    return lens.juror_round(court.address, dispute, round_, juror).seats


def test_draw__full_panel__locks_seats_and_fixes_the_timetable(court, flow, staked, lens):
    staked(5)
    dispute = flow.create()
    assert court.draw(dispute, 3) == 3
    drawn = events(court, "SeatDrawn")
    (panel,) = events(court, "PanelDrawn")
    (possible,) = events(court, "AppealPossible")
    info = lens.round_info(court.address, dispute, 0)
    assert [e.seat for e in drawn] == [0, 1, 2]
    assert info.drawn == 3
    assert info.commit_start == info.evidence_end
    assert info.reveal_start == info.commit_start + HOUR
    assert info.appeal_start == info.reveal_start + HOUR
    assert info.appeal_end == info.appeal_start + 2 * HOUR
    assert (panel.commit_start, panel.appeal_end) == (info.commit_start, info.appeal_end)
    assert possible.dispute_id == dispute
    assert court.appealPeriod(dispute) == (info.appeal_start, info.appeal_end)
    seated = flow.seated(dispute, 0)
    assert sum(_seats(court, dispute, 0, j) for j in seated) == 3
    for juror in seated:
        seats = _seats(court, dispute, 0, juror)
        status = lens.juror_status(court.address, juror)
        assert status.locked == seats * SEAT_LOCK
        assert status.free == 500 * LDAO - seats * SEAT_LOCK
        assert status.open_rounds == 1 == lens.open_rounds(court.address, juror)
        assert lens.juror_round(court.address, dispute, 0, juror).locked == seats * SEAT_LOCK
    assert court.total_free_stake() == 5 * 500 * LDAO - 3 * SEAT_LOCK


def test_draw__in_batches__completes_the_panel(court, lens, flow, staked):
    staked(5)
    dispute = flow.create()
    assert court.draw(dispute, 1) == 1
    assert lens.round_info(court.address, dispute, 0).drawn == 1
    assert events(court, "PanelDrawn") == []
    assert court.draw(dispute, 2) == 2
    assert lens.round_info(court.address, dispute, 0).drawn == 3


def test_draw__after_the_evidence_period__starts_commit_now(court, lens, flow, staked, randomness):
    staked(3)
    randomness.set_automatic(False)
    dispute = flow.create()
    boa.env.time_travel(seconds=2 * HOUR)
    flow.next_epoch()
    court.draw(dispute, 3)  # the snapshot epoch is over: asks again
    randomness.set_value(lens.round_info(court.address, dispute, 0).randomness_request, 12345)
    court.draw(dispute, 3)
    info = lens.round_info(court.address, dispute, 0)
    assert info.commit_start == boa.env.evm.patch.timestamp
    assert info.period == PERIOD_COMMIT


@pytest.mark.parametrize("max_seats", [0, 65])
def test_draw__batch_size_out_of_range__reverts(court, flow, staked, max_seats):
    staked(3)
    dispute = flow.create()
    with boa.reverts("court: batch size out of range"):
        court.draw(dispute, max_seats)


def test_draw__unknown_dispute__reverts(court):
    with boa.reverts("court: unknown dispute"):
        court.draw(3, 3)


def test_draw__when_panel_is_complete__reverts(court, flow, staked):
    staked(3)
    dispute = flow.create()
    flow.draw_all(dispute)
    with boa.reverts("court: panel already drawn"):
        court.draw(dispute, 1)


def test_draw__before_randomness_is_ready__reverts(court, lens, flow, staked, randomness):
    staked(3)
    randomness.set_automatic(False)
    dispute = flow.create()
    with boa.reverts("court: randomness not ready"):
        court.draw(dispute, 3)
    randomness.set_value(lens.round_info(court.address, dispute, 0).randomness_request, 99)
    assert court.draw(dispute, 3) == 3


def test_draw__with_no_stake__reverts(court, flow):
    dispute = flow.create()
    with boa.reverts("court: too little drawable stake"):
        court.draw(dispute, 3)


def test_draw__in_a_later_epoch__requests_new_randomness(court, lens, flow, staked, randomness):
    staked(3)
    dispute = flow.create()
    first = lens.round_info(court.address, dispute, 0)
    flow.next_epoch()
    assert court.draw(dispute, 3) == 0
    (requested,) = events(court, "DrawRequested")
    info = lens.round_info(court.address, dispute, 0)
    assert info.drawn == 0
    assert info.draw_epoch == first.draw_epoch + 1 == requested.epoch
    assert info.randomness_request == first.randomness_request + 1 == requested.request_id
    assert randomness.request_count() == 2
    assert court.draw(dispute, 3) == 3


def test_draw__stake_added_after_the_request__has_no_weight(court, flow, stake, jurors):
    stake(jurors[0], MIN_STAKE)
    flow.next_epoch()
    dispute = flow.create()
    stake(jurors[1], 100_000 * LDAO)  # 1,000 times more, after the request
    flow.draw_all(dispute)
    assert flow.seated(dispute, 0) == [jurors[0].address]
    assert _seats(court, dispute, 0, jurors[0].address) == 3


def test_draw__stake_added_between_batches__has_no_weight(court, flow, stake, jurors):
    stake(jurors[0], MIN_STAKE)
    flow.next_epoch()
    dispute = flow.create()
    court.draw(dispute, 1)
    stake(jurors[1], 100_000 * LDAO)
    court.draw(dispute, 2)
    assert flow.seated(dispute, 0) == [jurors[0].address]


def test_draw__juror_who_left_after_the_snapshot__is_skipped(court, lens, flow, stake, jurors):
    stake(jurors[0], MIN_STAKE)
    flow.next_epoch()
    dispute = flow.create()
    court.request_unstake(MIN_STAKE, sender=jurors[0].address)
    assert court.draw(dispute, 5) == 0
    skipped = events(court, "DrawSkipped")
    assert [s.attempt for s in skipped] == [0, 1, 2, 3, 4]
    assert all(s.juror == jurors[0].address for s in skipped)
    assert lens.round_info(court.address, dispute, 0).draw_attempts == 5


def test_draw__never_gives_a_seat_that_the_stake_cannot_cover(court, lens, flow, stake, jurors):
    stake(jurors[0], 130 * LDAO)  # six seat locks and 10 LDAO of residue
    flow.next_epoch()
    first, second, third = flow.create(), flow.create(), flow.create()
    flow.draw_all(first)
    flow.draw_all(second)
    assert _seats(court, first, 0, jurors[0].address) == 3
    assert _seats(court, second, 0, jurors[0].address) == 3
    status = lens.juror_status(court.address, jurors[0].address)
    assert (status.locked, status.free) == (6 * SEAT_LOCK, 10 * LDAO)
    assert status.drawable_this_epoch == 10 * LDAO
    assert all(s.juror == jurors[0].address for s in events(court, "DrawSkipped"))
    with boa.reverts("court: panel already drawn"):
        court.draw(first, 1)
    # The residue cannot cover a panel: the third dispute is not drawn at all.
    with boa.reverts("court: too little drawable stake"):
        court.draw(third, 64)
    assert lens.round_info(court.address, third, 0).drawn == 0


def test_draw__when_the_snapshot_is_used_up__reverts(court, lens, flow, stake, jurors):
    stake(jurors[0], MIN_STAKE)  # exactly five seats
    flow.next_epoch()
    first, second = flow.create(), flow.create()
    flow.draw_all(first)
    assert court.drawable_stake() == 2 * SEAT_LOCK
    # Two seats' worth left for a three-seat panel: no seat is drawn.
    with boa.reverts("court: too little drawable stake"):
        court.draw(second, 64)
    assert lens.round_info(court.address, second, 0).drawn == 0


def test_draw__follows_the_published_ticket_formula(court, lens, flow, stake, jurors, randomness):
    amounts = [100, 300, 200, 400]
    for juror, amount in zip(jurors[:4], amounts, strict=True):
        stake(juror, amount * LDAO)
    flow.next_epoch()
    dispute = flow.create()
    info = lens.round_info(court.address, dispute, 0)
    seed = int.from_bytes(keccak(encode(["uint256", "uint256"], [7, info.randomness_request])))
    seed |= 1
    weights = [a * LDAO for a in amounts]
    expected = []
    for attempt in range(3):
        ticket = int.from_bytes(
            keccak(encode(["uint256"] * 4, [seed, dispute, 0, attempt])), "big"
        ) % sum(weights)
        leaf = 0
        while ticket >= weights[leaf]:
            ticket -= weights[leaf]
            leaf += 1
        expected.append(jurors[leaf].address)
        weights[leaf] -= SEAT_LOCK
    court.draw(dispute, 3)
    assert [e.juror for e in events(court, "SeatDrawn")] == expected


def test_draw__requests_at_creation_use_the_creation_epoch(court, lens, flow, staked):
    staked(3)
    boa.env.time_travel(seconds=EPOCH_SECONDS - 1 - boa.env.evm.patch.timestamp % EPOCH_SECONDS)
    dispute = flow.create()  # last second of an epoch
    assert lens.round_info(court.address, dispute, 0).draw_epoch == court.current_epoch()
    boa.env.time_travel(seconds=1)
    assert court.draw(dispute, 3) == 0  # the epoch turned: a new request
    assert court.draw(dispute, 3) == 3


def test_periods__follow_the_timetable(court, lens, flow, staked):
    staked(3)
    dispute = flow.create()
    flow.draw_all(dispute)
    info = lens.round_info(court.address, dispute, 0)
    expected = [
        (info.commit_start - 1, PERIOD_EVIDENCE),
        (info.commit_start, PERIOD_COMMIT),
        (info.reveal_start - 1, PERIOD_COMMIT),
        (info.reveal_start, PERIOD_REVEAL),
        (info.appeal_start - 1, PERIOD_REVEAL),
        (info.appeal_start, PERIOD_APPEAL),
        (info.appeal_end - 1, PERIOD_APPEAL),
        (info.appeal_end, PERIOD_EXECUTION),
    ]
    for timestamp, period in expected:
        boa.env.time_travel(seconds=timestamp - boa.env.evm.patch.timestamp)
        assert lens.round_info(court.address, dispute, 0).period == period, timestamp
    assert lens.dispute_info(court.address, dispute).final


def test_epoch__counts_seconds_not_blocks(court, flow):
    """The snapshot epoch is `block.timestamp // epoch_seconds()`: blocks
    without time (an L2's many blocks a second, Arbitrum's L1-estimate
    `block.number`) do not turn it; time does."""
    flow.next_epoch()
    epoch = court.current_epoch()
    boa.env.evm.patch.block_number += 10 * EPOCH_SECONDS
    assert court.current_epoch() == epoch
    boa.env.time_travel(seconds=EPOCH_SECONDS - 1)
    assert court.current_epoch() == epoch
    boa.env.time_travel(seconds=1)
    assert court.current_epoch() == epoch + 1
