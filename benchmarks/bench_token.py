"""RewardToken gas beside snekmate's ERC-20 (same EVM, same run).

Each operation runs on both tokens from the same state (holders funded,
fresh receivers), measured as a transaction pays it (`tx_gas`).
"""

from __future__ import annotations

import boa
from eth_account import Account
from eth_utils import keccak

from benchmarks.report import Report, ratio, verdict
from labeldao.boa_tools import deployer, tx_gas
from labeldao.signing import sign_permit

ANCHOR_DIR = "benchmarks/anchors"
AMOUNT = 10**18
PLAIN_TRANSFER_GOAL = 1.05


def _key(name: str) -> tuple[str, bytes]:
    key = keccak(text=f"labeldao-bench-{name}")
    return Account.from_key(key).address, key


def _deploy() -> tuple[object, object]:
    ldao = deployer("RewardToken").deploy(10**27)
    ldao.grantRole(ldao.MINTER_ROLE(), boa.env.eoa)
    snek = deployer("SnekmateERC20", ANCHOR_DIR).deploy()
    return ldao, snek


def _permit_args(token: object, owner: tuple[str, bytes], spender: str) -> tuple:
    """Arguments of a valid `permit` call for `token`'s own EIP-712 domain."""
    address, key = owner
    deadline = boa.env.evm.patch.timestamp + 3600
    sig = sign_permit(
        key,
        token=str(token.address),
        chain_id=boa.env.evm.patch.chain_id,
        owner=address,
        spender=spender,
        value=AMOUNT,
        nonce=token.nonces(address),
        deadline=deadline,
        domain_name=token.eip712Domain()[1],
    )
    return (address, spender, AMOUNT, deadline, *sig.as_args())


def _erc20_ops(token: object, prefix: str) -> dict[str, int]:
    """Gas of the ERC-20 operations both tokens have."""
    holder_a, _ = _key(f"{prefix}-a")
    holder_b, _ = _key(f"{prefix}-b")
    signer = _key(f"{prefix}-signer")
    spender = boa.env.generate_address()
    for account in (holder_a, holder_b, signer[0]):
        token.mint(account, 100 * AMOUNT)
    token.approve(spender, 10 * AMOUNT, sender=holder_a)
    gas = {
        "transfer to an existing holder": tx_gas(
            token, "transfer", holder_b, AMOUNT, sender=holder_a
        ),
        "transfer to a new holder": tx_gas(
            token, "transfer", boa.env.generate_address(), AMOUNT, sender=holder_a
        ),
        "approve (fresh spender)": tx_gas(
            token, "approve", boa.env.generate_address(), AMOUNT, sender=holder_a
        ),
        "transferFrom (finite allowance)": tx_gas(
            token, "transferFrom", holder_a, holder_b, AMOUNT, sender=spender
        ),
        "permit": tx_gas(token, "permit", *_permit_args(token, signer, spender), sender=spender),
        "burn": tx_gas(token, "burn", AMOUNT, sender=holder_a),
        "mint to a holder": tx_gas(token, "mint", holder_b, AMOUNT, sender=boa.env.eoa),
    }
    return gas


def _votes_ops(token: object) -> dict[str, int]:
    """Gas of the ERC-5805 operations (LDAO only; snekmate has no votes)."""
    a, _ = _key("votes-a")
    b, _ = _key("votes-b")
    for account in (a, b):
        token.mint(account, 100 * AMOUNT)
    gas = {"delegate (self, first time)": tx_gas(token, "delegate", a, sender=a)}
    token.delegate(b, sender=b)
    # Each new block archives a checkpoint per delegate; two archived
    # checkpoints share a slot, so new blocks alternate between writing a
    # fresh slot (worst case) and completing one.
    delegated = []
    for _ in range(4):
        boa.env.time_travel(blocks=1)
        delegated.append(tx_gas(token, "transfer", b, AMOUNT, sender=a))
    gas["transfer between delegated holders (worst block)"] = max(delegated)
    gas["transfer between delegated holders (mean of 4 blocks)"] = sum(delegated) // 4
    gas["transfer between delegated holders (same block again)"] = tx_gas(
        token, "transfer", b, AMOUNT, sender=a
    )
    boa.env.time_travel(blocks=1)
    gas["re-delegate to another holder"] = tx_gas(token, "delegate", b, sender=a)
    return gas


def run(report: Report) -> None:
    """Adds the token gas table to `report`."""
    ldao, snek = _deploy()
    ours = _erc20_ops(ldao, "ldao")
    theirs = _erc20_ops(snek, "snek")
    votes = _votes_ops(ldao)

    table = report.table(
        "RewardToken vs snekmate ERC-20 (gas per transaction)",
        ["operation", "LDAO", "snekmate ERC-20", "ratio"],
    )
    for op, gas in ours.items():
        table.add(op, gas, theirs[op], ratio(gas, theirs[op]))
    for op, gas in votes.items():
        table.add(op, gas, "n/a (no votes)", "")
    plain = ours["transfer to an existing holder"]
    anchor = theirs["transfer to an existing holder"]
    table.notes.append(
        f"Goal: plain transfer <= {PLAIN_TRANSFER_GOAL}x snekmate: {ratio(plain, anchor)} "
        f"({verdict(plain, anchor, PLAIN_TRANSFER_GOAL)})."
    )
    table.notes.append(
        "LDAO packs balance and delegate in one slot, so a transfer that moves no votes "
        "reads no extra slot; permit and mint also write vote/supply checkpoints."
    )
