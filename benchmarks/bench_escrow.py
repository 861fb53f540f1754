"""TaskEscrow gas per action, and flatness as the number of tasks grows.

Every figure is what a transaction pays (`tx_gas`: cold storage, intrinsic
and calldata gas, capped refund), measured in a steady state: the escrow
already holds tasks and owes tokens, the epoch's bonus budget is open, the
parties have withdrawn before. The arbitrator is `MockArbitrator` (its own
cost is included in `reject` and the ruling).
"""

from __future__ import annotations

import json
from pathlib import Path

import boa
from eth_account import Account
from eth_utils import keccak

from benchmarks.report import Report, delta_table, ratio, verdict
from labeldao.annotations import GoldItem, answer_hash, answer_tree, gold_failure_args, gold_tree
from labeldao.boa_tools import deployer, tx_gas
from labeldao.escrow import EPOCH_LENGTH
from labeldao.signing import sign_permit

LDAO = 10**18
DAY = 86_400
REWARD = 100 * LDAO
STAKE = 20 * LDAO
N_ITEMS = 100
GOLD_INDICES = tuple(range(3, N_ITEMS, 10))  # 10 hidden gold items
GOLD = gold_tree(
    [GoldItem(i, answer_hash(f"gold-{i}"), keccak(text=f"salt-{i}")) for i in GOLD_INDICES]
)
HONEST = answer_tree(
    {i: answer_hash(f"gold-{i}" if i in GOLD_INDICES else f"label-{i}") for i in range(N_ITEMS)}
)
CHEATER = answer_tree({i: answer_hash("cat") for i in range(N_ITEMS)})
GROWTH = (10, 100, 1_000, 10_000)
GROWTH_GOAL = 1.2
# The escrow's figures before issue 13 (commit b001440), from benchmarks/results.md
# at that commit: every action is compared with them.
BEFORE = Path(__file__).with_name("escrow_gas_before.json")
# Why an action costs more than DELTA_GOAL over its earlier figure, measured
# by this benchmark at the commits named (docs/decisions.md has the rest).
_BOND_TO_WITHDRAWN = (
    "issue 14, gold contests (42e6eb5): the requester's gold bond is credited back "
    "at settlement, here to a requester that had withdrawn (a zero owed slot: 22,222 "
    "of the step, measured with gold_bond = 0); the rest reads the bond parameter, "
    "and optimize codesize (126,190 -> 151,176)"
)
DEARER_BECAUSE: dict[str, str] = {
    "claim_task": (
        "issue 14, pauses move the claim deadline (42e6eb5): claim reads the pause "
        "clock to write the moved deadline and TaskClaimed logs it; optimize codesize "
        "(62,005 -> 65,025)"
    ),
    "accept (bonus minted)": _BOND_TO_WITHDRAWN,
    "accept": _BOND_TO_WITHDRAWN,
    "finalize (anyone, after review)": (
        "issue 14, gold contests (42e6eb5): the gold bond credited back to the requester "
        "(still owed: 5,122 of the step, measured with gold_bond = 0), the GOLD_FAILED "
        "branch, the bond parameter's read, optimize codesize (97,314 -> 105,327)"
    ),
    "reject (opens a dispute)": (
        "issue 14, court incentives (609c071): the extra data names both parties "
        "(64 bytes), which MockArbitrator stores in last_extra_data (three fresh slots "
        "instead of none): 218,520 -> 282,991; gold contests +577"
    ),
    "rule: reject (MockArbitrator.give_ruling)": (
        'issue 13: the "ruled once" flag (118,137 -> 121,501, +2.8 %); issue 14, gold '
        "contests (42e6eb5): the ruling reads whether the dispute is a gold contest (a "
        "cold slot) and the bond parameter, the bond goes back with the refund "
        "(121,501 -> 126,637)"
    ),
    "reclaim (late annotator)": (
        "issue 14, gold contests (42e6eb5): every settlement reads the gold-bond "
        "parameter (a cold slot) and credits the bond back with the refund; optimize "
        "codesize (60,044 -> 62,944)"
    ),
    "accept (first bonus of an epoch)": (
        "issue 14, gold contests (42e6eb5): the gold bond credited back to the requester "
        "(still owed: 5,122 of the step, measured with gold_bond = 0), the bond "
        "parameter's read, optimize codesize (154,277 -> 162,163)"
    ),
}
DELTA_NOTES = [
    'Issue 13\'s own step, b001440 -> a1bc22c (docs/decisions.md, "Architecture" > "Code '
    'size"): every action within 5 %, create_task 162,797 -> 163,718, reject 217,702 -> '
    "218,520, rule 118,137 -> 121,501. Then, measured with this benchmark at each commit "
    "(the figures in brackets in the why column): 0bea495, after issue 14's parties in the "
    "extra data (609c071, reject only); 42e6eb5, issue 14's gold contests, gold bond, held "
    "gold slashes and pause clock, alone on 0bea495. The token's timestamp clock (89dae60, "
    "measured alone on 0bea495) changes none of these figures; nothing after them does.",
    "prove_gold_failure is cheaper since issue 14: a gold slash is held in the task "
    "until it settles instead of being credited to the treasury at proof time.",
]


def _key(name: str) -> tuple[str, bytes]:
    key = keccak(text=f"labeldao-bench-escrow-{name}")
    return Account.from_key(key).address, key


class Market:
    """A deployed escrow with funded, approving parties."""

    def __init__(self) -> None:
        self.admin = boa.env.eoa
        self.requester, self.requester_key = _key("requester")
        self.annotator, _ = _key("annotator")
        self.treasury = boa.env.generate_address("treasury")
        self.token = deployer("RewardToken").deploy(10**27)
        self.arbitrator = deployer("MockArbitrator", "tests/mocks").deploy(
            self.token.address, 5 * LDAO
        )
        self.escrow = deployer("TaskEscrow").deploy(
            self.token.address, self.arbitrator.address, self.treasury
        )
        self.token.grantRole(self.token.MINTER_ROLE(), self.admin)
        self.token.grantRole(self.token.MINTER_ROLE(), self.escrow.address)
        for account in (self.requester, self.annotator):
            self.token.mint(account, 10**8 * LDAO)
            self.token.approve(self.escrow.address, 2**256 - 1, sender=account)

    def start_epoch(self) -> None:
        """Moves to one hour into the next bonus epoch (the figures must not
        depend on the wall clock the chain started at)."""
        boa.env.time_travel(seconds=EPOCH_LENGTH - self.now() % EPOCH_LENGTH + 3_600)

    def steady(self) -> None:
        """The steady state: the epoch's budget is open, the escrow holds a task
        and owes tokens, and the parties were paid and withdrew before."""
        warm = self.submitted()
        self.escrow.accept(warm, sender=self.requester)
        for account in (self.annotator, self.requester, self.treasury):
            if self.escrow.claimable(account):
                self.escrow.withdraw(sender=account)
        self.create()

    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    def create_args(self) -> tuple:
        deadline = self.now() + 7 * DAY
        return (keccak(text="spec"), "ipfs://spec", N_ITEMS, REWARD, STAKE, deadline, 3 * DAY,
                GOLD.root)  # fmt: skip

    def create(self) -> int:
        return self.escrow.create_task(*self.create_args(), sender=self.requester)

    def submitted(self, sheet=HONEST) -> int:
        task_id = self.create()
        self.escrow.claim_task(task_id, sender=self.annotator)
        self.escrow.submit(task_id, sheet.root, "ipfs://answers", sender=self.annotator)
        return task_id

    def gas(self, fn: str, *args: object, sender: str) -> int:
        return tx_gas(self.escrow, fn, *args, sender=sender)


def _lifecycle(m: Market) -> dict[str, int]:
    """Gas of every action, in a steady state."""
    m.start_epoch()
    m.steady()

    gas: dict[str, int] = {}
    gas["create_task"] = m.gas("create_task", *m.create_args(), sender=m.requester)
    task_id = m.escrow.task_count() - 1

    cost = m.escrow.task_cost(REWARD)
    permit_deadline = m.now() + DAY
    sig = sign_permit(
        m.requester_key,
        token=str(m.token.address),
        chain_id=boa.env.evm.patch.chain_id,
        owner=m.requester,
        spender=str(m.escrow.address),
        value=cost,
        nonce=m.token.nonces(m.requester),
        deadline=permit_deadline,
    )
    gas["create_task_with_permit"] = m.gas(
        "create_task_with_permit",
        *m.create_args(),
        permit_deadline,
        *sig.as_args(),
        sender=m.requester,
    )
    m.token.approve(m.escrow.address, 2**256 - 1, sender=m.requester)

    gas["claim_task"] = m.gas("claim_task", task_id, sender=m.annotator)
    gas["submit"] = m.gas("submit", task_id, HONEST.root, "ipfs://answers", sender=m.annotator)
    gas["accept (bonus minted)"] = m.gas("accept", task_id, sender=m.requester)

    task_id = m.submitted()
    boa.env.time_travel(seconds=3 * DAY)  # same epoch: 1 h + 3 days in
    gas["finalize (anyone, after review)"] = m.gas("finalize", task_id, sender=m.treasury)

    task_id = m.submitted(CHEATER)
    args = gold_failure_args(task_id, GOLD, CHEATER, GOLD_INDICES[0])
    gas["prove_gold_failure"] = m.gas("prove_gold_failure", *args, sender=m.requester)
    m.escrow.prove_gold_failure(
        *gold_failure_args(task_id, GOLD, CHEATER, GOLD_INDICES[1]), sender=m.requester
    )
    args = gold_failure_args(task_id, GOLD, CHEATER, GOLD_INDICES[2])
    gas["prove_gold_failure (limit: rejects)"] = m.gas(
        "prove_gold_failure", *args, sender=m.requester
    )

    task_id = m.submitted()
    gas["reject (opens a dispute)"] = m.gas("reject", task_id, keccak(text="r"), sender=m.requester)
    dispute_id = m.escrow.tasks(task_id).dispute_id
    gas["rule: reject (MockArbitrator.give_ruling)"] = tx_gas(
        m.arbitrator, "give_ruling", dispute_id, 2, sender=m.admin
    )

    task_id = m.create()
    m.escrow.claim_task(task_id, sender=m.annotator)
    boa.env.time_travel(seconds=7 * DAY + 1)
    gas["reclaim (late annotator)"] = m.gas("reclaim", task_id, sender=m.requester)

    gas["withdraw"] = m.gas("withdraw", sender=m.annotator)

    m.start_epoch()
    task_id = m.submitted()
    gas["accept (first bonus of an epoch)"] = m.gas("accept", task_id, sender=m.requester)
    return gas


def _growth(m: Market) -> dict[int, dict[str, int]]:
    """Gas of create, claim, submit and accept with GROWTH tasks in the escrow,
    each measured from the same steady state."""
    result = {}
    for size in GROWTH:
        while m.escrow.task_count() < size:
            m.create()
        m.start_epoch()
        m.steady()
        create = m.gas("create_task", *m.create_args(), sender=m.requester)
        task_id = m.escrow.task_count() - 1
        result[size] = {
            "create_task": create,
            "claim_task": m.gas("claim_task", task_id, sender=m.annotator),
            "submit": m.gas("submit", task_id, HONEST.root, "r", sender=m.annotator),
            "accept": m.gas("accept", task_id, sender=m.requester),
        }
    return result


def run(report: Report) -> None:
    """Adds the escrow's gas tables to `report`."""
    gas = _lifecycle(Market())
    table = report.table("TaskEscrow (gas per transaction)", ["action", "gas"])
    for action, value in gas.items():
        table.add(action, value)
    table.notes.append(
        f"A task of {N_ITEMS} items with {len(GOLD_INDICES)} hidden gold items; "
        "reward, stake and fee in LDAO; MockArbitrator as the court."
    )
    table.notes.append(
        "A task's fields are packed in three storage slots plus the gold root, so "
        "create_task writes four new slots. accept and finalize include minting the "
        "bonus (an LDAO mint with its supply checkpoint); accept credits an annotator and "
        "a treasury that had withdrawn (zero to non-zero, 2 x 17,100 more than finalize, "
        "whose payees were still owed). Every payout is a credit, paid by withdraw."
    )
    table.notes.append(
        "reject and the ruling include MockArbitrator's own storage (a new dispute record "
        "of five slots), which the court's cost will replace."
    )
    before = json.loads(BEFORE.read_text())
    delta_table(
        report,
        f"TaskEscrow gas now vs before issue 13 (commit {before['commit']})",
        before["per_transaction"],
        {0: gas},
        DEARER_BECAUSE,
    ).notes.extend(DELTA_NOTES)

    growth = _growth(Market())
    small, large = GROWTH[0], GROWTH[-1]
    flat = report.table(
        "TaskEscrow gas per transaction, by tasks in the escrow",
        [
            "action",
            *[f"{s:,} tasks" for s in GROWTH],
            f"{large:,} / {small}",
            f"goal <= {GROWTH_GOAL}x",
        ],
    )
    for action in growth[small]:
        cells = [growth[s][action] for s in GROWTH]
        base, worst = cells[0], max(cells)
        report.scale(f"escrow: {action}", dict(zip(GROWTH, cells, strict=True)))
        report.goal(f"escrow: {action}, worst size / 10 tasks", worst, base, GROWTH_GOAL)
        flat.add(action, *cells, ratio(worst, base), verdict(worst, base, GROWTH_GOAL))
    flat.notes.append(
        "No function loops over tasks or accounts: the gas does not grow (a few units "
        "of difference are the task id's non-zero calldata bytes)."
    )
    delta_table(
        report,
        f"TaskEscrow gas by tasks now vs before issue 13 (commit {before['commit']})",
        before["by_size"],
        growth,
        DEARER_BECAUSE,
        unit="tasks",
    ).notes.append("The why column: see the table of every action above.")
