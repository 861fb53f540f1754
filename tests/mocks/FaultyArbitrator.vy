# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Faulty arbitrator
@custom:contract-name FaultyArbitrator
@license GNU Affero General Public License v3.0 only
@notice Misbehaves on purpose, to test an arbitrable's defences: it quotes
        `fee` but pulls only `pulled`, and gives every dispute the same id
        (`dispute_id`), and can call back into its caller while creating a
        dispute (`reentry`). Test code only.
"""


from ethereum.ercs import IERC20


# @dev The fee token (LDAO).
FEE_TOKEN: immutable(address)


# @dev The quoted fee of a new dispute.
fee: public(uint256)


# @dev What `createDispute` actually pulls.
pulled: public(uint256)


# @dev The id every new dispute gets.
dispute_id: public(uint256)


# @dev Calldata `createDispute` sends back to its caller (empty: none).
reentry: public(Bytes[128])


@deploy
def __init__(fee_token_: address, fee_: uint256, pulled_: uint256):
    """
    @dev Sets the token, the quoted fee and the amount actually pulled.
    @param fee_token_ The LDAO token.
    @param fee_ The quoted fee.
    @param pulled_ The amount `createDispute` pulls.
    """
    FEE_TOKEN = fee_token_
    self.fee = fee_
    self.pulled = pulled_


@external
@view
def feeToken() -> address:
    """
    @dev Returns the fee token, so that an arbitrable accepts this arbitrator.
    @return address LDAO.
    """
    return FEE_TOKEN


@external
@view
def arbitrationCost(extra_data: Bytes[256]) -> uint256:
    """
    @dev Returns the quoted fee.
    @param extra_data Ignored.
    @return uint256 The fee.
    """
    return self.fee


@external
def createDispute(choices: uint256, extra_data: Bytes[256]) -> uint256:
    """
    @dev Pulls `pulled` (not the quoted fee) and returns the fixed id.
    @param choices Ignored.
    @param extra_data Ignored.
    @return uint256 The fixed dispute id.
    """
    if self.pulled > 0:
        assert extcall IERC20(FEE_TOKEN).transferFrom(msg.sender, self, self.pulled)
    if len(self.reentry) > 0:
        raw_call(msg.sender, self.reentry)
    return self.dispute_id


@external
def set_reentry(reentry_: Bytes[128]):
    """
    @dev Makes `createDispute` call its caller with `reentry_` (test control).
    @param reentry_ The calldata (empty: no call).
    """
    self.reentry = reentry_
