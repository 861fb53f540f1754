"""The wallet pages (issue 17): juror, requester, annotator, provider and
maintenance. The server renders forms and reads the ledger; the browser
(static/wallet.js) builds every transaction from the ABIs served here, has
the user's EIP-1193 wallet sign it, and derives the juror's salt from an
EIP-712 signature as the CLI does. No key, salt or vote reaches the server.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from litestar import Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from labeldao.indexer import queries
from labeldao.indexer.abi import REPO_ROOT
from labeldao.web import reads
from labeldao.web.evidence import meta_evidence_of

ZERO32 = "0x" + "00" * 32


@dataclass(frozen=True)
class Field:
    """One input of an action form, named as the function's ABI input.

    unit: how the browser turns the text into the argument: "ldao" (an
    amount, 18 decimals), "days" (seconds), "days-from-now" (a timestamp
    from the chain's clock), "text-hash" (keccak-256 of the text), "list"
    (numbers separated by commas); none: the text as the ABI type reads it.
    """

    name: str
    label: str
    unit: str | None = None
    value: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Action:
    contract: str
    function: str
    title: str
    fields: tuple[Field, ...]
    approve: str | None = None
    explain: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


TASK_ID = Field("task_id", "Task id", hint="0")
NODE_ID = Field("node_id", "Node id", hint="0")

REQUESTER = (
    Action(
        "TaskEscrow",
        "create_task",
        "Create a task",
        (
            Field("spec_uri", "Specification URI", hint="ipfs://..."),
            Field("spec_hash", "Specification text (its keccak-256 is committed)", "text-hash"),
            Field("n_items", "Items", value="10"),
            Field("reward", "Reward (LDAO)", "ldao", "100"),
            Field("annotator_stake", "Annotator stake (LDAO)", "ldao", "10"),
            Field("deadline", "Deadline (days from now)", "days-from-now", "7"),
            Field("review_period", "Review period (days)", "days", "2"),
            Field("gold_root", "Gold Merkle root", value=ZERO32, hint="ape run task builds it"),
        ),
        approve="task_cost",
        explain="Approves the reward plus the protocol fee (task_cost) to the escrow, "
        "then creates the task.",
    ),
    Action(
        "TaskEscrow",
        "accept",
        "Accept submitted work",
        (TASK_ID,),
        explain="Pays the annotator the reward and returns their stake.",
    ),
    Action(
        "TaskEscrow",
        "reject",
        "Reject submitted work (opens a dispute)",
        (TASK_ID, Field("reason_hash", "Reason (its hash is logged)", "text-hash")),
        approve="arbitration_cost",
        explain="Approves the court's arbitration fee to the escrow, then rejects: jurors decide.",
    ),
    Action("TaskEscrow", "cancel_task", "Cancel an unclaimed task", (TASK_ID,)),
    Action("TaskEscrow", "withdraw", "Withdraw what the escrow owes you", ()),
)

ANNOTATOR = (
    Action(
        "TaskEscrow",
        "claim_task",
        "Claim a task",
        (TASK_ID,),
        approve="task_stake",
        explain="Approves the task's annotator stake to the escrow, then claims it.",
    ),
    Action(
        "TaskEscrow",
        "submit",
        "Submit your answers",
        (
            TASK_ID,
            Field(
                "result_root", "Answers' Merkle root", hint="0x... (ape run task submit builds it)"
            ),
            Field("result_uri", "Answers' URI", hint="ipfs://..."),
        ),
    ),
    Action("TaskEscrow", "withdraw", "Withdraw what the escrow owes you", ()),
)

PROVIDER = (
    Action(
        "ComputeRegistry",
        "register_node",
        "Register a GPU node",
        (
            Field("specs_uri", "Specs URI", hint="ipfs://..."),
            Field("specs_hash", "Specs text (its keccak-256 is committed)", "text-hash"),
            Field("gpu_count", "GPUs", value="1"),
            Field("tier", "Tier", value="0"),
        ),
        approve="node_stake",
        explain="Approves the stake required for the tier and GPUs (required_stake), "
        "then registers.",
    ),
    Action(
        "ComputeRegistry",
        "report",
        "Report an epoch's work",
        (
            NODE_ID,
            Field("epoch", "Epoch"),
            Field("work_units", "Work units"),
            Field("uptime_bps", "Uptime (basis points)", value="10000"),
            Field(
                "receipts_root",
                "Receipts Merkle root",
                hint="0x... (ape run node report builds it)",
            ),
        ),
        explain="At most max_work_units(node, epoch); the contract says so when over.",
    ),
    Action(
        "ComputeRegistry",
        "claim",
        "Claim rewards",
        (NODE_ID, Field("epochs", "Epochs (comma separated)", "list")),
    ),
    Action("ComputeRegistry", "deactivate", "Deactivate a node", (NODE_ID,)),
    Action("ComputeRegistry", "withdraw", "Withdraw your credits", ()),
)

JUROR_STAKE = (
    Action(
        "QualityCourt",
        "stake",
        "Stake",
        (Field("amount", "Amount (LDAO)", "ldao", "1000"),),
        approve="stake_amount",
        explain="Approves the amount to the court, then stakes it.",
    ),
    Action(
        "QualityCourt",
        "request_unstake",
        "Request to unstake",
        (Field("amount", "Amount (LDAO)", "ldao"),),
    ),
    Action("QualityCourt", "withdraw", "Withdraw unlocked stake and rewards", ()),
)


def _actions(actions: tuple[Action, ...]) -> list[dict]:
    return [action.as_dict() for action in actions]


@get("/deployment.json", name="deployment", sync_to_thread=True)
def deployment_json(state: State) -> dict:
    found = reads.deployment(state.engine)
    if found is None:
        raise NotFoundException("this ledger indexes no deployment yet (run `ape run index`)")
    return found


@get("/abi/{name:str}", name="abi", sync_to_thread=False)
def abi_json(name: FromPath[str]) -> Response:
    contract = name.removesuffix(".json")
    if contract not in reads.WALLET_CONTRACTS:
        raise NotFoundException(f"no ABI {name}")
    body = (REPO_ROOT / "abi" / f"{contract}.json").read_bytes()
    return Response(body, media_type="application/json")


@get("/juror", name="juror", sync_to_thread=True)
def juror(
    state: State,
    dispute: FromQuery[int | None] = None,
    round: FromQuery[int | None] = None,
) -> Template:
    row = None if dispute is None else queries.dispute(state.engine, dispute)
    meta = meta_evidence_of(row) if row else None
    if row and round is None:
        round = max(0, int(row["rounds"] or 1) - 1)
    return Template(
        "juror.html",
        context={
            "stake_actions": _actions(JUROR_STAKE),
            "d": row,
            "dispute_id": dispute,
            "round": 0 if round is None else round,
            "meta": meta,
        },
    )


@get("/fragments/juror/{address:str}", name="juror-seats", sync_to_thread=True)
def juror_seats(state: State, address: FromPath[str]) -> Template:
    return Template(
        "juror_seats.html",
        context={"seats": reads.juror_seats(state.engine, address), "juror": address},
    )


def _role_page(title: str, intro: str, actions: tuple[Action, ...]) -> Template:
    return Template(
        "actions.html", context={"title": title, "intro": intro, "actions": _actions(actions)}
    )


@get("/requester", name="requester", sync_to_thread=False)
def requester() -> Template:
    return _role_page(
        "Requester",
        "Create labelling tasks, then accept the work or reject it into the court.",
        REQUESTER,
    )


@get("/annotator", name="annotator", sync_to_thread=False)
def annotator() -> Template:
    return _role_page("Annotator", "Claim a task (staking), then submit your answers.", ANNOTATOR)


@get("/provider", name="provider", sync_to_thread=False)
def provider() -> Template:
    return _role_page(
        "GPU provider", "Register a node (staking per GPU), report each epoch's work.", PROVIDER
    )


@get("/maintenance", name="maintenance", sync_to_thread=True)
def maintenance(state: State) -> Template:
    return Template("maintenance.html", context=reads.maintenance(state.engine))


ROUTES = [
    deployment_json,
    abi_json,
    juror,
    juror_seats,
    requester,
    annotator,
    provider,
    maintenance,
]
