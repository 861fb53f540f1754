# pragma version ~=0.4.3
# pragma nonreentrancy off
# pragma optimize codesize
"""
@title LabelDAO Compute Registry
@custom:contract-name ComputeRegistry
@license GNU Affero General Public License v3.0 only
@notice The permanent, public ledger of GPU contributions to LabelDAO and
        the LDAO rewards it mints for them. Providers bond stake per GPU,
        file one optimistic report per node and epoch (work units bounded
        by the node's capacity, scaled by uptime), anyone may challenge a
        report at the ERC-792 arbitrator, and final epochs' emissions are
        claimed pro rata by effective units. Reasons, formulas and
        alternatives: docs/decisions.md ("ComputeRegistry", "Architecture").

        Invariants:
        - Epoch `e` is `[GENESIS + e x epoch_clock.EPOCH_LENGTH, GENESIS + (e + 1) x
          epoch_clock.EPOCH_LENGTH)` (`modules/epoch_clock.vy`); its terms never change
          once it has started.
        - work_units <= gpu_count x max_units_per_gpu_second[tier] x epoch_clock.EPOCH_LENGTH.
        - An epoch's `total_units` is the effective units of its reports
          that are not voided; it only falls after the reporting window
          (fraud rulings, forfeits), and a report's claims add up to its
          share of the current total, so the epoch's claims never exceed
          its emission and a voided report's share goes to the others.
        - No report of a node under challenge or convicted is claimed.
        - `accounted()` (stakes, open bonds, credits) is what the registry
          owes; bonds and slash shares leave through `withdraw` alone.
        - One challenge per report, ever; pauses stop registration and
          growth only (no deadline waits for them), never reports,
          challenges, rulings, claims or exits.
@custom:security - Only a ruling of the arbitrator a challenge was opened
                   at can slash, and only the judged node, once.
                 - The arbitrator must take exactly its quoted fee and
                   return fresh dispute ids (both checked).
                 - Packed fields narrow with `convert`, which reverts
                   rather than overflow into a neighbour.
"""


from ethereum.ercs import IERC165
implements: IERC165


from snekmate.auth.interfaces import IAccessControl
implements: IAccessControl


from .interfaces import IArbitrable
implements: IArbitrable


from .interfaces import IArbitrator
from .interfaces import IRewardToken


from snekmate.auth import access_control
initializes: access_control


from snekmate.utils import pausable
initializes: pausable


from .modules import roles
initializes: roles[access_control := access_control]


from .modules import pause_guard
initializes: pause_guard[pausable := pausable, roles := roles]


from .modules import pull_payments
initializes: pull_payments


from .modules import arbitrable
initializes: arbitrable


from .modules import epoch_clock
initializes: epoch_clock


# @dev Stateless: basis points, masks, the one revert path.
from .modules import utils


exports: (
    # Role administration: the admin (the timelock) grants PARAMS_ROLE
    # and GUARDIAN_ROLE.
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
    # Registration and growth pause; the guardian pauses them.
    pausable.paused,
    pause_guard.pause,
    pause_guard.unpause,
    # The epoch clock, fixed at deployment.
    epoch_clock.EPOCH_LENGTH,
    epoch_clock.GENESIS,
)


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

# @dev Hardware tiers, 0 (consumer) to 3 (frontier datacenter).
N_TIERS: public(constant(uint256)) = 4


# @dev Most GPUs one node may bond.
MAX_GPUS_PER_NODE: public(constant(uint256)) = 1_024


# @dev Most epochs one `claim` may settle (bounds its loop).
MAX_CLAIM_EPOCHS: public(constant(uint256)) = 128


# @dev Bounds of the immutable epoch length.
MIN_EPOCH_LENGTH: public(constant(uint256)) = 3_600
MAX_EPOCH_LENGTH: public(constant(uint256)) = 30 * 86_400


# @dev Bounds of the reporting window and of the challenge period.
MIN_REPORTING_WINDOW: public(constant(uint256)) = 3_600
MAX_REPORTING_WINDOW: public(constant(uint256)) = 3 * 86_400
MIN_CHALLENGE_PERIOD: public(constant(uint256)) = 3_600
MAX_CHALLENGE_PERIOD: public(constant(uint256)) = 7 * 86_400


# @dev Bounds of the unbonding period. The minimum outlasts the longest
# possible reporting window plus challenge period, so no report can still
# be challenged once a stake is withdrawable.
MIN_UNBONDING_PERIOD: public(constant(uint256)) = MAX_REPORTING_WINDOW + MAX_CHALLENGE_PERIOD
MAX_UNBONDING_PERIOD: public(constant(uint256)) = 90 * 86_400


# @dev Bounds of `stake_per_gpu[tier]` and of `challenge_bond`, in base units.
MIN_STAKE_PER_GPU: public(constant(uint256)) = 10**18
MAX_STAKE_PER_GPU: public(constant(uint256)) = 10**24
MIN_CHALLENGE_BOND: public(constant(uint256)) = 10**18
MAX_CHALLENGE_BOND: public(constant(uint256)) = 10**24


# @dev Bounds of the fraud slash, and the largest challenger share: at
# most half, so that a provider who challenges its own fraudulent report
# still loses at least half of the slash.
MIN_FRAUD_SLASH_BPS: public(constant(uint256)) = 100
MAX_FRAUD_SLASH_BPS: public(constant(uint256)) = 10_000
MAX_CHALLENGER_SHARE_BPS: public(constant(uint256)) = 5_000


# @dev Largest emission of one epoch (10 million LDAO).
MAX_EPOCH_EMISSION: public(constant(uint256)) = 10**25


# @dev Bounds of `max_units_per_gpu_second[tier]` (TFLOPS of one GPU).
MIN_UNITS_PER_GPU_SECOND: public(constant(uint256)) = 1
MAX_UNITS_PER_GPU_SECOND: public(constant(uint256)) = 10**6


# @dev Node statuses.
NODE_ACTIVE: public(constant(uint256)) = 1
NODE_DEACTIVATED: public(constant(uint256)) = 2
NODE_WITHDRAWN: public(constant(uint256)) = 3


# @dev Report statuses: none, filed (optimistic), under challenge,
# upheld by a ruling (1 or 0), voided by a ruling (2).
REPORT_NONE: public(constant(uint256)) = 0
REPORT_FILED: public(constant(uint256)) = 1
REPORT_CHALLENGED: public(constant(uint256)) = 2
REPORT_UPHELD: public(constant(uint256)) = 3
REPORT_VOIDED: public(constant(uint256)) = 4


# @dev ERC-792 rulings: refused (tie), the report is valid, it is fraud.
RULING_REFUSED: public(constant(uint256)) = 0
RULING_VALID: public(constant(uint256)) = 1
RULING_FRAUD: public(constant(uint256)) = 2


# @dev The "no end epoch yet" marker of an active node.
_OPEN_END: constant(uint256) = 2**32 - 1


# @dev Defaults of the parameters (see docs/decisions.md).
_DEFAULT_STAKE_PER_GPU: constant(uint256[4]) = [100 * 10**18, 250 * 10**18, 500 * 10**18, 1_000 * 10**18]
_DEFAULT_UNITS_PER_GPU_SECOND: constant(uint256[4]) = [100, 400, 1_000, 2_500]
_DEFAULT_CHALLENGE_BOND: constant(uint256) = 500 * 10**18
_DEFAULT_FRAUD_SLASH_BPS: constant(uint256) = 10_000
_DEFAULT_CHALLENGER_SHARE_BPS: constant(uint256) = 5_000
_DEFAULT_UNBONDING_PERIOD: constant(uint256) = 14 * 86_400
_DEFAULT_REPORTING_WINDOW: constant(uint256) = 86_400
_DEFAULT_CHALLENGE_PERIOD: constant(uint256) = 3 * 86_400


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------

# @dev Parameters that apply to what comes after a change: registrations
# and growth (stake), challenges (bond, slash, share, arbitrator) and
# deactivations (unbonding). The treasury is read when a slash is paid.
struct Params:
    stake_per_gpu: uint256[4]
    challenge_bond: uint256
    fraud_slash_bps: uint256
    challenger_share_bps: uint256
    unbonding_period: uint256
    arbitrator: address
    arbitrator_extra_data: Bytes[arbitrable.PARAMS_EXTRA_DATA_LENGTH]
    treasury: address


# @dev Terms of an epoch, fixed before it starts.
struct EpochTerms:
    epoch_emission: uint256
    reporting_window: uint256
    challenge_period: uint256
    max_units_per_gpu_second: uint256[4]


# @dev A version of the epoch terms, in force from `from_epoch` on.
struct TermsVersion:
    from_epoch: uint256
    terms: EpochTerms


# @dev A node as the views return it.
struct NodeInfo:
    owner: address
    tier: uint256
    status: uint256
    gpu_count: uint256
    prev_gpu_count: uint256
    gpus_from_epoch: uint256
    stake: uint256
    first_epoch: uint256
    end_epoch: uint256
    open_challenges: uint256
    registered_at: uint256
    deactivated_at: uint256
    withdrawable_at: uint256
    specs_hash: bytes32
    convicted: bool


# @dev A report as the views return it.
struct ReportInfo:
    work_units: uint256
    effective_units: uint256
    uptime_bps: uint256
    receipts_root: bytes32
    status: uint256
    reported_at: uint256
    challenge_deadline: uint256
    claimed: bool
    reward: uint256


# @dev An epoch as the views return it.
struct EpochInfo:
    start: uint256
    end: uint256
    report_deadline: uint256
    final_at: uint256
    terms_version: uint256
    emission: uint256
    total_units: uint256
    rewarded: uint256
    reports: uint256


# @dev The challenge of a report (at most one per report).
struct Challenge:
    challenger: address
    arbitrator: address
    dispute_id: uint256
    bond: uint256
    fee: uint256
    fraud_slash_bps: uint256
    challenger_share_bps: uint256
    ruling: uint256
    slashed: uint256


# @dev The hot fields of a node (`_node_profiles` and `_node_bonds`), unpacked.
struct _Node:
    owner: address
    tier: uint256
    status: uint256
    gpu_count: uint256
    prev_gpu_count: uint256
    gpus_from_epoch: uint256
    stake: uint256
    first_epoch: uint256
    end_epoch: uint256
    open_challenges: uint256
    withdrawable_at: uint256
    convicted: bool


# @dev A report's word, unpacked.
struct _Report:
    work_units: uint256
    uptime_bps: uint256
    status: uint256
    reported_at: uint256
    reward: uint256
    claimed: bool


# @dev An epoch's word, unpacked.
struct _Epoch:
    total_units: uint256
    rewarded: uint256
    version: uint256
    fixed: bool
    reports: uint256


# ---------------------------------------------------------------------------
# Immutables
# ---------------------------------------------------------------------------

# @dev The LDAO token: stakes, bonds and fees; rewards are minted in it.
TOKEN: public(immutable(IRewardToken))


# ---------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------

# @dev The current parameters, and their version (0 at deployment).
params: public(Params)
params_version: public(uint256)


# @dev The number of epoch-terms versions (at least 1).
terms_count: public(uint256)


# @dev Epoch-terms versions, by index, with increasing `from_epoch`.
_terms: HashMap[uint256, TermsVersion]


# @dev The ERC-1497 meta-evidence id of new disputes.
meta_evidence_id: public(uint256)


# @dev The number of nodes ever registered (ids are 1..node_count).
node_count: public(uint256)


# @dev Node profile word: owner (bits 0..159) | tier (160..167) | status
# (168..175) | gpu_count (176..191) | prev_gpu_count (192..207) |
# gpus_from_epoch (208..239) | convicted (240). Read by every report.
_node_profiles: HashMap[uint256, uint256]


# @dev Node bond word: stake (0..95) | first_epoch (96..127) | end_epoch
# (128..159) | open_challenges (160..191) | withdrawable_at (192..231).
_node_bonds: HashMap[uint256, uint256]


# @dev Node dates: registered_at (0..39) | deactivated_at (40..79).
_node_dates: HashMap[uint256, uint256]


# @dev Hash of the node's hardware specs document.
_node_specs: HashMap[uint256, bytes32]


# @dev Report word per node and epoch (read and written by `_load_report` /
# `_store_report` only): work_units (0..63) | uptime_bps
# (64..79) | status (80..87) | reported_at (88..127) | reward (128..223)
# | claimed (224).
_reports: HashMap[uint256, HashMap[uint256, uint256]]


# @dev Receipts root per node and epoch.
_receipts_roots: HashMap[uint256, HashMap[uint256, bytes32]]


# @dev Epoch word (`_load_epoch` / `_store_epoch` only): total_units (0..95) | rewarded (96..191) | terms
# version + 1 (192..223; 0 until the first report) | reports (224..255).
_epochs: HashMap[uint256, uint256]


# @dev The challenge of a report, per node and epoch.
_challenges: HashMap[uint256, HashMap[uint256, Challenge]]


# @dev Sum of all node stakes and of all open challenge bonds; with the
# credits (`pull_payments`) the LDAO the registry owes (`accounted()`).
# The dispute -> report map is `arbitrable`'s, keyed `node_id << 32 | epoch`.
total_stake: public(uint256)
total_bonds: public(uint256)


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------

# @dev A node was registered.
event NodeRegistered:
    node_id: indexed(uint256)
    owner: indexed(address)
    tier: uint256
    gpu_count: uint256
    stake: uint256
    first_epoch: uint256
    specs_hash: bytes32
    specs_uri: String[256]


# @dev A node's specs changed.
event NodeUpdated:
    node_id: indexed(uint256)
    specs_hash: bytes32
    specs_uri: String[256]


# @dev A node bonded more GPUs, counted from `from_epoch`.
event StakeAdded:
    node_id: indexed(uint256)
    gpus_added: uint256
    amount: uint256
    gpu_count: uint256
    from_epoch: uint256
    stake: uint256


# @dev A node was deactivated: it may report epochs before `end_epoch`
# and withdraw its stake from `withdrawable_at`.
event NodeDeactivated:
    node_id: indexed(uint256)
    end_epoch: uint256
    deactivated_at: uint256
    withdrawable_at: uint256


# @dev A node's stake went back to its owner.
event StakeWithdrawn:
    node_id: indexed(uint256)
    owner: indexed(address)
    amount: uint256


# @dev A report was filed.
event ReportFiled:
    node_id: indexed(uint256)
    epoch: indexed(uint256)
    work_units: uint256
    uptime_bps: uint256
    effective_units: uint256
    receipts_root: bytes32
    challenge_deadline: uint256


# @dev A report was challenged; the dispute is `dispute_id` at `arbitrator`.
event ReportChallenged:
    node_id: indexed(uint256)
    epoch: indexed(uint256)
    challenger: indexed(address)
    arbitrator: address
    dispute_id: uint256
    bond: uint256
    fee: uint256


# @dev The arbitrator ruled on a challenged report.
event ReportRuled:
    node_id: indexed(uint256)
    epoch: indexed(uint256)
    dispute_id: uint256
    ruling: uint256
    status: uint256
    units_removed: uint256


# @dev A node's stake was slashed by a fraud ruling.
event NodeSlashed:
    node_id: indexed(uint256)
    epoch: indexed(uint256)
    amount: uint256
    to_challenger: uint256
    to_treasury: uint256
    stake_left: uint256


# @dev A convicted node's unclaimed report was voided; its units left
# the epoch's total.
event ReportForfeited:
    node_id: indexed(uint256)
    epoch: indexed(uint256)
    units_removed: uint256


# @dev A report's reward was claimed (`amount` minted of `entitled`).
event RewardClaimed:
    node_id: indexed(uint256)
    epoch: indexed(uint256)
    owner: indexed(address)
    amount: uint256
    entitled: uint256


# @dev `account` was credited `amount` (a pull payment).
event Credited:
    account: indexed(address)
    amount: uint256


# @dev The parameters changed (a new version).
event ParamsChanged:
    version: indexed(uint256)
    params: Params


# @dev New epoch terms apply from `from_epoch` (version `version`).
event EpochTermsScheduled:
    version: uint256
    from_epoch: uint256
    terms: EpochTerms


# ---------------------------------------------------------------------------
# Constructor
# ---------------------------------------------------------------------------

@deploy
@payable
def __init__(
    token_: address,
    arbitrator_: address,
    treasury_: address,
    epoch_length_: uint256,
    genesis_: uint256,
    epoch_emission_: uint256,
    meta_evidence_uri_: String[256],
):
    """
    @dev Deploys the registry with default parameters (docs/decisions.md).
         The deployer receives `DEFAULT_ADMIN_ROLE` only; the registry
         needs no further call from it (grant it `MINTER_ROLE` on the
         token, and PARAMS_ROLE/GUARDIAN_ROLE to the timelock/guardian).
    @param token_ The LDAO token.
    @param arbitrator_ The ERC-792 arbitrator (the court); its fee token
           must be LDAO.
    @param treasury_ The receiver of the treasury's share of slashes.
    @param epoch_length_ The epoch length in seconds, 1 hour to 30 days.
    @param genesis_ The start of epoch 0, not in the future.
    @param epoch_emission_ The LDAO emission of each epoch from epoch 0
           on, at most 10 million LDAO.
    @param meta_evidence_uri_ The ERC-1497 meta-evidence of challenges
           (the reporting rules), id 0.
    """
    utils._require(token_ != empty(address), "registry: token is the zero address")
    utils._require(epoch_length_ >= MIN_EPOCH_LENGTH and epoch_length_ <= MAX_EPOCH_LENGTH, "registry: epoch length out of range")
    utils._require(genesis_ <= block.timestamp, "registry: genesis in the future")
    TOKEN = IRewardToken(token_)
    epoch_clock.__init__(genesis_, epoch_length_)
    access_control.__init__()
    pausable.__init__()

    self._set_params(
        Params(
            stake_per_gpu=_DEFAULT_STAKE_PER_GPU,
            challenge_bond=_DEFAULT_CHALLENGE_BOND,
            fraud_slash_bps=_DEFAULT_FRAUD_SLASH_BPS,
            challenger_share_bps=_DEFAULT_CHALLENGER_SHARE_BPS,
            unbonding_period=_DEFAULT_UNBONDING_PERIOD,
            arbitrator=arbitrator_,
            arbitrator_extra_data=b"",
            treasury=treasury_,
        )
    )
    terms: EpochTerms = EpochTerms(
        epoch_emission=epoch_emission_,
        reporting_window=_DEFAULT_REPORTING_WINDOW,
        challenge_period=_DEFAULT_CHALLENGE_PERIOD,
        max_units_per_gpu_second=_DEFAULT_UNITS_PER_GPU_SECOND,
    )
    self._check_terms(terms)
    self._terms[0] = TermsVersion(from_epoch=0, terms=terms)
    self.terms_count = 1
    log EpochTermsScheduled(version=0, from_epoch=0, terms=terms)
    arbitrable._log_meta_evidence(0, meta_evidence_uri_)


# ---------------------------------------------------------------------------
# Nodes: registration, growth, deactivation, unbonding
# ---------------------------------------------------------------------------

@external
@nonreentrant
def register_node(specs_hash: bytes32, specs_uri: String[256], gpu_count: uint256, tier: uint256) -> uint256:
    """
    @dev Registers a node and bonds `stake_per_gpu[tier] x gpu_count` LDAO
         from the caller (approve the registry first). The node reports
         from the first epoch that starts after this one. Paused: reverts.
    @param specs_hash The hash of the node's hardware specs document.
    @param specs_uri Where the specs document is (logged, not stored).
    @param gpu_count The number of GPUs, 1 to `MAX_GPUS_PER_NODE`.
    @param tier The hardware tier, 0 to `N_TIERS - 1`.
    @return uint256 The new node id.
    """
    pausable._require_not_paused()
    return self._register(msg.sender, specs_hash, specs_uri, gpu_count, tier)


@external
@nonreentrant
def register_node_with_permit(
    specs_hash: bytes32,
    specs_uri: String[256],
    gpu_count: uint256,
    tier: uint256,
    deadline: uint256,
    v: uint8,
    r: bytes32,
    s: bytes32,
) -> uint256:
    """
    @dev `register_node` with an EIP-2612 permit for the stake in the same
         transaction. The permit is tried, not required: if it fails
         (e.g. someone already submitted it), an existing allowance still
         works, and without one the transfer reverts.
    @param specs_hash The hash of the node's hardware specs document.
    @param specs_uri Where the specs document is (logged, not stored).
    @param gpu_count The number of GPUs, 1 to `MAX_GPUS_PER_NODE`.
    @param tier The hardware tier, 0 to `N_TIERS - 1`.
    @param deadline The permit's deadline.
    @param v The permit signature's `v`.
    @param r The permit signature's `r`.
    @param s The permit signature's `s`.
    @return uint256 The new node id.
    """
    pausable._require_not_paused()
    stake: uint256 = self._stake_for(gpu_count, tier)
    self._try_permit(msg.sender, stake, deadline, v, r, s)
    return self._register(msg.sender, specs_hash, specs_uri, gpu_count, tier)


@external
def update_node(node_id: uint256, specs_hash: bytes32, specs_uri: String[256]):
    """
    @dev Replaces an active node's specs (hash stored, URI logged). Only
         the owner. Works while paused (it moves nothing).
    @param node_id The node.
    @param specs_hash The hash of the new specs document.
    @param specs_uri Where the new specs document is.
    """
    node: _Node = self._owned_node(node_id)
    utils._require(node.status == NODE_ACTIVE, "registry: node not active")
    utils._require(specs_hash != empty(bytes32), "registry: empty specs hash")
    self._node_specs[node_id] = specs_hash
    log NodeUpdated(node_id=node_id, specs_hash=specs_hash, specs_uri=specs_uri)


@external
@nonreentrant
def add_stake(node_id: uint256, extra_gpus: uint256) -> uint256:
    """
    @dev Grows an active node by `extra_gpus` GPUs, bonding
         `stake_per_gpu[tier] x extra_gpus` LDAO more from the owner. The
         new GPUs count in reports from the next epoch on (the current
         one was not worked with them). Paused: reverts.
    @param node_id The node.
    @param extra_gpus The GPUs added (the total stays within
           `MAX_GPUS_PER_NODE`).
    @return uint256 The LDAO bonded.
    """
    pausable._require_not_paused()
    node: _Node = self._owned_node(node_id)
    utils._require(node.status == NODE_ACTIVE, "registry: node not active")
    utils._require(extra_gpus != 0 and node.gpu_count + extra_gpus <= MAX_GPUS_PER_NODE, "registry: GPU count out of range")
    amount: uint256 = self.params.stake_per_gpu[node.tier] * extra_gpus
    next_epoch: uint256 = epoch_clock._current_epoch() + 1
    if node.gpus_from_epoch < next_epoch:
        # The last growth is in force: it becomes the "before" count.
        node.prev_gpu_count = node.gpu_count
    node.gpu_count += extra_gpus
    node.gpus_from_epoch = next_epoch
    node.stake += amount
    self._store_node(node_id, node)
    self.total_stake += amount
    assert extcall TOKEN.transferFrom(msg.sender, self, amount)
    log StakeAdded(
        node_id=node_id,
        gpus_added=extra_gpus,
        amount=amount,
        gpu_count=node.gpu_count,
        from_epoch=next_epoch,
        stake=node.stake,
    )
    return amount


@external
def deactivate(node_id: uint256):
    """
    @dev Stops an active node: it may still report the epochs that ended
         before this one, and withdraw its stake after `unbonding_period`.
         Only the owner. Works while paused.
    @param node_id The node.
    """
    node: _Node = self._owned_node(node_id)
    utils._require(node.status == NODE_ACTIVE, "registry: node not active")
    self._store_node(node_id, self._deactivate(node_id, node))


@external
@nonreentrant
def withdraw_stake(node_id: uint256) -> uint256:
    """
    @dev Returns a deactivated node's stake to its owner once the
         unbonding period is over and none of its reports is under
         challenge. Only the owner. Works while paused.
    @param node_id The node.
    @return uint256 The LDAO returned.
    """
    node: _Node = self._owned_node(node_id)
    utils._require(node.status != NODE_ACTIVE, "registry: node still active")
    utils._require(node.status != NODE_WITHDRAWN, "registry: stake already withdrawn")
    utils._require(block.timestamp >= node.withdrawable_at, "registry: unbonding period not over")
    utils._require(node.open_challenges == 0, "registry: a report is under challenge, withdraw after the ruling")
    amount: uint256 = node.stake
    node.stake = 0
    node.status = NODE_WITHDRAWN
    self._store_node(node_id, node)
    self.total_stake -= amount
    assert extcall TOKEN.transfer(msg.sender, amount)
    log StakeWithdrawn(node_id=node_id, owner=msg.sender, amount=amount)
    return amount


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------

@external
def report(node_id: uint256, epoch: uint256, work_units: uint256, uptime_bps: uint256, receipts_root: bytes32):
    """
    @dev Files the node's optimistic report of a finished epoch, once,
         within the epoch's reporting window. Only the owner. Works while
         paused (a pause never moves the window). `work_units` is bounded by
         `gpu_count x max_units_per_gpu_second[tier] x epoch_clock.EPOCH_LENGTH` and
         earns in proportion to `work_units x uptime_bps / 10_000`.
    @param node_id The node.
    @param epoch The finished epoch reported.
    @param work_units The work delivered, in TFLOP (10**12 FP16 ops).
    @param uptime_bps The share of the epoch the node was up, in bps.
    @param receipts_root The Merkle root of the epoch's job receipts.
    """
    node: _Node = self._owned_node(node_id)
    utils._require(epoch < epoch_clock._current_epoch(), "registry: epoch not finished")
    utils._require(epoch >= node.first_epoch, "registry: epoch before node registration")
    utils._require(epoch < node.end_epoch, "registry: epoch after node deactivation")
    utils._require(self._reports[node_id][epoch] == 0, "registry: report already filed")
    record: _Epoch = self._load_epoch(epoch)
    if not record.fixed:
        # First report of the epoch: fix its terms version for good.
        record.version = self._version_of(epoch)
        record.fixed = True
    # Single fields, not the whole struct: each is one storage read.
    window: uint256 = self._terms[record.version].terms.reporting_window
    utils._require(block.timestamp < epoch_clock._epoch_end(epoch) + window, "registry: reporting window closed")
    utils._require(uptime_bps <= utils.BPS, "registry: uptime above 10000 bps")
    utils._require(receipts_root != empty(bytes32), "registry: empty receipts root")
    utils._require(work_units <= self._capacity(node, epoch, record.version), "registry: work units exceed GPU capacity")
    effective: uint256 = work_units * uptime_bps // utils.BPS
    utils._require(effective != 0, "registry: no effective work units")

    self._store_report(
        node_id,
        epoch,
        _Report(
            work_units=work_units,
            uptime_bps=uptime_bps,
            status=REPORT_FILED,
            reported_at=block.timestamp,
            reward=0,
            claimed=False,
        ),
    )
    self._receipts_roots[node_id][epoch] = receipts_root
    record.total_units += effective
    record.reports += 1
    self._store_epoch(epoch, record)
    log ReportFiled(
        node_id=node_id,
        epoch=epoch,
        work_units=work_units,
        uptime_bps=uptime_bps,
        effective_units=effective,
        receipts_root=receipts_root,
        challenge_deadline=block.timestamp + self._terms[record.version].terms.challenge_period,
    )


# ---------------------------------------------------------------------------
# Challenges (ERC-792 arbitrable, ERC-1497 evidence)
# ---------------------------------------------------------------------------

@external
@nonreentrant
def challenge(node_id: uint256, epoch: uint256, evidence_uri: String[256]) -> uint256:
    """
    @dev Challenges a report within its challenge period: pulls
         `challenge_bond` plus the arbitrator's `arbitrationCost` from
         the caller (approve the registry for both) and opens a dispute
         with 2 choices (1 valid, 2 fraud). Works while paused, so that a
         pause never lets a fraudulent report through.
    @param node_id The node.
    @param epoch The epoch of the report.
    @param evidence_uri The challenger's evidence (ERC-1497 JSON URI).
    @return uint256 The arbitrator's dispute id.
    """
    filed: _Report = self._load_report(node_id, epoch)
    utils._require(filed.status != REPORT_NONE, "registry: no report")
    utils._require(filed.status == REPORT_FILED, "registry: report already challenged")
    period: uint256 = self._terms[self._epoch_version(epoch)].terms.challenge_period
    utils._require(block.timestamp < filed.reported_at + period, "registry: challenge period over")
    utils._require(len(evidence_uri) != 0, "registry: evidence required")

    arbitrator: address = self.params.arbitrator
    bond: uint256 = self.params.challenge_bond

    # Effects first; only the dispute id waits for the arbitrator.
    filed.status = REPORT_CHALLENGED
    self._store_report(node_id, epoch, filed)
    node: _Node = self._load_node(node_id)
    node.open_challenges += 1
    self._store_node(node_id, node)
    self.total_bonds += bond

    # The bond comes with the fee, in one transfer. `epoch` < 2**32 (it
    # was reported): the key never mixes its two halves.
    dispute_id: uint256 = 0
    fee: uint256 = 0
    dispute_id, fee = arbitrable._open_dispute(
        TOKEN.address, arbitrator, self.params.arbitrator_extra_data, (node_id << 32) | epoch, bond, node.owner
    )
    self._challenges[node_id][epoch] = Challenge(
        challenger=msg.sender,
        arbitrator=arbitrator,
        dispute_id=dispute_id,
        bond=bond,
        fee=fee,
        fraud_slash_bps=self.params.fraud_slash_bps,
        challenger_share_bps=self.params.challenger_share_bps,
        ruling=0,
        slashed=0,
    )
    log ReportChallenged(
        node_id=node_id,
        epoch=epoch,
        challenger=msg.sender,
        arbitrator=arbitrator,
        dispute_id=dispute_id,
        bond=bond,
        fee=fee,
    )
    arbitrable._log_dispute(arbitrator, dispute_id, self.meta_evidence_id)
    arbitrable._log_evidence(arbitrator, dispute_id, evidence_uri)
    return dispute_id


@external
def submit_evidence(node_id: uint256, epoch: uint256, evidence_uri: String[256]):
    """
    @dev Adds evidence (ERC-1497) to a report's open challenge. Anyone:
         the provider, the challenger, or any watcher (this is what keeps
         a sham challenge from whitewashing a fraudulent report).
    @param node_id The node.
    @param epoch The epoch of the challenged report.
    @param evidence_uri The evidence (ERC-1497 JSON URI).
    """
    utils._require(self._load_report(node_id, epoch).status == REPORT_CHALLENGED, "registry: report not under challenge")
    utils._require(len(evidence_uri) != 0, "registry: evidence required")
    challenge: Challenge = self._challenges[node_id][epoch]
    arbitrable._log_evidence(challenge.arbitrator, challenge.dispute_id, evidence_uri)


@external
@nonreentrant
def rule(dispute_id: uint256, ruling: uint256):
    """
    @dev ERC-792: the arbitrator's final ruling on a challenge. Only the
         arbitrator the dispute was opened at, once. 2 (fraud): the report
         is voided and its units leave the epoch's total (whenever the
         ruling comes); the node is slashed `fraud_slash_bps` of its
         stake, deactivated and convicted (its unclaimed rewards are
         forfeited, see `forfeit_reports`); the challenger is credited its
         bond, its arbitration fee (out of the slash) and
         `challenger_share_bps` of the rest of the slash, the treasury the
         remainder.
         1 (valid): the report stands, the provider is credited the bond.
         0 (refused, e.g. a tie): the report stands, the challenger is
         credited its bond back. Moves no token (credits only), so a
         valid ruling never reverts.
    @param dispute_id The arbitrator's dispute id.
    @param ruling The ruling, 0 to 2.
    """
    # Only the challenge's arbitrator, once: the report is CHALLENGED
    # until then.
    key: uint256 = arbitrable._take_ruling(dispute_id, ruling, RULING_FRAUD)
    node_id: uint256 = key >> 32
    epoch: uint256 = key & utils.MASK_32
    filed: _Report = self._load_report(node_id, epoch)

    challenge: Challenge = self._challenges[node_id][epoch]
    node: _Node = self._load_node(node_id)
    node.open_challenges -= 1
    self.total_bonds -= challenge.bond
    units_removed: uint256 = 0
    if ruling == RULING_FRAUD:
        filed.status = REPORT_VOIDED
        slash: uint256 = node.stake * challenge.fraud_slash_bps // utils.BPS
        # The fee first, then a share of the rest: proving fraud pays.
        refund: uint256 = min(challenge.fee, slash)
        to_challenger: uint256 = refund + (slash - refund) * challenge.challenger_share_bps // utils.BPS
        node.stake -= slash
        node.convicted = True
        self.total_stake -= slash
        challenge.slashed = slash
        self._credit(challenge.challenger, challenge.bond + to_challenger)
        self._credit(self.params.treasury, slash - to_challenger)
        units_removed = self._void_units(epoch, filed.work_units, filed.uptime_bps)
        log NodeSlashed(
            node_id=node_id,
            epoch=epoch,
            amount=slash,
            to_challenger=to_challenger,
            to_treasury=slash - to_challenger,
            stake_left=node.stake,
        )
        if node.status == NODE_ACTIVE:
            node = self._deactivate(node_id, node)
    else:
        filed.status = REPORT_UPHELD
        if ruling == RULING_VALID:
            self._credit(node.owner, challenge.bond)
        else:
            self._credit(challenge.challenger, challenge.bond)
    self._store_node(node_id, node)
    self._store_report(node_id, epoch, filed)
    challenge.ruling = ruling
    self._challenges[node_id][epoch] = challenge
    log ReportRuled(
        node_id=node_id,
        epoch=epoch,
        dispute_id=dispute_id,
        ruling=ruling,
        status=filed.status,
        units_removed=units_removed,
    )


@external
def forfeit_reports(node_id: uint256, epochs: DynArray[uint256, MAX_CLAIM_EPOCHS]) -> uint256:
    """
    @dev Voids the unclaimed reports of a node convicted of fraud, so that
         their units leave their epochs' totals and their shares go to
         the honest nodes (who top up their claims). Anyone (the honest
         nodes gain). Works while paused.
    @param node_id The convicted node.
    @param epochs Epochs of its reports, each filed or upheld and
           never claimed.
    @return uint256 The units removed.
    """
    utils._require(self._load_node(node_id).convicted, "registry: node not convicted")
    removed: uint256 = 0
    for epoch: uint256 in epochs:
        filed: _Report = self._load_report(node_id, epoch)
        utils._require(
            (filed.status == REPORT_FILED or filed.status == REPORT_UPHELD) and not filed.claimed,
            "registry: report not forfeitable",
        )
        filed.status = REPORT_VOIDED
        self._store_report(node_id, epoch, filed)
        units: uint256 = self._void_units(epoch, filed.work_units, filed.uptime_bps)
        removed += units
        log ReportForfeited(node_id=node_id, epoch=epoch, units_removed=units)
    return removed


# ---------------------------------------------------------------------------
# Rewards and pull payments
# ---------------------------------------------------------------------------

@external
@nonreentrant
def claim(node_id: uint256, epochs: DynArray[uint256, MAX_CLAIM_EPOCHS]) -> uint256:
    """
    @dev Mints the node's rewards of final epochs to its owner: for each
         epoch, `epoch_emission x effective_units / total_units` (rounded
         down) less what the report was already paid, clamped to what the
         token's cap still allows. A report may be claimed again when a
         fraud ruling removed voided units from its epoch's total (its
         share grew) or after a clamp. Refused while any report of the
         node is under challenge, and for good once the node is convicted
         of fraud. O(1) per epoch. Only the owner (a clamp must not be
         forced on it). Works while paused.
    @param node_id The node.
    @param epochs The epochs to claim (each reported, final, with more
           due than already paid).
    @return uint256 The LDAO minted.
    """
    node: _Node = self._owned_node(node_id)
    utils._require(len(epochs) != 0, "registry: no epochs")
    utils._require(not node.convicted, "registry: node convicted of fraud")
    utils._require(node.open_challenges == 0, "registry: node under challenge")
    room: uint256 = staticcall TOKEN.cap() - staticcall TOKEN.totalSupply()
    total: uint256 = 0
    for epoch: uint256 in epochs:
        filed: _Report = self._load_report(node_id, epoch)
        utils._require(filed.status != REPORT_NONE, "registry: no report")
        record: _Epoch = self._load_epoch(epoch)
        utils._require(block.timestamp >= self._final_at(epoch, record.version), "registry: epoch not final")
        # Only a convicted node has voided reports: this one counts in
        # total_units, which is therefore at least its units > 0.
        entitled: uint256 = (
            self._terms[record.version].terms.epoch_emission
            * (filed.work_units * filed.uptime_bps // utils.BPS)
            // record.total_units
        )
        utils._require(not filed.claimed or entitled > filed.reward, "registry: reward already claimed")
        paid: uint256 = min(entitled - filed.reward, room)
        room -= paid
        filed.claimed = True
        filed.reward += paid
        self._store_report(node_id, epoch, filed)
        record.rewarded += paid
        self._store_epoch(epoch, record)
        total += paid
        log RewardClaimed(node_id=node_id, epoch=epoch, owner=msg.sender, amount=paid, entitled=entitled)
    if total != 0:
        extcall TOKEN.mint(msg.sender, total)
    return total


@external
@nonreentrant
def withdraw() -> uint256:
    """
    @dev Pays the caller its credits (bonds, slash shares, treasury
         income). Works while paused.
    @return uint256 The LDAO paid.
    """
    return pull_payments._withdraw(TOKEN.address, "registry: nothing to withdraw")


# ---------------------------------------------------------------------------
# Governance: parameters, epoch terms, meta-evidence (pause: `pause_guard`)
# ---------------------------------------------------------------------------

@external
def set_params(new_params: Params):
    """
    @dev Replaces the parameters (PARAMS_ROLE). They apply to
         registrations, growth, challenges and deactivations from now on;
         open challenges keep their bond, slash, share and arbitrator.
         Bounds: stake per GPU 1 to 1e6 LDAO; bond 1 to 1e6 LDAO; fraud
         slash 100 to 10,000 bps, and the slash of one GPU of every tier
         above the arbitrator's fee; challenger share 1 to 5,000 bps;
         unbonding 10 to 90 days; arbitrator (fee token LDAO) and
         treasury not zero.
    @param new_params The new parameters.
    """
    roles._check_params_role()
    self._set_params(new_params)


@external
def set_epoch_terms(new_terms: EpochTerms) -> uint256:
    """
    @dev Schedules new epoch terms (PARAMS_ROLE) for every epoch from
         the next one on; a second change in the same epoch replaces the
         scheduled one. Bounds: emission at most 1e7 LDAO; reporting
         window 1 hour to 3 days; challenge period 1 hour to 7 days;
         capacity 1 to 1e6 work units per GPU-second.
    @param new_terms The new terms.
    @return uint256 The first epoch they apply to.
    """
    roles._check_params_role()
    self._check_terms(new_terms)
    from_epoch: uint256 = epoch_clock._current_epoch() + 1
    version: uint256 = self.terms_count - 1
    if self._terms[version].from_epoch != from_epoch:
        version += 1
        self.terms_count = version + 1
    self._terms[version] = TermsVersion(from_epoch=from_epoch, terms=new_terms)
    log EpochTermsScheduled(version=version, from_epoch=from_epoch, terms=new_terms)
    return from_epoch


@external
def set_meta_evidence(meta_evidence_uri: String[256]) -> uint256:
    """
    @dev Publishes new ERC-1497 meta-evidence (the reporting rules) for
         the disputes opened from now on (PARAMS_ROLE).
    @param meta_evidence_uri The meta-evidence JSON URI.
    @return uint256 The new meta-evidence id.
    """
    roles._check_params_role()
    meta_evidence_id: uint256 = self.meta_evidence_id + 1
    self.meta_evidence_id = meta_evidence_id
    arbitrable._log_meta_evidence(meta_evidence_id, meta_evidence_uri)
    return meta_evidence_id


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------

@external
@view
def current_epoch() -> uint256:
    """
    @dev Returns the epoch in progress.
    @return uint256 The current epoch.
    """
    return epoch_clock._current_epoch()


@external
@view
def node(node_id: uint256) -> NodeInfo:
    """
    @dev Returns a node's permanent record (all zero for an unknown id).
    @param node_id The node.
    @return NodeInfo The node: owner, tier, status (1 active,
            2 deactivated, 3 withdrawn), GPUs (`gpu_count` from
            `gpus_from_epoch`, `prev_gpu_count` before), stake, the
            reportable epochs `[first_epoch, end_epoch)`, open challenges,
            and the registration, deactivation and withdrawable dates.
    """
    node: _Node = self._load_node(node_id)
    dates: uint256 = self._node_dates[node_id]
    return NodeInfo(
        owner=node.owner,
        tier=node.tier,
        status=node.status,
        gpu_count=node.gpu_count,
        prev_gpu_count=node.prev_gpu_count,
        gpus_from_epoch=node.gpus_from_epoch,
        stake=node.stake,
        first_epoch=node.first_epoch,
        end_epoch=node.end_epoch,
        open_challenges=node.open_challenges,
        registered_at=dates & utils.MASK_40,
        deactivated_at=(dates >> 40) & utils.MASK_40,
        withdrawable_at=node.withdrawable_at,
        specs_hash=self._node_specs[node_id],
        convicted=node.convicted,
    )


@external
@view
def report_of(node_id: uint256, epoch: uint256) -> ReportInfo:
    """
    @dev Returns a node's report of an epoch (all zero if none).
    @param node_id The node.
    @param epoch The epoch.
    @return ReportInfo The report: units, effective units, uptime, root,
            status (0 none, 1 filed, 2 challenged, 3 upheld, 4 voided),
            filing time, challenge deadline, and the reward claimed.
    """
    filed: _Report = self._load_report(node_id, epoch)
    if filed.status == REPORT_NONE:
        return empty(ReportInfo)
    period: uint256 = self._terms[self._epoch_version(epoch)].terms.challenge_period
    return ReportInfo(
        work_units=filed.work_units,
        effective_units=filed.work_units * filed.uptime_bps // utils.BPS,
        uptime_bps=filed.uptime_bps,
        receipts_root=self._receipts_roots[node_id][epoch],
        status=filed.status,
        reported_at=filed.reported_at,
        challenge_deadline=filed.reported_at + period,
        claimed=filed.claimed,
        reward=filed.reward,
    )


@external
@view
def epoch_total(epoch: uint256) -> EpochInfo:
    """
    @dev Returns an epoch's dates, terms and totals.
    @param epoch The epoch.
    @return EpochInfo Start, end, last report time (exclusive), the time
            it becomes final, its terms version and emission, the total
            effective units rewards are split by, the LDAO claimed from
            it, and the number of reports filed.
    """
    record: _Epoch = self._load_epoch(epoch)
    version: uint256 = self._epoch_version(epoch)
    window: uint256 = self._terms[version].terms.reporting_window
    end: uint256 = epoch_clock._epoch_end(epoch)
    return EpochInfo(
        start=end - epoch_clock.EPOCH_LENGTH,
        end=end,
        report_deadline=end + window,
        final_at=end + window + self._terms[version].terms.challenge_period,
        terms_version=version,
        emission=self._terms[version].terms.epoch_emission,
        total_units=record.total_units,
        rewarded=record.rewarded,
        reports=record.reports,
    )


@external
@view
def challenge_of(node_id: uint256, epoch: uint256) -> Challenge:
    """
    @dev Returns the challenge of a report (all zero if none).
    @param node_id The node.
    @param epoch The epoch.
    @return Challenge The challenger, arbitrator and dispute id, the bond,
            the slash terms, the ruling and the amount slashed.
    """
    return self._challenges[node_id][epoch]


@external
@view
def max_work_units(node_id: uint256, epoch: uint256) -> uint256:
    """
    @dev Returns the most work units the node may report for an epoch:
         `gpu_count x max_units_per_gpu_second[tier] x epoch_clock.EPOCH_LENGTH`.
    @param node_id The node.
    @param epoch The epoch.
    @return uint256 The capacity in work units (TFLOP).
    """
    return self._capacity(self._load_node(node_id), epoch, self._epoch_version(epoch))


@external
@view
def required_stake(tier: uint256, gpu_count: uint256) -> uint256:
    """
    @dev Returns the stake a new node of this shape bonds.
    @param tier The hardware tier.
    @param gpu_count The number of GPUs.
    @return uint256 `stake_per_gpu[tier] x gpu_count`.
    """
    return self._stake_for(gpu_count, tier)


@external
@view
def epoch_terms(epoch: uint256) -> EpochTerms:
    """
    @dev Returns the terms of an epoch (of a future epoch: as scheduled now).
    @param epoch The epoch.
    @return EpochTerms Its emission, reporting window, challenge period
            and per-tier capacity.
    """
    return self._terms[self._epoch_version(epoch)].terms


@external
@view
def accounted() -> uint256:
    """
    @dev Returns the LDAO the registry owes: stakes, open bonds and
         credits. Its token balance equals this unless someone sent
         tokens to it directly.
    @return uint256 The sum.
    """
    return self.total_stake + self.total_bonds + pull_payments.total_owed


@external
@view
def credits(account: address) -> uint256:
    """
    @dev Returns what `account` may `withdraw` (bonds, slash shares,
         treasury income).
    @param account The account.
    @return uint256 The amount.
    """
    return pull_payments.owed[account]


@external
@view
def total_credits() -> uint256:
    """
    @dev Returns the sum of every account's `credits`.
    @return uint256 The sum.
    """
    return pull_payments.total_owed


# ---------------------------------------------------------------------------
# Internal: nodes
# ---------------------------------------------------------------------------

@internal
def _register(owner: address, specs_hash: bytes32, specs_uri: String[256], gpu_count: uint256, tier: uint256) -> uint256:
    """
    @dev Registers a node for `owner` and pulls its stake.
    @param owner The provider.
    @param specs_hash The specs document's hash.
    @param specs_uri The specs document's URI.
    @param gpu_count The number of GPUs.
    @param tier The hardware tier.
    @return uint256 The node id.
    """
    stake: uint256 = self._stake_for(gpu_count, tier)
    utils._require(specs_hash != empty(bytes32), "registry: empty specs hash")
    node_id: uint256 = self.node_count + 1
    self.node_count = node_id
    first_epoch: uint256 = epoch_clock._current_epoch() + 1
    self._store_node(
        node_id,
        _Node(
            owner=owner,
            tier=tier,
            status=NODE_ACTIVE,
            gpu_count=gpu_count,
            prev_gpu_count=gpu_count,
            gpus_from_epoch=first_epoch,
            stake=stake,
            first_epoch=first_epoch,
            end_epoch=_OPEN_END,
            open_challenges=0,
            withdrawable_at=0,
            convicted=False,
        ),
    )
    self._node_dates[node_id] = convert(convert(block.timestamp, uint40), uint256)
    self._node_specs[node_id] = specs_hash
    self.total_stake += stake
    assert extcall TOKEN.transferFrom(owner, self, stake)
    log NodeRegistered(
        node_id=node_id,
        owner=owner,
        tier=tier,
        gpu_count=gpu_count,
        stake=stake,
        first_epoch=first_epoch,
        specs_hash=specs_hash,
        specs_uri=specs_uri,
    )
    return node_id


@internal
@view
def _stake_for(gpu_count: uint256, tier: uint256) -> uint256:
    """
    @dev The stake a node of this shape bonds, reverting unless the tier
         exists and the GPU count is in range.
    @param gpu_count The number of GPUs.
    @param tier The hardware tier.
    @return uint256 `stake_per_gpu[tier] x gpu_count`.
    """
    utils._require(tier < N_TIERS, "registry: unknown tier")
    utils._require(gpu_count != 0 and gpu_count <= MAX_GPUS_PER_NODE, "registry: GPU count out of range")
    return self.params.stake_per_gpu[tier] * gpu_count


@internal
def _deactivate(node_id: uint256, node: _Node) -> _Node:
    """
    @dev Ends an active node after the current epoch and starts its
         unbonding period. The caller stores the node it returns
         (memory structs are passed by value).
    @param node_id The node.
    @param node The node's hot fields.
    @return _Node The node, deactivated.
    """
    withdrawable_at: uint256 = block.timestamp + self.params.unbonding_period
    deactivated: _Node = node
    deactivated.status = NODE_DEACTIVATED
    deactivated.end_epoch = epoch_clock._current_epoch()
    deactivated.withdrawable_at = withdrawable_at
    self._node_dates[node_id] = self._node_dates[node_id] | (
        convert(convert(block.timestamp, uint40), uint256) << 40
    )
    log NodeDeactivated(
        node_id=node_id,
        end_epoch=deactivated.end_epoch,
        deactivated_at=block.timestamp,
        withdrawable_at=withdrawable_at,
    )
    return deactivated


@internal
@view
def _owned_node(node_id: uint256) -> _Node:
    """
    @dev Loads a node, reverting unless it exists and the caller owns it.
    @param node_id The node.
    @return _Node The node's hot fields.
    """
    utils._require(node_id != 0 and node_id <= self.node_count, "registry: unknown node")
    node: _Node = self._load_node(node_id)
    utils._require(node.owner == msg.sender, "registry: caller is not the node owner")
    return node


@internal
@view
def _capacity(node: _Node, epoch: uint256, version: uint256) -> uint256:
    """
    @dev The most work units a node can deliver in an epoch.
    @param node The node.
    @param epoch The epoch.
    @param version The epoch's terms version.
    @return uint256 `gpus x max_units_per_gpu_second[tier] x epoch_clock.EPOCH_LENGTH`
            (at most 1,024 x 1e6 x 2,592,000 < 2**64).
    """
    gpus: uint256 = node.prev_gpu_count
    if epoch >= node.gpus_from_epoch:
        gpus = node.gpu_count
    return gpus * self._terms[version].terms.max_units_per_gpu_second[node.tier] * epoch_clock.EPOCH_LENGTH


@internal
def _try_permit(owner: address, amount: uint256, deadline: uint256, v: uint8, r: bytes32, s: bytes32):
    """
    @dev Submits an EIP-2612 permit for this registry and ignores its
         failure (a front-run permit leaves the allowance in place;
         without an allowance the transfer that follows reverts).
    @param owner The signer.
    @param amount The allowance signed for.
    @param deadline The permit's deadline.
    @param v The signature's `v`.
    @param r The signature's `r`.
    @param s The signature's `s`.
    """
    success: bool = raw_call(
        TOKEN.address,
        abi_encode(
            owner,
            self,
            amount,
            deadline,
            v,
            r,
            s,
            method_id=method_id("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"),
        ),
        revert_on_failure=False,
    )


# ---------------------------------------------------------------------------
# Internal: epochs, terms, rewards
# ---------------------------------------------------------------------------

@internal
@view
def _final_at(epoch: uint256, version: uint256) -> uint256:
    """
    @dev When an epoch becomes final for rewards: its last possible report
         has passed its challenge period.
    @param epoch The epoch.
    @param version The epoch's terms version.
    @return uint256 The timestamp.
    """
    return (
        epoch_clock._epoch_end(epoch)
        + self._terms[version].terms.reporting_window
        + self._terms[version].terms.challenge_period
    )


@internal
@view
def _version_of(epoch: uint256) -> uint256:
    """
    @dev The terms version in force in `epoch`: the last version whose
         `from_epoch` is at most `epoch`. O(log versions): a binary search
         over at most 2**32 versions (one per epoch at most).
    @param epoch The epoch.
    @return uint256 The version.
    """
    hi: uint256 = self.terms_count - 1
    if self._terms[hi].from_epoch <= epoch:
        return hi
    # Invariant: from_epoch(lo) <= epoch < from_epoch(hi); version 0
    # starts at epoch 0.
    lo: uint256 = 0
    for _: uint256 in range(32):
        if hi - lo <= 1:
            break
        mid: uint256 = unsafe_add(lo, hi) // 2  # lo + hi < 2**33: no overflow
        if self._terms[mid].from_epoch <= epoch:
            lo = mid
        else:
            hi = mid
    return lo


@internal
@view
def _epoch_version(epoch: uint256) -> uint256:
    """
    @dev The terms version of an epoch: fixed at its first report, else
         looked up (the same answer for an epoch that has started).
    @param epoch The epoch.
    @return uint256 The version.
    """
    record: _Epoch = self._load_epoch(epoch)
    if record.fixed:
        return record.version
    return self._version_of(epoch)


@internal
def _void_units(epoch: uint256, work_units: uint256, uptime_bps: uint256) -> uint256:
    """
    @dev Removes a voided report's units from its epoch's total, final or
         not: the report was never claimed (its node was under challenge
         or convicted), and the other reports' claims top up to the
         smaller total (`claim`), so its share goes to them.
    @param epoch The epoch.
    @param work_units The voided report's work units.
    @param uptime_bps The voided report's uptime.
    @return uint256 The units removed.
    """
    record: _Epoch = self._load_epoch(epoch)
    units: uint256 = work_units * uptime_bps // utils.BPS
    record.total_units -= units
    self._store_epoch(epoch, record)
    return units


# ---------------------------------------------------------------------------
# Internal: parameters and payments
# ---------------------------------------------------------------------------

@internal
def _set_params(new_params: Params):
    """
    @dev Checks the bounds of `new_params`, stores and logs them.
    @param new_params The parameters.
    """
    for amount: uint256 in new_params.stake_per_gpu:
        utils._require(amount >= MIN_STAKE_PER_GPU and amount <= MAX_STAKE_PER_GPU, "registry: stake per GPU out of range")
    utils._require(
        new_params.challenge_bond >= MIN_CHALLENGE_BOND and new_params.challenge_bond <= MAX_CHALLENGE_BOND,
        "registry: challenge bond out of range",
    )
    utils._require(
        new_params.fraud_slash_bps >= MIN_FRAUD_SLASH_BPS and new_params.fraud_slash_bps <= MAX_FRAUD_SLASH_BPS,
        "registry: fraud slash out of range",
    )
    utils._require(
        new_params.challenger_share_bps != 0 and new_params.challenger_share_bps <= MAX_CHALLENGER_SHARE_BPS,
        "registry: challenger share out of range",
    )
    utils._require(
        new_params.unbonding_period >= MIN_UNBONDING_PERIOD and new_params.unbonding_period <= MAX_UNBONDING_PERIOD,
        "registry: unbonding period out of range",
    )
    utils._require(new_params.arbitrator != empty(address), "registry: arbitrator is the zero address")
    utils._require(
        staticcall IArbitrator(new_params.arbitrator).feeToken() == TOKEN.address,
        "registry: arbitrator fee token is not LDAO",
    )
    utils._require(new_params.treasury != empty(address), "registry: treasury is the zero address")
    # Proving fraud pays at every node size: the slash of a 1-GPU node
    # of any tier covers the arbitration fee (refunded out of it) with
    # some left to share.
    fee: uint256 = staticcall IArbitrator(new_params.arbitrator).arbitrationCost(
        concat(abi_encode(empty(address), empty(address)), new_params.arbitrator_extra_data)
    )
    for amount: uint256 in new_params.stake_per_gpu:
        utils._require(amount * new_params.fraud_slash_bps // utils.BPS > fee, "registry: fraud slash does not cover the arbitration fee")
    version: uint256 = 0
    if self.params.arbitrator != empty(address):
        version = self.params_version + 1
        self.params_version = version
    self.params = new_params
    log ParamsChanged(version=version, params=new_params)


@internal
@pure
def _check_terms(terms: EpochTerms):
    """
    @dev Reverts unless every epoch term is within its bounds.
    @param terms The terms.
    """
    utils._require(terms.epoch_emission <= MAX_EPOCH_EMISSION, "registry: epoch emission out of range")
    utils._require(
        terms.reporting_window >= MIN_REPORTING_WINDOW and terms.reporting_window <= MAX_REPORTING_WINDOW,
        "registry: reporting window out of range",
    )
    utils._require(
        terms.challenge_period >= MIN_CHALLENGE_PERIOD and terms.challenge_period <= MAX_CHALLENGE_PERIOD,
        "registry: challenge period out of range",
    )
    for rate: uint256 in terms.max_units_per_gpu_second:
        utils._require(
            rate >= MIN_UNITS_PER_GPU_SECOND and rate <= MAX_UNITS_PER_GPU_SECOND,
            "registry: max units per GPU-second out of range",
        )


@internal
def _credit(account: address, amount: uint256):
    """
    @dev Credits a pull payment (no event for zero).
    @param account The receiver.
    @param amount The amount.
    """
    if amount == 0:
        return
    pull_payments._credit(account, amount)
    log Credited(account=account, amount=amount)


# ---------------------------------------------------------------------------
# Internal: packed storage words
# ---------------------------------------------------------------------------

@internal
@view
def _load_node(node_id: uint256) -> _Node:
    """
    @dev Unpacks a node's profile and bond words.
    @param node_id The node.
    @return _Node The hot fields.
    """
    profile: uint256 = self._node_profiles[node_id]
    bond: uint256 = self._node_bonds[node_id]
    return _Node(
        owner=convert(convert(profile & utils.MASK_160, uint160), address),
        tier=(profile >> 160) & 255,
        status=(profile >> 168) & 255,
        gpu_count=(profile >> 176) & utils.MASK_16,
        prev_gpu_count=(profile >> 192) & utils.MASK_16,
        gpus_from_epoch=(profile >> 208) & utils.MASK_32,
        stake=bond & utils.MASK_96,
        first_epoch=(bond >> 96) & utils.MASK_32,
        end_epoch=(bond >> 128) & utils.MASK_32,
        open_challenges=(bond >> 160) & utils.MASK_32,
        withdrawable_at=(bond >> 192) & utils.MASK_40,
        convicted=(profile >> 240) & 1 == 1,
    )


@internal
def _store_node(node_id: uint256, node: _Node):
    """
    @dev Packs and stores a node's profile and bond words; each field is narrowed
         with a checked `convert`.
    @param node_id The node.
    @param node The hot fields.
    """
    self._node_profiles[node_id] = (
        convert(node.owner, uint256)
        | (convert(convert(node.tier, uint8), uint256) << 160)
        | (convert(convert(node.status, uint8), uint256) << 168)
        | (convert(convert(node.gpu_count, uint16), uint256) << 176)
        | (convert(convert(node.prev_gpu_count, uint16), uint256) << 192)
        | (convert(convert(node.gpus_from_epoch, uint32), uint256) << 208)
        | (convert(node.convicted, uint256) << 240)
    )
    self._node_bonds[node_id] = (
        convert(convert(node.stake, uint96), uint256)
        | (convert(convert(node.first_epoch, uint32), uint256) << 96)
        | (convert(convert(node.end_epoch, uint32), uint256) << 128)
        | (convert(convert(node.open_challenges, uint32), uint256) << 160)
        | (convert(convert(node.withdrawable_at, uint40), uint256) << 192)
    )


@internal
@view
def _load_report(node_id: uint256, epoch: uint256) -> _Report:
    """
    @dev Unpacks a report's word.
    @param node_id The node.
    @param epoch The epoch.
    @return _Report The report (status 0 if none).
    """
    word: uint256 = self._reports[node_id][epoch]
    return _Report(
        work_units=word & utils.MASK_64,
        uptime_bps=(word >> 64) & utils.MASK_16,
        status=(word >> 80) & 255,
        reported_at=(word >> 88) & utils.MASK_40,
        reward=(word >> 128) & utils.MASK_96,
        claimed=(word >> 224) & 1 == 1,
    )


@internal
def _store_report(node_id: uint256, epoch: uint256, filed: _Report):
    """
    @dev Packs and stores a report's word (checked narrowing).
    @param node_id The node.
    @param epoch The epoch.
    @param filed The report.
    """
    claimed: uint256 = 0
    if filed.claimed:
        claimed = 1
    self._reports[node_id][epoch] = (
        convert(convert(filed.work_units, uint64), uint256)
        | (convert(convert(filed.uptime_bps, uint16), uint256) << 64)
        | (convert(convert(filed.status, uint8), uint256) << 80)
        | (convert(convert(filed.reported_at, uint40), uint256) << 88)
        | (convert(convert(filed.reward, uint96), uint256) << 128)
        | (claimed << 224)
    )


@internal
@view
def _load_epoch(epoch: uint256) -> _Epoch:
    """
    @dev Unpacks an epoch's word.
    @param epoch The epoch.
    @return _Epoch The totals and the fixed terms version, if any.
    """
    word: uint256 = self._epochs[epoch]
    version_plus_one: uint256 = (word >> 192) & utils.MASK_32
    version: uint256 = 0
    if version_plus_one != 0:
        version = version_plus_one - 1
    return _Epoch(
        total_units=word & utils.MASK_96,
        rewarded=(word >> 96) & utils.MASK_96,
        version=version,
        fixed=version_plus_one != 0,
        reports=word >> 224,
    )


@internal
def _store_epoch(epoch: uint256, record: _Epoch):
    """
    @dev Packs and stores an epoch's word (checked narrowing); only
         called for an epoch whose version is fixed.
    @param epoch The epoch.
    @param record The totals and version.
    """
    self._epochs[epoch] = (
        convert(convert(record.total_units, uint96), uint256)
        | (convert(convert(record.rewarded, uint96), uint256) << 96)
        | (convert(convert(record.version + 1, uint32), uint256) << 192)
        | (convert(convert(record.reports, uint32), uint256) << 224)
    )
