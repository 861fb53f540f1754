"""`ape run task`: the requester's and the annotator's CLI of LabelDAO's TaskEscrow.

    ape run task create items.csv --reward 100 --stake 20 --gold gold.csv --account me
    ape run task list --network ethereum:local:foundry
    ape run task claim 0 --account annotator
    ape run task submit 0 answers.csv --account annotator
    ape run task reject 0 --reason "half the labels are wrong" --account me

Every command takes `--network`, `--account` (an alias from `ape accounts
list`, or TEST::N on local networks) and `--deployment FILE` (default:
`deployments/<network>.json`, written by `ape run deploy`). The logic lives
in `labeldao.tasks_client`; this file only parses, connects and prints.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import click
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from labeldao.ape_clients import Connection, LdaoAmount, Session, command_factory, console_width
from labeldao.client_base import Refusal
from labeldao.juror import format_duration, format_ldao, format_time
from labeldao.metaevidence import document_bytes
from labeldao.tasks_client import (
    GoldSecrets,
    NewTask,
    TaskClient,
    build_specification,
    read_answers,
)

STATUSES = [
    "OPEN",
    "CLAIMED",
    "SUBMITTED",
    "DISPUTED",
    "ACCEPTED",
    "REJECTED",
    "SPLIT",
    "EXPIRED",
    "CANCELLED",
]


@click.group()
def cli() -> None:
    """The requester's and the annotator's CLI of the LabelDAO task escrow.

    A requester `create`s a task from a file of items (the reward and the
    protocol fee are escrowed), an annotator `claim`s it (locking a stake)
    and `submit`s a file of answers; the requester `accept`s, `reject`s
    (the court decides) or proves wrong gold answers (`prove-gold`), and
    silence past the review period is consent (`finalize`). Payouts are
    taken with `withdraw`.
    """


def _build(connection: Connection, store: Path) -> Session:
    deployment = connection.deployment
    escrow = connection.contract("TaskEscrow", deployment.address("TaskEscrow"))
    token = connection.contract("RewardToken", str(escrow.TOKEN()))
    court = connection.contract("QualityCourt", deployment.address("QualityCourt"))
    client = TaskClient(escrow, token, court, connection.backend, log=click.echo)
    return Session(client, connection, store)


task_command = command_factory(cli, _build)
TASK = click.argument("task_id", metavar="TASK", type=click.IntRange(min=0))
PUBLISH = click.option(
    "--publish-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="where documents to publish are written [default: STORE/published]",
)
BASE_URI = click.option(
    "--base-uri",
    metavar="URI",
    help="the URI prefix under which --publish-dir is served, e.g. https://example.org/specs/ "
    "[default: file:// URIs of --publish-dir, readable on this machine only]",
)
YES = click.option("--yes", "-y", is_flag=True, help="do not ask before signing")


def _console() -> Console:
    return Console(width=console_width())


def parse_duration(text: str) -> int:
    """`"7d"`, `"36h"`, `"90m"`, `"45s"` or plain seconds -> seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhms]?)\s*", text)
    if match is None:
        raise click.BadParameter(f"'{text}' is not a duration (e.g. 7d, 36h, 90m or 3600)")
    number, unit = int(match.group(1)), match.group(2) or "s"
    return number * {"d": 86_400, "h": 3_600, "m": 60, "s": 1}[unit]


class Duration(click.ParamType):
    name = "DURATION"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_duration(str(value))
        except click.BadParameter as exc:
            self.fail(str(exc.message), param, ctx)


def _confirm(yes: bool, question: str) -> None:
    if not yes and not click.confirm(question, default=True):
        raise click.ClickException("nothing was sent")


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


def _publish_evidence(directory: Path, base_uri: str | None, name: str, reason: str) -> str:
    """Writes an ERC-1497 evidence document (`name`, the reason) into
    `directory`, named by its hash; returns its URI under `base_uri` (or
    the file's own URI)."""
    directory.mkdir(parents=True, exist_ok=True)
    evidence = document_bytes({"name": name, "description": reason})
    file_name = f"evidence-{keccak(evidence).hex()[:16]}.json"
    (directory / file_name).write_bytes(evidence)
    base = base_uri if base_uri is not None else directory.resolve().as_uri() + "/"
    return base.rstrip("/") + "/" + file_name


@task_command("list", needs_account=False)
@click.option(
    "--last",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="how many of the newest tasks",
)
@click.option(
    "--status",
    type=click.Choice(STATUSES, case_sensitive=False),
    help="only tasks in this status (e.g. OPEN: tasks to claim)",
)
def list_tasks(session: Session, last: int, status: str | None) -> None:
    """The newest tasks: status, items, reward, stake, deadline, next step."""
    client = session.client
    now = client.now()
    rows = client.tasks(last, status)
    console = _console()
    if not rows:
        console.print(f"No {status.upper() + ' ' if status else ''}task at {client.address}.")
        return
    table = Table(title=f"Tasks at {client.address} (chain time {format_time(now, now)})")
    for column in ("task", "status", "items", "reward", "stake", "deadline", "next step"):
        table.add_column(column)
    for task_id, task in rows:
        table.add_row(
            str(task_id),
            task.status_name,
            str(task.n_items),
            format_ldao(task.reward),
            format_ldao(task.stake),
            format_time(task.deadline, now),
            client.next_step(task, now),
        )
    console.print(table)


@task_command("status", needs_account=False)
@click.argument("task_id", metavar="TASK", type=click.IntRange(min=0), required=False)
def status(session: Session, task_id: int | None) -> None:
    """TASK's state, amounts, dates, specification and next step; without
    TASK, what your account is owed by the escrow."""
    client = session.client
    console = _console()
    now = client.now()
    if task_id is None:
        me = client.wallet.address
        console.print(
            f"Account {me}: wallet {format_ldao(client.wallet.balance())}, "
            f"claimable at the escrow {format_ldao(client.claimable())}"
            + (" (`task withdraw`)" if client.claimable() else "")
        )
        return
    task = client.task(task_id)
    params = client.params(task.params_id)
    table = Table(title=f"Task {task_id} at {client.address}", title_justify="left")
    table.add_column("")
    table.add_column("value")
    rows = [
        ("status", task.status_name),
        ("requester", task.requester),
        ("annotator", task.annotator if task.status_name != "OPEN" else "-"),
        ("items", f"{task.n_items:,}"),
        ("reward", format_ldao(task.reward)),
        ("fee", format_ldao(task.fee)),
        ("annotator stake", format_ldao(task.stake)),
        ("deadline", format_time(task.deadline, now)),
        ("review period", format_duration(task.review_period)),
        ("review ends", format_time(task.review_end, now) if task.review_end else "-"),
        ("gold failures", f"{task.gold_failures} of {params.gold_fail_limit} (rejects)"),
        ("gold root", "0x" + task.gold_root.hex()),
        ("result root", "0x" + task.result_root.hex()),
    ]
    if task.status_name == "DISPUTED" or task.dispute_id:
        rows.append(("dispute", f"{task.dispute_id} at {client.court.address}"))
    uri = session.reader().meta_evidence_uri(client.address, task_id)
    rows.append(("specification", uri or "-"))
    rows.append(("next step", client.next_step(task, now)))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


# ---------------------------------------------------------------------------
# Requester
# ---------------------------------------------------------------------------


@task_command("create")
@click.argument("items", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--reward",
    type=LdaoAmount(),
    required=True,
    help="LDAO paid to the annotator for accepted work (the fee comes on top)",
)
@click.option(
    "--stake",
    type=LdaoAmount(),
    required=True,
    help="LDAO the annotator locks to claim (slashed for bad or late work)",
)
@click.option(
    "--deadline",
    type=Duration(),
    default="7d",
    show_default=True,
    help="time from now to submit the work (e.g. 7d, 36h)",
)
@click.option(
    "--review",
    "review_period",
    type=Duration(),
    default="3d",
    show_default=True,
    help="time you have to review a submission; silence then accepts it",
)
@click.option(
    "--gold",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV/JSONL of hidden gold items (columns item, answer); their salted "
    "Merkle root is committed, the secrets saved under STORE/gold",
)
@click.option("--title", default="", help="a short title for annotators and jurors")
@click.option("--instructions", default="", help="what annotators must do (shown to jurors)")
@click.option("--labels", default="", help="the allowed answers, comma separated (e.g. cat,dog)")
@click.option(
    "--approve",
    "use_approve",
    is_flag=True,
    help="approve the escrow in a transaction instead of signing a permit",
)
@PUBLISH
@BASE_URI
@YES
def create(
    session: Session,
    items: Path,
    reward: int,
    stake: int,
    deadline: int,
    review_period: int,
    gold: Path | None,
    title: str,
    instructions: str,
    labels: str,
    use_approve: bool,
    publish_dir: Path | None,
    base_uri: str | None,
    yes: bool,
) -> None:
    """Create a task over the items of ITEMS (CSV with a header line, or
    JSONL; one item per row, item index = row number from 0).

    Writes the task's specification (an ERC-1497 MetaEvidence document:
    the items, your instructions, and what each court ruling means) to
    --publish-dir, shows what the task costs, then signs a permit (or
    approves) and creates it. Publish the written files under --base-uri
    on a public network.
    """
    client = session.client
    directory = session.store
    spec = build_specification(
        items,
        title=title,
        instructions=instructions,
        labels=[label.strip() for label in labels.split(",") if label.strip()],
        requester=client.wallet.address,
        publish_dir=publish_dir or directory / "published",
        base_uri=base_uri,
    )
    secrets, gold_root = None, b"\x00" * 32
    if gold is not None:
        secrets = GoldSecrets.new(read_answers(gold))
        outside = [i for i in secrets.answers if i >= spec.n_items]
        if outside:
            raise Refusal(f"{gold}: gold item {outside[0]} is not among the {spec.n_items} items")
        gold_root = secrets.tree.root
    new = NewTask(
        spec.spec_hash,
        spec.uri,
        spec.n_items,
        reward,
        stake,
        client.now() + deadline,
        review_period,
        gold_root,
    )
    params, cost = client.check_create(new)
    now = client.now()
    click.echo(f"specification: {spec.uri}")
    click.echo(
        f"task: {spec.n_items:,} items, deadline {format_time(new.deadline, now)}, "
        f"review period {format_duration(review_period)}"
        + (f", {len(secrets.answers)} gold item(s)" if secrets else "")
    )
    click.echo(
        f"cost: {format_ldao(cost)} (reward {format_ldao(reward)} + fee "
        f"{format_ldao(cost - reward)}, {params.fee_bps / 100:g} %); "
        f"your balance {format_ldao(client.wallet.balance())}"
    )
    click.echo(
        f"an annotator locks {format_ldao(stake)}; rejecting their work later costs the "
        f"court's fee ({format_ldao(int(client.court.arbitrationCost(b'')))} now)"
    )
    if secrets is not None:
        path = directory / "gold" / f"gold-{gold_root.hex()[:16]}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.to_json())
        path.chmod(0o600)
        click.echo(f"gold secrets saved to {path} (keep it: `task prove-gold` needs it)")
    _confirm(yes, "create the task?")
    task_id = client.create(new, permit=not use_approve)
    click.echo(f"created task {task_id}")


@task_command("cancel")
@TASK
def cancel(session: Session, task_id: int) -> None:
    """Cancel TASK, which nobody claimed yet: reward and fee are credited back."""
    refund = session.client.cancel(task_id)
    click.echo(f"cancelled task {task_id}; {format_ldao(refund)} credited: `task withdraw`")


@task_command("accept")
@TASK
def accept(session: Session, task_id: int) -> None:
    """Accept TASK's submitted work: the annotator is paid."""
    task = session.client.accept(task_id)
    click.echo(f"task {task_id} {task.status_name}")


@task_command("reject")
@TASK
@click.option("--reason", required=True, help="why the work is rejected (sent to the jurors)")
@PUBLISH
@BASE_URI
@YES
def reject(
    session: Session,
    task_id: int,
    reason: str,
    publish_dir: Path | None,
    base_uri: str | None,
    yes: bool,
) -> None:
    """Reject TASK's submitted work during the review period: pays the
    court's arbitration fee and opens a dispute; your reason goes to the
    jurors as ERC-1497 evidence."""
    client = session.client
    task = client.task(task_id)
    client.check_review(task_id, task, "reject it")
    cost = client.arbitration_cost(task)
    uri = _publish_evidence(
        publish_dir or session.store / "published",
        base_uri,
        f"Why the requester rejected task {task_id}",
        reason,
    )
    click.echo(f"rejecting costs the court's fee: {format_ldao(cost)}; evidence {uri}")
    _confirm(yes, "reject the work and open a dispute?")
    dispute_id = client.reject(task_id, reason, uri)
    click.echo(
        f"task {task_id} DISPUTED: dispute {dispute_id} at court {client.court.address} "
        "(jurors: `ape run court disputes`)"
    )


@task_command("prove-gold")
@TASK
@click.option(
    "--gold",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="the gold secrets file `task create` saved",
)
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="the annotator's answers file (columns item, answer)",
)
def prove_gold(session: Session, task_id: int, gold: Path, answers: Path) -> None:
    """Prove, during the review period, every gold item of TASK the
    annotator answered wrong; each slashes their stake (held until the task
    settles), and enough of them reject the task after the annotator's
    contest window."""
    done = session.client.prove_gold(task_id, GoldSecrets.load(gold), read_answers(answers))
    if not done:
        click.echo("every gold item was answered right: nothing to prove")
    for item, what in done:
        click.echo(f"gold item {item}: {what}")


# ---------------------------------------------------------------------------
# Annotator
# ---------------------------------------------------------------------------


@task_command("contest")
@TASK
@click.option("--reason", required=True, help="why the gold is wrong (sent to the jurors)")
@PUBLISH
@BASE_URI
@YES
def contest(
    session: Session,
    task_id: int,
    reason: str,
    publish_dir: Path | None,
    base_uri: str | None,
    yes: bool,
) -> None:
    """Contest TASK's gold rejection during its contest window: pays the
    court's arbitration fee and opens a dispute; the court sees every proven
    gold item, and your reason as ERC-1497 evidence. If the gold is ruled
    wrong you are paid as for accepted work, with the requester's gold bond."""
    client = session.client
    task = client.task(task_id)
    cost = client.check_contest(task_id, task)
    uri = _publish_evidence(
        publish_dir or session.store / "published",
        base_uri,
        f"Why the annotator contests task {task_id}'s gold",
        reason,
    )
    click.echo(
        f"contesting costs the court's fee: {format_ldao(cost)} (the requester's gold bond: "
        f"{format_ldao(task.gold_bond)}); evidence {uri}"
    )
    _confirm(yes, "contest the gold and open a dispute?")
    dispute_id = client.contest(task_id, uri)
    click.echo(
        f"task {task_id} DISPUTED: dispute {dispute_id} at court {client.court.address} "
        "(jurors: `ape run court disputes`)"
    )


@task_command("claim")
@TASK
@YES
def claim(session: Session, task_id: int, yes: bool) -> None:
    """Claim TASK: lock its stake (approving the escrow first) and work on it
    until its deadline."""
    client = session.client
    task = client.task(task_id)
    now = client.now()
    click.echo(
        f"task {task_id}: {task.n_items:,} items for {format_ldao(task.reward)}; "
        f"you lock {format_ldao(task.stake)} until it settles; "
        f"submit before {format_time(task.deadline, now)}"
    )
    _confirm(yes, "claim it?")
    task = client.claim(task_id)
    click.echo(f"claimed task {task_id}; submit before {format_time(task.deadline, client.now())}")


@task_command("submit")
@TASK
@click.argument("answers", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--result-uri",
    metavar="URI",
    help="where the answers are published [default: a copy under --publish-dir]",
)
@PUBLISH
@BASE_URI
def submit(
    session: Session,
    task_id: int,
    answers: Path,
    result_uri: str | None,
    publish_dir: Path | None,
    base_uri: str | None,
) -> None:
    """Submit ANSWERS (CSV/JSONL, columns item and answer, one per item) to
    TASK: their Merkle root is committed on chain; the review period starts."""
    client = session.client
    parsed = read_answers(answers)
    if result_uri is None:
        directory = publish_dir or session.store / "published"
        directory.mkdir(parents=True, exist_ok=True)
        name = f"answers-{keccak(answers.read_bytes()).hex()[:16]}{answers.suffix.lower()}"
        shutil.copyfile(answers, directory / name)
        base = base_uri if base_uri is not None else directory.resolve().as_uri() + "/"
        result_uri = base.rstrip("/") + "/" + name
    task = client.submit(task_id, parsed, result_uri)
    click.echo(
        f"submitted {len(parsed)} answers to task {task_id} ({result_uri}); "
        f"review ends {format_time(task.review_end, client.now())}"
    )


# ---------------------------------------------------------------------------
# Anyone
# ---------------------------------------------------------------------------


@task_command("finalize")
@TASK
def finalize(session: Session, task_id: int) -> None:
    """Settle TASK once its silent period is over (anyone may): accepted
    after the review period, rejected after a gold contest window."""
    task = session.client.finalize(task_id)
    click.echo(f"task {task_id} {task.status_name}")


@task_command("reclaim")
@TASK
def reclaim(session: Session, task_id: int) -> None:
    """Settle TASK as expired after a missed deadline (anyone may): the
    requester is refunded, a late annotator slashed."""
    task = session.client.reclaim(task_id)
    click.echo(f"task {task_id} {task.status_name}")


@task_command("withdraw")
def withdraw(session: Session) -> None:
    """Withdraw everything the escrow credited you (payouts, refunds)."""
    click.echo(f"withdrew {format_ldao(session.client.withdraw())}")


@task_command("evidence")
@TASK
@click.argument("uri")
def evidence(session: Session, task_id: int, uri: str) -> None:
    """Submit evidence (ERC-1497: the URI of a JSON file) to disputed TASK,
    as its requester or annotator."""
    session.client.submit_evidence(task_id, uri)
    click.echo(f"evidence submitted to task {task_id}: {uri}")


__all__ = ["cli"]
