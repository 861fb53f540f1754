"""issue 14 events: gold bonds and contests, forfeited reports, dispute parties

TaskEscrow's events of issue 14: `TaskCreated.gold_bond`,
`TaskClaimed.deadline` and `GoldFailureProven.gold_salt` become columns;
`GoldRejectionPending` and `GoldContested` get their tables
(`gold_rejections`, `gold_contests`). The `tasks` view learns GOLD_FAILED
(512: a gold rejection waiting for its contest window) and a gold contest's
dispute (DISPUTED, 8); `disputes` finds the task of a gold contest.

ComputeRegistry's `ReportForfeited` (a convicted node's reports voided) gets
`report_forfeits`; `provider_work` (and with it `nodes`, `epoch_totals` and
the work summaries) subtracts its units as it does a ruling's. QualityCourt's
`DisputeParties` and `RoundClosed` (an undrawn round closed, its fee
refunded) get `dispute_parties` and `rounds_closed`.

Rows written before this revision (contracts without these fields) get 0
(the zero hash for the salt): no bond, no deadline known. The columns end
with no server default, as a fresh database has them.

Revision ID: 0004_issue14_events
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from labeldao.indexer.schema import INDEXED_COLUMNS, UINT256_DIGITS, Uint256

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


def _num(column: str) -> str:
    return f"CAST({column} AS NUMERIC)" if _sqlite() else column


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
    for column in columns:
        if column.name in INDEXED_COLUMNS:
            op.create_index(f"ix_{name}_{column.name}", name, [column.name, "chain_id"])


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


# The views over `provider_work`, as 0002 made them.
NODES_VIEW = """
    CREATE VIEW nodes AS
    SELECT n.chain_id, n.contract, n.node_id, n.owner, n.tier, n.first_epoch,
           COALESCE((SELECT a.gpu_count FROM node_stake_added a
              WHERE a.chain_id = n.chain_id AND a.contract = n.contract
                AND a.node_id = n.node_id
              ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1), n.gpu_count)
             AS gpu_count,
           (SELECT COUNT(*) FROM epoch_reports r WHERE r.chain_id = n.chain_id
              AND r.contract = n.contract AND r.node_id = n.node_id) AS reports,
           (SELECT SUM(w.units) FROM provider_work w WHERE w.chain_id = n.chain_id
              AND w.contract = n.contract AND w.node_id = n.node_id) AS units,
           (SELECT COUNT(*) FROM challenges c WHERE c.chain_id = n.chain_id
              AND c.contract = n.contract AND c.node_id = n.node_id) AS challenges,
           (SELECT COUNT(*) FROM node_slashes s WHERE s.chain_id = n.chain_id
              AND s.contract = n.contract AND s.node_id = n.node_id) AS slashes,
           (SELECT d.end_epoch FROM node_deactivations d WHERE d.chain_id = n.chain_id
              AND d.contract = n.contract AND d.node_id = n.node_id LIMIT 1) AS end_epoch
    FROM nodes_registered n
"""
EPOCH_TOTALS_VIEW = """
    CREATE VIEW epoch_totals AS
    SELECT w.chain_id, w.contract, w.epoch, COUNT(*) AS reports, SUM(w.units) AS units,
           COUNT(DISTINCT w.owner) AS providers
    FROM provider_work w
    GROUP BY w.chain_id, w.contract, w.epoch
"""


def _removed(table: str, alias: str) -> str:
    return (
        f"COALESCE((SELECT SUM({_num(alias + '.units_removed')}) FROM {table} {alias} "
        f"WHERE {alias}.chain_id = r.chain_id AND {alias}.contract = r.contract "
        f"AND {alias}.node_id = r.node_id AND {alias}.epoch = r.epoch), 0)"
    )


def _create_provider_views(with_forfeits: bool) -> None:
    # Work of a report: effective units less what a challenge ruling (and a
    # forfeit of a convicted node's reports) removed.
    forfeited = f" - {_removed('report_forfeits', 'f')}" if with_forfeits else ""
    op.execute(
        f"""
        CREATE VIEW provider_work AS
        SELECT r.chain_id, r.contract, r.node_id, r.epoch, n.owner,
               {_num("r.effective_units")} - {_removed("challenge_rulings", "u")}{forfeited}
                 AS units,
               r.block_number, b.timestamp
        FROM epoch_reports r
        JOIN nodes_registered n ON n.chain_id = r.chain_id AND n.contract = r.contract
             AND n.node_id = r.node_id
        JOIN blocks b ON b.chain_id = r.chain_id AND b.number = r.block_number
        """
    )
    op.execute(NODES_VIEW)
    op.execute(EPOCH_TOTALS_VIEW)


def _drop_views() -> None:
    # Dependents first (PostgreSQL refuses to drop a view another reads).
    for view in ("tasks", "disputes", "nodes", "epoch_totals", "provider_work"):
        op.execute(f"DROP VIEW IF EXISTS {view}")


def upgrade() -> None:
    # Views first: SQLite's table rebuilds refuse tables a view reads.
    _drop_views()
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
    _event_table(
        "report_forfeits",
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("units_removed", Uint256(precision=78, scale=0), nullable=False),
    )
    _event_table(
        "dispute_parties",
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("payer", sa.String(length=42), nullable=False),
        sa.Column("other", sa.String(length=42), nullable=False),
    )
    _event_table(
        "rounds_closed",
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("refunded_to", sa.String(length=42), nullable=False),
        sa.Column("refund", Uint256(precision=78, scale=0), nullable=False),
    )
    _create_tasks_view()
    _create_disputes_view(with_gold_contests=True)
    # No forfeits before this revision: the work summaries stand as they are.
    _create_provider_views(with_forfeits=True)


def downgrade() -> None:
    _drop_views()
    for table in (
        "rounds_closed",
        "dispute_parties",
        "report_forfeits",
        "gold_contests",
        "gold_rejections",
    ):
        op.drop_table(table)
    for table, column, _, _ in NEW_COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column(column)
    _create_old_tasks_view()
    _create_disputes_view(with_gold_contests=False)
    _create_provider_views(with_forfeits=False)
