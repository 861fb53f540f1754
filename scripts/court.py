"""`ape run court`: the juror CLI of LabelDAO's QualityCourt.

    ape run court status   --network ethereum:local:foundry --account TEST::1
    ape run court stake 1000 --network ethereum:sepolia:node --account juror
    ape run court commit 7 1 --account juror      # dispute 7, choice 1
    ape run court auto-reveal --loop --account juror

Every command takes `--network`, `--account` (an alias from `ape accounts
list`, or TEST::N on local networks), `--court ADDRESS` or `--deployment
FILE` (default: `deployments/<network>.json`, written by `ape run deploy`)
and `--store DIR` (the commitment store, default `~/.labeldao` or
$LABELDAO_STORE). The logic lives in `labeldao.juror`; this file only
parses, connects and prints.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from labeldao.ape_backend import ApeBackend, locate_court, require_code
from labeldao.ape_clients import (
    ApeLogs,
    LdaoAmount,
    ape_command,
    console_width,
    deployment_option,
    store_option,
)
from labeldao.client_base import checksum
from labeldao.deployments import Network
from labeldao.juror import (
    MAX_DRAW_BATCH,
    MAX_EXECUTE_BATCH,
    CourtClient,
    JurorError,
    Period,
    RevealReport,
    describe_period,
    format_ldao,
    format_time,
    plural,
    seat_next_step,
    vote_summary,
)
from labeldao.metaevidence import DisputeContext, MetaEvidenceReader, generic_choices_help
from labeldao.store import CommitmentStore, default_directory

# ---------------------------------------------------------------------------
# Parameter types and shared options
# ---------------------------------------------------------------------------


class Bytes32(click.ParamType):
    """32 bytes in hex (`0x` + 64 hex digits)."""

    name = "HEX32"

    def convert(self, value: Any, param: Any, ctx: Any) -> bytes:
        text = str(value).removeprefix("0x")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            self.fail(f"'{value}' is not hex", param, ctx)
        if len(raw) != 32:
            self.fail(f"'{value}' is {len(raw)} bytes, not 32", param, ctx)
        return raw


DISPUTE = click.IntRange(min=0)


def _console() -> Console:
    """Rich output; 120 columns when not on a terminal (logs, pipes)."""
    return Console(width=console_width())


def court_command(name: str, *, needs_account: bool = True) -> Callable:
    """A subcommand connected to a network (`ape_command`), with `--court`,
    `--deployment` and `--store`, that receives a ready `CourtClient`."""

    def build(
        network: Any,
        provider: Any,
        account: Any,
        court: str | None,
        deployment: Path | None,
        store: Path | None,
    ) -> CourtClient:
        return _client(provider, network, account, court, deployment, store)

    return ape_command(
        cli,
        name,
        build,
        options=(
            store_option("commitment store directory [default: $LABELDAO_STORE or ~/.labeldao]"),
            deployment_option(),
            click.option("--court", metavar="ADDRESS", help="the court's address"),
        ),
        needs_account=needs_account,
    )


def _client(
    provider: Any,
    network: Any,
    account: Any,
    court: str | None,
    deployment: Path | None,
    store: Path | None,
) -> CourtClient:
    from ape import project

    located = locate_court(
        court=court,
        deployment=deployment,
        network=Network.of(network, provider),
        chain_id=provider.chain_id,
        root=project.path / "deployments",
    )
    require_code(provider, located.address, located.source)
    contract = project.QualityCourt.at(located.address)
    token = project.RewardToken.at(contract.TOKEN())
    backend = ApeBackend(provider, account)
    commitments = None
    if account is not None:
        commitments = CommitmentStore(
            default_directory(store),
            chain_id=provider.chain_id,
            court=located.address,
            juror=account.address,
        )
    lens = project.QualityCourtLens.at(contract.LENS())
    return CourtClient(contract, lens, token, backend, commitments, log=click.echo)


def _reader(client: CourtClient) -> MetaEvidenceReader:
    """Reads ERC-1497 events through the node; relative URIs are resolved
    against the working directory and the project."""
    from ape import project

    return MetaEvidenceReader(
        ApeLogs(client.backend.provider),  # type: ignore[attr-defined]
        roots=(Path.cwd(), project.path),
    )


def _meta_evidence(client: CourtClient, dispute_id: int, arbitrable: str) -> DisputeContext:
    """The question and choices of a dispute, from its arbitrable's ERC-1497
    `Dispute` and `MetaEvidence` events (a context with `problem` set when
    the document cannot be read)."""
    return _reader(client).for_dispute(client.address, dispute_id, arbitrable)


def _print_question(
    console: Console, client: CourtClient, dispute_id: int, context: DisputeContext
) -> None:
    """The dispute's question, what every choice means, and its evidence."""
    if context.document is None:
        console.print(f"Dispute {dispute_id}: {context.question()}")
        console.print("  choices: 0 = refuse to arbitrate, 1 and 2: see the arbitrable's rules")
    else:
        console.print(f"Dispute {dispute_id} asks: [bold]{context.document.question}[/]")
        for choice, title, meaning in context.document.choices():
            console.print(f"  {choice} = {title}: {meaning}")
        check = {
            True: ", its keccak256 matches the task's spec_hash",
            False: "; WARNING: its keccak256 is NOT the task's spec_hash: it was changed",
            None: "",
        }[context.hash_matches]
        console.print(f"  (MetaEvidence: {context.uri}{check})", soft_wrap=True)
    group = dispute_id if context.evidence_group_id is None else context.evidence_group_id
    items = _reader(client).evidence(client.address, group, [context.arbitrable, client.address])
    for item in items:
        console.print(f"  evidence from {item.party}: {item.uri}", soft_wrap=True)
    if not items:
        console.print("  no evidence submitted yet (`court evidence DISPUTE URI`)")


@click.group()
def cli() -> None:
    """The juror CLI of the LabelDAO court: stake, vote, appeal, execute.

    Votes are committed with a salt derived from your wallet's signature and
    saved to a local store before they are sent; `auto-reveal` reveals them
    when their reveal period opens; `recover-salt` re-derives a salt.
    """


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


@court_command("status", needs_account=False)
@click.option("--juror", metavar="ADDRESS", help="show another juror (default: --account)")
def status(client: CourtClient, juror: str | None) -> None:
    """Your stake (free, locked, pending withdrawal), the rounds where you
    hold seats, and what to do next with its deadline."""
    juror = client.juror if juror is None else checksum(juror, "--juror")
    console = _console()
    now = client.now()
    params = client.params()
    stake = client.status(juror)
    console.print(
        f"Juror [bold]{juror}[/] at court {client.address} "
        f"(chain {client.backend.chain_id}); chain time {format_time(now, now)}"
    )
    table = Table(title="Stake", title_justify="left")
    table.add_column("")
    table.add_column("amount", justify="right")
    table.add_column("why / when")
    table.add_row(
        "free",
        format_ldao(stake.free),
        f"drawable in this epoch's snapshot: {format_ldao(stake.drawable_this_epoch)}",
    )
    table.add_row(
        "locked",
        format_ldao(stake.locked),
        f"by seats in {plural(stake.open_rounds, 'open round')}",
    )
    pending_note = "-"
    if stake.pending_withdrawal:
        pending_note = f"unlocks {format_time(stake.unlock_time, now)}"
    table.add_row("pending withdrawal", format_ldao(stake.pending_withdrawal), pending_note)
    table.add_row("claimable", format_ldao(stake.claimable), "rewards and refunds")
    table.add_row(
        "withdrawable now",
        format_ldao(stake.withdrawable_now),
        "`court withdraw`" if stake.withdrawable_now else "-",
    )
    table.add_row("wallet", format_ldao(client.balance(juror)), "LDAO not staked")
    table.add_row(
        "court minimum",
        format_ldao(params.min_juror_stake),
        f"a seat locks {format_ldao(params.seat_lock)}",
    )
    console.print(table)

    seats = client.my_seats(juror)
    if not seats:
        console.print("No open round holds your seats.")
    else:
        rounds = Table(title="Your open rounds", title_justify="left")
        for column in ("dispute", "round", "seats", "locked", "period", "your vote", "next step"):
            rounds.add_column(column, justify="right" if column in ("seats", "locked") else "left")
        for seat in seats:
            rounds.add_row(
                str(seat.dispute_id),
                str(seat.round),
                str(seat.vote.seats),
                format_ldao(seat.vote.locked),
                describe_period(seat.info, now),
                vote_summary(seat),
                seat_next_step(seat, now),
            )
        console.print(rounds)
        for dispute_id in sorted({seat.dispute_id for seat in seats}):
            arbitrable = next(s.dispute.arbitrable for s in seats if s.dispute_id == dispute_id)
            _print_question(
                console, client, dispute_id, _meta_evidence(client, dispute_id, arbitrable)
            )
    if client.store is not None and juror == client.juror:
        console.print(f"Commitment store: {client.store.path}")


@court_command("disputes", needs_account=False)
@click.option("--last", type=click.IntRange(min=1), default=20, show_default=True)
def disputes(client: CourtClient, last: int) -> None:
    """The newest disputes: current round, period and its deadline, panel,
    ruling, and each dispute's question with what every choice means."""
    console = _console()
    now = client.now()
    rows = client.recent_disputes(last)
    if not rows:
        console.print(f"No dispute at court {client.address} yet.")
        return
    table = Table(title=f"Disputes at {client.address} (chain time {format_time(now, now)})")
    for column in ("dispute", "round", "panel", "period / deadline", "ruling", "arbitrable"):
        table.add_column(column)
    questions = []
    for dispute_id, dispute, info in rows:
        context = _meta_evidence(client, dispute_id, dispute.arbitrable)
        ruling = str(dispute.ruling)
        if dispute.final:
            ruling += " (final, delivered)" if dispute.ruling_executed else " (final)"
            ruling += f" = {context.choice_title(dispute.ruling)}"
        table.add_row(
            str(dispute_id),
            str(dispute.current_round),
            f"{info.drawn}/{info.panel}",
            describe_period(info, now),
            ruling,
            dispute.arbitrable,
        )
        summary = context.document.summary() if context.document else context.question()
        questions.append(f"Dispute {dispute_id}: {summary}")
    console.print(table)
    for line in questions:
        console.print(line, soft_wrap=True)


# ---------------------------------------------------------------------------
# Stake
# ---------------------------------------------------------------------------


@court_command("stake")
@click.argument("amount", type=LdaoAmount())
def stake(client: CourtClient, amount: int) -> None:
    """Stake AMOUNT LDAO (approves the court first if needed). New stake is
    drawable from the next snapshot epoch."""
    status = client.stake(amount)
    epoch, now = client.court.epoch_seconds(), client.now()
    click.echo(
        f"free stake now {format_ldao(status.free)}; drawable from the next snapshot epoch, "
        f"{format_time(now - now % epoch + epoch, now)} (epochs of {epoch:,} s)"
    )


@court_command("unstake")
@click.argument("amount", type=LdaoAmount(), required=False)
@click.option("--all", "everything", is_flag=True, help="request all your free stake")
def unstake(client: CourtClient, amount: int | None, everything: bool) -> None:
    """Request AMOUNT of free stake (or --all) for withdrawal after the
    unstake delay; it stops being drawable at once."""
    if (amount is None) == (not everything):
        raise click.UsageError("give an AMOUNT or --all (not both)")
    status = client.unstake(None if everything else amount)
    click.echo(
        f"pending withdrawal {format_ldao(status.pending_withdrawal)}, "
        f"unlocks {format_time(status.unlock_time, client.now())}; then run `court withdraw`"
    )


@court_command("withdraw")
def withdraw(client: CourtClient) -> None:
    """Withdraw your rewards, refunds and unlocked stake."""
    paid = client.withdraw()
    click.echo(f"withdrew {format_ldao(paid)}")


# ---------------------------------------------------------------------------
# Disputes
# ---------------------------------------------------------------------------


@court_command("evidence")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.argument("uri")
def evidence(client: CourtClient, dispute_id: int, uri: str) -> None:
    """Submit evidence (ERC-1497: the URI of a JSON file) to DISPUTE."""
    client.submit_evidence(dispute_id, uri)
    click.echo(f"evidence submitted to dispute {dispute_id}: {uri}")


@court_command("draw")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.option("--batch", type=click.IntRange(1, MAX_DRAW_BATCH), default=16, show_default=True)
@click.option("--max-calls", type=click.IntRange(min=1), default=8, show_default=True)
def draw(client: CourtClient, dispute_id: int, batch: int, max_calls: int) -> None:
    """Draw the panel of DISPUTE's current round (anyone may; in batches)."""
    info = client.draw(dispute_id, batch, max_calls)
    now = client.now()
    if info.panel_complete:
        click.echo(
            f"panel complete ({info.panel} seats, {plural(info.jurors, 'juror')}); "
            f"commit from {format_time(info.commit_start, now)}"
        )
    else:
        click.echo(f"panel {info.drawn}/{info.panel}: run `court draw {dispute_id}` again")


@court_command("commit")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.argument("choice", type=click.IntRange(min=0))
@click.option("--round", "round_", type=click.IntRange(min=0), help="default: the current round")
def commit(client: CourtClient, dispute_id: int, choice: int, round_: int | None) -> None:
    """Commit your vote CHOICE in DISPUTE (0 refuses to arbitrate).

    The salt is derived from your wallet's signature of an EIP-712 message
    {dispute_id, round}; the commitment is saved to the local store before
    the transaction is sent. The dispute's question and the meaning of your
    choice are printed before anything is signed.
    """
    dispute = client.dispute(dispute_id)
    context = _meta_evidence(client, dispute_id, dispute.arbitrable)
    _print_question(_console(), client, dispute_id, context)
    click.echo(f"your vote: {choice} = {context.choice_title(choice)}")
    click.echo(client.commit(dispute_id, choice, round_))


commit.help = inspect.cleandoc(commit.help or "") + "\n\nCHOICE: " + generic_choices_help()


@court_command("reveal")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.option("--round", "round_", type=click.IntRange(min=0), help="default: the current round")
@click.option("--choice", type=click.IntRange(min=0), help="the committed choice (checked)")
@click.option("--salt", type=Bytes32(), help="a salt from another tool (needs --choice)")
def reveal(
    client: CourtClient,
    dispute_id: int,
    round_: int | None,
    choice: int | None,
    salt: bytes | None,
) -> None:
    """Reveal your vote in DISPUTE, with the choice and salt from the store
    (or re-derived from your wallet)."""
    click.echo(str(client.reveal(dispute_id, round_, choice=choice, salt=salt)))


@court_command("auto-reveal")
@click.option(
    "--loop", is_flag=True, help="keep going until no committed vote waits for its reveal"
)
@click.option(
    "--interval", type=click.IntRange(min=1), default=60, show_default=True, help="seconds"
)
@click.option("--autosign", is_flag=True, help="unlock the account once (keyfile accounts)")
def auto_reveal(client: CourtClient, loop: bool, interval: int, autosign: bool) -> None:
    """Reveal every committed vote whose reveal period is open; with --loop,
    wait for the others and reveal them too."""
    if autosign:
        account = client.backend.account  # type: ignore[attr-defined]
        if hasattr(account, "set_autosign"):
            account.set_autosign(True)
    failed: list[str] = []
    revealed = 0
    while True:
        report = client.auto_reveal()
        revealed += len(report.revealed)
        failed += [f"dispute {d} round {r}: {why}" for d, r, why in report.failed]
        for dispute_id, round_ in report.missed:
            click.echo(f"missed: dispute {dispute_id} round {round_} is past its reveal period")
        if not loop or not report.waiting:
            break
        _print_waiting(client, report, interval)
        time.sleep(interval)
    if report.waiting:
        _print_waiting(client, report, None)
    if failed:
        raise click.ClickException("some reveals failed:\n  " + "\n  ".join(failed))
    if not revealed and not report.waiting:
        click.echo("nothing to reveal")


def _print_waiting(client: CourtClient, report: RevealReport, interval: int | None) -> None:
    now = client.now()
    for dispute_id, round_, opens in report.waiting:
        click.echo(
            f"waiting: dispute {dispute_id} round {round_} reveals from {format_time(opens, now)}"
        )
    if interval is not None:
        click.echo(f"checking again in {interval}s")


@court_command("recover-salt")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.option("--round", "round_", type=click.IntRange(min=0), help="default: the current round")
def recover_salt(client: CourtClient, dispute_id: int, round_: int | None) -> None:
    """Re-derive your salt for DISPUTE from your wallet; find the choice you
    committed and write both back to the store. Keep the salt private until
    you reveal: with it, anyone can tell your vote."""
    found = client.recover_salt(dispute_id, round_)
    click.echo(f"salt of dispute {found.dispute_id} round {found.round}: 0x{found.salt.hex()}")
    if not found.committed:
        click.echo("nothing committed on chain for this round yet; `court commit` uses this salt")
    elif found.choice is None:
        raise JurorError(
            "your commitment on chain matches no choice with this salt: it was made with "
            "another salt (another tool?)"
        )
    else:
        state = "revealed" if found.revealed else "not revealed yet"
        click.echo(f"committed choice: {found.choice} ({state}); saved to {client.store.path}")


@court_command("appeal")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.argument("side", type=click.IntRange(min=1))
def appeal(client: CourtClient, dispute_id: int, side: int) -> None:
    """Fund SIDE of an appeal of DISPUTE's current round (approves the cost).
    Two funded sides open a larger round; a side funded alone wins by default."""
    funding = client.appeal(dispute_id, side)
    if funding.side_b:
        click.echo(
            f"funded side {side} with {format_ldao(funding.cost)}: both sides are funded, "
            "the appeal is raised (a new round opens)"
        )
    else:
        info = client.round(dispute_id, client.dispute(dispute_id).current_round)
        click.echo(
            f"funded side {side} with {format_ldao(funding.cost)}; another side may answer until "
            f"{format_time(info.appeal_end, client.now())}"
        )


@court_command("execute")
@click.argument("dispute_id", metavar="DISPUTE", type=DISPUTE)
@click.option("--batch", type=click.IntRange(1, MAX_EXECUTE_BATCH), default=64, show_default=True)
def execute(client: CourtClient, dispute_id: int, batch: int) -> None:
    """Settle every round of a final DISPUTE (anyone may) and deliver its ruling."""
    for line in client.execute(dispute_id, batch):
        click.echo(line)


__all__ = ["cli", "Period"]
