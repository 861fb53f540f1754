"""RewardToken gas beside its anchors, in the same EVM and the same run:
snekmate's ERC-20 (the audited Vyper reference) and OpenZeppelin's
ERC20Votes (npm @openzeppelin/contracts, compiled with solc-js).

Each operation runs on every token from the same state (holders funded,
delegated where votes apply, fresh receivers), measured as a transaction
pays it (`tx_gas`).
"""

from __future__ import annotations

from collections.abc import Callable

import boa
from eth_account import Account
from eth_utils import keccak

from benchmarks.report import Report, ratio, verdict
from labeldao import solidity
from labeldao.boa_tools import deployer, tx_gas
from labeldao.signing import sign_permit

ANCHOR_DIR = "benchmarks/anchors"
AMOUNT = 10**18
PLAIN_TRANSFER_GOAL = 1.05  # x snekmate
DELEGATED_TRANSFER_GOAL = 0.9  # x OpenZeppelin ERC20Votes
BLOCKS = 4  # consecutive blocks over which delegated transfers are measured


def _key(name: str) -> tuple[str, bytes]:
    key = keccak(text=f"labeldao-bench-{name}")
    return Account.from_key(key).address, key


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
    """Gas of the ERC-20 operations every token has (no delegation)."""
    holder_a, _ = _key(f"{prefix}-a")
    holder_b, _ = _key(f"{prefix}-b")
    signer = _key(f"{prefix}-signer")
    spender = boa.env.generate_address()
    for account in (holder_a, holder_b, signer[0]):
        token.mint(account, 100 * AMOUNT)
    token.approve(spender, 10 * AMOUNT, sender=holder_a)
    fresh = boa.env.generate_address
    gas = {
        "transfer to an existing holder": tx_gas(
            token, "transfer", holder_b, AMOUNT, sender=holder_a
        ),
        "transfer to a new holder": tx_gas(token, "transfer", fresh(), AMOUNT, sender=holder_a),
        "approve (fresh spender)": tx_gas(token, "approve", fresh(), AMOUNT, sender=holder_a),
        "transferFrom (finite allowance)": tx_gas(
            token, "transferFrom", holder_a, holder_b, AMOUNT, sender=spender
        ),
        "permit": tx_gas(token, "permit", *_permit_args(token, signer, spender), sender=spender),
        "mint to a holder": tx_gas(token, "mint", holder_b, AMOUNT, sender=boa.env.eoa),
    }
    if hasattr(token, "burn"):  # OpenZeppelin's ERC20 has no public burn
        gas["burn"] = tx_gas(token, "burn", AMOUNT, sender=holder_a)
    return gas


def _votes_ops(token: object, prefix: str) -> dict[str, int]:
    """Gas of the ERC-5805 operations (LDAO and OpenZeppelin ERC20Votes)."""
    a, _ = _key(f"{prefix}-votes-a")
    b, _ = _key(f"{prefix}-votes-b")
    for account in (a, b):
        token.mint(account, 100 * AMOUNT)
    gas = {"delegate to self (first time)": tx_gas(token, "delegate", a, sender=a)}
    token.delegate(b, sender=b)
    # LDAO archives two checkpoints per slot, so consecutive blocks alternate
    # between writing a fresh slot (the worst case) and completing one.
    delegated = []
    for _ in range(BLOCKS):
        boa.env.time_travel(blocks=1)
        delegated.append(tx_gas(token, "transfer", b, AMOUNT, sender=a))
    gas["transfer between delegated holders (worst block)"] = max(delegated)
    gas[f"transfer between delegated holders (mean of {BLOCKS} blocks)"] = sum(delegated) // BLOCKS
    gas["transfer between delegated holders (same block again)"] = tx_gas(
        token, "transfer", b, AMOUNT, sender=a
    )
    boa.env.time_travel(blocks=1)
    gas["re-delegate to another delegate"] = tx_gas(token, "delegate", b, sender=a)
    return gas


def _deploy() -> dict[str, object]:
    ldao = deployer("RewardToken").deploy(10**27)
    ldao.grantRole(ldao.MINTER_ROLE(), boa.env.eoa)
    snek = deployer("SnekmateERC20", ANCHOR_DIR).deploy()
    oz = solidity.deploy(f"{ANCHOR_DIR}/OZVotesToken.sol", "OZVotesToken")
    return {"ldao": ldao, "snek": snek, "oz": oz}


def _add_rows(
    table: object, ours: dict[str, int], anchors: list[dict[str, int] | None], fmt: Callable
) -> None:
    for op, gas in ours.items():
        cells: list[object] = [op, gas]
        for anchor in anchors:
            if anchor is None or op not in anchor:
                cells += ["n/a", ""]
            else:
                cells += [anchor[op], fmt(gas, anchor[op])]
        table.add(*cells)


def _holders_scaling(sizes: tuple[int, ...]) -> dict[str, dict[int, int]]:
    """Gas of the holder actions with N delegated holders of the token. Actions
    that move votes are measured in two consecutive blocks and averaged: two
    checkpoints share a slot, so which block writes the fresh slot depends on
    each delegate's history, while the pair always costs the same."""
    token = deployer("RewardToken").deploy(10**27)
    token.grantRole(token.MINTER_ROLE(), boa.env.eoa)
    a, b, c = (_key(f"scale-{name}")[0] for name in "abc")
    for account in (a, b, c):
        token.mint(account, 100 * AMOUNT)
        token.delegate(account, sender=account)
    token.delegate(b, sender=c)  # c alternates a, b, a, b... from here
    result: dict[str, dict[int, int]] = {}
    holders = 0
    for size in sizes:
        while holders < size:
            holder = boa.env.generate_address()
            token.mint(holder, AMOUNT)
            token.delegate(holder, sender=holder)
            holders += 1
        transfers, delegations = [], []
        for target in (a, b):
            boa.env.time_travel(blocks=1)
            transfers.append(tx_gas(token, "transfer", b, 1, sender=a))
            # c moves its votes between a and b.
            delegations.append(tx_gas(token, "delegate", target, sender=c))
        gas = {
            "transfer between delegated holders (mean of 2 blocks)": sum(transfers) // 2,
            "re-delegate (mean of 2 blocks)": sum(delegations) // 2,
            "approve (fresh spender)": tx_gas(
                token, "approve", boa.env.generate_address(), size, sender=a
            ),
        }
        for action, value in gas.items():
            result.setdefault(action, {})[size] = value
    return result


def run(report: Report) -> None:
    """Adds the token gas table to `report`."""
    tokens = _deploy()
    erc20 = {name: _erc20_ops(token, name) for name, token in tokens.items()}
    votes = {name: _votes_ops(tokens[name], name) for name in ("ldao", "oz")}

    table = report.table(
        "RewardToken vs snekmate ERC-20 and OpenZeppelin ERC20Votes (gas per transaction)",
        ["operation", "LDAO", "snekmate ERC-20", "LDAO/snekmate", "OZ ERC20Votes", "LDAO/OZ"],
    )
    _add_rows(table, erc20["ldao"], [erc20["snek"], erc20["oz"]], ratio)
    _add_rows(table, votes["ldao"], [None, votes["oz"]], ratio)

    plain_key = "transfer to an existing holder"
    plain, snek_plain = erc20["ldao"][plain_key], erc20["snek"][plain_key]
    worst_key = "transfer between delegated holders (worst block)"
    worst, oz_worst = votes["ldao"][worst_key], votes["oz"][worst_key]
    report.goal("token: plain transfer vs snekmate", plain, snek_plain, PLAIN_TRANSFER_GOAL)
    report.goal(
        "token: delegated transfer (worst block) vs OZ ERC20Votes",
        worst,
        oz_worst,
        DELEGATED_TRANSFER_GOAL,
    )
    sizes = (10, 100, 1_000, 10_000)
    scaling = _holders_scaling(sizes)
    scale_table = report.table(
        "RewardToken gas per transaction, by delegated holders",
        ["action", *[f"{s:,} holders" for s in sizes], f"{sizes[-1]:,} / {sizes[0]}"],
    )
    for action, by_size in scaling.items():
        cells = [by_size[s] for s in sizes]
        report.scale(f"token: {action}", by_size)
        report.goal(f"token: {action}, worst size / 10 holders", max(cells), cells[0], 1.2)
        scale_table.add(action, *cells, ratio(max(cells), cells[0]))
    table.notes += [
        f"Goal: plain transfer <= {PLAIN_TRANSFER_GOAL}x snekmate: {ratio(plain, snek_plain)} "
        f"({verdict(plain, snek_plain, PLAIN_TRANSFER_GOAL)}).",
        f"Goal: transfer between delegated holders <= {DELEGATED_TRANSFER_GOAL}x OZ "
        f"ERC20Votes, worst block: {ratio(worst, oz_worst)} "
        f"({verdict(worst, oz_worst, DELEGATED_TRANSFER_GOAL)}).",
        "LDAO packs balance and delegate in one slot (a transfer that moves no votes reads "
        "no extra slot) and archives two vote checkpoints per slot; mint also writes the "
        "total-supply checkpoint, as OpenZeppelin's does.",
    ]
