# pragma version ~=0.4.3
# pragma nonreentrancy off
# pragma optimize codesize
"""
@title LabelDAO QualityCourt lens
@custom:contract-name QualityCourtLens
@license GNU Affero General Public License v3.0 only
@notice The court's parameter bounds and its read-only views: the court
        serves packed records (`juror_slots`, `round_slots`) and the lens
        decodes them (`juror_status`, `round_info`, `dispute_info`, ...),
        so that the court fits EIP-170 (docs/decisions.md, QualityCourt
        "Code size"). A revert for an unknown dispute or round says what
        the court's own views said ("court: unknown ..."). Stateless:
        deployed before the court, which calls `check_params` from
        `set_params` (it is the court's `LENS`), and serving any court
        passed to its views.
@custom:security `check_params` only reads its argument; a revert here
                 reverts the court's `set_params` with the same reason.
"""


from .interfaces import IArbitrator
from .interfaces import IQualityCourt
from .interfaces import IQualityCourtLens
implements: IQualityCourtLens


# @dev Periods of a round (`round_info().period`).
PERIOD_EVIDENCE: public(constant(uint256)) = 0
PERIOD_COMMIT: public(constant(uint256)) = 1
PERIOD_REVEAL: public(constant(uint256)) = 2
PERIOD_APPEAL: public(constant(uint256)) = 3
PERIOD_EXECUTION: public(constant(uint256)) = 4


# @dev A round's packed records, as the court's `round_slots` returns them.
struct RoundSlots:
    vote: uint256
    tally: uint256
    timetable: uint256
    state: uint256
    request: uint256
    record: uint256
    book: IQualityCourt.RoundBook


# @dev Basis points.
_BPS: constant(uint256) = 10_000

# @dev Most choices of a dispute.
MAX_CHOICES: constant(uint256) = 14

# @dev Layouts of the court's packed records (QualityCourt.vy states them).
_MASK16: constant(uint256) = 2**16 - 1
_VOTE_COMMITTED: constant(uint256) = 1
_VOTE_REVEALED: constant(uint256) = 2
_VOTE_SETTLED: constant(uint256) = 4
_VOTE_CHOICE_SHIFT: constant(uint256) = 8
_VOTE_SEATS_SHIFT: constant(uint256) = 16
_VOTE_COMMITMENT_MASK: constant(uint256) = ~(2**32 - 1)
_MASK32: constant(uint256) = 2**32 - 1
_MASK40: constant(uint256) = 2**40 - 1
_MASK56: constant(uint256) = 2**56 - 1
_MASK96: constant(uint256) = 2**96 - 1
_TIMETABLE_DRAWN_SHIFT: constant(uint256) = 16
_TIMETABLE_JURORS_SHIFT: constant(uint256) = 32
_TIMETABLE_COMMIT_SHIFT: constant(uint256) = 56
_TIMETABLE_REVEAL_SHIFT: constant(uint256) = 96
_TIMETABLE_APPEAL_SHIFT: constant(uint256) = 136
_TIMETABLE_APPEAL_END_SHIFT: constant(uint256) = 176
_TIMETABLE_DEADLINE_SHIFT: constant(uint256) = 216
_TIMETABLE_CLOSED: constant(uint256) = 1 << 255
_MASK39: constant(uint256) = 2**39 - 1
_DRAW_EPOCH_SHIFT: constant(uint256) = 40
_DRAW_ATTEMPTS_SHIFT: constant(uint256) = 96
_DRAW_SEAT_LOCK_SHIFT: constant(uint256) = 128
_DRAW_SOURCE_SHIFT: constant(uint256) = 224
_DISPUTE_VERSION_SHIFT: constant(uint256) = 160
_DISPUTE_ROUNDS_SHIFT: constant(uint256) = 192
_DISPUTE_CHOICES_SHIFT: constant(uint256) = 200
_DISPUTE_RULED: constant(uint256) = 1 << 208
_JUROR_PENDING_SHIFT: constant(uint256) = 96
_JUROR_ROUNDS_SHIFT: constant(uint256) = 192
_ACCOUNT_UNLOCK_SHIFT: constant(uint256) = 192
_CLAIMABLE_MASK: constant(uint256) = 2**192 - 1

# @dev Parameter bounds (the court's `set_params` NatSpec states them).
MAX_PANEL: constant(uint256) = 1_023
MAX_ROUNDS: constant(uint256) = 10
MIN_JUROR_STAKE_FLOOR: constant(uint256) = 10**18
MIN_JUROR_STAKE_CEILING: constant(uint256) = 10**27
MAX_NON_REVEAL_MULTIPLIER_BPS: constant(uint256) = 10 * _BPS
MIN_UNSTAKE_DELAY: constant(uint256) = 60
MAX_UNSTAKE_DELAY: constant(uint256) = 365 * 86_400
MAX_FEE_PER_JUROR: constant(uint256) = 10**24
MIN_PERIOD: constant(uint256) = 60
MAX_PERIOD: constant(uint256) = 30 * 86_400


@external
@view
def check_params(new_params: IQualityCourt.Params) -> bool:
    """
    @dev Reverts unless every parameter is within the court's bounds:
         `min_juror_stake` 1 to 10**9 LDAO; `alpha_bps` 1 to 10,000;
         `non_reveal_multiplier_bps` 10,000 to 100,000; `unstake_delay`
         1 minute to 365 days; `panel_size` 1 to `max_panel`; `max_panel`
         up to 1,023; `max_rounds` 1 to 10; `fee_per_juror` up to 10**6
         LDAO; every period and `draw_timeout` 1 minute to 30 days;
         `max_dispute_lock_bps` 1 to 10,000; `randomness` a contract.
    @param new_params The parameters.
    @return bool True (it reverts otherwise).
    """
    assert (
        new_params.min_juror_stake >= MIN_JUROR_STAKE_FLOOR and new_params.min_juror_stake <= MIN_JUROR_STAKE_CEILING
    ), "court: min stake out of range"
    assert new_params.alpha_bps >= 1 and new_params.alpha_bps <= _BPS, "court: alpha out of range"
    assert (
        new_params.non_reveal_multiplier_bps >= _BPS and new_params.non_reveal_multiplier_bps <= MAX_NON_REVEAL_MULTIPLIER_BPS
    ), "court: multiplier out of range"
    assert (
        new_params.unstake_delay >= MIN_UNSTAKE_DELAY and new_params.unstake_delay <= MAX_UNSTAKE_DELAY
    ), "court: delay out of range"
    assert new_params.max_panel >= 1 and new_params.max_panel <= MAX_PANEL, "court: max panel out of range"
    assert new_params.panel_size >= 1 and new_params.panel_size <= new_params.max_panel, "court: panel size out of range"
    assert new_params.max_rounds >= 1 and new_params.max_rounds <= MAX_ROUNDS, "court: max rounds out of range"
    assert new_params.fee_per_juror <= MAX_FEE_PER_JUROR, "court: fee out of range"
    assert new_params.evidence_period >= MIN_PERIOD and new_params.evidence_period <= MAX_PERIOD, "court: evidence out of range"
    assert new_params.commit_period >= MIN_PERIOD and new_params.commit_period <= MAX_PERIOD, "court: commit out of range"
    assert new_params.reveal_period >= MIN_PERIOD and new_params.reveal_period <= MAX_PERIOD, "court: reveal out of range"
    assert new_params.appeal_period >= MIN_PERIOD and new_params.appeal_period <= MAX_PERIOD, "court: appeal out of range"
    assert new_params.draw_timeout >= MIN_PERIOD and new_params.draw_timeout <= MAX_PERIOD, "court: draw timeout out of range"
    assert (
        new_params.max_dispute_lock_bps >= 1 and new_params.max_dispute_lock_bps <= _BPS
    ), "court: lock share out of range"
    assert new_params.randomness.is_contract, "court: randomness not a contract"
    return True


@external
@view
def juror_status(court: IQualityCourt, juror: address) -> IQualityCourt.JurorStatus:
    """
    @dev Returns where a juror's stake is and why: `free` (drawable, in
         the tree), `locked` (held by seats in `open_rounds` rounds until
         each is executed; see `juror_round` and the `SeatDrawn` events),
         `pending_withdrawal` (leaves at `unlock_time`), `claimable`
         (rewards and refunds), `withdrawable_now` (what `withdraw` pays
         now) and `drawable_this_epoch` (the snapshot stake draws of the
         current epoch see; stake added this epoch counts from the next).
    @param court The court.
    @param juror The juror.
    @return JurorStatus The status.
    """
    return self._juror_status(court, juror)


@external
@view
def round_info(court: IQualityCourt, dispute_id: uint256, round: uint256) -> IQualityCourt.RoundInfo:
    """
    @dev Returns a round's timetable, draw state and accounting.
         `randomness_request` is the round's latest request, the one its
         draws use (`randomness_source` names its source).
    @param court The court.
    @param dispute_id The dispute.
    @param round The round (below `dispute_info().rounds`).
    @return RoundInfo The round.
    """
    return self._round_info(court, dispute_id, round)


@external
@view
def dispute_info(court: IQualityCourt, dispute_id: uint256) -> IQualityCourt.DisputeInfo:
    """
    @dev Returns a dispute's state; `ruling` is `currentRuling`, `final`
         is `disputeStatus` Solved.
    @param court The court.
    @param dispute_id The dispute.
    @return DisputeInfo The dispute.
    """
    ruling: uint256 = staticcall IArbitrator(court.address).currentRuling(dispute_id)
    record: uint256 = self._slots(court, dispute_id, 0, empty(address)).record
    return IQualityCourt.DisputeInfo(
        arbitrable=convert(convert(record & (2**160 - 1), uint160), address),
        choices=(record >> _DISPUTE_CHOICES_SHIFT) & 255,
        rounds=(record >> _DISPUTE_ROUNDS_SHIFT) & 255,
        params_version=(record >> _DISPUTE_VERSION_SHIFT) & _MASK32,
        final=staticcall IArbitrator(court.address).disputeStatus(dispute_id) == 2,
        ruling=ruling,
        ruling_executed=record & _DISPUTE_RULED != 0,
    )


@external
@view
def randomness_source(court: IQualityCourt, dispute_id: uint256, round: uint256) -> address:
    """
    @dev Returns the source of a round's latest randomness request (the
         court's current source when it was made): the one its draws use,
         as its last `DrawRequested` says.
    @param court The court.
    @param dispute_id The dispute.
    @param round The round (below `dispute_info().rounds`).
    @return address The source.
    """
    slots: RoundSlots = self._slots(court, dispute_id, round, empty(address))
    assert slots.timetable != 0, "court: unknown round"
    return (staticcall court.params(slots.state >> _DRAW_SOURCE_SHIFT)).randomness


@external
@view
def round_balance(court: IQualityCourt, dispute_id: uint256, round: uint256) -> uint256:
    """
    @dev Returns the tokens a court still holds for a round: the part of
         its pool (fee plus slashed stake) not yet credited, plus the appeal
         deposit collected in its appeal period and not yet returned. Zero
         once the round is executed: tokens in equal tokens out.
    @param court The court.
    @param dispute_id The dispute.
    @param round The round (below `dispute_info().rounds`).
    @return uint256 The amount in LDAO base units.
    """
    info: IQualityCourt.RoundInfo = self._round_info(court, dispute_id, round)
    held: uint256 = info.fee + info.slashed - info.rewarded - info.to_treasury
    if info.execution_steps_done == 0:
        deposit: IQualityCourt.Funding = staticcall court.funding(dispute_id, round)
        if deposit.side_a != 0:
            held += deposit.cost
    return held


@external
@view
def open_rounds(court: IQualityCourt, juror: address) -> uint256:
    """
    @dev Returns the rounds in which a juror holds seats not settled yet
         (why their stake is locked).
    @param court The court.
    @param juror The juror.
    @return uint256 The number of rounds.
    """
    return self._juror_status(court, juror).open_rounds


@external
@view
def juror_round(court: IQualityCourt, dispute_id: uint256, round: uint256, juror: address) -> IQualityCourt.JurorRound:
    """
    @dev Returns a juror's seats in a round, the stake they lock, the vote
         and whether the round has settled them.
    @param court The court.
    @param dispute_id The dispute.
    @param round The round (below `dispute_info().rounds`).
    @param juror The juror.
    @return JurorRound The record (`commitment_prefix` holds the top 224
            bits of the commitment, its low 32 bits zero).
    """
    slots: RoundSlots = self._slots(court, dispute_id, round, juror)
    assert slots.timetable != 0, "court: unknown round"
    vote: uint256 = slots.vote
    seats: uint256 = (vote >> _VOTE_SEATS_SHIFT) & _MASK16
    seat_lock: uint256 = (slots.state >> _DRAW_SEAT_LOCK_SHIFT) & _MASK96
    return IQualityCourt.JurorRound(
        seats=seats,
        locked=0 if vote & _VOTE_SETTLED != 0 else seats * seat_lock,
        committed=vote & _VOTE_COMMITTED != 0,
        revealed=vote & _VOTE_REVEALED != 0,
        choice=(vote >> _VOTE_CHOICE_SHIFT) & 255,
        settled=vote & _VOTE_SETTLED != 0,
        commitment_prefix=convert(vote & _VOTE_COMMITMENT_MASK, bytes32),
    )


@external
@view
def votes(court: IQualityCourt, dispute_id: uint256, round: uint256, choice: uint256) -> uint256:
    """
    @dev Returns the revealed seats for a choice in a round.
    @param court The court.
    @param dispute_id The dispute.
    @param round The round.
    @param choice The choice (0 to 14).
    @return uint256 The seats that revealed `choice`.
    """
    assert choice <= MAX_CHOICES, "lens: invalid choice"
    return (self._slots(court, dispute_id, round, empty(address)).tally >> (16 * choice)) & _MASK16


@external
@view
def draw_deadline(court: IQualityCourt, dispute_id: uint256) -> uint256:
    """
    @dev Returns when `close_undrawn` may close the dispute's current
         round if its panel is not complete, as a timestamp: the deadline
         on the court clock, moved by every pause so far (and by the
         current one, as far as it has lasted).
    @param court The court.
    @param dispute_id The dispute.
    @return uint256 The timestamp.
    """
    record: uint256 = self._slots(court, dispute_id, 0, empty(address)).record
    assert record != 0, "court: unknown dispute"
    timetable: uint256 = self._slots(court, dispute_id, ((record >> _DISPUTE_ROUNDS_SHIFT) & 255) - 1, empty(address)).timetable
    deadline: uint256 = (timetable >> _TIMETABLE_DEADLINE_SHIFT) & _MASK39
    return deadline + block.timestamp - staticcall court.court_clock()


@internal
@view
def _slots(court: IQualityCourt, dispute_id: uint256, round: uint256, juror: address) -> RoundSlots:
    """
    @dev Returns a round's packed records (the court reverts for a round
         at or above its `MAX_ROUNDS`).
    @param court The court.
    @param dispute_id The dispute.
    @param round The round.
    @param juror The juror whose vote record is returned.
    @return RoundSlots The records.
    """
    slots: RoundSlots = empty(RoundSlots)
    (
        slots.vote, slots.tally, slots.timetable, slots.state, slots.request, slots.record, slots.book
    ) = staticcall court.round_slots(dispute_id, round, juror)
    return slots


@internal
@view
def _juror_status(court: IQualityCourt, juror: address) -> IQualityCourt.JurorStatus:
    """
    @dev Decodes a juror's records (`juror_status`).
    @param court The court.
    @param juror The juror.
    @return JurorStatus The status.
    """
    record: uint256 = 0
    account: uint256 = 0
    free: uint256 = 0
    snapshot: uint256 = 0
    record, account, free, snapshot = staticcall court.juror_slots(juror)
    pending: uint256 = (record >> _JUROR_PENDING_SHIFT) & _MASK96
    unlock_time: uint256 = (account >> _ACCOUNT_UNLOCK_SHIFT) & _MASK40
    withdrawable: uint256 = account & _CLAIMABLE_MASK
    if pending != 0 and block.timestamp >= unlock_time:
        withdrawable += pending
    return IQualityCourt.JurorStatus(
        free=free,
        locked=record & _MASK96,
        pending_withdrawal=pending,
        unlock_time=unlock_time,
        claimable=account & _CLAIMABLE_MASK,
        withdrawable_now=withdrawable,
        open_rounds=(record >> _JUROR_ROUNDS_SHIFT) & _MASK40,
        drawable_this_epoch=snapshot,
    )


@internal
@view
def _round_info(court: IQualityCourt, dispute_id: uint256, round: uint256) -> IQualityCourt.RoundInfo:
    """
    @dev Decodes a round's records (`round_info`).
    @param court The court.
    @param dispute_id The dispute.
    @param round The round.
    @return RoundInfo The round.
    """
    slots: RoundSlots = self._slots(court, dispute_id, round, empty(address))
    timetable: uint256 = slots.timetable
    assert timetable != 0, "court: unknown round"
    state: uint256 = slots.state
    jurors: uint256 = (timetable >> _TIMETABLE_JURORS_SHIFT) & _MASK16
    revealed: uint256 = 0
    for choice: uint256 in range(MAX_CHOICES + 1):
        revealed += (slots.tally >> (16 * choice)) & _MASK16
    return IQualityCourt.RoundInfo(
        period=self._period(timetable),
        panel=timetable & _MASK16,
        drawn=(timetable >> _TIMETABLE_DRAWN_SHIFT) & _MASK16,
        jurors=jurors,
        evidence_end=state & _MASK40,
        commit_start=(timetable >> _TIMETABLE_COMMIT_SHIFT) & _MASK40,
        reveal_start=(timetable >> _TIMETABLE_REVEAL_SHIFT) & _MASK40,
        appeal_start=(timetable >> _TIMETABLE_APPEAL_SHIFT) & _MASK40,
        appeal_end=(timetable >> _TIMETABLE_APPEAL_END_SHIFT) & _MASK40,
        seat_lock=(state >> _DRAW_SEAT_LOCK_SHIFT) & _MASK96,
        draw_epoch=(state >> _DRAW_EPOCH_SHIFT) & _MASK56,
        draw_attempts=(state >> _DRAW_ATTEMPTS_SHIFT) & _MASK32,
        randomness_request=slots.request,
        revealed_seats=revealed,
        fee=slots.book.fee,
        slashed=slots.book.slashed,
        rewarded=slots.book.rewarded,
        to_treasury=slots.book.to_treasury,
        execution_steps_done=slots.book.cursor,
        execution_steps=2 * jurors,
    )


@internal
@view
def _period(timetable: uint256) -> uint256:
    """
    @dev Returns the period of a round from its timetable (as the court).
    @param timetable The packed timetable.
    @return uint256 The period (PERIOD_*).
    """
    if timetable & _TIMETABLE_CLOSED != 0:
        return PERIOD_EXECUTION
    if (timetable >> _TIMETABLE_DRAWN_SHIFT) & _MASK16 < timetable & _MASK16:
        return PERIOD_EVIDENCE
    now: uint256 = block.timestamp
    if now < (timetable >> _TIMETABLE_COMMIT_SHIFT) & _MASK40:
        return PERIOD_EVIDENCE
    if now < (timetable >> _TIMETABLE_REVEAL_SHIFT) & _MASK40:
        return PERIOD_COMMIT
    if now < (timetable >> _TIMETABLE_APPEAL_SHIFT) & _MASK40:
        return PERIOD_REVEAL
    if now < (timetable >> _TIMETABLE_APPEAL_END_SHIFT) & _MASK40:
        return PERIOD_APPEAL
    return PERIOD_EXECUTION
