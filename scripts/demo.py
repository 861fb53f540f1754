"""`ape run demo`: the token at work on the embedded chain.

Deploys RewardToken, mints to three holders, delegates, transfers, and
prints balances and votes (current and past).
"""

from __future__ import annotations

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand
from rich.console import Console
from rich.table import Table

LDAO = 10**18
CAP = 1_000_000_000 * LDAO


def _table(token: object, holders: dict[str, object], past_block: int) -> Table:
    table = Table(title=f"LDAO at block {chain.blocks.head.number}")
    for column in ("holder", "balance", "delegate", "votes", f"votes at block {past_block}"):
        table.add_column(column, justify="left" if column in ("holder", "delegate") else "right")
    names = {str(acct.address): name for name, acct in holders.items()}
    for name, acct in holders.items():
        delegate = str(token.delegates(acct))
        table.add_row(
            name,
            f"{token.balanceOf(acct) / LDAO:,.0f}",
            names.get(delegate, "-"),
            f"{token.getVotes(acct) / LDAO:,.0f}",
            f"{token.getPastVotes(acct, past_block) / LDAO:,.0f}",
        )
    return table


@click.command(cls=ConnectedProviderCommand)
def cli() -> None:
    """Deploy LDAO, mint, delegate and transfer; print balances and votes."""
    console = Console()
    deployer, alice, bob, carol = accounts.test_accounts[:4]
    token = project.RewardToken.deploy(CAP, sender=deployer)
    token.grantRole(token.MINTER_ROLE(), deployer, sender=deployer)
    for holder, amount in ((alice, 1_000), (bob, 500), (carol, 250)):
        token.mint(holder, amount * LDAO, sender=deployer)
    # `token.delegate` is Ape's EIP-7702 property of every address, so the
    # ERC-5805 method is invoked by name.
    token.invoke_transaction("delegate", alice, sender=alice)
    token.invoke_transaction("delegate", alice, sender=carol)
    token.invoke_transaction("delegate", bob, sender=bob)
    snapshot_block = chain.blocks.head.number
    chain.mine(1)
    token.transfer(bob, 300 * LDAO, sender=alice)
    token.transfer(carol, 100 * LDAO, sender=bob)
    chain.mine(1)

    holders = {"alice": alice, "bob": bob, "carol": carol}
    console.print(_table(token, holders, snapshot_block))
    supply = token.totalSupply()
    console.print(
        f"total supply {supply / LDAO:,.0f} LDAO of cap {token.cap() / LDAO:,.0f}; "
        f"past total supply at block {snapshot_block}: "
        f"{token.getPastTotalSupply(snapshot_block) / LDAO:,.0f}"
    )
    console.print(f"token deployed at {token.address} ({token.CLOCK_MODE()})")
