"""`ape run govern`: LDAO holders change protocol parameters through the
Governor and the Timelock.

    ape run govern delegate --account holder                 # votes count once delegated
    ape run govern propose --set court.alpha_bps=5000 --account holder
    ape run govern vote ID for --account holder              # for | against | abstain
    ape run govern queue ID --account holder                 # after the vote passed
    ape run govern execute ID --account holder               # after the timelock's delay
    ape run govern status [ID]

Every command takes `--network`, `--account` (an alias from `ape accounts
list`, or TEST::N on local networks) and `--deployment FILE` (default:
`deployments/<network>.json`, written by `ape run deploy` with a [governor]
table). The logic lives in `labeldao.governance`; this file only parses,
connects and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from labeldao.ape_backend import ApeBackend, require_code
from labeldao.ape_clients import ape_command, deployment_option
from labeldao.deployments import Network, load_record
from labeldao.governance import (
    GOVERNOR,
    NO_GOVERNOR,
    SUPPORT,
    GovernorClient,
    Proposal,
    load_abi,
    parse_change,
)
from labeldao.units import format_ldao

PARAMETER_CONTRACTS = ["QualityCourt", "TaskEscrow", "ComputeRegistry"]


def govern_command(name: str, *, needs_account: bool = True) -> Callable:
    """A subcommand connected to a network (`ape_command`), with
    `--deployment`, that receives a ready `GovernorClient`."""

    def build(network: Any, provider: Any, account: Any, deployment: Path | None) -> Any:
        return _client(provider, network, account, deployment)

    return ape_command(
        cli, name, build, options=(deployment_option(),), needs_account=needs_account
    )


def _client(provider: Any, network: Any, account: Any, deployment: Path | None) -> GovernorClient:
    from ape import chain, project
    from ethpm_types import ContractType

    record = load_record(
        Network.of(network, provider),
        provider.chain_id,
        given=deployment,
        root=project.path / "deployments",
    )
    addresses = record.addresses
    governor_at = record.address(GOVERNOR, why=NO_GOVERNOR)
    require_code(provider, governor_at, str(record.path))
    governor_type = ContractType.model_validate(
        {"contractName": GOVERNOR, "abi": load_abi(GOVERNOR)}
    )
    governor = chain.contracts.instance_at(governor_at, contract_type=governor_type)
    contracts = {n: getattr(project, n).at(addresses[n]) for n in PARAMETER_CONTRACTS}
    token = AbiFirst(project.RewardToken.at(addresses["RewardToken"]))
    timelock = project.Timelock.at(addresses["Timelock"])
    backend = ApeBackend(provider, account)
    return GovernorClient(governor, token, timelock, contracts, backend, click.echo)


class AbiFirst:
    """An Ape contract whose ABI methods win over Ape's own attributes (the
    token's `delegate` is shadowed by Ape's EIP-7702 `delegate` property)."""

    def __init__(self, instance: Any) -> None:
        self._instance = instance

    def __getattr__(self, name: str) -> Any:
        methods = {**self._instance._view_methods_, **self._instance._mutable_methods_}
        return methods[name] if name in methods else getattr(self._instance, name)


@click.group()
def cli() -> None:
    """LabelDAO governance: delegate, propose a parameter change, vote,
    queue it in the timelock, execute it."""


@govern_command("delegate")
@click.argument("to", required=False, metavar="[ADDRESS]")
def delegate(client: GovernorClient, to: str | None) -> None:
    """Delegate your LDAO votes (to yourself by default)."""
    power = client.delegate(to)
    click.echo(f"delegated to {to or client.account}: voting power {format_ldao(power)}")


@govern_command("propose")
@click.option(
    "--set",
    "changes",
    multiple=True,
    metavar="TARGET.FIELD=VALUE",
    help="a parameter change, e.g. court.alpha_bps=5000 (targets: court, escrow, registry)",
)
@click.option("--description", help="the proposal's text [default: the changes]")
def propose(client: GovernorClient, changes: tuple[str, ...], description: str | None) -> None:
    """Propose parameter changes (executed by the timelock if the vote passes)."""
    proposal_id = client.propose([parse_change(c) for c in changes], description)
    p = client.proposal(proposal_id)
    click.echo(f"proposed {proposal_id}")
    click.echo(
        f"voting opens after {client.when(p.snapshot)}, closes after {client.when(p.deadline)}"
    )


@govern_command("vote")
@click.argument("proposal_id", type=click.IntRange(min=0), metavar="ID")
@click.argument("support", type=click.Choice(list(SUPPORT)))
@click.option("--reason", default="", help="a reason, recorded in the VoteCast event")
def vote(client: GovernorClient, proposal_id: int, support: str, reason: str) -> None:
    """Vote for, against or abstain on an active proposal."""
    p = client.vote(proposal_id, support, reason)
    _votes(client, p)


@govern_command("queue")
@click.argument("proposal_id", type=click.IntRange(min=0), metavar="ID")
def queue(client: GovernorClient, proposal_id: int) -> None:
    """Schedule a passed proposal in the timelock."""
    p = client.queue(proposal_id)
    click.echo(f"queued {proposal_id}: {client.next_step(p)}")


@govern_command("execute")
@click.argument("proposal_id", type=click.IntRange(min=0), metavar="ID")
def execute(client: GovernorClient, proposal_id: int) -> None:
    """Execute a queued proposal once the timelock's delay is over."""
    p = client.execute(proposal_id)
    click.echo(f"executed {proposal_id}: {p.state.name}")
    for line in client.describe_calls(p):
        click.echo(f"  {line}")


@govern_command("status", needs_account=False)
@click.argument("proposal_id", type=click.IntRange(min=0), metavar="[ID]", required=False)
def status(client: GovernorClient, proposal_id: int | None) -> None:
    """A proposal's state, votes, quorum and next step (all proposals without ID)."""
    if proposal_id is None:
        ids = client.proposal_ids()
        if not ids:
            click.echo("no proposals yet")
        for pid in ids:
            p = client.proposal(pid)
            click.echo(f"{pid}  {p.state.name}  {client.next_step(p)}")
        return
    p = client.proposal(proposal_id)
    click.echo(f"proposal {proposal_id}: {p.state.name}")
    click.echo(f"  proposer   {p.proposer}")
    for line in client.describe_calls(p):
        click.echo(f"  call       {line}")
    click.echo(f"  snapshot   {client.when(p.snapshot)}")
    click.echo(f"  deadline   {client.when(p.deadline)}")
    _votes(client, p)
    click.echo(f"  next       {client.next_step(p)}")


def _votes(client: GovernorClient, p: Proposal) -> None:
    quorum = "known at the snapshot" if p.quorum is None else format_ldao(p.quorum)
    click.echo(
        f"  votes      for {format_ldao(p.for_)}, against {format_ldao(p.against)}, "
        f"abstain {format_ldao(p.abstain)}; quorum {quorum} (for + abstain: "
        f"{format_ldao(p.quorum_votes)})"
    )
