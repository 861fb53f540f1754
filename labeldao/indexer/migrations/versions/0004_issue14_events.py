"""issue 14 events: gold bonds, claim deadlines, gold salts, gold contests

TaskEscrow's events of issue 14: `TaskCreated.gold_bond`,
`TaskClaimed.deadline` and `GoldFailureProven.gold_salt` become columns;
`GoldRejectionPending` and `GoldContested` get their tables
(`gold_rejections`, `gold_contests`). The `tasks` view learns GOLD_FAILED
(512: a gold rejection waiting for its contest window) and a gold contest's
dispute (DISPUTED, 8); `disputes` finds the task of a gold contest.

Rows written before this revision (contracts without these fields) get 0
(the zero hash for the salt): no bond, no deadline known. The columns end
with no server default, as a fresh database has them.

Revision ID: 0004_issue14_events
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from labeldao.indexer.schema import UINT256_DIGITS, Uint256

revision = "0004_issue14_events"
down_revision = "0003"
branch_labels = None
depends_on = None

ZERO_HASH = "0x" + "00" * 32

# (table, column, type, default of the rows already stored)
NEW_COLUMNS = [
    ("task_created", "gold_bond", "uint256", "0"),
    ("task_claimed", "deadline", "int", "0"),
    ("gold_failures", "gold_salt", "bytes32", ZERO_HASH),
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _type(kind: str) -> sa.types.TypeEngine:
    return {
        "uint256": Uint256(precision=78, scale=0),
        "int": sa.BigInteger(),
        "bytes32": sa.String(length=66),
    }[kind]


def _default(kind: str, value: str) -> str:
    if kind == "uint256" and _sqlite():
        return value.zfill(UINT256_DIGITS)
    return value


def _log_key() -> list[sa.Column]:
    return [
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
    ]


def _event_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        *_log_key(),
        *columns,
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    op.create_index(f"ix_{name}_block", name, ["block_number"])
    op.create_index(f"ix_{name}_task_id", name, ["task_id", "chain_id"])
    if any(c.name == "dispute_id" for c in columns):
        op.create_index(f"ix_{name}_dispute_id", name, ["dispute_id", "chain_id"])


def _same_task(alias: str) -> str:
    return (
        f"{alias}.chain_id = c.chain_id AND {alias}.contract = c.contract "
        f"AND {alias}.task_id = c.task_id"
    )


def _latest(column: str, table: str, alias: str) -> str:
    return (
        f"(SELECT {alias}.{column} FROM {table} {alias} WHERE {_same_task(alias)} "
        f"ORDER BY {alias}.block_number DESC, {alias}.log_index DESC LIMIT 1)"
    )


def _exists(table: str, alias: str) -> str:
    return f"EXISTS (SELECT 1 FROM {table} {alias} WHERE {_same_task(alias)})"


# A task's disputes: a rejection's or a gold contest's (at most one of each).
TASK_DISPUTES = (
    "(SELECT task_id, chain_id, contract, arbitrator, dispute_id, block_number, log_index "
    "FROM task_rejected UNION ALL "
    "SELECT task_id, chain_id, contract, arbitrator, dispute_id, block_number, log_index "
    "FROM gold_contests)"
)


def _create_tasks_view() -> None:
    # Status as TaskEscrow's Status flag: OPEN 1, CLAIMED 2, SUBMITTED 4,
    # DISPUTED 8 (a rejection or a gold contest), GOLD_FAILED 512, then the
    # settled status of TaskSettled.
    op.execute(
        f"""
        CREATE VIEW tasks AS
        SELECT c.chain_id, c.contract, c.task_id, c.requester, c.n_items, c.reward, c.fee,
               c.stake, c.deadline, c.gold_bond, c.block_number AS created_block,
               {_latest("annotator", "task_claimed", "a")} AS annotator,
               {_latest("deadline", "task_claimed", "a")} AS claim_deadline,
               {_latest("dispute_id", TASK_DISPUTES, "r")} AS dispute_id,
               {_latest("arbitrator", TASK_DISPUTES, "r")} AS arbitrator,
               {_latest("contest_end", "gold_rejections", "p")} AS contest_end,
               (SELECT COUNT(*) FROM gold_failures g WHERE {_same_task("g")}) AS gold_failures,
               CASE
                 WHEN {_exists("task_settled", "s")} THEN {_latest("status", "task_settled", "s")}
                 WHEN {_exists("task_rejected", "r")} THEN 8
                 WHEN {_exists("gold_contests", "k")} THEN 8
                 WHEN {_exists("gold_rejections", "p")} THEN 512
                 WHEN {_exists("task_submitted", "u")} THEN 4
                 WHEN {_exists("task_claimed", "a")} THEN 2
                 ELSE 1
               END AS status
        FROM task_created c
        """
    )


def _create_disputes_view(with_gold_contests: bool) -> None:
    judged = TASK_DISPUTES if with_gold_contests else "task_rejected"
    op.execute(
        f"""
        CREATE VIEW disputes AS
        SELECT d.chain_id, d.contract AS court, d.dispute_id, d.arbitrable, d.choices, d.fee,
               d.block_number AS created_block,
               (SELECT r.task_id FROM {judged} r WHERE r.chain_id = d.chain_id
                  AND r.arbitrator = d.contract AND r.dispute_id = d.dispute_id
                  AND r.contract = d.arbitrable LIMIT 1) AS task_id,
               (SELECT c.node_id FROM challenges c WHERE c.chain_id = d.chain_id
                  AND c.arbitrator = d.contract AND c.dispute_id = d.dispute_id
                  AND c.contract = d.arbitrable LIMIT 1) AS node_id,
               (SELECT COUNT(*) FROM rounds_created o WHERE o.chain_id = d.chain_id
                  AND o.contract = d.contract AND o.dispute_id = d.dispute_id) AS rounds,
               (SELECT x.ruling FROM rulings x WHERE x.chain_id = d.chain_id
                  AND x.contract = d.contract AND x.dispute_id = d.dispute_id
                  LIMIT 1) AS ruling
        FROM disputes_created d
        """
    )


def _create_old_tasks_view() -> None:
    op.execute(
        f"""
        CREATE VIEW tasks AS
        SELECT c.chain_id, c.contract, c.task_id, c.requester, c.n_items, c.reward, c.fee,
               c.stake, c.deadline, c.block_number AS created_block,
               {_latest("annotator", "task_claimed", "a")} AS annotator,
               {_latest("dispute_id", "task_rejected", "r")} AS dispute_id,
               {_latest("arbitrator", "task_rejected", "r")} AS arbitrator,
               (SELECT COUNT(*) FROM gold_failures g WHERE {_same_task("g")}) AS gold_failures,
               CASE
                 WHEN {_exists("task_settled", "s")} THEN {_latest("status", "task_settled", "s")}
                 WHEN {_exists("task_rejected", "r")} THEN 8
                 WHEN {_exists("task_submitted", "u")} THEN 4
                 WHEN {_exists("task_claimed", "a")} THEN 2
                 ELSE 1
               END AS status
        FROM task_created c
        """
    )


def upgrade() -> None:
    # Views first: SQLite's table rebuilds refuse tables a view reads.
    op.execute("DROP VIEW IF EXISTS tasks")
    op.execute("DROP VIEW IF EXISTS disputes")
    for table, column, kind, value in NEW_COLUMNS:
        op.add_column(
            table,
            sa.Column(column, _type(kind), nullable=False, server_default=_default(kind, value)),
        )
    for table, column, _, _ in NEW_COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, server_default=None)
    _event_table(
        "gold_rejections",
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("contest_end", sa.BigInteger(), nullable=False),
    )
    _event_table(
        "gold_contests",
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("arbitrator", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("arbitration_cost", Uint256(precision=78, scale=0), nullable=False),
    )
    _create_tasks_view()
    _create_disputes_view(with_gold_contests=True)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS tasks")
    op.execute("DROP VIEW IF EXISTS disputes")
    op.drop_table("gold_contests")
    op.drop_table("gold_rejections")
    for table, column, _, _ in NEW_COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column(column)
    _create_old_tasks_view()
    _create_disputes_view(with_gold_contests=False)
