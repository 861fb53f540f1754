# pragma version ~=0.4.3
"""
@title LabelDAO Compute Registry lens
@custom:contract-name ComputeRegistryLens
@license GNU Affero General Public License v3.0 only
@notice Read-only views over one ComputeRegistry, computed from its public
        views alone; they left the registry to keep it under the suite's
        20,000-byte budget (docs/decisions.md, "Packed storage, and the
        contract's size"): receipt leaves and proofs, and what a report's
        claim would pay now. Deploy it beside the
        registry; it holds nothing and needs no role.
"""


from snekmate.utils import merkle_proof_verification as merkle


# @dev Report statuses of the registry (`REPORT_NONE`).
_REPORT_NONE: constant(uint256) = 0


# @dev A job receipt, the leaf type of a report's `receipts_root`
# (`labeldao/receipts.py` builds the trees).
struct Receipt:
    job_id: bytes32
    node_id: uint256
    epoch: uint256
    client: address
    work_units: uint256
    output_hash: bytes32


# @dev `ComputeRegistry.NodeInfo`.
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


# @dev `ComputeRegistry.ReportInfo`.
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


# @dev `ComputeRegistry.EpochInfo`.
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


# @dev The registry's views this lens reads.
interface IComputeRegistry:
    def node(node_id: uint256) -> NodeInfo: view
    def report_of(node_id: uint256, epoch: uint256) -> ReportInfo: view
    def epoch_total(epoch: uint256) -> EpochInfo: view


# @dev The registry read.
REGISTRY: public(immutable(IComputeRegistry))


@deploy
def __init__(registry_: address):
    """
    @dev Binds the lens to a registry.
    @param registry_ The ComputeRegistry.
    """
    assert registry_ != empty(address), "lens: registry is the zero address"
    REGISTRY = IComputeRegistry(registry_)


@external
@pure
def receipt_leaf(receipt: Receipt) -> bytes32:
    """
    @dev Returns a receipt's leaf in a `receipts_root` tree: OpenZeppelin
         StandardMerkleTree's `keccak256(keccak256(abi_encode(fields)))`.
    @param receipt The receipt.
    @return bytes32 The leaf hash.
    """
    return self._receipt_leaf(receipt)


@external
@view
def verify_receipt(node_id: uint256, epoch: uint256, receipt: Receipt, proof: DynArray[bytes32, 64]) -> bool:
    """
    @dev Returns whether `receipt` is in the `receipts_root` of the node's
         report of `epoch` (snekmate's verifier). A receipt in the tree
         that names another node or epoch is itself evidence of fraud.
    @param node_id The node.
    @param epoch The epoch.
    @param receipt The receipt.
    @param proof The sibling hashes from its leaf to the root.
    @return bool Whether the proof holds (False if there is no report).
    """
    root: bytes32 = (staticcall REGISTRY.report_of(node_id, epoch)).receipts_root
    if root == empty(bytes32):
        return False
    return merkle._verify(proof, root, self._receipt_leaf(receipt))


@external
@view
def pending_reward(node_id: uint256, epoch: uint256) -> uint256:
    """
    @dev Returns what the registry's `claim` would pay for one epoch now,
         before the cap clamp: the report's entitlement
         `emission x effective_units / total_units` less what it was
         already paid; 0 if it cannot be claimed now (no report, epoch not
         final, node under challenge or convicted).
    @param node_id The node.
    @param epoch The epoch.
    @return uint256 The reward in base units.
    """
    filed: ReportInfo = staticcall REGISTRY.report_of(node_id, epoch)
    node: NodeInfo = staticcall REGISTRY.node(node_id)
    if filed.status == _REPORT_NONE or node.convicted or node.open_challenges != 0:
        return 0
    info: EpochInfo = staticcall REGISTRY.epoch_total(epoch)
    if block.timestamp < info.final_at:
        return 0
    # Only a convicted node has voided reports: this one counts in the
    # total, which is therefore at least its units > 0.
    entitled: uint256 = info.emission * filed.effective_units // info.total_units
    return entitled - min(entitled, filed.reward)


@internal
@pure
def _receipt_leaf(receipt: Receipt) -> bytes32:
    """
    @dev The double-hashed leaf of a receipt (OpenZeppelin's standard).
    @param receipt The receipt.
    @return bytes32 The leaf.
    """
    return keccak256(
        keccak256(
            abi_encode(
                receipt.job_id,
                receipt.node_id,
                receipt.epoch,
                receipt.client,
                receipt.work_units,
                receipt.output_hash,
            )
        )
    )
