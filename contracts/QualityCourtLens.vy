# pragma version ~=0.4.3
# pragma nonreentrancy off
# pragma optimize codesize
"""
@title LabelDAO QualityCourt lens
@custom:contract-name QualityCourtLens
@license GNU Affero General Public License v3.0 only
@notice The court's parameter bounds and the read-only views derived from
        the court's own, kept out of `QualityCourt` so that the court fits
        EIP-170 (docs/decisions.md, QualityCourt "Code size"). Stateless:
        deployed before the court, which calls `check_params` from
        `set_params` (it is the court's `LENS`), and serving any court
        passed to its views.
@custom:security `check_params` only reads its argument; a revert here
                 reverts the court's `set_params` with the same reason.
"""


from .interfaces import IQualityCourt
from .interfaces import IQualityCourtLens
implements: IQualityCourtLens


# @dev The court's raw getters the lens decodes.
interface QualityCourtRecords:
    def round_slots(dispute_id: uint256, round: uint256, juror: address) -> (uint256, uint256, uint256): view
    def court_clock() -> uint256: view


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
_TIMETABLE_DEADLINE_SHIFT: constant(uint256) = 216
_MASK39: constant(uint256) = 2**39 - 1

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
    info: IQualityCourt.RoundInfo = staticcall court.round_info(dispute_id, round)
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
    return (staticcall court.juror_status(juror)).open_rounds


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
    vote: uint256 = 0
    tally: uint256 = 0
    timetable: uint256 = 0
    vote, tally, timetable = staticcall QualityCourtRecords(court.address).round_slots(dispute_id, round, juror)
    seats: uint256 = (vote >> _VOTE_SEATS_SHIFT) & _MASK16
    seat_lock: uint256 = (staticcall court.round_info(dispute_id, round)).seat_lock
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
    vote: uint256 = 0
    tally: uint256 = 0
    timetable: uint256 = 0
    vote, tally, timetable = staticcall QualityCourtRecords(court.address).round_slots(dispute_id, round, empty(address))
    return (tally >> (16 * choice)) & _MASK16


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
    rounds: uint256 = (staticcall court.dispute_info(dispute_id)).rounds
    vote: uint256 = 0
    tally: uint256 = 0
    timetable: uint256 = 0
    vote, tally, timetable = staticcall QualityCourtRecords(court.address).round_slots(dispute_id, rounds - 1, empty(address))
    deadline: uint256 = (timetable >> _TIMETABLE_DEADLINE_SHIFT) & _MASK39
    return deadline + block.timestamp - staticcall QualityCourtRecords(court.address).court_clock()
