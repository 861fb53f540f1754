# pragma version ~=0.4.3
# pragma nonreentrancy off
# pragma optimize codesize
"""
@title LabelDAO QualityCourt
@custom:contract-name QualityCourt
@license GNU Affero General Public License v3.0 only
@notice An ERC-792 arbitrator paid in LDAO, with ERC-1497 evidence. Jurors
        stake LDAO; each round draws a panel in proportion to free stake
        (`SortitionTree`, its own contract), jurors commit and reveal, the plurality
        wins (a tie gives 0), two funded sides raise an appeal (2n + 1
        seats), and execution settles jurors in batches. The reasons for
        each choice are in docs/decisions.md, "QualityCourt".

        Invariants:
        - Tokens in equal tokens out: once a round is executed its pool (fee
          plus slashes) and appeal deposits are credited to the last unit
          (`round_balance` is 0).
        - Draws sample the stake snapshot of the epoch in which the round's
          randomness was requested; no stake change after the request has
          weight, across all batches.
        - Every randomness request goes to the court's current source (the
          newest parameter version's), and a draw uses the round's latest
          request (its last `DrawRequested`) and that request's source.
        - A juror's `locked` is the sum of the seat locks of their unsettled
          rounds; their leaf stays theirs while it is not zero.
        - Execution never calls the arbitrable (`execute_ruling` does, once).
        - Every payout is pulled (`withdraw`).
@custom:security The default randomness source (`PrevrandaoRandomness`) is
                 testnet-grade; production sets a VRF adapter as
                 `Params.randomness`. A silent juror's penalty beyond the lock
                 is taken from free, then pending stake, as far as it exists
                 at execution. Packed fields stay in range because LDAO's
                 supply is below 2**96 and panels below 2**16 seats.
"""


from ethereum.ercs import IERC20

from ethereum.ercs import IERC165
implements: IERC165

from snekmate.auth.interfaces import IAccessControl
implements: IAccessControl

from .interfaces import IArbitrator
implements: IArbitrator

from .interfaces import IQualityCourt
implements: IQualityCourt

from .interfaces import IArbitrable
from .interfaces import IQualityCourtLens
from .interfaces import IEvidence
from .interfaces import IRandomness

from snekmate.auth import access_control
initializes: access_control

from snekmate.utils import pausable
initializes: pausable

from .modules import roles
initializes: roles[access_control := access_control]

from .modules import treasurer
initializes: treasurer[roles := roles]

from .interfaces import ISortitionTree


exports: (
    # Role administration: the admin (the timelock) grants PARAMS and GUARDIAN.
    access_control.supportsInterface,
    access_control.hasRole,
    access_control.getRoleAdmin,
    access_control.grantRole,
    access_control.revokeRole,
    access_control.renounceRole,
    access_control.set_role_admin,
    access_control.DEFAULT_ADMIN_ROLE,
    # PARAMS_ROLE (parameters, treasury) and GUARDIAN_ROLE (pause).
    roles.PARAMS_ROLE,
    roles.GUARDIAN_ROLE,
    # The treasury and `set_treasury` (PARAMS_ROLE), `TreasuryChanged`.
    treasurer.treasury,
    treasurer.set_treasury,
    # Whether entries (stake, createDispute) are paused.
    pausable.paused,
)


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

# @dev Periods of a round (`QualityCourtLens` publishes them).
PERIOD_EVIDENCE: constant(uint256) = 0
PERIOD_COMMIT: constant(uint256) = 1
PERIOD_REVEAL: constant(uint256) = 2
PERIOD_APPEAL: constant(uint256) = 3
PERIOD_EXECUTION: constant(uint256) = 4

# @dev Basis points.
_BPS: constant(uint256) = 10_000

# @dev Most choices of a dispute (votes 0..MAX_CHOICES fit the packed tally).
MAX_CHOICES: constant(uint256) = 14

# @dev Largest panel; seats per juror and tally counts fit in 16 bits.
MAX_PANEL: constant(uint256) = 1_023

# @dev Most rounds of a dispute.
MAX_ROUNDS: constant(uint256) = 10

# @dev Most draw attempts per `draw` call.
MAX_DRAW_BATCH: constant(uint256) = 64

# @dev Most settlement steps per `execute` call (two per juror).
MAX_EXECUTE_BATCH: constant(uint256) = 128

# @dev Parameter bounds: see `QualityCourtLens.check_params`; the epoch's here,
# in seconds: at least a minute, room for a randomness request, its delay (a
# few 12 s blocks) and the draw inside one snapshot epoch.
MIN_EPOCH_SECONDS: constant(uint256) = 60
MAX_EPOCH_SECONDS: constant(uint256) = 2**32

# @dev Default parameters (the deploy script keeps or replaces them).
_DEFAULT_MIN_JUROR_STAKE: constant(uint256) = 1_000 * 10**18
_DEFAULT_ALPHA_BPS: constant(uint256) = 1_000
_DEFAULT_NON_REVEAL_MULTIPLIER_BPS: constant(uint256) = 20_000
_DEFAULT_UNSTAKE_DELAY: constant(uint256) = 7 * 86_400
_DEFAULT_PANEL_SIZE: constant(uint256) = 3
_DEFAULT_MAX_PANEL: constant(uint256) = 511
_DEFAULT_MAX_ROUNDS: constant(uint256) = 5
_DEFAULT_FEE_PER_JUROR: constant(uint256) = 10 * 10**18
_DEFAULT_PERIOD: constant(uint256) = 2 * 86_400
_DEFAULT_DRAW_TIMEOUT: constant(uint256) = 3 * 86_400
_DEFAULT_MAX_DISPUTE_LOCK_BPS: constant(uint256) = 5_000

# @dev Masks.
_MASK16: constant(uint256) = 2**16 - 1
_MASK32: constant(uint256) = 2**32 - 1
_MASK40: constant(uint256) = 2**40 - 1
_MASK64: constant(uint256) = 2**64 - 1
_MASK96: constant(uint256) = 2**96 - 1

# @dev Juror record, one slot: locked (bits 0..95) | pending withdrawal
# (96..191) | rounds holding unsettled seats (192..231) | leaf position + 1
# (232..255). The draw updates it anyway (the lock), so counting a new
# round there costs no slot of its own.
_JUROR_PENDING_SHIFT: constant(uint256) = 96
_JUROR_ROUNDS_SHIFT: constant(uint256) = 192
_JUROR_ONE_ROUND: constant(uint256) = 1 << _JUROR_ROUNDS_SHIFT
_JUROR_LEAF_SHIFT: constant(uint256) = 232

# @dev Vote record of a juror in a round, one slot, created by the draw:
# flags (bits 0..7) | choice (8..15) | seats (16..31) | the top 224 bits of
# the commitment (32..255).
_VOTE_COMMITTED: constant(uint256) = 1
_VOTE_REVEALED: constant(uint256) = 2
_VOTE_SETTLED: constant(uint256) = 4
_VOTE_CHOICE_SHIFT: constant(uint256) = 8
_VOTE_SEATS_SHIFT: constant(uint256) = 16
_VOTE_ONE_SEAT: constant(uint256) = 1 << _VOTE_SEATS_SHIFT
_VOTE_COMMITMENT_SHIFT: constant(uint256) = 32

# @dev Account record: claimable (bits 0..191) | unlock time of the
# pending withdrawal (192..231) | juror marker (255). The marker, set by a
# juror's first stake and never cleared, keeps a juror's slot non-zero, so
# crediting a reward never writes a fresh slot: the fresh write is paid
# once per juror, not once per round.
_ACCOUNT_UNLOCK_SHIFT: constant(uint256) = 192
_ACCOUNT_FLAGS_SHIFT: constant(uint256) = 232
_ACCOUNT_JUROR: constant(uint256) = 1 << 255
_CLAIMABLE_BITS: constant(uint256) = 192

# @dev Leaf positions of a round's jurors, ten 24-bit fields per slot
# (positions are below 2**20): one fresh slot per ten jurors.
_LEAF_BITS: constant(uint256) = 24
_LEAVES_PER_SLOT: constant(uint256) = 10
_MASK24: constant(uint256) = 2**24 - 1

# @dev Round timetable, one slot: panel (0..15) | drawn (16..31) | jurors
# (32..47) | choices (48..55) | commit start (56..95) | reveal start
# (96..135) | appeal start (136..175) | appeal end (176..215) | draw
# deadline on the court clock (216..254) | closed undrawn (255).
_TIMETABLE_DRAWN_SHIFT: constant(uint256) = 16
_TIMETABLE_JURORS_SHIFT: constant(uint256) = 32
_TIMETABLE_CHOICES_SHIFT: constant(uint256) = 48
_TIMETABLE_COMMIT_SHIFT: constant(uint256) = 56
_TIMETABLE_REVEAL_SHIFT: constant(uint256) = 96
_TIMETABLE_APPEAL_SHIFT: constant(uint256) = 136
_TIMETABLE_APPEAL_END_SHIFT: constant(uint256) = 176
_TIMETABLE_DEADLINE_SHIFT: constant(uint256) = 216
_MASK39: constant(uint256) = 2**39 - 1
_TIMETABLE_CLOSED_BIT: constant(uint256) = 255
_TIMETABLE_CLOSED: constant(uint256) = 1 << _TIMETABLE_CLOSED_BIT
# The four dates (bits 56..215), which `_schedule` writes.
_TIMETABLE_DATES: constant(uint256) = 2**216 - 2**56

# @dev Round draw state, one slot: evidence end (0..39) | snapshot epoch
# of the pending request (40..95) | draw attempts (96..127) | seat lock
# (128..223) | parameter version whose `randomness` the pending request
# went to (224..255; versions fit 32 bits, as in the dispute record).
_DRAW_EPOCH_SHIFT: constant(uint256) = 40
_MASK56: constant(uint256) = 2**56 - 1
_DRAW_ATTEMPTS_SHIFT: constant(uint256) = 96
_DRAW_SEAT_LOCK_SHIFT: constant(uint256) = 128
_DRAW_SOURCE_SHIFT: constant(uint256) = 224

# @dev Dispute record, one slot: arbitrable (0..159) | params version
# (160..191) | rounds (192..199) | choices (200..207) | ruling executed (208).
_DISPUTE_VERSION_SHIFT: constant(uint256) = 160
_DISPUTE_ROUNDS_SHIFT: constant(uint256) = 192
_DISPUTE_CHOICES_SHIFT: constant(uint256) = 200
_DISPUTE_RULED_BIT: constant(uint256) = 208
_DISPUTE_RULED: constant(uint256) = 1 << _DISPUTE_RULED_BIT

# @dev Tally of a round: 16 bits of seats per choice 0..14, and a marker
# bit written when the round opens, so that every reveal updates a
# non-zero slot.
_TALLY_MARKER: constant(uint256) = 1 << 255


# ---------------------------------------------------------------------------
# Immutables and state
#
# Per-round maps are keyed by `dispute_id << 8 | round` (`_round_key`).
# ---------------------------------------------------------------------------

# @dev The LDAO token: stakes, fees and rewards.
TOKEN: public(immutable(address))

# @dev The lens: parameter bounds (`set_params` calls its `check_params`)
# and the views derived from the court's (docs/decisions.md, "Code size").
LENS: public(immutable(address))

# @dev The juror stake tree (`SortitionTree`, made for this court's address).
TREE: public(immutable(address))

# @dev Length of a stake-snapshot epoch in seconds (the tree's).
_EPOCH_SECONDS: immutable(uint256)

# @dev The version new disputes use; older versions stay readable.
params_version: public(uint256)

# @dev Number of parameter versions written.
_params_count: uint256

# @dev Parameter versions (`params(params_version())` is the current one).
params: public(HashMap[uint256, IQualityCourt.Params])

# @dev Number of disputes created (ids are 0, 1, ...).
dispute_count: public(uint256)

# @dev Dispute records (layout above).
_disputes: HashMap[uint256, uint256]

# @dev Round timetables (layout above).
_timetables: HashMap[uint256, uint256]

# @dev Round draw states (layout above).
_draw_states: HashMap[uint256, uint256]

# @dev The pending randomness request of each round.
_requests: HashMap[uint256, uint256]

# @dev Round tallies (layout above).
_tallies: HashMap[uint256, uint256]

# @dev Leaf positions of a round's distinct jurors, in order of their first
# seat (layout above). A juror keeps their leaf while they hold a seat not
# settled (their lock is not zero), so the tree's `owner_of` names them.
_round_leaves: HashMap[uint256, HashMap[uint256, uint256]]

# @dev Vote records (layout above).
_votes: HashMap[uint256, HashMap[address, uint256]]

# @dev Money and execution progress of each round.
_books: HashMap[uint256, IQualityCourt.RoundBook]

# @dev Appeal funding collected during each round's appeal period.
_fundings: HashMap[uint256, IQualityCourt.Funding]

# @dev Juror records (layout above).
_jurors: HashMap[address, uint256]

# @dev The parties of each dispute, never seated on its panels.
parties: public(HashMap[uint256, IQualityCourt.Parties])

# @dev The court clock's pause record, one slot: seconds spent paused
# before the current pause (bits 0..39) | start of the current pause
# (40..79, zero when not paused). The court clock (`_court_clock`) stands
# still while the court is paused, so no draw deadline runs out in a pause.
_pause_clock: uint256

# @dev Per account, one slot: what `withdraw` owes it (rewards, refunds,
# treasury income) and the unlock time of its pending stake (layout above).
_accounts: HashMap[address, uint256]


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------

# @dev A juror added free stake.
event Staked:
    juror: indexed(address)
    amount: uint256
    free: uint256

# @dev A juror moved free stake to pending withdrawal.
event UnstakeRequested:
    juror: indexed(address)
    amount: uint256
    pending_withdrawal: uint256
    unlock_time: uint256

# @dev An account was paid matured stake and/or claimable tokens.
event Withdrawn:
    account: indexed(address)
    stake: uint256
    rewards: uint256

# @dev A dispute was opened (besides ERC-792's `DisputeCreation`).
event DisputeCreated:
    dispute_id: indexed(uint256)
    arbitrable: indexed(address)
    choices: uint256
    params_version: uint256
    fee: uint256

# @dev A round opened: its panel size, fee and seat lock.
event RoundCreated:
    dispute_id: indexed(uint256)
    round: uint256
    panel: uint256
    fee: uint256
    evidence_end: uint256
    seat_lock: uint256

# @dev Randomness was requested for a round, against an epoch's snapshot.
event DrawRequested:
    dispute_id: indexed(uint256)
    round: uint256
    source: address
    request_id: uint256
    epoch: uint256

# @dev A seat went to a juror (who may hold several).
event SeatDrawn:
    dispute_id: indexed(uint256)
    round: uint256
    juror: indexed(address)
    seat: uint256

# @dev A draw attempt landed on stake that cannot cover a seat.
event DrawSkipped:
    dispute_id: indexed(uint256)
    round: uint256
    juror: address
    attempt: uint256

# @dev The parties of a dispute (from its extra data), never seated on it.
event DisputeParties:
    dispute_id: indexed(uint256)
    payer: indexed(address)
    other: indexed(address)

# @dev A round not fully drawn by its draw deadline was closed: round 0
# ends the dispute with ruling 0; an appeal round fails and the previous
# round's ruling stands. Its fee went back to `refunded_to`.
event RoundClosed:
    dispute_id: indexed(uint256)
    round: uint256
    refunded_to: indexed(address)
    refund: uint256

# @dev A round's panel is complete: its timetable.
event PanelDrawn:
    dispute_id: indexed(uint256)
    round: uint256
    commit_start: uint256
    reveal_start: uint256
    appeal_start: uint256
    appeal_end: uint256

# @dev A juror committed (or replaced) a vote.
event Committed:
    dispute_id: indexed(uint256)
    round: uint256
    juror: indexed(address)
    commitment: bytes32

# @dev A juror revealed a vote, counted once per seat.
event Revealed:
    dispute_id: indexed(uint256)
    round: uint256
    juror: indexed(address)
    choice: uint256
    seats: uint256

# @dev A side of an appeal was funded.
event AppealFunded:
    dispute_id: indexed(uint256)
    round: uint256
    side: uint256
    funder: indexed(address)
    amount: uint256

# @dev A juror's seats in a round were settled.
event JurorSettled:
    dispute_id: indexed(uint256)
    round: uint256
    juror: indexed(address)
    seats: uint256
    coherent: bool
    unlocked: uint256
    penalty: uint256
    reward: uint256

# @dev An appeal deposit was credited back to its funder.
event AppealFundsReturned:
    dispute_id: indexed(uint256)
    round: uint256
    funder: indexed(address)
    amount: uint256

# @dev A round is fully executed: what came in and where it went.
event RoundExecuted:
    dispute_id: indexed(uint256)
    round: uint256
    coherent_seats: uint256
    fee: uint256
    slashed: uint256
    rewarded: uint256
    to_treasury: uint256

# @dev The final ruling was delivered to the arbitrable.
event RulingExecuted:
    dispute_id: indexed(uint256)
    arbitrable: indexed(address)
    ruling: uint256

# @dev A new parameter version was written.
event ParamsChanged:
    version: indexed(uint256)
    params: IQualityCourt.Params


# ---------------------------------------------------------------------------
# Constructor
# ---------------------------------------------------------------------------

@deploy
def __init__(token_: address, treasury_: address, randomness_: address, tree_: address, lens_: address):
    """
    @dev Deploys the court with default parameters (7-day unstake delay,
         3-seat panels, 2-day periods, ...; see `params(params_version())`). The
         deployer receives `DEFAULT_ADMIN_ROLE` only, to grant PARAMS_ROLE
         and GUARDIAN_ROLE; the deploy script hands it to the timelock.
    @param token_ The LDAO token (stakes, fees, rewards).
    @param treasury_ The treasury (receives what no coherent juror earns).
    @param randomness_ The default randomness source (`IRandomness`).
    @param tree_ The court's `SortitionTree`, deployed just before it for
           this court's address (its `COURT`). Its epoch is the court's
           stake-snapshot epoch, `MIN_EPOCH_SECONDS` to `MAX_EPOCH_SECONDS`
           seconds of `block.timestamp`;
           it must exceed the randomness delay plus the time keepers need
           to draw a panel (the deploy plan checks it).
    @param lens_ The `QualityCourtLens` (deployed first; it checks every
           later parameter version).
    """
    assert token_ != empty(address), "court: token is the zero address"
    assert tree_.is_contract, "court: tree not a contract"
    epoch_seconds: uint256 = staticcall ISortitionTree(tree_).epoch_seconds()
    assert epoch_seconds >= MIN_EPOCH_SECONDS and epoch_seconds <= MAX_EPOCH_SECONDS, "court: epoch length out of range"
    assert lens_.is_contract, "court: lens not a contract"
    TOKEN = token_
    LENS = lens_
    access_control.__init__()
    pausable.__init__()
    TREE = tree_
    _EPOCH_SECONDS = epoch_seconds
    assert staticcall ISortitionTree(tree_).COURT() == self, "court: tree made for another court"
    treasurer.__init__(treasury_)
    self._store_params(
        IQualityCourt.Params(
            min_juror_stake=_DEFAULT_MIN_JUROR_STAKE,
            alpha_bps=_DEFAULT_ALPHA_BPS,
            non_reveal_multiplier_bps=_DEFAULT_NON_REVEAL_MULTIPLIER_BPS,
            unstake_delay=_DEFAULT_UNSTAKE_DELAY,
            panel_size=_DEFAULT_PANEL_SIZE,
            max_panel=_DEFAULT_MAX_PANEL,
            max_rounds=_DEFAULT_MAX_ROUNDS,
            fee_per_juror=_DEFAULT_FEE_PER_JUROR,
            evidence_period=_DEFAULT_PERIOD,
            commit_period=_DEFAULT_PERIOD,
            reveal_period=_DEFAULT_PERIOD,
            appeal_period=_DEFAULT_PERIOD,
            draw_timeout=_DEFAULT_DRAW_TIMEOUT,
            max_dispute_lock_bps=_DEFAULT_MAX_DISPUTE_LOCK_BPS,
            randomness=randomness_,
        )
    )


# ---------------------------------------------------------------------------
# Juror staking
# ---------------------------------------------------------------------------

@external
@nonreentrant
def stake(amount: uint256):
    """
    @dev Adds `amount` LDAO to the caller's free stake, pulled with
         `transferFrom` (approve the court first). The stake is drawable
         from the next snapshot epoch on. Free plus locked stake must reach
         `min_juror_stake`. Paused with the other entries.
    @param amount The amount in base units (not zero).
    """
    pausable._require_not_paused()
    self._require(amount != 0, "court: zero amount")
    record: uint256 = self._jurors[msg.sender]
    leaf: uint256 = record >> _JUROR_LEAF_SHIFT
    if leaf == 0:
        # Positions are below 2**20, so `position + 1` fits the 24-bit field.
        leaf = unsafe_add(extcall ISortitionTree(TREE).allocate(msg.sender), 1)
        record = record | (leaf << _JUROR_LEAF_SHIFT)
        self._jurors[msg.sender] = record
        self._accounts[msg.sender] = self._accounts[msg.sender] | _ACCOUNT_JUROR
    position: uint256 = unsafe_sub(leaf, 1)
    free: uint256 = self._tree_add(position, amount)
    minimum: uint256 = self.params[self.params_version].min_juror_stake
    self._require(free + (record & _MASK96) >= minimum, "court: stake below minimum")
    log Staked(juror=msg.sender, amount=amount, free=free)
    self._pull(amount)


@external
def request_unstake(amount: uint256):
    """
    @dev Moves `amount` of the caller's free stake to pending withdrawal:
         it stops being drawable at once and can be withdrawn after
         `unstake_delay` (a new request restarts the delay for the whole
         pending amount). Locked stake cannot be requested: it returns to
         free stake when its round is executed. What stays free must be
         zero or at least `min_juror_stake`. Never paused.
    @param amount The amount in base units (not zero, at most free stake).
    """
    self._require(amount != 0, "court: zero amount")
    record: uint256 = self._jurors[msg.sender]
    leaf: uint256 = record >> _JUROR_LEAF_SHIFT
    free: uint256 = 0
    if leaf != 0:
        free = self._tree_values(unsafe_sub(leaf, 1))[0]
    self._require(amount <= free, "court: amount exceeds free stake")
    version: uint256 = self.params_version
    remaining: uint256 = unsafe_sub(free, amount)
    self._require(remaining == 0 or remaining >= self.params[version].min_juror_stake, "court: remainder below minimum")
    self._tree_sub(unsafe_sub(leaf, 1), amount)
    # Pending stays below the token supply, hence below 2**96.
    pending: uint256 = ((record >> _JUROR_PENDING_SHIFT) & _MASK96) + amount
    unlock_time: uint256 = block.timestamp + self.params[version].unstake_delay
    self._jurors[msg.sender] = record + (amount << _JUROR_PENDING_SHIFT)
    account: uint256 = self._accounts[msg.sender]
    self._accounts[msg.sender] = (
        (account >> _ACCOUNT_FLAGS_SHIFT << _ACCOUNT_FLAGS_SHIFT)
        | (unlock_time << _ACCOUNT_UNLOCK_SHIFT)
        | (account << (256 - _CLAIMABLE_BITS) >> (256 - _CLAIMABLE_BITS))
    )
    log UnstakeRequested(juror=msg.sender, amount=amount, pending_withdrawal=pending, unlock_time=unlock_time)


@external
@nonreentrant
def withdraw() -> uint256:
    """
    @dev Pays the caller what the court owes them: claimable rewards,
         refunds and treasury income, plus the pending stake once its
         unlock time has passed. Never paused. A juror whose stake is all
         gone gives their tree leaf back.
    @return uint256 The amount transferred.
    """
    account: uint256 = self._accounts[msg.sender]
    rewards: uint256 = account << (256 - _CLAIMABLE_BITS) >> (256 - _CLAIMABLE_BITS)
    record: uint256 = self._jurors[msg.sender]
    pending: uint256 = (record >> _JUROR_PENDING_SHIFT) & _MASK96
    released: uint256 = 0
    if pending != 0 and block.timestamp >= (account >> _ACCOUNT_UNLOCK_SHIFT) & _MASK40:
        released = pending
    amount: uint256 = rewards + released
    if amount == 0:
        self._require(pending == 0, "court: unstake delay not over")
        raise "court: nothing to withdraw"
    # What is paid leaves the account: claimable, and the unlock time with
    # the pending stake.
    if released != 0:
        self._accounts[msg.sender] = account >> 255 << 255
    else:
        self._accounts[msg.sender] = account >> _CLAIMABLE_BITS << _CLAIMABLE_BITS
    if released != 0:
        record -= pending << _JUROR_PENDING_SHIFT
        position: uint256 = unsafe_sub(record >> _JUROR_LEAF_SHIFT, 1)
        # No lock left means no unsettled seat either.
        if record & _MASK96 == 0 and self._tree_values(position)[0] == 0:
            self._tree_release(position)
            record = 0
        self._jurors[msg.sender] = record
    log Withdrawn(account=msg.sender, stake=released, rewards=rewards)
    assert extcall IERC20(TOKEN).transfer(msg.sender, amount, default_return_value=True)
    return amount


# ---------------------------------------------------------------------------
# ERC-792 arbitrator
# ---------------------------------------------------------------------------

@external
@nonreentrant
def createDispute(choices: uint256, extra_data: Bytes[256]) -> uint256:
    """
    @dev Creates a dispute for the calling arbitrable and pulls
         `arbitrationCost` LDAO from it (approve the court first). The
         first round's randomness is requested at once. Never paused: an
         arbitrable's own deadlines must not run out because the court
         is paused.
    @param choices The number of choices, 2 to `MAX_CHOICES`.
    @param extra_data `abi_encode(payer, other_party)` then the
           arbitrable's own bytes (ignored). The two parties are never
           seated on the dispute; `payer` gets the fee back if the dispute
           is closed undrawn. Shorter than 64 bytes: no parties known, the
           arbitrable is the payer.
    @return uint256 The id of the new dispute (ids start at 0).
    """
    self._require(choices >= 2 and choices <= MAX_CHOICES, "court: choices out of range")
    version: uint256 = self.params_version
    panel: uint256 = self.params[version].panel_size
    fee: uint256 = self.params[version].fee_per_juror * panel
    dispute_id: uint256 = self.dispute_count
    self.dispute_count = dispute_id + 1
    self._disputes[dispute_id] = (
        convert(msg.sender, uint256) | (version << _DISPUTE_VERSION_SHIFT) | (1 << _DISPUTE_ROUNDS_SHIFT) | (choices << _DISPUTE_CHOICES_SHIFT)
    )
    log IArbitrator.DisputeCreation(dispute_id=dispute_id, arbitrable=msg.sender)
    payer: address = msg.sender
    other: address = empty(address)
    if len(extra_data) >= 64:
        payer, other = abi_decode(slice(extra_data, 0, 64), (address, address))
    self.parties[dispute_id] = IQualityCourt.Parties(payer=payer, other=other)
    log DisputeParties(dispute_id=dispute_id, payer=payer, other=other)
    log DisputeCreated(dispute_id=dispute_id, arbitrable=msg.sender, choices=choices, params_version=version, fee=fee)
    self._open_round(dispute_id, 0, panel, choices, fee, version)
    if fee != 0:
        self._pull(fee)
    return dispute_id


@external
@view
def arbitrationCost(extra_data: Bytes[256]) -> uint256:
    """
    @dev Returns the fee of a new dispute: `fee_per_juror * panel_size`.
    @param extra_data Ignored.
    @return uint256 The fee in LDAO base units.
    """
    version: uint256 = self.params_version
    return self.params[version].fee_per_juror * self.params[version].panel_size


@external
@nonreentrant
def appeal(dispute_id: uint256, extra_data: Bytes[256]):
    """
    @dev Funds one side of an appeal of the current round, pulling
         `appealCost` LDAO from the caller. When a second side is funded
         the appeal is raised: a round with `2n + 1` seats opens. The
         current ruling's side may be funded during the whole appeal
         period; any other side only in its first half, unless another
         side is already funded. Never paused (a party must not lose its
         appeal window to a pause).
    @param dispute_id The dispute.
    @param extra_data `abi_encode(uint256 side)`, the side funded (1 to
           `choices`).
    """
    record: uint256 = self._dispute_record(dispute_id)
    self._require(len(extra_data) == 32, "court: extra_data is not a side")
    side: uint256 = abi_decode(extra_data, uint256)
    choices: uint256 = (record >> _DISPUTE_CHOICES_SHIFT) & 255
    self._require(side >= 1 and side <= choices, "court: invalid side")
    round: uint256 = unsafe_sub((record >> _DISPUTE_ROUNDS_SHIFT) & 255, 1)
    version: uint256 = (record >> _DISPUTE_VERSION_SHIFT) & _MASK32
    key: uint256 = (dispute_id << 8) | round
    timetable: uint256 = self._timetables[key]
    panel: uint256 = timetable & _MASK16
    # The appeal window was fixed when the panel was drawn (`_schedule`):
    # none for the last round allowed.
    self._require(
        (timetable >> _TIMETABLE_APPEAL_SHIFT) & _MASK40 != (timetable >> _TIMETABLE_APPEAL_END_SHIFT) & _MASK40
        or (timetable >> _TIMETABLE_DRAWN_SHIFT) & _MASK16 < panel,
        "court: no more appeals",
    )
    self._require(self._period(timetable) == PERIOD_APPEAL, "court: not in appeal period")
    funding: IQualityCourt.Funding = self._fundings[key]
    self._require(side != funding.side_a, "court: side already funded")
    ruling: uint256 = 0
    tied: bool = False
    ruling, tied = self._plurality(self._tallies[key], choices)
    if side != ruling and funding.side_a == 0:
        appeal_start: uint256 = (timetable >> _TIMETABLE_APPEAL_SHIFT) & _MASK40
        half: uint256 = (((timetable >> _TIMETABLE_APPEAL_END_SHIFT) & _MASK40) - appeal_start) // 2
        self._require(block.timestamp < appeal_start + half, "court: funding window over")
    next_panel: uint256 = 2 * panel + 1
    cost: uint256 = self.params[version].fee_per_juror * next_panel
    log AppealFunded(dispute_id=dispute_id, round=round, side=side, funder=msg.sender, amount=cost)
    if funding.side_a == 0:
        self._fundings[key] = IQualityCourt.Funding(
            cost=cost, side_a=side, funder_a=msg.sender, side_b=0, funder_b=empty(address)
        )
    else:
        self._fundings[key].side_b = side
        self._fundings[key].funder_b = msg.sender
        # Two sides funded: the appeal is raised. One deposit pays the new
        # round's jurors; the other waits for the final ruling.
        self._disputes[dispute_id] = record + (1 << _DISPUTE_ROUNDS_SHIFT)
        log IArbitrator.AppealDecision(dispute_id=dispute_id, arbitrable=self._arbitrable(record))
        self._open_round(dispute_id, round + 1, next_panel, choices, cost, version)
    if cost != 0:
        self._pull(cost)


@external
@view
def appealCost(dispute_id: uint256, extra_data: Bytes[256]) -> uint256:
    """
    @dev Returns what funding one side of an appeal costs:
         `fee_per_juror * (2n + 1)` for a current panel of `n` seats, the
         same for every side; `max_value(uint256)` when the current round
         is the last one allowed.
    @param dispute_id The dispute.
    @param extra_data Ignored (every side pays the same).
    @return uint256 The cost in LDAO base units.
    """
    record: uint256 = self._dispute_record(dispute_id)
    round: uint256 = unsafe_sub((record >> _DISPUTE_ROUNDS_SHIFT) & 255, 1)
    version: uint256 = (record >> _DISPUTE_VERSION_SHIFT) & _MASK32
    panel: uint256 = self._timetables[(dispute_id << 8) | round] & _MASK16
    if self._is_last_round(round, panel, version):
        return max_value(uint256)
    return self.params[version].fee_per_juror * (2 * panel + 1)


@external
@view
def appealPeriod(dispute_id: uint256) -> (uint256, uint256):
    """
    @dev Returns the appeal period of the current round once its panel is
         drawn, or (0, 0) before that and for the last round allowed.
    @param dispute_id The dispute.
    @return uint256 The start of the appeal period (timestamp).
    @return uint256 The end of the appeal period (timestamp).
    """
    record: uint256 = self._dispute_record(dispute_id)
    timetable: uint256 = self._timetables[self._last_key(dispute_id, record)]
    start: uint256 = (timetable >> _TIMETABLE_APPEAL_SHIFT) & _MASK40
    end: uint256 = (timetable >> _TIMETABLE_APPEAL_END_SHIFT) & _MASK40
    if end == start:
        return (0, 0)
    return (start, end)


@external
@view
def disputeStatus(dispute_id: uint256) -> uint8:
    """
    @dev Returns ERC-792's status: 0 Waiting, 1 Appealable (appeal period
         of the current round), 2 Solved (final).
    @param dispute_id The dispute.
    @return uint8 The status.
    """
    record: uint256 = self._dispute_record(dispute_id)
    period: uint256 = self._period(self._timetables[self._last_key(dispute_id, record)])
    if period == PERIOD_EXECUTION:
        return 2
    if period == PERIOD_APPEAL:
        return 1
    return 0


@external
@view
def currentRuling(dispute_id: uint256) -> uint256:
    """
    @dev Returns the final ruling of a final dispute, else the plurality of
         the current round's revealed votes so far (0 on a tie or with no
         votes).
    @param dispute_id The dispute.
    @return uint256 The ruling.
    """
    record: uint256 = self._dispute_record(dispute_id)
    return self._current_ruling(dispute_id, record)


@external
@view
def feeToken() -> address:
    """
    @dev Returns the token in which fees are paid.
    @return address LDAO.
    """
    return TOKEN


@external
def submit_evidence(dispute_id: uint256, evidence_uri: String[256]):
    """
    @dev Logs ERC-1497 `Evidence` (evidence group = dispute id) from the
         caller, while the dispute is not final.
    @param dispute_id The dispute.
    @param evidence_uri The URI of the evidence JSON file.
    """
    record: uint256 = self._dispute_record(dispute_id)
    self._require(not self._is_final(dispute_id, record), "court: dispute is over")
    log IEvidence.Evidence(arbitrator=self, evidence_group_id=dispute_id, party=msg.sender, evidence=evidence_uri)


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------

@external
@nonreentrant
def draw(dispute_id: uint256, max_seats: uint256) -> uint256:
    """
    @dev Draws seats of the current round's panel (anyone, in batches of
         up to `max_seats` attempts). Tickets are uniform over the stake
         snapshot of the epoch in which the round's randomness was
         requested; if that epoch is over, this call requests new
         randomness (a new snapshot) and draws nothing. Every request
         goes to the court's current source, so a round whose source never
         answered moves, one epoch on, to the source governance installed
         since (`set_params`); the seed is always the latest request's
         (`DrawRequested` names its source and id). An attempt that
         lands on a party of the dispute, or on a leaf which cannot cover
         the seat lock (no owner, or too little free or snapshot stake),
         is skipped. Refused while the court's drawable stake, the
         parties' left out, is too little for the panel: the whole
         panel's locks must stay within `max_dispute_lock_bps` of it
         (see `close_undrawn` for a round never drawn).
    @param dispute_id The dispute.
    @param max_seats The most attempts in this call, 1 to `MAX_DRAW_BATCH`.
    @return uint256 The number of seats drawn.
    """
    self._require(max_seats >= 1 and max_seats <= MAX_DRAW_BATCH, "court: batch size out of range")
    record: uint256 = 0
    round: uint256 = 0
    key: uint256 = 0
    timetable: uint256 = 0
    record, round, key, timetable = self._undrawn_round(dispute_id)
    panel: uint256 = timetable & _MASK16
    drawn: uint256 = (timetable >> _TIMETABLE_DRAWN_SHIFT) & _MASK16
    state: uint256 = self._draw_states[key]
    version: uint256 = (record >> _DISPUTE_VERSION_SHIFT) & _MASK32
    if (state >> _DRAW_EPOCH_SHIFT) & _MASK56 != self._epoch():
        # The snapshot this request was made against is gone: ask the
        # current source (a source that never answered is left here).
        self._draw_states[key] = self._request_randomness(dispute_id, round, key, state)
        return 0
    # The source of the latest request (`DrawRequested`), not the version's.
    source: address = self.params[state >> _DRAW_SOURCE_SHIFT].randomness
    seed: uint256 = extcall IRandomness(source).receive_randomness(self._requests[key])
    self._require(seed != 0, "court: randomness not ready")
    total: uint256 = self._tree_totals()[1]
    seat_lock: uint256 = (state >> _DRAW_SEAT_LOCK_SHIFT) & _MASK96
    payer: address = self.parties[dispute_id].payer
    other: address = self.parties[dispute_id].other
    # The stake this round can be drawn from: the snapshot without the
    # parties' stake, plus the seats it drew already (they left the
    # snapshot when locked). Its panel may lock at most
    # `max_dispute_lock_bps` of it.
    available: uint256 = total - self._snapshot_stake(payer) + drawn * seat_lock
    if other != payer:
        available -= self._snapshot_stake(other)
    self._require(
        available * self.params[version].max_dispute_lock_bps >= panel * seat_lock * _BPS,
        "court: too little drawable stake",
    )

    attempts: uint256 = (state >> _DRAW_ATTEMPTS_SHIFT) & _MASK32
    jurors: uint256 = (timetable >> _TIMETABLE_JURORS_SHIFT) & _MASK16
    seats_drawn: uint256 = 0
    for _: uint256 in range(max_seats, bound=MAX_DRAW_BATCH):
        if drawn == panel or total == 0:
            break
        ticket: uint256 = convert(keccak256(abi_encode(seed, dispute_id, round, attempts)), uint256) % total
        juror: address = empty(address)
        position: uint256 = 0
        seated: bool = False
        juror, position, seated = extcall ISortitionTree(TREE).draw_seat(ticket, seat_lock, payer, other)
        attempts += 1
        if not seated:
            log DrawSkipped(dispute_id=dispute_id, round=round, juror=juror, attempt=attempts - 1)
            continue
        total -= seat_lock
        # Locked stake stays below the token supply, hence below 2**96:
        # the addition cannot carry into the pending field.
        juror_record: uint256 = self._jurors[juror] + seat_lock
        vote: uint256 = self._votes[key][juror]
        if vote == 0:
            # A juror new to the round: their leaf joins the round's list
            # (a fresh slot once per ten jurors) and the round is counted
            # in their record.
            slot: uint256 = unsafe_div(jurors, _LEAVES_PER_SLOT)
            offset: uint256 = unsafe_mul(unsafe_sub(jurors, unsafe_mul(slot, _LEAVES_PER_SLOT)), _LEAF_BITS)
            self._round_leaves[key][slot] = self._round_leaves[key][slot] | (position << offset)
            jurors += 1
            juror_record += _JUROR_ONE_ROUND
        self._jurors[juror] = juror_record
        # At most MAX_PANEL seats: the 16-bit seat count cannot overflow.
        self._votes[key][juror] = vote + _VOTE_ONE_SEAT
        log SeatDrawn(dispute_id=dispute_id, round=round, juror=juror, seat=drawn)
        drawn += 1
        seats_drawn += 1

    # Both counts only grow: add what this call drew to them.
    timetable += (seats_drawn << _TIMETABLE_DRAWN_SHIFT) + (
        (jurors - ((timetable >> _TIMETABLE_JURORS_SHIFT) & _MASK16)) << _TIMETABLE_JURORS_SHIFT
    )
    if drawn == panel:
        timetable = self._schedule(dispute_id, round, timetable, state, version)
    self._timetables[key] = timetable
    self._draw_states[key] = state + ((attempts - ((state >> _DRAW_ATTEMPTS_SHIFT) & _MASK32)) << _DRAW_ATTEMPTS_SHIFT)
    return seats_drawn


@external
@nonreentrant
def close_undrawn(dispute_id: uint256):
    """
    @dev Closes the current round of a dispute whose panel was not fully
         drawn by its draw deadline (anyone): `evidence_period +
         draw_timeout` after the round opened, on the court clock, which
         stands still while the court is paused. The round's fee is
         credited back (`withdraw`) to whoever paid it: the payer named in
         the extra data for round 0, the funder who raised the appeal for
         an appeal round. Round 0: the dispute ends with ruling 0 (refused
         to arbitrate; `execute_ruling` delivers it). An appeal round: the
         appeal fails, the previous round's ruling stands and both appeal
         deposits go back to their funders. Seats already drawn are
         released without reward or penalty by `execute`.
    @param dispute_id The dispute.
    """
    record: uint256 = 0
    round: uint256 = 0
    key: uint256 = 0
    timetable: uint256 = 0
    record, round, key, timetable = self._undrawn_round(dispute_id)
    self._require(self._court_clock() >= (timetable >> _TIMETABLE_DEADLINE_SHIFT) & _MASK39, "court: draw deadline not over")
    self._timetables[key] = timetable | _TIMETABLE_CLOSED
    refunded_to: address = self.parties[dispute_id].payer
    if round != 0:
        refunded_to = self._fundings[key - 1].funder_b
    refund: uint256 = self._books[key].fee
    self._books[key].fee = 0
    self._credit(refunded_to, refund)
    log RoundClosed(dispute_id=dispute_id, round=round, refunded_to=refunded_to, refund=refund)


# ---------------------------------------------------------------------------
# Voting
# ---------------------------------------------------------------------------

@external
def commit(dispute_id: uint256, round: uint256, commitment: bytes32):
    """
    @dev Commits the caller's vote for all their seats in a round, during
         its commit period; a later commit in the period replaces it.
         `commitment = keccak256(abi_encode(dispute_id, round, juror,
         choice, salt))`: it names the juror, the round and the dispute,
         so it cannot be copied. The court keeps its top 224 bits (in the
         slot the draw created), a binding of 2**112 collision resistance.
    @param dispute_id The dispute.
    @param round The round.
    @param commitment The commitment (not zero).
    """
    key: uint256 = 0
    timetable: uint256 = 0
    vote: uint256 = 0
    key, timetable, vote = self._seat(dispute_id, round, PERIOD_COMMIT, "court: not in commit period")
    self._require(commitment != empty(bytes32), "court: empty commitment")
    self._votes[key][msg.sender] = (
        (convert(commitment, uint256) >> _VOTE_COMMITMENT_SHIFT << _VOTE_COMMITMENT_SHIFT) | (vote & _MASK32) | _VOTE_COMMITTED
    )
    log Committed(dispute_id=dispute_id, round=round, juror=msg.sender, commitment=commitment)


@external
def reveal(dispute_id: uint256, round: uint256, choice: uint256, salt: bytes32):
    """
    @dev Reveals the caller's committed vote during the reveal period; the
         choice counts once per seat the caller holds.
    @param dispute_id The dispute.
    @param round The round.
    @param choice The choice committed to (0 refuses to arbitrate).
    @param salt The salt committed with.
    """
    key: uint256 = 0
    timetable: uint256 = 0
    vote: uint256 = 0
    key, timetable, vote = self._seat(dispute_id, round, PERIOD_REVEAL, "court: not in reveal period")
    self._require(vote & _VOTE_COMMITTED != 0, "court: nothing committed")
    self._require(vote & _VOTE_REVEALED == 0, "court: already revealed")
    self._require(choice <= (timetable >> _TIMETABLE_CHOICES_SHIFT) & 255, "court: invalid choice")
    digest: uint256 = convert(keccak256(abi_encode(dispute_id, round, msg.sender, choice, salt)), uint256)
    self._require(digest >> _VOTE_COMMITMENT_SHIFT == vote >> _VOTE_COMMITMENT_SHIFT, "court: commitment mismatch")
    seats: uint256 = (vote >> _VOTE_SEATS_SHIFT) & _MASK16
    self._votes[key][msg.sender] = vote | _VOTE_REVEALED | (choice << _VOTE_CHOICE_SHIFT)
    # A field counts at most the panel's seats (< 2**16): no carry.
    self._tallies[key] = self._tallies[key] + (seats << (16 * choice))
    log Revealed(dispute_id=dispute_id, round=round, juror=msg.sender, choice=choice, seats=seats)


# ---------------------------------------------------------------------------
# Execution and ruling
# ---------------------------------------------------------------------------

@external
@nonreentrant
def execute(dispute_id: uint256, round: uint256, max_iterations: uint256) -> uint256:
    """
    @dev Settles the jurors of one round of a final dispute (anyone, in
         batches; rounds in any order). Two passes over the round's
         jurors: first every juror who is not coherent is slashed (an
         incoherent vote loses the seat locks; no reveal loses
         `non_reveal_multiplier_bps / 10_000` times them, from the lock,
         then free stake, then pending stake); then every coherent juror
         (revealed the jury's final ruling, or revealed anything if the
         final round tied) gets the locks back and a share of the round's
         fee plus everything slashed, pro rata by seats. With no coherent
         juror the fee and the slashed tokens go to the treasury. The first
         step also settles the appeal funding collected in this round.
    @param dispute_id The dispute.
    @param round The round.
    @param max_iterations The most steps (two per juror) in this call, 1
           to `MAX_EXECUTE_BATCH`.
    @return uint256 The steps done.
    """
    self._require(max_iterations >= 1 and max_iterations <= MAX_EXECUTE_BATCH, "court: batch size out of range")
    record: uint256 = self._dispute_record(dispute_id)
    self._require(round < (record >> _DISPUTE_ROUNDS_SHIFT) & 255, "court: unknown round")
    self._require_final(dispute_id, record)
    key: uint256 = (dispute_id << 8) | round
    book: IQualityCourt.RoundBook = self._books[key]
    jurors: uint256 = (self._timetables[key] >> _TIMETABLE_JURORS_SHIFT) & _MASK16
    steps: uint256 = 2 * jurors
    self._require(book.cursor < steps, "court: round already executed")

    ruling: uint256 = 0
    jury_ruling: uint256 = 0
    tied: bool = False
    ruling, jury_ruling, tied = self._final_ruling(dispute_id, record)
    if book.cursor == 0:
        self._return_appeal_funds(dispute_id, round, key, ruling)
    tally: uint256 = self._tallies[key]
    timetable: uint256 = self._timetables[key]
    # A round closed undrawn judged nothing: every seat is released, with
    # no reward (its fee went back to its payer) and no penalty.
    closed: bool = timetable >> _TIMETABLE_CLOSED_BIT != 0
    coherent_seats: uint256 = 0
    if closed:
        coherent_seats = (timetable >> _TIMETABLE_DRAWN_SHIFT) & _MASK16
    elif tied:
        coherent_seats = self._revealed_seats(tally)
    else:
        coherent_seats = (tally >> (16 * jury_ruling)) & _MASK16
    seat_lock: uint256 = (self._draw_states[key] >> _DRAW_SEAT_LOCK_SHIFT) & _MASK96
    multiplier: uint256 = self.params[(record >> _DISPUTE_VERSION_SHIFT) & _MASK32].non_reveal_multiplier_bps

    done: uint256 = 0
    for _: uint256 in range(max_iterations, bound=MAX_EXECUTE_BATCH):
        if book.cursor == steps:
            break
        first_pass: bool = book.cursor < jurors
        index: uint256 = book.cursor
        if not first_pass:
            index = book.cursor - jurors
        juror: address = self._round_juror(key, index)
        vote: uint256 = self._votes[key][juror]
        coherent: bool = closed or (
            vote & _VOTE_REVEALED != 0 and (tied or (vote >> _VOTE_CHOICE_SHIFT) & 255 == jury_ruling)
        )
        if first_pass and not coherent:
            book.slashed += self._settle(key, juror, vote, seat_lock, multiplier, 0, False)
        elif not first_pass and coherent:
            seats: uint256 = (vote >> _VOTE_SEATS_SHIFT) & _MASK16
            pool: uint256 = book.fee + book.slashed
            share: uint256 = 0
            if book.coherent_paid + seats == coherent_seats:
                # The last coherent juror takes the rounding dust.
                share = pool - book.rewarded
            else:
                share = pool * seats // coherent_seats
            book.coherent_paid += seats
            book.rewarded += share
            self._settle(key, juror, vote, seat_lock, multiplier, share, True)
        book.cursor += 1
        done += 1

    if book.cursor == steps:
        if coherent_seats == 0:
            book.to_treasury = book.fee + book.slashed
            self._credit(treasurer.treasury, book.to_treasury)
        log RoundExecuted(
            dispute_id=dispute_id,
            round=round,
            coherent_seats=coherent_seats,
            fee=book.fee,
            slashed=book.slashed,
            rewarded=book.rewarded,
            to_treasury=book.to_treasury,
        )
    self._books[key] = book
    return done


@external
@nonreentrant
def execute_ruling(dispute_id: uint256):
    """
    @dev Delivers the final ruling to the arbitrable with `rule`, exactly
         once, once the dispute is final (anyone). Independent of juror
         execution: if the arbitrable reverts, this call reverts and can
         be retried, and jurors' tokens are unaffected.
    @param dispute_id The dispute.
    """
    record: uint256 = self._dispute_record(dispute_id)
    self._require_final(dispute_id, record)
    self._require((record >> _DISPUTE_RULED_BIT) & 1 == 0, "court: ruling already executed")
    self._disputes[dispute_id] = record | _DISPUTE_RULED
    ruling: uint256 = 0
    jury_ruling: uint256 = 0
    tied: bool = False
    ruling, jury_ruling, tied = self._final_ruling(dispute_id, record)
    arbitrable: address = self._arbitrable(record)
    log RulingExecuted(dispute_id=dispute_id, arbitrable=arbitrable, ruling=ruling)
    extcall IArbitrable(arbitrable).rule(dispute_id, ruling)


# ---------------------------------------------------------------------------
# Governance
# ---------------------------------------------------------------------------

@external
def set_params(new_params: IQualityCourt.Params):
    """
    @dev Writes a new parameter version for disputes created from now on
         (PARAMS_ROLE). Juror-wide values (`min_juror_stake`,
         `unstake_delay`) apply to stakes and requests made from now on;
         `randomness` answers every randomness request made from now on,
         open disputes' included (a stalled round moves to it when its
         snapshot epoch ends: `draw`).
         Bounds: `min_juror_stake` 1 to 10**9 LDAO; `alpha_bps` 1 to
         10,000; `non_reveal_multiplier_bps` 10,000 to 100,000;
         `unstake_delay` 1 minute to 365 days; `panel_size` 1 to
         `max_panel`; `max_panel` up to `MAX_PANEL` (1,023); `max_rounds` 1 to
         `MAX_ROUNDS` (10); `fee_per_juror` up to 10**6 LDAO; every period
         and `draw_timeout` 1 minute to 30 days; `max_dispute_lock_bps` 1
         to 10,000; `randomness` a contract.
    @param new_params The parameters.
    """
    roles._check_params_role()
    self._store_params(new_params)


@external
def pause():
    """
    @dev Pauses `stake` (GUARDIAN_ROLE) and stops the court clock, so no
         draw deadline runs out during the pause. Everything else keeps
         working, with its deadlines: `createDispute` (an arbitrable's own
         deadlines run), drawing, commit, reveal, appeals, closing,
         execution, rulings, unstaking and withdrawals.
    """
    roles._check_guardian_role()
    pausable._pause()
    self._pause_clock = self._pause_clock | (block.timestamp << 40)


@external
def unpause():
    """
    @dev Lifts the pause (GUARDIAN_ROLE); the court clock runs again,
         every draw deadline moved by the pause's length.
    """
    roles._check_guardian_role()
    pausable._unpause()
    clock: uint256 = self._pause_clock
    self._pause_clock = (clock & _MASK40) + block.timestamp - (clock >> 40)


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------

@external
@view
def juror_slots(juror: address) -> (uint256, uint256, uint256, uint256):
    """
    @dev Returns a juror's packed records for the lens (`QualityCourtLens.
         juror_status` decodes them).
    @param juror The juror.
    @return uint256 The juror record.
    @return uint256 The account record.
    @return uint256 The free stake (in the tree).
    @return uint256 The stake in the current epoch's draw snapshot.
    """
    record: uint256 = self._jurors[juror]
    leaf: uint256 = record >> _JUROR_LEAF_SHIFT
    free: uint256 = 0
    snapshot: uint256 = 0
    if leaf != 0:
        free, snapshot = self._tree_values(unsafe_sub(leaf, 1))
    return (record, self._accounts[juror], free, snapshot)


@external
@view
def round_slots(
    dispute_id: uint256, round: uint256, juror: address
) -> (uint256, uint256, uint256, uint256, uint256, uint256, IQualityCourt.RoundBook):
    """
    @dev Returns a round's packed records for the lens (`QualityCourtLens`
         decodes them: `round_info`, `dispute_info`, `juror_round`,
         `votes`, `draw_deadline`).
    @param dispute_id The dispute.
    @param round The round.
    @param juror The juror whose vote record is returned.
    @return uint256 The juror's vote record.
    @return uint256 The round's tally.
    @return uint256 The round's timetable.
    @return uint256 The round's draw state.
    @return uint256 The round's pending randomness request.
    @return uint256 The dispute record (zero for an unknown dispute).
    @return RoundBook The round's money and execution progress.
    """
    key: uint256 = self._round_key(dispute_id, round)
    return (
        self._votes[key][juror],
        self._tallies[key],
        self._timetables[key],
        self._draw_states[key],
        self._requests[key],
        self._disputes[dispute_id],
        self._books[key],
    )


@external
@view
def court_clock() -> uint256:
    """
    @dev Returns the court clock: seconds not spent paused. Draw deadlines
         are on it (`QualityCourtLens.draw_deadline` turns them into
         timestamps).
    @return uint256 The court time.
    """
    return self._court_clock()


@external
@view
def round_juror(dispute_id: uint256, round: uint256, index: uint256) -> address:
    """
    @dev Returns the `index`-th distinct juror of a round (by first seat).
    @param dispute_id The dispute.
    @param round The round.
    @param index Below the lens's `round_info().jurors`.
    @return address The juror.
    """
    return self._round_juror(self._round_key(dispute_id, round), index)


@external
@view
def funding(dispute_id: uint256, round: uint256) -> IQualityCourt.Funding:
    """
    @dev Returns the appeal funding collected in a round's appeal period.
    @param dispute_id The dispute.
    @param round The round.
    @return Funding The funded sides, their funders and the cost per side.
    """
    return self._fundings[self._round_key(dispute_id, round)]


@external
@view
def claimable(account: address) -> uint256:
    """
    @dev Returns what `withdraw` owes an account besides matured stake:
         rewards, appeal refunds, treasury income.
    @param account The account.
    @return uint256 The amount in LDAO base units.
    """
    return self._accounts[account] << (256 - _CLAIMABLE_BITS) >> (256 - _CLAIMABLE_BITS)


@external
@view
def current_epoch() -> uint256:
    """
    @dev Returns the current stake-snapshot epoch.
    @return uint256 `block.timestamp // epoch_seconds()`.
    """
    return self._epoch()


@external
@view
def epoch_seconds() -> uint256:
    """
    @dev Returns the length of a stake-snapshot epoch.
    @return uint256 The length in seconds of `block.timestamp`.
    """
    return _EPOCH_SECONDS


@external
@view
def total_free_stake() -> uint256:
    """
    @dev Returns the root of the sortition tree: the total free stake.
    @return uint256 The total free stake.
    """
    return self._tree_totals()[0]


@external
@view
def drawable_stake() -> uint256:
    """
    @dev Returns the snapshot total that draws of the current epoch use.
    @return uint256 The snapshot total.
    """
    return self._tree_totals()[1]


# ---------------------------------------------------------------------------
# Internal: disputes and rounds
# ---------------------------------------------------------------------------

@internal
@view
def _dispute_record(dispute_id: uint256) -> uint256:
    """
    @dev Returns a dispute's record, reverting for an unknown dispute.
    @param dispute_id The dispute.
    @return uint256 The packed record.
    """
    record: uint256 = self._disputes[dispute_id]
    self._require(record != 0, "court: unknown dispute")
    return record


@internal
@pure
def _round_key(dispute_id: uint256, round: uint256) -> uint256:
    """
    @dev Returns the storage key of a round: `dispute_id << 8 | round`.
    @param dispute_id The dispute.
    @param round The round (below `MAX_ROUNDS`, so keys never collide).
    @return uint256 The key.
    """
    self._require(round < MAX_ROUNDS, "court: unknown round")
    return (dispute_id << 8) | round


@internal
@view
def _seat(dispute_id: uint256, round: uint256, period: uint256, wrong_period: String[32]) -> (uint256, uint256, uint256):
    """
    @dev Returns a round's key and timetable and the caller's vote record,
         reverting unless the round exists, is in `period` and seats the
         caller (`commit`, `reveal`).
    @param dispute_id The dispute.
    @param round The round.
    @param period The period the round must be in.
    @param wrong_period The revert string when it is not.
    @return uint256 The round's key.
    @return uint256 The round's timetable.
    @return uint256 The caller's vote record.
    """
    key: uint256 = self._round_key(dispute_id, round)
    timetable: uint256 = self._timetables[key]
    self._require(timetable != 0, "court: unknown round")
    self._require(self._period(timetable) == period, wrong_period)
    vote: uint256 = self._votes[key][msg.sender]
    self._require(vote != 0, "court: no seat in this round")
    return key, timetable, vote


@internal
@view
def _undrawn_round(dispute_id: uint256) -> (uint256, uint256, uint256, uint256):
    """
    @dev Returns a dispute's record and its current round, key and
         timetable, reverting unless that round's panel is still being
         drawn (`draw`, `close_undrawn`): a round closed undrawn is never
         drawn, nor asked for randomness, again.
    @param dispute_id The dispute.
    @return uint256 The dispute record.
    @return uint256 The current round.
    @return uint256 Its key.
    @return uint256 Its timetable.
    """
    record: uint256 = self._dispute_record(dispute_id)
    round: uint256 = unsafe_sub((record >> _DISPUTE_ROUNDS_SHIFT) & 255, 1)
    key: uint256 = (dispute_id << 8) | round
    timetable: uint256 = self._timetables[key]
    self._require(
        (timetable >> _TIMETABLE_DRAWN_SHIFT) & _MASK16 < timetable & _MASK16 and timetable >> _TIMETABLE_CLOSED_BIT == 0,
        "court: panel already drawn",
    )
    return record, round, key, timetable


@internal
@view
def _require_final(dispute_id: uint256, record: uint256):
    """
    @dev Reverts unless the dispute is final (`execute`, `execute_ruling`).
    @param dispute_id The dispute.
    @param record The dispute record.
    """
    self._require(self._is_final(dispute_id, record), "court: dispute not final")


@internal
@pure
def _last_key(dispute_id: uint256, record: uint256) -> uint256:
    """
    @dev Returns the storage key of a dispute's current (last) round.
    @param dispute_id The dispute.
    @param record The packed dispute record.
    @return uint256 The key.
    """
    return (dispute_id << 8) | unsafe_sub((record >> _DISPUTE_ROUNDS_SHIFT) & 255, 1)


@internal
@pure
def _require(ok: bool, reason: String[32]):
    """
    @dev Reverts with `reason` unless `ok`. One shared revert path: an
         inline `assert` with a reason string costs about 100 bytes of
         code, a call to this about 30, at about 50 gas more when it
         passes (every check, the juror's commit and reveal included, goes
         through it to keep the court under 20,000 bytes).
    @param ok The condition that must hold.
    @param reason The revert string.
    """
    if not ok:
        raise reason


@internal
@view
def _round_juror(key: uint256, index: uint256) -> address:
    """
    @dev Returns the `index`-th distinct juror of a round: the owner of the
         leaf recorded for them (exact while they hold unsettled seats).
    @param key The round's storage key.
    @param index The juror's index in the round.
    @return address The juror.
    """
    slot: uint256 = index // _LEAVES_PER_SLOT
    offset: uint256 = (index % _LEAVES_PER_SLOT) * _LEAF_BITS
    return staticcall ISortitionTree(TREE).owner_of((self._round_leaves[key][slot] >> offset) & _MASK24)


@internal
@view
def _seat_lock(version: uint256) -> uint256:
    """
    @dev Returns the lock of one seat under a parameter version.
    @param version The parameter version.
    @return uint256 `min_juror_stake * alpha_bps / 10_000`.
    """
    return self.params[version].min_juror_stake * self.params[version].alpha_bps // _BPS


@internal
def _credit(account: address, amount: uint256):
    """
    @dev Adds to what `account` can withdraw (the one place).
    @param account The account.
    @param amount The amount.
    """
    self._accounts[account] += amount


@internal
def _pull(amount: uint256):
    """
    @dev Pulls `amount` LDAO from the caller (the one call site).
    @param amount The amount.
    """
    assert extcall IERC20(TOKEN).transferFrom(msg.sender, self, amount, default_return_value=True)


@internal
@view
def _epoch() -> uint256:
    """
    @dev Returns the current stake-snapshot epoch (the tree's).
    @return uint256 `block.timestamp // _EPOCH_SECONDS`.
    """
    return block.timestamp // _EPOCH_SECONDS


@internal
@view
def _tree_values(position: uint256) -> (uint256, uint256):
    """
    @dev Returns a leaf's current and snapshot weights (the one call site).
    @param position The leaf.
    @return uint256 The free stake.
    @return uint256 The stake in this epoch's snapshot.
    """
    return staticcall ISortitionTree(TREE).values(position)


@internal
@view
def _tree_totals() -> (uint256, uint256):
    """
    @dev Returns the tree's current and snapshot totals (the one call site).
    @return uint256 The total free stake.
    @return uint256 This epoch's snapshot total.
    """
    return staticcall ISortitionTree(TREE).totals()


@internal
def _tree_add(position: uint256, amount: uint256) -> uint256:
    """
    @dev Adds weight to a leaf (the one call site).
    @param position The leaf.
    @param amount The weight.
    @return uint256 The leaf's weight after it.
    """
    return extcall ISortitionTree(TREE).add(position, amount)


@internal
def _tree_sub(position: uint256, amount: uint256):
    """
    @dev Removes weight from a leaf (the one call site).
    @param position The leaf.
    @param amount The weight.
    """
    extcall ISortitionTree(TREE).sub(position, amount)


@internal
def _tree_release(position: uint256):
    """
    @dev Gives a leaf back to the tree (the one call site).
    @param position The leaf.
    """
    extcall ISortitionTree(TREE).release(position)


@internal
@view
def _court_clock() -> uint256:
    """
    @dev Returns the court clock: seconds of time not spent paused
         (`block.timestamp` minus every pause's length, the current one
         included). Draw deadlines are on this clock.
    @return uint256 The court time.
    """
    clock: uint256 = self._pause_clock
    now: uint256 = block.timestamp
    if clock >> 40 != 0:
        now = clock >> 40
    return now - (clock & _MASK40)


@internal
@view
def _snapshot_stake(account: address) -> uint256:
    """
    @dev Returns an account's stake in this epoch's draw snapshot (zero
         without a leaf).
    @param account The account.
    @return uint256 The snapshot stake.
    """
    leaf: uint256 = self._jurors[account] >> _JUROR_LEAF_SHIFT
    if leaf == 0:
        return 0
    return self._tree_values(unsafe_sub(leaf, 1))[1]


@internal
@pure
def _arbitrable(record: uint256) -> address:
    """
    @dev Returns the arbitrable of a dispute record.
    @param record The packed record.
    @return address The arbitrable.
    """
    return convert(convert(record & (2**160 - 1), uint160), address)


@internal
@view
def _is_last_round(round: uint256, panel: uint256, version: uint256) -> bool:
    """
    @dev Returns whether a round can no longer be appealed: the last
         round allowed, a next panel above `max_panel`, or one that would
         take this dispute's locks (all its rounds, the next one included)
         above `max_dispute_lock_bps` of the court's stake (free stake
         plus this dispute's locks). `_schedule` decides it when the panel
         is complete, so no later change of stake can stop a side from
         being funded after the other was.
    @param round The round.
    @param panel Its panel size.
    @param version The dispute's parameter version.
    @return bool True for the last round allowed.
    """
    if round + 1 >= self.params[version].max_rounds or 2 * panel + 1 > self.params[version].max_panel:
        return True
    seat_lock: uint256 = self._seat_lock(version)
    # Panels double plus one: rounds 0..round hold 2 * panel - p0 - round seats.
    held: uint256 = (2 * panel - self.params[version].panel_size - round) * seat_lock
    after: uint256 = held + (2 * panel + 1) * seat_lock
    return after * _BPS > self.params[version].max_dispute_lock_bps * (self._tree_totals()[0] + held)


@internal
@view
def _period(timetable: uint256) -> uint256:
    """
    @dev Returns the period of a round from its timetable.
    @param timetable The packed timetable.
    @return uint256 The period (PERIOD_*).
    """
    if timetable >> _TIMETABLE_CLOSED_BIT != 0:
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


@internal
@view
def _is_final(dispute_id: uint256, record: uint256) -> bool:
    """
    @dev Returns whether a dispute is final: its last round is past its
         appeal period without a raised appeal.
    @param dispute_id The dispute.
    @param record The packed dispute record.
    @return bool True when final.
    """
    return self._period(self._timetables[self._last_key(dispute_id, record)]) == PERIOD_EXECUTION


@internal
@pure
def _plurality(tally: uint256, choices: uint256) -> (uint256, bool):
    """
    @dev Returns the plurality of a tally and whether it is tied; a tie
         (including no votes at all) gives ruling 0.
    @param tally The packed tally.
    @param choices The number of choices.
    @return uint256 The ruling.
    @return bool Whether the top count is shared.
    """
    best: uint256 = 0
    best_count: uint256 = tally & _MASK16
    tied: bool = False
    for choice: uint256 in range(1, MAX_CHOICES + 1):
        if choice > choices:
            break
        count: uint256 = (tally >> (16 * choice)) & _MASK16
        if count > best_count:
            best = choice
            best_count = count
            tied = False
        elif count == best_count:
            tied = True
    if tied:
        return (0, True)
    return (best, False)


@internal
@pure
def _revealed_seats(tally: uint256) -> uint256:
    """
    @dev Returns the seats that revealed any choice.
    @param tally The packed tally.
    @return uint256 The sum of all counts.
    """
    total: uint256 = 0
    for choice: uint256 in range(MAX_CHOICES + 1):
        total += (tally >> (16 * choice)) & _MASK16
    return total


@internal
@view
def _final_ruling(dispute_id: uint256, record: uint256) -> (uint256, uint256, bool):
    """
    @dev Returns the final ruling of a final dispute, the jury's ruling
         (the plurality of the last round) and whether the jury tied. The
         final ruling differs from the jury's only when one side alone was
         funded in the last round's appeal period: it wins by default.
    @param dispute_id The dispute.
    @param record The packed dispute record.
         A last round closed undrawn defers to the round before it (ruling
         0 for round 0).
    @return uint256 The final ruling (what the arbitrable receives).
    @return uint256 The jury's ruling (what coherence is judged against).
    @return bool Whether the jury's vote was tied.
    """
    last: uint256 = self._last_key(dispute_id, record)
    jury_ruling: uint256 = 0
    tied: bool = False
    lone_side: uint256 = self._fundings[last].side_a
    if self._timetables[last] >> _TIMETABLE_CLOSED_BIT != 0:
        # Closed undrawn: round 0 refuses to arbitrate; after a failed
        # appeal the previous round's jury ruling stands.
        if last & 255 == 0:
            return (0, 0, False)
        last -= 1
        lone_side = 0
    jury_ruling, tied = self._plurality(self._tallies[last], (record >> _DISPUTE_CHOICES_SHIFT) & 255)
    if lone_side != 0 and lone_side != jury_ruling:
        return (lone_side, jury_ruling, tied)
    return (jury_ruling, jury_ruling, tied)


@internal
@view
def _current_ruling(dispute_id: uint256, record: uint256) -> uint256:
    """
    @dev Returns the final ruling of a final dispute, else the current
         round's plurality so far.
    @param dispute_id The dispute.
    @param record The packed dispute record.
    @return uint256 The ruling.
    """
    if self._is_final(dispute_id, record):
        ruling: uint256 = 0
        jury_ruling: uint256 = 0
        tied: bool = False
        ruling, jury_ruling, tied = self._final_ruling(dispute_id, record)
        return ruling
    current: uint256 = 0
    tied_now: bool = False
    current, tied_now = self._plurality(
        self._tallies[self._last_key(dispute_id, record)], (record >> _DISPUTE_CHOICES_SHIFT) & 255
    )
    return current


@internal
def _open_round(dispute_id: uint256, round: uint256, panel: uint256, choices: uint256, fee: uint256, version: uint256):
    """
    @dev Opens a round: timetable, tally marker, fee and the randomness
         request its panel will be drawn with.
    @param dispute_id The dispute.
    @param round The new round.
    @param panel Its number of seats.
    @param choices The dispute's number of choices.
    @param fee The juror fee pool of the round.
    @param version The dispute's parameter version.
    """
    key: uint256 = (dispute_id << 8) | round
    deadline: uint256 = self._court_clock() + self.params[version].evidence_period + self.params[version].draw_timeout
    self._timetables[key] = panel | (choices << _TIMETABLE_CHOICES_SHIFT) | (deadline << _TIMETABLE_DEADLINE_SHIFT)
    self._tallies[key] = _TALLY_MARKER
    self._books[key].fee = fee
    evidence_end: uint256 = block.timestamp + self.params[version].evidence_period
    seat_lock: uint256 = self._seat_lock(version)
    log RoundCreated(
        dispute_id=dispute_id, round=round, panel=panel, fee=fee, evidence_end=evidence_end, seat_lock=seat_lock
    )
    state: uint256 = evidence_end | (seat_lock << _DRAW_SEAT_LOCK_SHIFT)
    self._draw_states[key] = self._request_randomness(dispute_id, round, key, state)


@internal
def _request_randomness(dispute_id: uint256, round: uint256, key: uint256, state: uint256) -> uint256:
    """
    @dev Requests randomness for a round from the court's current source
         (the newest parameter version's `randomness`, whatever the
         dispute's version) and ties it to the current snapshot epoch.
         Draws use this request, and this source, until the next one
         (docs/decisions.md, "Moving a dispute's randomness").
    @param dispute_id The dispute.
    @param round The round.
    @param key The round's storage key.
    @param state The round's packed draw state.
    @return uint256 The draw state with the new epoch and source version.
    """
    version: uint256 = self.params_version
    source: address = self.params[version].randomness
    request_id: uint256 = extcall IRandomness(source).request_randomness()
    epoch: uint256 = self._epoch()
    self._requests[key] = request_id
    log DrawRequested(dispute_id=dispute_id, round=round, source=source, request_id=request_id, epoch=epoch)
    return (
        (state & ~((_MASK56 << _DRAW_EPOCH_SHIFT) | (_MASK32 << _DRAW_SOURCE_SHIFT)))
        | (epoch << _DRAW_EPOCH_SHIFT)
        | (version << _DRAW_SOURCE_SHIFT)
    )


@internal
def _schedule(dispute_id: uint256, round: uint256, timetable: uint256, state: uint256, version: uint256) -> uint256:
    """
    @dev Fixes the timetable of a round whose panel is complete: commit
         from the later of now and the end of the evidence period, then
         reveal, then appeal (none for the last round allowed).
    @param dispute_id The dispute.
    @param round The round.
    @param timetable The packed timetable.
    @param state The packed draw state.
    @param version The dispute's parameter version.
    @return uint256 The timetable with its dates.
    """
    commit_start: uint256 = max(block.timestamp, state & _MASK40)
    reveal_start: uint256 = commit_start + self.params[version].commit_period
    appeal_start: uint256 = reveal_start + self.params[version].reveal_period
    appeal_end: uint256 = appeal_start
    last: bool = self._is_last_round(round, timetable & _MASK16, version)
    if not last:
        appeal_end = appeal_start + self.params[version].appeal_period
    log PanelDrawn(
        dispute_id=dispute_id,
        round=round,
        commit_start=commit_start,
        reveal_start=reveal_start,
        appeal_start=appeal_start,
        appeal_end=appeal_end,
    )
    if not last:
        log IArbitrator.AppealPossible(dispute_id=dispute_id, arbitrable=self._arbitrable(self._disputes[dispute_id]))
    return (
        (timetable & ~_TIMETABLE_DATES)
        | (commit_start << _TIMETABLE_COMMIT_SHIFT)
        | (reveal_start << _TIMETABLE_REVEAL_SHIFT)
        | (appeal_start << _TIMETABLE_APPEAL_SHIFT)
        | (appeal_end << _TIMETABLE_APPEAL_END_SHIFT)
    )


# ---------------------------------------------------------------------------
# Internal: settlement
# ---------------------------------------------------------------------------

@internal
def _settle(key: uint256, juror: address, vote: uint256, seat_lock: uint256, multiplier: uint256, share: uint256, coherent: bool) -> uint256:
    """
    @dev Settles one juror of a round. A coherent juror gets the seat locks
         back in free stake (and the tree) and `share` of the round's pool
         as claimable. Any other juror is slashed the seat locks, and one
         who did not reveal `multiplier / 10_000` times them, the excess
         taken from free stake, then from pending stake, as far as they
         go; a juror left with nothing gives their leaf back.
    @param key The round's storage key (`dispute_id << 8 | round`).
    @param juror The juror.
    @param vote The juror's vote record.
    @param seat_lock The round's lock per seat.
    @param multiplier The non-reveal multiplier in basis points (>= 10,000).
    @param share The coherent juror's reward (0 for the others).
    @param coherent Whether the juror is coherent.
    @return uint256 The tokens slashed.
    """
    seats: uint256 = (vote >> _VOTE_SEATS_SHIFT) & _MASK16
    lock: uint256 = seats * seat_lock
    record: uint256 = self._jurors[juror]
    leaf: uint256 = record >> _JUROR_LEAF_SHIFT
    position: uint256 = unsafe_sub(leaf, 1)
    penalty: uint256 = 0
    unlocked: uint256 = 0
    if coherent:
        # `locked` (low bits) holds at least this lock and the juror holds
        # this round: neither field borrows.
        self._jurors[juror] = record - lock - _JUROR_ONE_ROUND
        self._tree_add(position, lock)
        if share != 0:
            self._credit(juror, share)
        unlocked = lock
    else:
        # The lock was added to `locked` by the draw and is still there.
        locked: uint256 = (record & _MASK96) - lock
        pending: uint256 = (record >> _JUROR_PENDING_SHIFT) & _MASK96
        penalty = lock
        free: uint256 = self._tree_values(position)[0]
        if vote & _VOTE_REVEALED == 0:
            # `multiplier >= _BPS`, so the target is at least the lock.
            extra: uint256 = lock * multiplier // _BPS - lock
            from_free: uint256 = min(extra, free)
            if from_free != 0:
                self._tree_sub(position, from_free)
                free -= from_free
            from_pending: uint256 = min(extra - from_free, pending)
            pending -= from_pending
            penalty += from_free + from_pending
        if locked == 0 and pending == 0 and free == 0:
            self._tree_release(position)
            leaf = 0
        # The juror holds this round, so the round count does not underflow.
        rounds: uint256 = unsafe_sub((record >> _JUROR_ROUNDS_SHIFT) & _MASK40, 1)
        self._jurors[juror] = (
            locked | (pending << _JUROR_PENDING_SHIFT) | (rounds << _JUROR_ROUNDS_SHIFT) | (leaf << _JUROR_LEAF_SHIFT)
        )
    self._votes[key][juror] = vote | _VOTE_SETTLED
    log JurorSettled(
        dispute_id=key >> 8,
        round=key & 255,
        juror=juror,
        seats=seats,
        coherent=coherent,
        unlocked=unlocked,
        penalty=penalty,
        reward=share,
    )
    return penalty


@internal
def _return_appeal_funds(dispute_id: uint256, round: uint256, key: uint256, ruling: uint256):
    """
    @dev Settles the appeal funding collected in a round. A side funded
         alone (no appeal was raised) gets its deposit back. After a raised
         appeal one deposit paid the next round's jurors; the other goes
         to the funder of the side that finally won, or is shared by the
         two funders when neither side won; both come back when the
         appeal round was closed undrawn.
    @param dispute_id The dispute.
    @param round The round whose appeal period collected the funds.
    @param key The round's storage key.
    @param ruling The final ruling.
    """
    appeal_funding: IQualityCourt.Funding = self._fundings[key]
    if appeal_funding.side_a == 0:
        return
    # An appeal whose round was closed undrawn failed: the deposit held
    # here goes back to the first funder (the other one got the round's
    # fee back at the close).
    if appeal_funding.side_b == 0 or ruling == appeal_funding.side_a or self._timetables[key + 1] >> _TIMETABLE_CLOSED_BIT != 0:
        self._credit_refund(dispute_id, round, appeal_funding.funder_a, appeal_funding.cost)
    elif ruling == appeal_funding.side_b:
        self._credit_refund(dispute_id, round, appeal_funding.funder_b, appeal_funding.cost)
    else:
        half: uint256 = appeal_funding.cost // 2
        self._credit_refund(dispute_id, round, appeal_funding.funder_a, half)
        self._credit_refund(dispute_id, round, appeal_funding.funder_b, appeal_funding.cost - half)


@internal
def _credit_refund(dispute_id: uint256, round: uint256, funder: address, amount: uint256):
    """
    @dev Credits an appeal refund.
    @param dispute_id The dispute.
    @param round The round.
    @param funder The funder.
    @param amount The amount.
    """
    self._credit(funder, amount)
    log AppealFundsReturned(dispute_id=dispute_id, round=round, funder=funder, amount=amount)


@internal
def _store_params(new_params: IQualityCourt.Params):
    """
    @dev Checks parameters against their bounds (the lens's
         `check_params`) and writes them as a new version.
    @param new_params The parameters.
    """
    assert staticcall IQualityCourtLens(LENS).check_params(new_params)
    version: uint256 = self._params_count
    self._params_count = version + 1
    self.params[version] = new_params
    self.params_version = version
    log ParamsChanged(version=version, params=new_params)
