# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title LabelDAO SortitionTree
@custom:contract-name SortitionTree
@license GNU Affero General Public License v3.0 only
@notice The court's juror stake tree (`modules/sortition.vy`) as its own
        deployed contract, as Kleros v2 keeps its SortitionModule apart
        from KlerosCore: the court's code stays under 20,000 bytes. The
        court holds the tokens and the juror records; this contract holds
        only the weights, the leaf owners and the snapshots, and only the
        court writes them. Why: docs/decisions.md, "The stake tree in its
        own contract".

        Invariants:
        - Only `COURT` changes the tree. `COURT` is immutable: the deployer
          names the address its next contract creation will get (the
          court), and the court's constructor refuses a tree made for
          another address.
        - Every node's current and snapshot weights are the sums of its
          children's (`modules/sortition.vy`).
"""


from .interfaces import ISortitionTree
implements: ISortitionTree

from .modules import sortition
initializes: sortition

exports: (
    sortition.owner_of,
    sortition.leaves_used,
    sortition.vacant_count,
)


# @dev The court, the only account that changes the tree.
COURT: public(immutable(address))


@deploy
def __init__(epoch_seconds_: uint256, court_: address):
    """
    @dev Deploys the tree of a court that does not exist yet: the deploy
         plan creates the court next, at the address it predicts from its
         nonce (`CREATE`), and the court's constructor checks `COURT`.
    @param epoch_seconds_ The snapshot epoch length in seconds (the court
           checks the bounds and adopts this value).
    @param court_ The address the court will have.
    """
    assert epoch_seconds_ != 0, "tree: zero epoch length"
    assert court_ != empty(address), "tree: court is the zero address"
    COURT = court_
    sortition.__init__(epoch_seconds_)


@internal
@view
def _only_court():
    assert msg.sender == COURT, "tree: caller is not the court"


@external
def allocate(owner: address) -> uint256:
    """
    @dev Hands a leaf to `owner` (a released leaf from an earlier epoch,
         else a fresh one). Court only.
    @param owner The juror.
    @return uint256 The leaf position.
    """
    self._only_court()
    return sortition._allocate(owner)


@external
def add(position: uint256, amount: uint256) -> uint256:
    """
    @dev Adds weight to a leaf from the next epoch's snapshot on. Court only.
    @param position The leaf.
    @param amount The weight added.
    @return uint256 The leaf's weight after it.
    """
    self._only_court()
    sortition._add(position, amount)
    return sortition._value(position)


@external
def sub(position: uint256, amount: uint256):
    """
    @dev Removes weight from a leaf (this epoch's snapshot keeps it). Court
         only.
    @param position The leaf.
    @param amount The weight removed, at most the leaf's weight.
    """
    self._only_court()
    sortition._sub(position, amount)


@external
def release(position: uint256):
    """
    @dev Gives a leaf of weight zero back; it is reused from the next epoch
         on. Court only.
    @param position The leaf.
    """
    self._only_court()
    sortition._release(position)


@external
def draw_seat(ticket: uint256, seat_lock: uint256, payer: address, other: address) -> (address, uint256, bool):
    """
    @dev Finds the leaf a ticket lands on in this epoch's snapshot and, when
         its owner can take a seat (not `payer` or `other`, current and
         snapshot weights both at least `seat_lock`), locks `seat_lock` of
         it in both. Court only.
    @param ticket A number below the snapshot total.
    @param seat_lock The lock of one seat.
    @param payer A party of the dispute (never seated).
    @param other The other party (never seated).
    @return address The leaf's owner (zero for a vacant leaf).
    @return uint256 The leaf position.
    @return bool Whether the seat was taken (the weights are locked).
    """
    self._only_court()
    position: uint256 = sortition._find(ticket)
    juror: address = sortition.owner_of[position]
    if (
        juror == empty(address)
        or juror == payer
        or juror == other
        or sortition._value(position) < seat_lock
        or sortition._snapshot_value(position) < seat_lock
    ):
        return juror, position, False
    sortition._lock(position, seat_lock)
    return juror, position, True


@external
@view
def values(position: uint256) -> (uint256, uint256):
    """
    @dev Returns a leaf's weights.
    @param position The leaf.
    @return uint256 Its current weight (the juror's free stake).
    @return uint256 Its weight in this epoch's draw snapshot.
    """
    return sortition._value(position), sortition._snapshot_value(position)


@external
@view
def epoch_seconds() -> uint256:
    """
    @dev Returns the snapshot epoch length.
    @return uint256 The length in seconds of `block.timestamp`.
    """
    return sortition.EPOCH_SECONDS


@external
@view
def totals() -> (uint256, uint256):
    """
    @dev Returns the tree's total weights.
    @return uint256 The current total (all free stake).
    @return uint256 This epoch's snapshot total (what draws sample).
    """
    return sortition._total(), sortition._snapshot_total()
