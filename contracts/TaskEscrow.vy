# pragma version ~=0.4.3
# pragma nonreentrancy off
# pragma optimize codesize
"""
@title LabelDAO Task Escrow
@custom:contract-name TaskEscrow
@license GNU Affero General Public License v3.0 only
@notice The labeling market of LabelDAO: a requester escrows a reward
        (plus the protocol fee) in LDAO for a batch of items; one annotator
        claims the task with a stake, submits the Merkle root of its
        answers, and is paid on acceptance or after a silent review
        period. Proven gold-item failures slash the stake (held until the
        task settles); reaching the limit rejects the task after a contest
        window in which the annotator may take the gold to the arbitrator,
        against the requester's gold bond. A rejection goes to the ERC-792
        arbitrator. Reasons and alternatives: docs/decisions.md
        ("TaskEscrow", "Gold contests", "Pauses", "Architecture").

        Invariants:
        - OPEN -> CLAIMED -> SUBMITTED -> ACCEPTED | GOLD_FAILED | DISPUTED;
          GOLD_FAILED -> REJECTED | DISPUTED (a gold contest);
          DISPUTED -> ACCEPTED | REJECTED | SPLIT; OPEN -> CANCELLED;
          OPEN | CLAIMED -> EXPIRED. Terminal statuses credit every token
          of the task in the transaction that enters them.
        - `liabilities()` (escrowed rewards, fees and stakes plus every
          `claimable`) equals the escrow's LDAO balance; tokens leave
          through `withdraw` alone. No function loops over tasks.
        - A task keeps the parameter version current at its creation.
        - Pauses stop entries (`create_task`, `claim_task`), never exits;
          the claim deadline counts unpaused seconds only, every other
          deadline waits for actions that work while paused.
@custom:security The arbitrator of a task is trusted to rule; a task whose
                 arbitrator never rules stays DISPUTED. Amounts are packed
                 in 96 bits (LDAO's supply is below 2**96). Without
                 MINTER_ROLE on LDAO the bonus is skipped, never the payout.
"""


from snekmate.auth.interfaces import IAccessControl
implements: IAccessControl


from ethereum.ercs import IERC165
implements: IERC165


from ethereum.ercs import IERC20


from .interfaces import IArbitrable
implements: IArbitrable


from .interfaces import IRewardToken


from snekmate.auth import access_control
initializes: access_control


from snekmate.utils import pausable
initializes: pausable


from .modules import roles
initializes: roles[access_control := access_control]


from .modules import treasurer
initializes: treasurer[roles := roles]


from .modules import pull_payments
initializes: pull_payments


from .modules import arbitrable
initializes: arbitrable


from .modules import epoch_clock
initializes: epoch_clock


# @dev Stateless: basis points, masks, the one revert path.
from .modules import utils


# @dev Stateless: snekmate's sorted-pair Merkle proof verification.
from snekmate.utils import merkle_proof_verification as merkle


exports: (
    # Role administration: the timelock holds PARAMS_ROLE, the guardian
    # GUARDIAN_ROLE; the deployer's DEFAULT_ADMIN_ROLE is handed over.
    access_control.supportsInterface,
    access_control.hasRole,
    access_control.getRoleAdmin,
    access_control.grantRole,
    access_control.revokeRole,
    access_control.renounceRole,
    access_control.set_role_admin,
    access_control.DEFAULT_ADMIN_ROLE,
    roles.PARAMS_ROLE,
    roles.GUARDIAN_ROLE,
    # Entries (create, claim) pause; the guardian pauses them (`pause`,
    # `unpause` below count the paused seconds).
    pausable.paused,
    # The receiver of fees and slash shares, changed by the timelock.
    treasurer.treasury,
    treasurer.set_treasury,
    # The bonus budget's epoch: a week, from the Unix epoch.
    epoch_clock.EPOCH_LENGTH,
)


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


# @dev The status of a task. The empty flag (0) means "no such task".
flag Status:
    OPEN
    CLAIMED
    SUBMITTED
    DISPUTED
    ACCEPTED
    REJECTED
    SPLIT
    EXPIRED
    CANCELLED
    GOLD_FAILED


# @dev Every parameter of the escrow, with its bounds (see `set_params`).
struct Params:
    # Protocol fee, bps of the reward, paid by the requester on top of it.
    fee_bps: uint256
    # Stake slashed per proven gold failure, bps of the stake.
    gold_slash_bps: uint256
    # Proven gold failures that reject a task outright.
    gold_fail_limit: uint256
    # Stake slashed when the arbitrator rejects the work, bps of what remains.
    reject_slash_bps: uint256
    # Stake slashed when the annotator misses the deadline, bps of the stake.
    late_slash_bps: uint256
    # Share of a reject or late slash that goes to the treasury (the rest
    # compensates the requester), bps.
    slash_treasury_bps: uint256
    # Bounds of a task's review period, seconds.
    min_review_period: uint256
    max_review_period: uint256
    # Longest time from creation to the submission deadline, seconds.
    max_task_duration: uint256
    # Most items in one task.
    max_items: uint256
    # Bonus minted per item of accepted work, LDAO base units.
    bonus_per_item: uint256
    # The bonus never exceeds this share of the task's fee, bps.
    bonus_fee_cap_bps: uint256
    # Most bonus minted per epoch (EPOCH_LENGTH), LDAO base units.
    epoch_budget: uint256
    # The ERC-792 arbitrator of rejected tasks, and its extra data.
    arbitrator: address
    arbitrator_extra_data: Bytes[arbitrable.PARAMS_EXTRA_DATA_LENGTH]
    # Bond a requester posts with a gold root, LDAO base units: back to it
    # unless its gold is ruled wrong, then the annotator's.
    gold_bond: uint256
    # Seconds the annotator has to contest a gold rejection.
    gold_contest_period: uint256


# @dev A task as the `tasks` view returns it.
struct Task:
    requester: address
    annotator: address
    status: Status
    params_id: uint256
    n_items: uint256
    reward: uint256
    fee: uint256
    stake: uint256
    deadline: uint256
    review_period: uint256
    review_end: uint256
    gold_failures: uint256
    gold_root: bytes32
    result_root: bytes32
    dispute_id: uint256
    gold_bond: uint256
    contest_end: uint256
    claim_deadline: uint256


# @dev The part of a task every transition reads, unpacked (see `_TaskWords`).
struct _Task:
    requester: address
    annotator: address
    status: Status
    params_id: uint256
    n_items: uint256
    reward: uint256
    stake: uint256
    deadline: uint256
    review_period: uint256
    review_end: uint256
    gold_failures: uint256
    bonded: bool
    pause_mark: uint256


# @dev `_Task` in three storage slots, read and written by `_load_task` /
# `_store_task` only (bit offsets from the lowest). Three slot writes
# instead of eleven save about 180,000 gas over a task's life.
struct _TaskWords:
    # requester 0..159 | status 160..175 | gold_failures 176..183 |
    # n_items 184..215 | params_id 216..247 | bonded 248
    requester_word: uint256
    # annotator 0..159 | stake 160..255
    annotator_word: uint256
    # reward 0..95 | deadline 96..135 | review_period 136..159 |
    # review_end 160..199 | pause_mark 200..239
    timing_word: uint256


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------


# @dev LDAO's minting role, which the escrow needs for the bonus.
MINTER_ROLE: public(constant(bytes32)) = keccak256("MINTER_ROLE")


# @dev The ERC-792 ruling that the work stands.
RULING_ACCEPT: public(constant(uint256)) = 1


# @dev The ERC-792 ruling that the work is rejected.
RULING_REJECT: public(constant(uint256)) = 2


# @dev Bounds of the parameters, enforced by `set_params`.
# Highest protocol fee: 10 % of the reward.
MAX_FEE_BPS: public(constant(uint256)) = 1_000
# Most proven gold failures before a rejection (fits the packed 8 bits).
MAX_GOLD_FAIL_LIMIT: public(constant(uint256)) = 64
# Shortest review period a version may allow: one hour.
MIN_REVIEW_PERIOD_FLOOR: public(constant(uint256)) = 3_600
# Longest review period a version may allow: 30 days (fits 24 bits).
MAX_REVIEW_PERIOD_CEILING: public(constant(uint256)) = 30 * 86_400
# Longest time to a task's deadline a version may allow: a year.
MAX_TASK_DURATION_CEILING: public(constant(uint256)) = 365 * 86_400
# Most items a version may allow in a task (fits the packed 32 bits).
MAX_ITEMS_CEILING: public(constant(uint256)) = 2**32 - 1
# Highest gold bond: 1,000,000 LDAO.
MAX_GOLD_BOND: constant(uint256) = 1_000_000 * 10**18
# Bounds of the gold contest period: one day to 30 days.
MIN_GOLD_CONTEST_PERIOD: constant(uint256) = 86_400
MAX_GOLD_CONTEST_PERIOD: constant(uint256) = 30 * 86_400
# Highest bonus per item: 1,000 LDAO.
MAX_BONUS_PER_ITEM: public(constant(uint256)) = 1_000 * 10**18
# Highest bonus budget per epoch: 100 million LDAO (fits 96 bits).
MAX_EPOCH_BUDGET: public(constant(uint256)) = 100_000_000 * 10**18


# @dev Largest reward or stake: amounts are packed in 96 bits (LDAO's
# supply is below 2**96, so no real amount is refused).
MAX_AMOUNT: public(constant(uint256)) = 2**96 - 1


# @dev The emission epoch of the bonus budget, seconds.
_BONUS_EPOCH_LENGTH: constant(uint256) = 7 * 86_400


# @dev Deepest Merkle proof accepted: trees over at most 2**32 items.
MAX_PROOF_DEPTH: constant(uint256) = 32


# @dev Largest URI (task spec, result, evidence), as in ERC-1497's events.
_URI_LENGTH: constant(uint256) = 256


# @dev The ERC-1497 meta-evidence of every gold contest (logged by the
# constructor: metaevidence/gold-contest.json); task ids stay below it.
GOLD_CONTEST_META_EVIDENCE_ID: constant(uint256) = max_value(uint256)


# @dev Flag bit of an opened emission epoch (see `_emissions`).
_EPOCH_OPENED: constant(uint256) = 2**255


# ---------------------------------------------------------------------------
# Immutables and state
# ---------------------------------------------------------------------------


# @dev The LDAO token: rewards, fees, stakes and bonus.
TOKEN: public(immutable(address))


# @dev LDAO's hard cap, read once (it is immutable in the token).
_CAP: immutable(uint256)


# @dev Parameter versions, from 0; `params_count - 1` is the current one.
params: public(HashMap[uint256, Params])


# @dev The number of parameter versions.
params_count: public(uint256)


# @dev The number of tasks; task ids run from 0 to `task_count - 1`.
task_count: public(uint256)


# @dev Tasks, packed (see `_TaskWords`).
_tasks: HashMap[uint256, _TaskWords]


# @dev The gold root (committed at creation) and result root of a task.
_gold_roots: HashMap[uint256, bytes32]
_result_roots: HashMap[uint256, bytes32]


# @dev Gold items already proven per task, a bit per item (256 per word).
_gold_proven: HashMap[uint256, HashMap[uint256, uint256]]


# @dev The arbitrator's dispute id of a disputed task (the dispute -> task
# map is `arbitrable`'s).
_task_disputes: HashMap[uint256, uint256]


# @dev The end of a gold-failed task's contest window (0: never gold-failed).
# A DISPUTED task with one is a gold contest.
_contest_ends: HashMap[uint256, uint256]


# @dev Seconds paused before the current pause, and when it began.
_paused_total: uint256
_paused_since: uint256


# @dev Bonus budget per epoch: opened flag (bit 255) | budget (bits
# 96..191) | minted (bits 0..95). The budget is snapshotted from the
# parameters when the epoch's first bonus is computed.
_emissions: HashMap[uint256, uint256]


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


# @dev A requester escrowed `reward + fee` for a task. The spec URI is in
# ERC-1497's `MetaEvidence` (meta-evidence id = task id), logged with it.
event TaskCreated:
    task_id: indexed(uint256)
    requester: indexed(address)
    params_id: uint256
    spec_hash: bytes32
    n_items: uint256
    reward: uint256
    fee: uint256
    stake: uint256
    deadline: uint256
    review_period: uint256
    gold_root: bytes32
    gold_bond: uint256


# @dev An annotator claimed a task and locked its stake. `deadline` is the
# submission deadline: the created one plus the seconds the escrow was
# paused since creation (claims wait for pauses).
event TaskClaimed:
    task_id: indexed(uint256)
    annotator: indexed(address)
    stake: uint256
    deadline: uint256


# @dev The annotator submitted the root of its answers.
event TaskSubmitted:
    task_id: indexed(uint256)
    annotator: indexed(address)
    result_root: bytes32
    result_uri: String[_URI_LENGTH]
    review_end: uint256


# @dev The requester accepted the work.
event TaskAccepted:
    task_id: indexed(uint256)
    requester: indexed(address)


# @dev Someone finalized the task after a silent review period.
event TaskFinalized:
    task_id: indexed(uint256)
    caller: indexed(address)


# @dev The requester rejected the work and a dispute was opened.
event TaskRejected:
    task_id: indexed(uint256)
    arbitrator: indexed(address)
    dispute_id: indexed(uint256)
    reason_hash: bytes32
    arbitration_cost: uint256


# @dev The requester revealed a gold item and proved that the annotator
# answered it differently. `slashed` is held until the task settles (undone
# if a gold contest finds the gold wrong or is refused).
event GoldFailureProven:
    task_id: indexed(uint256)
    item_index: indexed(uint256)
    gold_answer_hash: bytes32
    gold_salt: bytes32
    submitted_answer_hash: bytes32
    slashed: uint256
    gold_failures: uint256


# @dev The gold failure limit was reached: the task is rejected at
# `contest_end` unless the annotator contests the gold first.
event GoldRejectionPending:
    task_id: indexed(uint256)
    contest_end: uint256


# @dev The annotator took a gold rejection to the arbitrator (ERC-1497
# `Dispute` with `GOLD_CONTEST_META_EVIDENCE_ID`).
event GoldContested:
    task_id: indexed(uint256)
    arbitrator: indexed(address)
    dispute_id: indexed(uint256)
    arbitration_cost: uint256


# @dev A task reached a terminal status; the amounts were credited to
# `claimable`. `slashed` is the slash applied now (late or reject), `bonus`
# the LDAO minted to the annotator (included in `annotator_amount`).
event TaskSettled:
    task_id: indexed(uint256)
    status: Status
    requester_amount: uint256
    annotator_amount: uint256
    treasury_amount: uint256
    slashed: uint256
    bonus: uint256


# @dev A new parameter version, for tasks created from now on.
event ParamsChanged:
    version: indexed(uint256)
    params: Params


# @dev An emission epoch opened with its bonus budget.
event EmissionEpochOpened:
    epoch: indexed(uint256)
    budget: uint256


# ---------------------------------------------------------------------------
# Constructor
# ---------------------------------------------------------------------------


@deploy
def __init__(token_: address, arbitrator_: address, treasury_: address):
    """
    @dev Deploys the escrow with the default parameters (version 0):
         fee 2.5 %, gold slash 10 % per failure with a limit of 3,
         reject slash 50 %, late slash 10 %, 20 % of those two slashes to
         the treasury, review period 1 to 14 days, tasks of at most
         90 days and 1,000,000 items, bonus 0.1 LDAO per item capped at
         half the fee, 100,000 LDAO bonus budget per 7-day epoch, no
         arbitrator extra data, a 30 LDAO gold bond (the court's default
         arbitration cost), 3 days to contest a gold rejection. Logs the
         gold contests' ERC-1497 `MetaEvidence`. The deployer receives DEFAULT_ADMIN_ROLE
         only, to wire PARAMS_ROLE and GUARDIAN_ROLE; the escrow needs
         MINTER_ROLE on the token for the bonus.
    @param token_ The LDAO token.
    @param arbitrator_ The ERC-792 arbitrator of rejected tasks.
    @param treasury_ The receiver of fees and slash shares.
    """
    utils._require(token_ != empty(address), "escrow: token is the zero address")
    TOKEN = token_
    _CAP = staticcall IRewardToken(token_).cap()
    access_control.__init__()
    pausable.__init__()
    treasurer.__init__(treasury_)
    # Bonus epochs are weeks since the Unix epoch.
    epoch_clock.__init__(0, _BONUS_EPOCH_LENGTH)
    self._set_params(
        Params(
            fee_bps=250,
            gold_slash_bps=1_000,
            gold_fail_limit=3,
            reject_slash_bps=5_000,
            late_slash_bps=1_000,
            slash_treasury_bps=2_000,
            min_review_period=86_400,
            max_review_period=14 * 86_400,
            max_task_duration=90 * 86_400,
            max_items=1_000_000,
            bonus_per_item=10**17,
            bonus_fee_cap_bps=5_000,
            epoch_budget=100_000 * 10**18,
            arbitrator=arbitrator_,
            arbitrator_extra_data=b"",
            gold_bond=30 * 10**18,
            gold_contest_period=3 * 86_400,
        )
    )
    arbitrable._log_meta_evidence(GOLD_CONTEST_META_EVIDENCE_ID, "metaevidence/gold-contest.json")


# ---------------------------------------------------------------------------
# Requester: create and cancel
# ---------------------------------------------------------------------------


@external
@nonreentrant
def create_task(
    spec_hash: bytes32,
    spec_uri: String[_URI_LENGTH],
    n_items: uint256,
    reward: uint256,
    annotator_stake: uint256,
    deadline: uint256,
    review_period: uint256,
    gold_root: bytes32,
) -> uint256:
    """
    @dev Creates a task and pulls `reward + fee`, plus the gold bond if
         `gold_root` is not zero (see `task_cost`), from the caller, who
         approved the escrow first. Paused with entries.
    @param spec_hash The hash of the task specification.
    @param spec_uri Where the specification is (logged as ERC-1497
           `MetaEvidence` with the task id as meta-evidence id).
    @param n_items The number of items (1 to `max_items`).
    @param reward The reward of the work (not zero, at most 2**96 - 1).
    @param annotator_stake The stake an annotator locks to claim (not
           zero, at most 2**96 - 1).
    @param deadline The submission deadline, a timestamp after now and at
           most `max_task_duration` away.
    @param review_period The seconds the requester has to review a
           submission (`min_review_period` to `max_review_period`).
    @param gold_root The Merkle root of the hidden gold items, leaves
           `keccak256(keccak256(abi_encode(item_index, answer_hash, salt)))`
           (zero: no gold items).
    @return uint256 The task id.
    """
    return self._create_task(
        spec_hash, spec_uri, n_items, reward, annotator_stake, deadline, review_period, gold_root
    )


@external
@nonreentrant
def create_task_with_permit(
    spec_hash: bytes32,
    spec_uri: String[_URI_LENGTH],
    n_items: uint256,
    reward: uint256,
    annotator_stake: uint256,
    deadline: uint256,
    review_period: uint256,
    gold_root: bytes32,
    permit_deadline: uint256,
    v: uint8,
    r: bytes32,
    s: bytes32,
) -> uint256:
    """
    @dev `create_task` in one transaction: first applies the caller's
         EIP-2612 permit for `task_cost(reward)` to the escrow. A permit
         that fails (e.g. already used by a front-runner) is ignored; the
         transfer then needs an allowance as large as the cost, or it
         reverts with the token's "erc20: insufficient allowance".
    @param spec_hash The hash of the task specification.
    @param spec_uri Where the specification is.
    @param n_items The number of items.
    @param reward The reward of the work.
    @param annotator_stake The stake an annotator locks to claim.
    @param deadline The submission deadline.
    @param review_period The review period in seconds.
    @param gold_root The Merkle root of the hidden gold items.
    @param permit_deadline The permit's deadline.
    @param v The permit signature's `v`.
    @param r The permit signature's `r`.
    @param s The permit signature's `s`.
    @return uint256 The task id.
    """
    cost: uint256 = self._task_cost(reward)
    # Front-running safe: a failed permit is not an error (see above), so
    # its result is deliberately not checked.
    permit_applied: bool = raw_call(
        TOKEN,
        abi_encode(
            msg.sender,
            self,
            cost,
            permit_deadline,
            v,
            r,
            s,
            method_id=method_id("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"),
        ),
        revert_on_failure=False,
    )
    return self._create_task(
        spec_hash, spec_uri, n_items, reward, annotator_stake, deadline, review_period, gold_root
    )


@external
@nonreentrant
def cancel_task(task_id: uint256):
    """
    @dev Cancels a task nobody claimed; `reward + fee` go back to the
         requester's `claimable` (no work, no fee). Works while paused.
    @param task_id The task.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.OPEN, "escrow: task not open")
    utils._require(msg.sender == task.requester, "escrow: caller is not the requester")
    fee: uint256 = self._task_fee(task)
    self._settle(task_id, task, Status.CANCELLED, task.reward + fee, 0, 0, 0, 0, False)


# ---------------------------------------------------------------------------
# Annotator: claim and submit
# ---------------------------------------------------------------------------


@external
@nonreentrant
def claim_task(task_id: uint256):
    """
    @dev Claims an open task before its claim deadline (the deadline
         plus the seconds paused since creation, see `tasks`) and pulls
         its stake from the caller, who approved the escrow first. The
         task's deadline becomes the claim deadline. Paused with entries.
    @param task_id The task.
    """
    pausable._require_not_paused()
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.OPEN, "escrow: task not open")
    # The deadline moves by the seconds paused since creation, and the
    # submission deadline with it.
    task.deadline = self._claim_deadline(task)
    utils._require(block.timestamp <= task.deadline, "escrow: deadline passed")
    utils._require(msg.sender != task.requester, "escrow: requester cannot claim")
    task.annotator = msg.sender
    task.status = Status.CLAIMED
    self._store_task(task_id, task)
    pull_payments._hold(task.stake)
    log TaskClaimed(task_id=task_id, annotator=msg.sender, stake=task.stake, deadline=task.deadline)
    assert extcall IERC20(TOKEN).transferFrom(msg.sender, self, task.stake)


@external
@nonreentrant
def submit(task_id: uint256, result_root: bytes32, result_uri: String[_URI_LENGTH]):
    """
    @dev Submits the work before the deadline and starts the review
         period. Works while paused.
    @param task_id The task.
    @param result_root The Merkle root of the answers, leaves
           `keccak256(keccak256(abi_encode(item_index, answer_hash)))`.
    @param result_uri Where the answers are.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.CLAIMED, "escrow: task not claimed")
    utils._require(msg.sender == task.annotator, "escrow: caller is not the annotator")
    utils._require(block.timestamp <= task.deadline, "escrow: deadline passed")
    utils._require(result_root != empty(bytes32), "escrow: empty result root")
    task.status = Status.SUBMITTED
    task.review_end = block.timestamp + task.review_period
    self._store_task(task_id, task)
    self._result_roots[task_id] = result_root
    log TaskSubmitted(
        task_id=task_id,
        annotator=msg.sender,
        result_root=result_root,
        result_uri=result_uri,
        review_end=task.review_end,
    )


# ---------------------------------------------------------------------------
# Review: accept, reject, finalize, gold proofs
# ---------------------------------------------------------------------------


@external
@nonreentrant
def accept(task_id: uint256):
    """
    @dev The requester accepts the submitted work: the annotator is
         credited the reward, its remaining stake and the bonus; the
         treasury the fee and the gold slashes; the requester its gold
         bond. Works while paused.
    @param task_id The task.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.SUBMITTED, "escrow: task not submitted")
    utils._require(msg.sender == task.requester, "escrow: caller is not the requester")
    log TaskAccepted(task_id=task_id, requester=msg.sender)
    self._settle_accepted(task_id, task, False)


@external
@nonreentrant
def reject(task_id: uint256, reason_hash: bytes32) -> uint256:
    """
    @dev The requester rejects the submitted work during the review
         period and opens a dispute at the task's arbitrator (ERC-792,
         two choices). Works while the escrow is paused. The arbitration cost (`arbitrationCost`) is pulled
         from the requester, who approved the escrow for it first, and
         paid to the arbitrator. Logs ERC-1497 `Dispute` (evidence group =
         dispute id, meta-evidence = task id).
    @param task_id The task.
    @param reason_hash The hash of the reason (its text goes to the court
           as evidence); not zero.
    @return uint256 The arbitrator's dispute id.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.SUBMITTED, "escrow: task not submitted")
    utils._require(msg.sender == task.requester, "escrow: caller is not the requester")
    utils._require(block.timestamp < task.review_end, "escrow: review period over")
    utils._require(reason_hash != empty(bytes32), "escrow: empty reason")
    arbitrator: address = empty(address)
    dispute_id: uint256 = 0
    cost: uint256 = 0
    arbitrator, dispute_id, cost = self._open_task_dispute(task_id, task, task.annotator, task_id)
    log TaskRejected(
        task_id=task_id, arbitrator=arbitrator, dispute_id=dispute_id, reason_hash=reason_hash, arbitration_cost=cost
    )
    return dispute_id


@external
@nonreentrant
def finalize(task_id: uint256):
    """
    @dev Silence settles: once the review period is over, anyone may
         settle a submitted task as accepted; once the contest window is
         over, a gold-failed task as REJECTED (the requester gets `reward
         + fee` and its gold bond back, the treasury the gold slashes, the
         annotator the rest of its stake). Works while paused.
    @param task_id The task.
    """
    task: _Task = self._load_task(task_id)
    if task.status == Status.GOLD_FAILED:
        utils._require(block.timestamp >= self._contest_ends[task_id], "escrow: contest window not over")
        log TaskFinalized(task_id=task_id, caller=msg.sender)
        self._settle_gold_rejected(task_id, task)
        return
    utils._require(task.status == Status.SUBMITTED, "escrow: task not submitted")
    utils._require(block.timestamp >= task.review_end, "escrow: review period not over")
    log TaskFinalized(task_id=task_id, caller=msg.sender)
    self._settle_accepted(task_id, task, False)


@external
@nonreentrant
def prove_gold_failure(
    task_id: uint256,
    item_index: uint256,
    gold_answer_hash: bytes32,
    gold_salt: bytes32,
    gold_proof: DynArray[bytes32, MAX_PROOF_DEPTH],
    submitted_answer_hash: bytes32,
    submission_proof: DynArray[bytes32, MAX_PROOF_DEPTH],
):
    """
    @dev The requester reveals a gold item and proves that the annotator
         answered it differently, during the review period. Each gold
         item counts once. Each proven failure slashes `gold_slash_bps` of
         the stake, held until the task settles (then the treasury's); at
         `gold_fail_limit` failures the task becomes GOLD_FAILED: the
         annotator may `contest_gold` for `gold_contest_period` seconds,
         after which `finalize` rejects it. Works while paused.
    @param task_id The task.
    @param item_index The gold item's index (below `n_items`).
    @param gold_answer_hash The expected answer's hash.
    @param gold_salt The salt that hid the gold item in `gold_root`.
    @param gold_proof The proof of `(item_index, gold_answer_hash,
           gold_salt)` against the task's `gold_root`.
    @param submitted_answer_hash The annotator's answer's hash.
    @param submission_proof The proof of `(item_index,
           submitted_answer_hash)` against the task's `result_root`.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.SUBMITTED, "escrow: task not submitted")
    utils._require(msg.sender == task.requester, "escrow: caller is not the requester")
    utils._require(block.timestamp < task.review_end, "escrow: review period over")
    utils._require(item_index < task.n_items, "escrow: item index out of range")
    word: uint256 = item_index >> 8
    bit: uint256 = 1 << (item_index & 255)
    proven: uint256 = self._gold_proven[task_id][word]
    utils._require(proven & bit == 0, "escrow: gold item already proven")
    utils._require(submitted_answer_hash != gold_answer_hash, "escrow: answer matches gold")
    gold_leaf: bytes32 = keccak256(keccak256(abi_encode(item_index, gold_answer_hash, gold_salt)))
    utils._require(merkle._verify(gold_proof, self._gold_roots[task_id], gold_leaf), "escrow: bad gold proof")
    answer_leaf: bytes32 = keccak256(keccak256(abi_encode(item_index, submitted_answer_hash)))
    utils._require(merkle._verify(submission_proof, self._result_roots[task_id], answer_leaf), "escrow: bad answer proof")

    self._gold_proven[task_id][word] = proven | bit
    task.gold_failures += 1
    log GoldFailureProven(
        task_id=task_id,
        item_index=item_index,
        gold_answer_hash=gold_answer_hash,
        gold_salt=gold_salt,
        submitted_answer_hash=submitted_answer_hash,
        slashed=task.stake * self.params[task.params_id].gold_slash_bps // utils.BPS,
        gold_failures=task.gold_failures,
    )
    if task.gold_failures >= self.params[task.params_id].gold_fail_limit:
        task.status = Status.GOLD_FAILED
        contest_end: uint256 = block.timestamp + self.params[task.params_id].gold_contest_period
        self._contest_ends[task_id] = contest_end
        log GoldRejectionPending(task_id=task_id, contest_end=contest_end)
    self._store_task(task_id, task)


@external
@nonreentrant
def contest_gold(task_id: uint256, evidence: String[_URI_LENGTH]) -> uint256:
    """
    @dev The annotator of a gold-failed task contests the gold before the
         contest window ends: opens a dispute at the task's arbitrator
         (ERC-792, two choices: 1 the work stands, the gold was wrong; 2
         the gold was right, the task is rejected), the annotator paying
         `arbitrationCost` (approve the escrow first). Logs ERC-1497
         `Dispute` with `GOLD_CONTEST_META_EVIDENCE_ID` and, if given, the
         annotator's `Evidence`; the proven items are in the task's
         `GoldFailureProven` events. Works while paused.
    @param task_id The task.
    @param evidence The URI of the annotator's ERC-1497 evidence (empty:
           none).
    @return uint256 The arbitrator's dispute id.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.GOLD_FAILED, "escrow: task not gold-failed")
    utils._require(msg.sender == task.annotator, "escrow: caller is not the annotator")
    utils._require(block.timestamp < self._contest_ends[task_id], "escrow: contest window over")
    arbitrator: address = empty(address)
    dispute_id: uint256 = 0
    cost: uint256 = 0
    arbitrator, dispute_id, cost = self._open_task_dispute(
        task_id, task, task.requester, GOLD_CONTEST_META_EVIDENCE_ID
    )
    log GoldContested(task_id=task_id, arbitrator=arbitrator, dispute_id=dispute_id, arbitration_cost=cost)
    if len(evidence) != 0:
        arbitrable._log_evidence(arbitrator, dispute_id, evidence)
    return dispute_id


# ---------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------


@external
@nonreentrant
def reclaim(task_id: uint256):
    """
    @dev After a missed deadline, settles the task as EXPIRED: the
         requester gets `reward + fee` back; if the task was claimed, the
         annotator's stake is slashed `late_slash_bps` (the treasury's
         share `slash_treasury_bps`, the rest to the requester) and the
         rest of the stake goes back to the annotator. Anyone may call it,
         so that neither party can lock the other's tokens by waiting.
         An open task's deadline is its claim deadline (pauses excluded).
         Works while paused.
    @param task_id The task.
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status in (Status.OPEN | Status.CLAIMED), "escrow: task not open or claimed")
    utils._require(block.timestamp > self._claim_deadline(task), "escrow: deadline not passed")
    refund: uint256 = task.reward + self._task_fee(task)
    if task.status == Status.OPEN:
        self._settle(task_id, task, Status.EXPIRED, refund, 0, 0, 0, 0, False)
        return
    slashed: uint256 = task.stake * self.params[task.params_id].late_slash_bps // utils.BPS
    to_treasury: uint256 = slashed * self.params[task.params_id].slash_treasury_bps // utils.BPS
    self._settle(
        task_id,
        task,
        Status.EXPIRED,
        refund + slashed - to_treasury,
        task.stake - slashed,
        to_treasury,
        slashed,
        0,
        False,
    )


# ---------------------------------------------------------------------------
# Disputes (ERC-792 arbitrable, ERC-1497 evidence)
# ---------------------------------------------------------------------------


@external
@nonreentrant
def rule(dispute_id: uint256, ruling: uint256):
    """
    @dev ERC-792: the arbitrator's final ruling on a rejected task, once.
         1 (the work stands): settled as ACCEPTED, the annotator is paid
         as on `accept` (the requester's arbitration cost is lost).
         2 (rejected): REJECTED, the requester gets `reward + fee` back and
         `reject_slash_bps` of the remaining stake is slashed (the
         treasury's share `slash_treasury_bps`, the rest to the requester).
         0 (refused, a tie): SPLIT, nobody was proven wrong: no new slash,
         the remaining stake back, the reward halved between the parties
         and the fee charged on the half paid out; no bonus.
         A gold contest: 1 (the gold was wrong): ACCEPTED, every gold
         slash undone and the gold bond to the annotator; 2 (the gold was
         right): REJECTED as by `finalize`; 0: SPLIT with every gold slash
         undone and the bond back to the requester. Gold slashes held
         until now go to the treasury; the bond goes back to the requester
         in every other case.
    @param dispute_id The caller's dispute id.
    @param ruling The ruling (0, 1 or 2).
    """
    # Only the task's arbitrator, once (the task is DISPUTED until then).
    task_id: uint256 = arbitrable._take_ruling(dispute_id, ruling, RULING_REJECT)
    task: _Task = self._load_task(task_id)
    contest: bool = self._contest_ends[task_id] != 0
    if ruling == RULING_ACCEPT:
        self._settle_accepted(task_id, task, contest)
        return
    if contest and ruling == RULING_REJECT:
        self._settle_gold_rejected(task_id, task)
        return
    # A refused gold contest proved nobody wrong: its gold slashes go back.
    remaining: uint256 = task.stake
    if not contest:
        remaining = self._remaining_stake(task)
    held: uint256 = task.stake - remaining
    fee: uint256 = self._task_fee(task)
    if ruling == RULING_REJECT:
        slashed: uint256 = remaining * self.params[task.params_id].reject_slash_bps // utils.BPS
        to_treasury: uint256 = slashed * self.params[task.params_id].slash_treasury_bps // utils.BPS
        self._settle(
            task_id,
            task,
            Status.REJECTED,
            task.reward + fee + slashed - to_treasury,
            remaining - slashed,
            to_treasury + held,
            slashed,
            0,
            False,
        )
        return
    half_reward: uint256 = task.reward // 2
    half_fee: uint256 = fee // 2
    self._settle(
        task_id,
        task,
        Status.SPLIT,
        task.reward - half_reward + fee - half_fee,
        half_reward + remaining,
        half_fee + held,
        0,
        0,
        False,
    )


@external
def submit_evidence(task_id: uint256, evidence: String[_URI_LENGTH]):
    """
    @dev Lets the requester or the annotator of a disputed task (a
         rejection or a gold contest) submit evidence (ERC-1497
         `Evidence`, evidence group = dispute id). Works while paused.
    @param task_id The task.
    @param evidence The URI of a JSON evidence file (ERC-1497).
    """
    task: _Task = self._load_task(task_id)
    utils._require(task.status == Status.DISPUTED, "escrow: task not disputed")
    utils._require(msg.sender in [task.requester, task.annotator], "escrow: caller is not a party")
    arbitrable._log_evidence(self.params[task.params_id].arbitrator, self._task_disputes[task_id], evidence)


# ---------------------------------------------------------------------------
# Pause (entries only), with the paused seconds counted
# ---------------------------------------------------------------------------


@external
def pause():
    """
    @dev Pauses entries (`create_task`, `create_task_with_permit`,
         `claim_task`; GUARDIAN_ROLE). Open tasks' claim deadlines stop
         running until `unpause`.
    """
    roles._check_guardian_role()
    pausable._pause()
    self._paused_since = block.timestamp


@external
def unpause():
    """
    @dev Lifts the pause (GUARDIAN_ROLE); open tasks' claim deadlines
         move by its length.
    """
    roles._check_guardian_role()
    pausable._unpause()
    self._paused_total += block.timestamp - self._paused_since


# ---------------------------------------------------------------------------
# Pull payments
# ---------------------------------------------------------------------------


@external
@nonreentrant
def withdraw() -> uint256:
    """
    @dev Pays the caller everything it is owed (`claimable`). Works while
         paused.
    @return uint256 The amount paid.
    """
    return pull_payments._withdraw(TOKEN, "escrow: nothing to withdraw")


# ---------------------------------------------------------------------------
# Governance: parameters (the treasury and the pause are modules)
# ---------------------------------------------------------------------------


@external
def set_params(new_params: Params) -> uint256:
    """
    @dev Adds a parameter version for tasks created from now on
         (PARAMS_ROLE). Bounds: fee_bps <= MAX_FEE_BPS; 1 <=
         gold_fail_limit <= MAX_GOLD_FAIL_LIMIT; gold_slash_bps *
         gold_fail_limit <= 10,000; reject_slash_bps, late_slash_bps,
         slash_treasury_bps, bonus_fee_cap_bps <= 10,000;
         MIN_REVIEW_PERIOD_FLOOR <= min_review_period <= max_review_period
         <= MAX_REVIEW_PERIOD_CEILING; 1 <= max_task_duration <=
         MAX_TASK_DURATION_CEILING; 1 <= max_items <= MAX_ITEMS_CEILING;
         bonus_per_item <= MAX_BONUS_PER_ITEM; epoch_budget <=
         MAX_EPOCH_BUDGET (applies from the next epoch); arbitrator not
         zero.
    @param new_params The parameters.
    @return uint256 The new version's id.
    """
    roles._check_params_role()
    return self._set_params(new_params)


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


@external
@view
def tasks(task_id: uint256) -> Task:
    """
    @dev Returns a task (status 0 if it does not exist). `fee` is what
         the requester paid on top of the reward, `gold_bond` what it
         posted with its gold root; `review_end` is zero until submission,
         `contest_end` until the task gold-failed, `dispute_id` meaningful
         once DISPUTED. `claim_deadline`: while OPEN, `deadline` plus the
         seconds paused since creation; afterwards `deadline`.
    @param task_id The task.
    @return Task The task.
    """
    task: _Task = self._load_task(task_id)
    return Task(
        requester=task.requester,
        annotator=task.annotator,
        status=task.status,
        params_id=task.params_id,
        n_items=task.n_items,
        reward=task.reward,
        fee=self._task_fee(task),
        stake=task.stake,
        deadline=task.deadline,
        review_period=task.review_period,
        review_end=task.review_end,
        gold_failures=task.gold_failures,
        gold_root=self._gold_roots[task_id],
        result_root=self._result_roots[task_id],
        dispute_id=self._task_disputes[task_id],
        gold_bond=self._gold_bond(task),
        contest_end=self._contest_ends[task_id],
        claim_deadline=self._claim_deadline(task),
    )


@external
@view
def task_cost(reward: uint256) -> uint256:
    """
    @dev Returns what creating a task with `reward` and gold items costs
         now: the reward, the current protocol fee and gold bond (the
         amount to approve or permit; a task without gold pulls the bond
         less).
    @param reward The reward.
    @return uint256 `reward + fee + gold_bond`.
    """
    return self._task_cost(reward)


@external
@view
def current_params() -> Params:
    """
    @dev Returns the parameters new tasks get.
    @return Params The current version.
    """
    return self.params[self.params_count - 1]


@external
@view
def gold_proven(task_id: uint256, item_index: uint256) -> bool:
    """
    @dev Returns whether a gold failure was proven for an item.
    @param task_id The task.
    @param item_index The item.
    @return bool True once proven.
    """
    return self._gold_proven[task_id][item_index >> 8] & (1 << (item_index & 255)) != 0


@external
@view
def task_of_dispute(arbitrator: address, dispute_id: uint256) -> uint256:
    """
    @dev Returns the task of an arbitrator's dispute.
    @param arbitrator The arbitrator.
    @param dispute_id Its dispute id.
    @return uint256 The task id.
    """
    known: bool = False
    task_id: uint256 = 0
    known, task_id = arbitrable._item_of(arbitrator, dispute_id)
    utils._require(known, "escrow: unknown dispute")
    return task_id


@external
@view
def current_epoch() -> uint256:
    """
    @dev Returns the current emission epoch.
    @return uint256 `block.timestamp // EPOCH_LENGTH`.
    """
    return epoch_clock._current_epoch()


@external
@view
def claimable(account: address) -> uint256:
    """
    @dev Returns what `account` may `withdraw`.
    @param account The account.
    @return uint256 The amount.
    """
    return pull_payments.owed[account]


@external
@view
def liabilities() -> uint256:
    """
    @dev Returns everything the escrow owes: escrowed rewards, fees and
         stakes of live tasks plus every `claimable`. Equals its balance.
    @return uint256 The total.
    """
    return pull_payments.total_owed


@external
@view
def epoch_emission(epoch: uint256) -> (uint256, uint256):
    """
    @dev Returns an epoch's bonus budget and what was minted of it. An
         epoch not opened yet reports the budget it would open with now.
    @param epoch The epoch.
    @return uint256 The budget.
    @return uint256 The bonus minted.
    """
    packed: uint256 = self._emissions[epoch]
    if packed & _EPOCH_OPENED == 0:
        return (self.params[self.params_count - 1].epoch_budget, 0)
    return ((packed >> 96) & utils.MASK_96, packed & utils.MASK_96)


# ---------------------------------------------------------------------------
# Internal: creation and parameters
# ---------------------------------------------------------------------------


@internal
def _create_task(
    spec_hash: bytes32,
    spec_uri: String[_URI_LENGTH],
    n_items: uint256,
    reward: uint256,
    annotator_stake: uint256,
    deadline: uint256,
    review_period: uint256,
    gold_root: bytes32,
) -> uint256:
    """
    @dev Checks and records a new task, then pulls `reward + fee` and,
         with a gold root, the gold bond.
    """
    pausable._require_not_paused()
    params_id: uint256 = self.params_count - 1
    utils._require(n_items != 0, "escrow: no items")
    utils._require(n_items <= self.params[params_id].max_items, "escrow: too many items")
    utils._require(reward != 0, "escrow: reward is zero")
    utils._require(reward <= MAX_AMOUNT, "escrow: reward too large")
    utils._require(annotator_stake != 0, "escrow: stake is zero")
    utils._require(annotator_stake <= MAX_AMOUNT, "escrow: stake too large")
    utils._require(deadline > block.timestamp, "escrow: deadline not in the future")
    utils._require(deadline - block.timestamp <= self.params[params_id].max_task_duration, "escrow: deadline too far")
    utils._require(review_period >= self.params[params_id].min_review_period, "escrow: review period too short")
    utils._require(review_period <= self.params[params_id].max_review_period, "escrow: review period too long")

    fee: uint256 = self._fee(reward, self.params[params_id].fee_bps)
    task_id: uint256 = self.task_count
    self.task_count = task_id + 1
    self._store_task(
        task_id,
        _Task(
            requester=msg.sender,
            annotator=empty(address),
            status=Status.OPEN,
            params_id=params_id,
            n_items=n_items,
            reward=reward,
            stake=annotator_stake,
            deadline=deadline,
            review_period=review_period,
            review_end=0,
            gold_failures=0,
            bonded=gold_root != empty(bytes32),
            pause_mark=self._paused_seconds(),
        ),
    )
    bond: uint256 = 0
    if gold_root != empty(bytes32):
        self._gold_roots[task_id] = gold_root
        bond = self.params[params_id].gold_bond
    pull_payments._hold(reward + fee + bond)
    log TaskCreated(
        task_id=task_id,
        requester=msg.sender,
        params_id=params_id,
        spec_hash=spec_hash,
        n_items=n_items,
        reward=reward,
        fee=fee,
        stake=annotator_stake,
        deadline=deadline,
        review_period=review_period,
        gold_root=gold_root,
        gold_bond=bond,
    )
    arbitrable._log_meta_evidence(task_id, spec_uri)
    assert extcall IERC20(TOKEN).transferFrom(msg.sender, self, reward + fee + bond)
    return task_id


@internal
def _open_task_dispute(
    task_id: uint256, task: _Task, other_party: address, meta_evidence_id: uint256
) -> (address, uint256, uint256):
    """
    @dev Marks the task DISPUTED and opens its dispute at the task's
         arbitrator, the caller paying; logs ERC-1497 `Dispute`.
    @return address The arbitrator.
    @return uint256 The dispute id.
    @return uint256 The arbitration cost paid.
    """
    arbitrator: address = self.params[task.params_id].arbitrator
    task.status = Status.DISPUTED
    self._store_task(task_id, task)
    dispute_id: uint256 = 0
    cost: uint256 = 0
    dispute_id, cost = arbitrable._open_dispute(
        TOKEN, arbitrator, self.params[task.params_id].arbitrator_extra_data, task_id, 0, other_party
    )
    self._task_disputes[task_id] = dispute_id
    arbitrable._log_dispute(arbitrator, dispute_id, meta_evidence_id)
    return arbitrator, dispute_id, cost


@internal
def _set_params(new_params: Params) -> uint256:
    """
    @dev Checks the bounds of `new_params` and appends them as a version.
    """
    utils._require(new_params.fee_bps <= MAX_FEE_BPS, "escrow: fee above maximum")
    utils._require(new_params.gold_fail_limit != 0, "escrow: gold fail limit is zero")
    utils._require(new_params.gold_fail_limit <= MAX_GOLD_FAIL_LIMIT, "escrow: gold fail limit above maximum")
    utils._require(new_params.gold_slash_bps * new_params.gold_fail_limit <= utils.BPS, "escrow: gold slashes exceed the stake")
    utils._require(new_params.reject_slash_bps <= utils.BPS, "escrow: reject slash above 100%")
    utils._require(new_params.late_slash_bps <= utils.BPS, "escrow: late slash above 100%")
    utils._require(new_params.slash_treasury_bps <= utils.BPS, "escrow: treasury share above 100%")
    utils._require(new_params.min_review_period >= MIN_REVIEW_PERIOD_FLOOR, "escrow: min review period too short")
    utils._require(new_params.max_review_period <= MAX_REVIEW_PERIOD_CEILING, "escrow: max review period too long")
    utils._require(new_params.min_review_period <= new_params.max_review_period, "escrow: review period bounds inverted")
    utils._require(new_params.max_task_duration != 0, "escrow: max task duration is zero")
    utils._require(new_params.max_task_duration <= MAX_TASK_DURATION_CEILING, "escrow: max task duration too long")
    utils._require(new_params.max_items != 0, "escrow: max items is zero")
    utils._require(new_params.max_items <= MAX_ITEMS_CEILING, "escrow: max items above maximum")
    utils._require(new_params.bonus_per_item <= MAX_BONUS_PER_ITEM, "escrow: bonus per item above maximum")
    utils._require(new_params.bonus_fee_cap_bps <= utils.BPS, "escrow: bonus fee cap above 100%")
    utils._require(new_params.epoch_budget <= MAX_EPOCH_BUDGET, "escrow: epoch budget above maximum")
    utils._require(new_params.arbitrator != empty(address), "escrow: arbitrator is the zero address")
    utils._require(new_params.gold_bond <= MAX_GOLD_BOND, "escrow: gold bond above maximum")
    utils._require(new_params.gold_contest_period >= MIN_GOLD_CONTEST_PERIOD, "escrow: gold contest period too short")
    utils._require(new_params.gold_contest_period <= MAX_GOLD_CONTEST_PERIOD, "escrow: gold contest period too long")
    params_id: uint256 = self.params_count
    self.params[params_id] = new_params
    self.params_count = params_id + 1
    log ParamsChanged(version=params_id, params=new_params)
    return params_id


# ---------------------------------------------------------------------------
# Internal: settlement
# ---------------------------------------------------------------------------


@internal
def _settle_accepted(task_id: uint256, task: _Task, gold_was_wrong: bool):
    """
    @dev Settles as ACCEPTED: the annotator gets the reward, its remaining
         stake and the bonus, the treasury the fee and the gold slashes.
         `gold_was_wrong` (a won gold contest): the whole stake and the
         gold bond to the annotator, no gold slash.
    """
    fee: uint256 = self._task_fee(task)
    bonus: uint256 = self._take_bonus(task, fee)
    stake_back: uint256 = task.stake
    if not gold_was_wrong:
        stake_back = self._remaining_stake(task)
    self._settle(
        task_id,
        task,
        Status.ACCEPTED,
        0,
        task.reward + stake_back + bonus,
        fee + task.stake - stake_back,
        0,
        bonus,
        gold_was_wrong,
    )
    if bonus != 0:
        # Last, after every effect. `_take_bonus` checked the role and
        # clamped the amount to the cap, so the mint cannot fail.
        extcall IRewardToken(TOKEN).mint(self, bonus)


@internal
def _settle_gold_rejected(task_id: uint256, task: _Task):
    """
    @dev Settles a gold failure as REJECTED: the requester gets `reward +
         fee` (and its bond) back, the treasury the gold slashes, the
         annotator the rest of its stake.
    """
    remaining: uint256 = self._remaining_stake(task)
    self._settle(
        task_id,
        task,
        Status.REJECTED,
        task.reward + self._task_fee(task),
        remaining,
        task.stake - remaining,
        0,
        0,
        False,
    )


@internal
def _settle(
    task_id: uint256,
    task: _Task,
    status: Status,
    to_requester: uint256,
    to_annotator: uint256,
    to_treasury: uint256,
    slashed: uint256,
    bonus: uint256,
    bond_to_annotator: bool,
):
    """
    @dev Moves a task to a terminal status and credits its tokens, the
         gold bond to the requester (or, `bond_to_annotator`, to the
         annotator). The three amounts add up to what the task held plus
         `bonus`.
    """
    bond: uint256 = self._gold_bond(task)
    requester_amount: uint256 = to_requester + bond
    annotator_amount: uint256 = to_annotator
    if bond_to_annotator:
        requester_amount = to_requester
        annotator_amount = to_annotator + bond
    task.status = status
    self._store_task(task_id, task)
    # The task's tokens were held since its creation and claim: credits
    # out of them leave `liabilities` unchanged, except the bonus, minted
    # to the escrow now (included in `to_annotator`).
    pull_payments._credit_held(task.requester, requester_amount)
    pull_payments._credit_held(task.annotator, annotator_amount)
    pull_payments._credit_held(treasurer.treasury, to_treasury)
    if bonus != 0:
        pull_payments._hold(bonus)
    log TaskSettled(
        task_id=task_id,
        status=status,
        requester_amount=requester_amount,
        annotator_amount=annotator_amount,
        treasury_amount=to_treasury,
        slashed=slashed,
        bonus=bonus,
    )


@internal
def _take_bonus(task: _Task, fee: uint256) -> uint256:
    """
    @dev Returns the bonus of an accepted task and books it against the
         epoch's budget: `bonus_per_item * n_items`, at most
         `bonus_fee_cap_bps` of the fee (so that trading with oneself
         never mints more than it pays), the epoch's remaining budget and
         `cap - totalSupply`. Zero, never a revert, when any is exhausted
         or the escrow lacks MINTER_ROLE.
    """
    amount: uint256 = min(
        self.params[task.params_id].bonus_per_item * task.n_items,
        fee * self.params[task.params_id].bonus_fee_cap_bps // utils.BPS,
    )
    if amount == 0:
        return 0
    epoch: uint256 = epoch_clock._current_epoch()
    packed: uint256 = self._emissions[epoch]
    if packed & _EPOCH_OPENED == 0:
        budget: uint256 = self.params[self.params_count - 1].epoch_budget
        # budget <= MAX_EPOCH_BUDGET < 2**96: it fits its field.
        packed = _EPOCH_OPENED | (budget << 96)
        log EmissionEpochOpened(epoch=epoch, budget=budget)
    minted: uint256 = packed & utils.MASK_96
    # minted <= budget always (every mint below is clamped to the rest).
    amount = min(amount, unsafe_sub((packed >> 96) & utils.MASK_96, minted))
    if amount != 0 and not staticcall IAccessControl(TOKEN).hasRole(MINTER_ROLE, self):
        amount = 0
    if amount != 0:
        # The token never mints past its cap, so totalSupply <= _CAP.
        amount = min(amount, unsafe_sub(_CAP, staticcall IRewardToken(TOKEN).totalSupply()))
    # minted + amount <= budget < 2**96: the sum stays in its field.
    self._emissions[epoch] = packed + amount
    return amount


# ---------------------------------------------------------------------------
# Internal: task arithmetic and storage
# ---------------------------------------------------------------------------


@internal
@pure
def _fee(reward: uint256, fee_bps: uint256) -> uint256:
    """
    @dev The protocol fee of a reward.
    """
    return reward * fee_bps // utils.BPS


@internal
@view
def _task_cost(reward: uint256) -> uint256:
    """
    @dev What a task with gold items costs under the current version.
    """
    params_id: uint256 = self.params_count - 1
    return reward + self._fee(reward, self.params[params_id].fee_bps) + self.params[params_id].gold_bond


@internal
@view
def _gold_bond(task: _Task) -> uint256:
    """
    @dev The gold bond a task holds (zero without a gold root).
    """
    if task.bonded:
        return self.params[task.params_id].gold_bond
    return 0


@internal
@view
def _paused_seconds() -> uint256:
    """
    @dev Seconds paused since deployment, the current pause included.
    """
    if pausable.paused:
        return self._paused_total + block.timestamp - self._paused_since
    return self._paused_total


@internal
@view
def _claim_deadline(task: _Task) -> uint256:
    """
    @dev An open task's deadline moved by the seconds paused since its
         creation; the stored deadline once claimed.
    """
    if task.status == Status.OPEN:
        return task.deadline + self._paused_seconds() - task.pause_mark
    return task.deadline


@internal
@view
def _task_fee(task: _Task) -> uint256:
    """
    @dev The fee the requester paid: recomputed from the task's own
         parameter version (it is not stored).
    """
    return self._fee(task.reward, self.params[task.params_id].fee_bps)


@internal
@view
def _remaining_stake(task: _Task) -> uint256:
    """
    @dev The stake left after the gold failures proven so far.
    """
    if task.gold_failures == 0:
        return task.stake
    # gold_failures * gold_slash_bps <= gold_fail_limit * gold_slash_bps
    # <= 10,000 (set_params), so the slashes are at most the stake.
    return task.stake - task.gold_failures * (task.stake * self.params[task.params_id].gold_slash_bps // utils.BPS)


@internal
@view
def _load_task(task_id: uint256) -> _Task:
    """
    @dev Reads and unpacks a task.
    """
    words: _TaskWords = self._tasks[task_id]
    return _Task(
        requester=convert(words.requester_word & utils.MASK_160, address),
        annotator=convert(words.annotator_word & utils.MASK_160, address),
        status=convert((words.requester_word >> 160) & utils.MASK_16, Status),
        params_id=(words.requester_word >> 216) & utils.MASK_32,
        n_items=(words.requester_word >> 184) & utils.MASK_32,
        reward=words.timing_word & utils.MASK_96,
        stake=words.annotator_word >> 160,
        deadline=(words.timing_word >> 96) & utils.MASK_40,
        review_period=(words.timing_word >> 136) & utils.MASK_24,
        review_end=(words.timing_word >> 160) & utils.MASK_40,
        gold_failures=(words.requester_word >> 176) & utils.MASK_8,
        bonded=(words.requester_word >> 248) & 1 != 0,
        pause_mark=(words.timing_word >> 200) & utils.MASK_40,
    )


@internal
def _store_task(task_id: uint256, task: _Task):
    """
    @dev Packs and writes a task. Every field fits its bits:
         status < 2**10 (ten flags); gold_failures <= MAX_GOLD_FAIL_LIMIT
         < 2**8; n_items <= MAX_ITEMS_CEILING = 2**32 - 1; params_id
         counts `set_params` calls by the timelock, never near 2**32;
         stake and reward <= MAX_AMOUNT = 2**96 - 1 (checked at
         creation); deadline <= now + MAX_TASK_DURATION_CEILING and
         review_end <= now + MAX_REVIEW_PERIOD_CEILING, a claim-moved
         deadline and pause_mark (paused seconds) below 2**40 for the next
         30,000 years; review_period <=
         MAX_REVIEW_PERIOD_CEILING < 2**24. Unchanged slots cost 100 gas.
    """
    self._tasks[task_id] = _TaskWords(
        requester_word=(
            convert(task.requester, uint256)
            | (convert(task.status, uint256) << 160)
            | (task.gold_failures << 176)
            | (task.n_items << 184)
            | (task.params_id << 216)
            | (convert(task.bonded, uint256) << 248)
        ),
        annotator_word=convert(task.annotator, uint256) | (task.stake << 160),
        timing_word=(
            task.reward
            | (task.deadline << 96)
            | (task.review_period << 136)
            | (task.review_end << 160)
            | (task.pause_mark << 200)
        ),
    )
