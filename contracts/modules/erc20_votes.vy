# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title ERC-20 + EIP-2612 Permit + ERC-5805/ERC-6372 Votes
@custom:contract-name erc20_votes
@license GNU Affero General Public License v3.0 only
@notice An ERC-20 token whose balances carry voting power that holders
        delegate (ERC-5805, timestamp clock per ERC-6372), with
        EIP-2612 `permit` and EIP-5267 `eip712Domain`. The permit, the
        EIP-712 domain and signature recovery are snekmate's audited code
        (`eip712_domain_separator`, `ecdsa`); the logic of `transfer`,
        `approve` and `permit` follows snekmate's `erc20` line by line.

        The one change against snekmate's `erc20` is storage: each account
        is ONE slot, `balance (bits 0..95) | delegate (bits 96..255)`.
        Votes must move on every transfer, which needs both parties'
        delegates; in separate maps that is two cold reads (+4,200 gas, a
        12 % dearer plain transfer). Packed, a transfer that moves no votes
        costs what snekmate's does. See docs/decisions.md.

        The deploying contract adds minting and burning rights on top of
        `_mint` and `_burn`; this module has no privileged function.
@custom:security Balances and the total supply must stay below 2**96
                 (7.9e28 base units): `_mint` enforces it, so the unchecked
                 additions on balances below cannot carry into the
                 delegate bits. Timestamps must fit in 32 bits (until
                 2106, see `checkpoints`).
"""


from ethereum.ercs import IERC20
implements: IERC20


from ethereum.ercs import IERC20Detailed
implements: IERC20Detailed


from snekmate.tokens.interfaces import IERC20Permit
implements: IERC20Permit


from ..interfaces import IERC5805
implements: IERC5805


from ..interfaces import IERC6372
implements: IERC6372


# @dev Stateless: signature recovery only.
from snekmate.utils import ecdsa


# @dev The EIP-712 domain of `permit` and `delegateBySig`.
from snekmate.utils import eip712_domain_separator
initializes: eip712_domain_separator


# @dev Vote histories per delegate, and the total supply's under the
# zero address (never a delegate: delegating to it removes the votes).
from . import checkpoints as history
initializes: history


exports: eip712_domain_separator.eip712Domain


# @dev Largest supply: a balance must fit in the low 96 bits of a slot.
MAX_SUPPLY: constant(uint256) = 2**96 - 1


# @dev Mask of the balance inside an account slot.
_BALANCE_MASK: constant(uint256) = 2**96 - 1


# @dev Key of the total-supply history in `checkpoints`.
_TOTAL_SUPPLY_KEY: constant(address) = empty(address)


# @dev EIP-2612 permit type hash.
_PERMIT_TYPE_HASH: constant(bytes32) = keccak256(
    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
)


# @dev ERC-5805 delegation type hash (same as OpenZeppelin's `Votes`).
_DELEGATION_TYPE_HASH: constant(bytes32) = keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)")


# @dev Returns the name of the token.
name: public(immutable(String[25]))


# @dev Returns the symbol of the token.
symbol: public(immutable(String[5]))


# @dev Returns the decimal places of the token.
decimals: public(immutable(uint8))


# @dev Returns the remaining allowance of `spender` over `owner`'s tokens.
allowance: public(HashMap[address, HashMap[address, uint256]])


# @dev Returns the amount of tokens in existence.
totalSupply: public(uint256)


# @dev Returns the next nonce of an account, shared by `permit` and
# `delegateBySig` (as in OpenZeppelin's `Nonces`).
nonces: public(HashMap[address, uint256])


# @dev Balance (bits 0..95) and delegate (bits 96..255) per account.
_accounts: HashMap[address, uint256]


@deploy
@payable
def __init__(
    name_: String[25], symbol_: String[5], decimals_: uint8, name_eip712_: String[50], version_eip712_: String[20]
):
    """
    @dev Sets the token metadata and the EIP-712 domain.
    @param name_ The token name.
    @param symbol_ The token symbol.
    @param decimals_ The decimal places of the token.
    @param name_eip712_ The EIP-712 domain name.
    @param version_eip712_ The EIP-712 domain version.
    """
    name = name_
    symbol = symbol_
    decimals = decimals_
    eip712_domain_separator.__init__(name_eip712_, version_eip712_)
    history.__init__()


# ---------------------------------------------------------------------------
# ERC-20
# ---------------------------------------------------------------------------


@external
@view
def balanceOf(account: address) -> uint256:
    """
    @dev Returns the amount of tokens owned by `account`.
    @param account The 20-byte address of the holder.
    @return uint256 The balance.
    """
    return self._accounts[account] & _BALANCE_MASK


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @dev Moves `amount` tokens from the caller to `to`, and the votes
         with them from the caller's delegate to `to`'s delegate.
    @param to The 20-byte receiver address (not zero).
    @param amount The amount to transfer.
    @return bool True; reverts on failure.
    """
    self._transfer(msg.sender, to, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @dev Sets `amount` as the allowance of `spender` over the caller's
         tokens. `max_value(uint256)` is an infinite allowance.
    @param spender The 20-byte spender address (not zero).
    @param amount The allowance.
    @return bool True; reverts on failure.
    """
    self._approve(msg.sender, spender, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @dev Moves `amount` tokens from `owner` to `to` using the caller's
         allowance (an infinite allowance is not decreased).
    @param owner The 20-byte owner address.
    @param to The 20-byte receiver address (not zero).
    @param amount The amount to transfer.
    @return bool True; reverts on failure.
    """
    self._spend_allowance(owner, msg.sender, amount)
    self._transfer(owner, to, amount)
    return True


# ---------------------------------------------------------------------------
# EIP-2612 permit
# ---------------------------------------------------------------------------


@external
def permit(owner: address, spender: address, amount: uint256, deadline: uint256, v: uint8, r: bytes32, s: bytes32):
    """
    @dev Sets `amount` as the allowance of `spender` over `owner`'s
         tokens, given `owner`'s EIP-712 signature with its current
         nonce. The domain includes the chain id, so a signature made
         for one chain fails on another (and after a fork changes it).
    @param owner The 20-byte owner address.
    @param spender The 20-byte spender address.
    @param amount The allowance.
    @param deadline The last timestamp at which the signature is valid.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    """
    assert block.timestamp <= deadline, "erc20: expired deadline"
    current_nonce: uint256 = self.nonces[owner]
    self.nonces[owner] = unsafe_add(current_nonce, 1)
    struct_hash: bytes32 = keccak256(abi_encode(_PERMIT_TYPE_HASH, owner, spender, amount, current_nonce, deadline))
    signer: address = self._recover(struct_hash, v, r, s)
    assert signer == owner, "erc20: invalid signature"
    self._approve(owner, spender, amount)


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @dev Returns the EIP-712 domain separator for the current chain.
    @return bytes32 The domain separator.
    """
    return eip712_domain_separator._domain_separator_v4()


# ---------------------------------------------------------------------------
# ERC-5805 votes and ERC-6372 clock
# ---------------------------------------------------------------------------


@external
@view
def clock() -> uint48:
    """
    @dev Returns the current timepoint: the block's timestamp (ERC-6372).
    @return uint48 The current block timestamp, in seconds.
    """
    return convert(block.timestamp, uint48)


@external
@view
def CLOCK_MODE() -> String[64]:
    """
    @dev Returns the clock description (ERC-6372).
    @return String "mode=timestamp".
    """
    return "mode=timestamp"


@external
@view
def delegates(account: address) -> address:
    """
    @dev Returns the delegate chosen by `account` (zero if none).
    @param account The 20-byte address of the delegator.
    @return address The delegate.
    """
    return convert(self._accounts[account] >> 96, address)


@external
@view
def getVotes(account: address) -> uint256:
    """
    @dev Returns the current voting power of `account`.
    @param account The 20-byte address of the delegate.
    @return uint256 The sum of the balances delegated to `account`.
    """
    return history._latest(account)


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @dev Returns the voting power of `account` at the end of second
         `timepoint`, which must be in the past. O(log n).
    @param account The 20-byte address of the delegate.
    @param timepoint A timestamp before the current block's.
    @return uint256 The voting power at `timepoint`.
    """
    assert timepoint < block.timestamp, "votes: future lookup"
    return history._upper_lookup(account, timepoint)


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @dev Returns the total supply at the end of second `timepoint`, which
         must be in the past. All tokens count, delegated or not.
    @param timepoint A timestamp before the current block's.
    @return uint256 The total supply at `timepoint`.
    """
    assert timepoint < block.timestamp, "votes: future lookup"
    return history._upper_lookup(_TOTAL_SUPPLY_KEY, timepoint)


@external
@view
def numCheckpoints(account: address) -> uint32:
    """
    @dev Returns how many vote checkpoints `account` has.
    @param account The 20-byte address of the delegate.
    @return uint32 The number of checkpoints.
    """
    return convert(history._length(account), uint32)


@external
@view
def checkpoints(account: address, pos: uint32) -> (uint48, uint208):
    """
    @dev Returns vote checkpoint `pos` of `account`, like OpenZeppelin's
         `checkpoints(address,uint32)`.
    @param account The 20-byte address of the delegate.
    @param pos The index of the checkpoint, oldest first.
    @return uint48 The timestamp the votes were recorded at.
    @return uint208 The votes from that timestamp on.
    """
    recorded_at: uint256 = 0
    votes: uint256 = 0
    recorded_at, votes = history._at(account, convert(pos, uint256))
    return (convert(recorded_at, uint48), convert(votes, uint208))


@external
def delegate(delegatee: address):
    """
    @dev Delegates the caller's votes to `delegatee`; the zero address
         removes them from any delegate. Self-delegation activates one's
         own votes.
    @param delegatee The 20-byte address of the new delegate.
    """
    self._delegate(msg.sender, delegatee)


@external
def delegateBySig(delegatee: address, nonce: uint256, expiry: uint256, v: uint8, r: bytes32, s: bytes32):
    """
    @dev Delegates the signer's votes to `delegatee`, given its EIP-712
         signature of `Delegation(delegatee, nonce, expiry)`. The nonce is
         the one `permit` uses too; each signature works once.
    @param delegatee The 20-byte address of the new delegate.
    @param nonce The signer's current nonce.
    @param expiry The last timestamp at which the signature is valid.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    """
    assert block.timestamp <= expiry, "votes: signature expired"
    struct_hash: bytes32 = keccak256(abi_encode(_DELEGATION_TYPE_HASH, delegatee, nonce, expiry))
    # `ecdsa` reverts on a signature that recovers no signer.
    signer: address = self._recover(struct_hash, v, r, s)
    assert nonce == self.nonces[signer], "votes: invalid nonce"
    self.nonces[signer] = unsafe_add(nonce, 1)
    self._delegate(signer, delegatee)


# ---------------------------------------------------------------------------
# Internal
# ---------------------------------------------------------------------------


@internal
def _transfer(owner: address, to: address, amount: uint256):
    """
    @dev Moves `amount` tokens from `owner` to `to` and the votes from
         `owner`'s delegate to `to`'s delegate.
    @param owner The 20-byte owner address.
    @param to The 20-byte receiver address.
    @param amount The amount to transfer.
    """
    # `owner` is never zero: it is `msg.sender`, or an owner whose
    # allowance check already failed in `_approve` for the zero address.
    assert to != empty(address), "erc20: transfer to the zero address"

    owner_slot: uint256 = self._accounts[owner]
    assert owner_slot & _BALANCE_MASK >= amount, "erc20: transfer amount exceeds balance"
    # The balance is the low field and `amount` is at most the balance, so
    # the subtraction cannot borrow from the delegate bits.
    self._accounts[owner] = unsafe_sub(owner_slot, amount)
    to_slot: uint256 = self._accounts[to]
    # `balance + amount <= totalSupply < 2**96`: no carry into the delegate.
    self._accounts[to] = unsafe_add(to_slot, amount)
    log IERC20.Transfer(sender=owner, receiver=to, value=amount)

    self._move_votes(owner_slot >> 96, to_slot >> 96, amount)


@internal
def _mint(owner: address, amount: uint256):
    """
    @dev Creates `amount` tokens for `owner`, with their votes for
         `owner`'s delegate and a total-supply checkpoint.
    @param owner The 20-byte receiver address (not zero).
    @param amount The amount to create.
    """
    assert owner != empty(address), "erc20: mint to the zero address"
    supply: uint256 = self.totalSupply + amount
    assert supply <= MAX_SUPPLY, "erc20: supply exceeds 2**96 - 1"
    self.totalSupply = supply
    owner_slot: uint256 = self._accounts[owner]
    # `balance + amount <= supply < 2**96`: no carry into the delegate.
    self._accounts[owner] = unsafe_add(owner_slot, amount)
    log IERC20.Transfer(sender=empty(address), receiver=owner, value=amount)

    history._push(_TOTAL_SUPPLY_KEY, supply)
    self._move_votes(0, owner_slot >> 96, amount)


@internal
def _burn(owner: address, amount: uint256):
    """
    @dev Destroys `amount` of `owner`'s tokens, with their votes, and
         records the new total supply.
    @param owner The 20-byte holder address.
    @param amount The amount to destroy.
    """
    # `owner` is never zero: see `_transfer`.
    owner_slot: uint256 = self._accounts[owner]
    assert owner_slot & _BALANCE_MASK >= amount, "erc20: burn amount exceeds balance"
    # No borrow: see `_transfer`.
    self._accounts[owner] = unsafe_sub(owner_slot, amount)
    # The total supply is at least every balance.
    supply: uint256 = unsafe_sub(self.totalSupply, amount)
    self.totalSupply = supply
    log IERC20.Transfer(sender=owner, receiver=empty(address), value=amount)

    history._push(_TOTAL_SUPPLY_KEY, supply)
    self._move_votes(owner_slot >> 96, 0, amount)


@internal
def _approve(owner: address, spender: address, amount: uint256):
    """
    @dev Sets the allowance of `spender` over `owner`'s tokens.
    @param owner The 20-byte owner address.
    @param spender The 20-byte spender address.
    @param amount The allowance.
    """
    assert owner != empty(address), "erc20: approve from the zero address"
    assert spender != empty(address), "erc20: approve to the zero address"
    self.allowance[owner][spender] = amount
    log IERC20.Approval(owner=owner, spender=spender, value=amount)


@internal
def _spend_allowance(owner: address, spender: address, amount: uint256):
    """
    @dev Decreases `spender`'s allowance over `owner`'s tokens by `amount`,
         unless it is infinite; reverts if it is too small.
    @param owner The 20-byte owner address.
    @param spender The 20-byte spender address.
    @param amount The amount spent.
    """
    current_allowance: uint256 = self.allowance[owner][spender]
    if current_allowance < max_value(uint256):
        assert current_allowance >= amount, "erc20: insufficient allowance"
        self._approve(owner, spender, unsafe_sub(current_allowance, amount))


@internal
def _delegate(account: address, delegatee: address):
    """
    @dev Makes `delegatee` the delegate of `account` and moves the votes
         of its whole balance there.
    @param account The 20-byte delegator address.
    @param delegatee The 20-byte new delegate (zero: none).
    """
    slot: uint256 = self._accounts[account]
    balance: uint256 = slot & _BALANCE_MASK
    self._accounts[account] = (convert(delegatee, uint256) << 96) | balance
    log IERC5805.DelegateChanged(delegator=account, fromDelegate=convert(slot >> 96, address), toDelegate=delegatee)
    self._move_votes(slot >> 96, convert(delegatee, uint256), balance)


@internal
def _move_votes(src: uint256, dst: uint256, amount: uint256):
    """
    @dev Moves `amount` votes from delegate `src` to delegate `dst`
         (delegates as the uint256 of their address; zero means none).
    @param src The delegate losing votes.
    @param dst The delegate gaining votes.
    @param amount The number of votes.
    """
    if src == dst or amount == 0:
        return
    old: uint256 = 0
    new: uint256 = 0
    if src != 0:
        src_delegate: address = convert(src, address)
        old, new = history._decrease(src_delegate, amount)
        log IERC5805.DelegateVotesChanged(delegate=src_delegate, previousVotes=old, newVotes=new)
    if dst != 0:
        dst_delegate: address = convert(dst, address)
        old, new = history._increase(dst_delegate, amount)
        log IERC5805.DelegateVotesChanged(delegate=dst_delegate, previousVotes=old, newVotes=new)


@internal
@view
def _recover(struct_hash: bytes32, v: uint8, r: bytes32, s: bytes32) -> address:
    """
    @dev Recovers the signer of an EIP-712 message of this token's domain.
    @param struct_hash The EIP-712 struct hash.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    @return address The signer.
    """
    digest: bytes32 = eip712_domain_separator._hash_typed_data_v4(struct_hash)
    return ecdsa._recover_vrs(digest, convert(v, uint256), convert(r, uint256), convert(s, uint256))
