"""`ape run node`: the GPU provider's CLI of LabelDAO's ComputeRegistry.

    ape run node register specs.json --gpus 4 --tier 1 --account provider
    ape run node report 1 receipts.csv --uptime 9950 --account provider
    ape run node claim 1 --account provider
    ape run node status 1
    ape run node challenge 1 3 https://example.org/evidence.json --account watcher

Every command takes `--network`, `--account` (an alias from `ape accounts
list`, or TEST::N on local networks) and `--deployment FILE` (default:
`deployments/<network>.json`). The logic lives in `labeldao.nodes_client`;
this file only parses, connects and prints.
"""

from __future__ import annotations

from pathlib import Path

import click
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from labeldao.ape_clients import Connection, Session, command_factory, console_width
from labeldao.client_base import Refusal
from labeldao.juror import format_duration, format_ldao, format_time
from labeldao.nodes_client import MAX_CLAIM_EPOCHS, N_TIERS, NodeClient, read_receipts


@click.group()
def cli() -> None:
    """The GPU provider's CLI of the LabelDAO compute registry.

    A provider `register`s a node (bonding stake per GPU of its tier),
    `report`s each finished epoch (work units, uptime and the Merkle root of
    the epoch's job receipts, built from a receipts file) and `claim`s its
    share of each final epoch's emission. Anyone may `challenge` a report
    within its challenge period (the court decides). `deactivate` then
    `withdraw-stake` after the unbonding period returns the stake.
    """


def _build(connection: Connection, store: Path) -> Session:
    deployment = connection.deployment
    registry = connection.contract("ComputeRegistry", deployment.address("ComputeRegistry"))
    token = connection.contract("RewardToken", str(registry.TOKEN()))
    court = connection.contract("QualityCourt", deployment.address("QualityCourt"))
    return Session(
        NodeClient(registry, token, court, connection.backend, log=click.echo), connection, store
    )


node_command = command_factory(cli, _build)
NODE = click.argument("node_id", metavar="NODE", type=click.IntRange(min=1))
YES = click.option("--yes", "-y", is_flag=True, help="do not ask before signing")
SPECS = click.argument("specs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
SPECS_URI = click.option(
    "--specs-uri",
    metavar="URI",
    help="where the specs document is published [default: its file:// URI]",
)


def _confirm(yes: bool, question: str) -> None:
    if not yes and not click.confirm(question, default=True):
        raise click.ClickException("nothing was sent")


def _specs(specs: Path, uri: str | None) -> tuple[bytes, str]:
    content = specs.read_bytes()
    if not content.strip():
        raise Refusal(f"{specs} is empty: describe the node's hardware (GPU model, memory, ...)")
    return keccak(content), uri or specs.resolve().as_uri()


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


@node_command("status", needs_account=False)
@click.argument("node_id", metavar="NODE", type=click.IntRange(min=1), required=False)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="how many recent epochs' reports to show",
)
def status(session: Session, node_id: int | None, epochs: int) -> None:
    """NODE's record, stake, capacity and recent reports (with their status,
    challenge deadline and claimable reward); without NODE, the current
    epoch, what registering costs per tier, and your nodes."""
    client: NodeClient = session.client
    console = Console(width=console_width())
    now = client.now()
    current = client.current_epoch()
    info = client.epoch(current)
    console.print(
        f"Registry {client.address}: epoch {current} ends {format_time(info.end, now)}; "
        f"emission {format_ldao(info.emission)} per epoch"
    )
    if node_id is None:
        table = Table(title="Registering a node", title_justify="left")
        for column in ("tier", "stake per GPU", "max work units per GPU per epoch"):
            table.add_column(column)
        length = client.epoch_length()
        for tier in range(N_TIERS):
            table.add_row(
                str(tier),
                format_ldao(client.required_stake(tier, 1)),
                f"{client.units_per_gpu_second(current + 1, tier) * length:,}",
            )
        console.print(table)
        if client.wallet.backend.juror is not None:
            mine = client.nodes_of(client.wallet.address)
            names = ", ".join(f"{i} ({n.status_name})" for i, n in mine) or "none"
            console.print(f"Your nodes: {names}; registry credits {format_ldao(client.credits())}")
        return
    node = client.node(node_id)
    table = Table(title=f"Node {node_id}", title_justify="left")
    table.add_column("")
    table.add_column("value")
    end = "-" if node.end_epoch == 2**32 - 1 else str(node.end_epoch - 1)
    rows = [
        ("status", node.status_name),
        ("owner", node.owner),
        ("tier / GPUs", f"{node.tier} / {node.gpu_count} (from epoch {node.gpus_from_epoch})"),
        ("stake", format_ldao(node.stake)),
        ("reports epochs", f"{node.first_epoch} to {end}"),
        ("open challenges", str(node.open_challenges)),
        ("registered", format_time(node.registered_at, now)),
    ]
    if node.status_name != "ACTIVE":
        rows.append(("stake withdrawable", format_time(node.withdrawable_at, now)))
    if current > node.first_epoch:
        bound = client.max_work_units(node_id, current - 1)
        rows.append((f"max work units, epoch {current - 1}", f"{bound:,}"))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    reports = Table(title="Recent reports", title_justify="left")
    for column in ("epoch", "status", "work units", "uptime", "challenge until", "reward"):
        reports.add_column(column)
    for epoch in range(max(node.first_epoch, current - epochs), current):
        report = client.report(node_id, epoch)
        if not report.status:
            deadline = client.epoch(epoch).report_deadline
            note = f"report before {format_time(deadline, now)}" if deadline > now else "missed"
            reports.add_row(str(epoch), "NONE", "-", "-", "-", note)
            continue
        reward = client.pending_reward(node_id, epoch)
        reports.add_row(
            str(epoch),
            report.status_name,
            f"{report.work_units:,}",
            f"{report.uptime_bps / 100:g} %",
            format_time(report.challenge_deadline, now),
            "claimed " + format_ldao(report.reward)
            if report.claimed
            else (format_ldao(reward) + " claimable" if reward else "not final"),
        )
    console.print(reports)


# ---------------------------------------------------------------------------
# Provider
# ---------------------------------------------------------------------------


@node_command("register")
@SPECS
@click.option(
    "--gpus", type=click.IntRange(1, 1024), required=True, help="the node's number of GPUs"
)
@click.option(
    "--tier",
    type=click.IntRange(0, N_TIERS - 1),
    required=True,
    help="the hardware tier, 0 to 3 (sets stake and capacity per GPU: see `node status`)",
)
@SPECS_URI
@click.option(
    "--approve",
    "use_approve",
    is_flag=True,
    help="approve the registry in a transaction instead of signing a permit",
)
@YES
def register(
    session: Session,
    specs: Path,
    gpus: int,
    tier: int,
    specs_uri: str | None,
    use_approve: bool,
    yes: bool,
) -> None:
    """Register a node described by the hardware specs document SPECS (its
    keccak256 is stored): shows the stake it bonds and the work units it
    may report per epoch, then signs a permit (or approves) and registers."""
    client: NodeClient = session.client
    specs_hash, uri = _specs(specs, specs_uri)
    stake = client.required_stake(tier, gpus)
    next_epoch = client.current_epoch() + 1
    bound = gpus * client.units_per_gpu_second(next_epoch, tier) * client.epoch_length()
    click.echo(
        f"stake required: {format_ldao(stake)} ({gpus} GPU(s) of tier {tier}); "
        f"your balance {format_ldao(client.wallet.balance())}"
    )
    click.echo(f"bound on work units: {bound:,} per epoch; reports from epoch {next_epoch}")
    _confirm(yes, "register the node?")
    node_id = client.register(specs_hash, uri, gpus, tier, permit=not use_approve)
    click.echo(
        f"registered node {node_id}; it reports from epoch {client.node(node_id).first_epoch}"
    )


@node_command("update")
@NODE
@SPECS
@SPECS_URI
def update(session: Session, node_id: int, specs: Path, specs_uri: str | None) -> None:
    """Replace NODE's specs with the document SPECS."""
    specs_hash, uri = _specs(specs, specs_uri)
    session.client.update(node_id, specs_hash, uri)
    click.echo(f"node {node_id} specs: 0x{specs_hash.hex()} ({uri})")


@node_command("add-stake")
@NODE
@click.argument("extra_gpus", metavar="GPUS", type=click.IntRange(min=1))
@YES
def add_stake(session: Session, node_id: int, extra_gpus: int, yes: bool) -> None:
    """Add GPUS GPUs to NODE, bonding their stake (approves the registry);
    they count in reports from the next epoch."""
    client: NodeClient = session.client
    node = client.node(node_id)
    click.echo(f"stake required: {format_ldao(client.required_stake(node.tier, extra_gpus))}")
    _confirm(yes, "add the GPUs?")
    amount = client.add_stake(node_id, extra_gpus)
    click.echo(
        f"bonded {format_ldao(amount)}; node {node_id} has {node.gpu_count + extra_gpus} GPUs"
    )


@node_command("report")
@NODE
@click.argument("receipts", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--epoch",
    type=click.IntRange(min=0),
    help="the finished epoch reported [default: the last finished one]",
)
@click.option(
    "--uptime",
    "uptime_bps",
    type=click.IntRange(0, 10_000),
    default=10_000,
    show_default=True,
    help="the share of the epoch the node was up, in basis points",
)
def report(
    session: Session, node_id: int, receipts: Path, epoch: int | None, uptime_bps: int
) -> None:
    """File NODE's report of an epoch from RECEIPTS (CSV/JSONL, one job per
    row: job_id, client, work_units, output_hash): the work units are their
    sum, the receipts root their Merkle root; both are checked against the
    node's bound before anything is sent."""
    client: NodeClient = session.client
    if epoch is None:
        epoch = client.current_epoch() - 1
        if epoch < 0:
            raise Refusal("no epoch has finished yet")
    batch = read_receipts(receipts, node_id, epoch)
    _, bound = client.check_report(node_id, epoch, batch.work_units, uptime_bps)
    click.echo(
        f"epoch {epoch}: {len(batch.receipts)} receipt(s), {batch.work_units:,} work units "
        f"(bound {bound:,}), uptime {uptime_bps / 100:g} %, receipts root 0x{batch.root.hex()}"
    )
    filed = client.file_report(node_id, epoch, batch, uptime_bps)
    click.echo(
        f"reported epoch {epoch} of node {node_id} ({filed.effective_units:,} effective units); "
        f"challengeable until {format_time(filed.challenge_deadline, client.now())}"
    )


@node_command("claim")
@NODE
@click.option(
    "--epoch",
    "epochs",
    type=click.IntRange(min=0),
    multiple=True,
    help=f"an epoch to claim (repeatable, at most {MAX_CLAIM_EPOCHS}) "
    "[default: every claimable one]",
)
def claim(session: Session, node_id: int, epochs: tuple[int, ...]) -> None:
    """Mint NODE's rewards of its final, unchallenged (or upheld) reports."""
    minted = session.client.claim(node_id, list(epochs) or None)
    click.echo(f"claimed {format_ldao(minted)}")


@node_command("deactivate")
@NODE
@YES
def deactivate(session: Session, node_id: int, yes: bool) -> None:
    """Stop NODE after the current epoch and start its unbonding period."""
    client: NodeClient = session.client
    unbonding = int(client.registry.params().unbonding_period)
    click.echo(f"the stake becomes withdrawable {format_duration(unbonding)} from now")
    _confirm(yes, "deactivate the node?")
    node = client.deactivate(node_id)
    click.echo(
        f"node {node_id} {node.status_name}; `node withdraw-stake` from "
        f"{format_time(node.withdrawable_at, client.now())}"
    )


@node_command("withdraw-stake")
@NODE
def withdraw_stake(session: Session, node_id: int) -> None:
    """Take back a deactivated NODE's stake after the unbonding period."""
    click.echo(f"withdrew {format_ldao(session.client.withdraw_stake(node_id))}")


@node_command("withdraw")
def withdraw(session: Session) -> None:
    """Withdraw your registry credits (challenge bonds, slash shares)."""
    click.echo(f"withdrew {format_ldao(session.client.withdraw())}")


# ---------------------------------------------------------------------------
# Anyone
# ---------------------------------------------------------------------------


@node_command("challenge")
@NODE
@click.argument("epoch", type=click.IntRange(min=0))
@click.argument("evidence_uri", metavar="EVIDENCE_URI")
@YES
def challenge(session: Session, node_id: int, epoch: int, evidence_uri: str, yes: bool) -> None:
    """Challenge NODE's report of EPOCH as fraud, with your evidence
    (ERC-1497 JSON at EVIDENCE_URI): pays the bond and the court's fee
    (approving the registry); the court decides."""
    client: NodeClient = session.client
    bond, fee = client.challenge_cost()
    click.echo(
        f"a challenge costs {format_ldao(bond + fee)}: bond {format_ldao(bond)} "
        f"(returned unless the report is ruled valid) + court fee {format_ldao(fee)} "
        "(refunded out of the slash if the court rules fraud)"
    )
    _confirm(yes, "challenge the report?")
    dispute_id = client.challenge(node_id, epoch, evidence_uri)
    click.echo(
        f"challenged: dispute {dispute_id} at court {client.court.address} "
        "(jurors: `ape run court disputes`)"
    )


@node_command("forfeit")
@NODE
def forfeit(session: Session, node_id: int) -> None:
    """Void the unclaimed reports of NODE, convicted of fraud: their shares
    go to the honest nodes of their epochs (claim again to collect)."""
    epochs = session.client.forfeit(node_id)
    click.echo(f"voided node {node_id}'s reports of epochs {', '.join(map(str, epochs))}")
