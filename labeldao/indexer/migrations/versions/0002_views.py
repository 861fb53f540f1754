"""views: tasks, disputes, juror_votes, nodes, provider_work, epoch_totals

The questions people ask, as views over the event tables. Uint256 columns
are numbers on PostgreSQL and zero-padded strings on SQLite, so sums cast
them there (exact up to 2**63, floating-point above).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VIEWS = ["epoch_totals", "provider_work", "nodes", "juror_votes", "disputes", "tasks"]


def _num(column: str) -> str:
    return f"CAST({column} AS NUMERIC)" if op.get_bind().dialect.name == "sqlite" else column


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


def upgrade() -> None:
    # A task's status as TaskEscrow's Status flag: OPEN 1, CLAIMED 2,
    # SUBMITTED 4, DISPUTED 8, then the settled status of TaskSettled.
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
    op.execute(
        """
        CREATE VIEW disputes AS
        SELECT d.chain_id, d.contract AS court, d.dispute_id, d.arbitrable, d.choices, d.fee,
               d.block_number AS created_block,
               (SELECT r.task_id FROM task_rejected r WHERE r.chain_id = d.chain_id
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
    op.execute(
        """
        CREATE VIEW juror_votes AS
        SELECT s.chain_id, s.contract AS court, s.dispute_id, s.round, s.juror,
               COUNT(*) AS seats,
               (SELECT m.commitment FROM commits m WHERE m.chain_id = s.chain_id
                  AND m.contract = s.contract AND m.dispute_id = s.dispute_id
                  AND m.round = s.round AND m.juror = s.juror LIMIT 1) AS commitment,
               (SELECT v.choice FROM reveals v WHERE v.chain_id = s.chain_id
                  AND v.contract = s.contract AND v.dispute_id = s.dispute_id
                  AND v.round = s.round AND v.juror = s.juror LIMIT 1) AS choice,
               (SELECT j.coherent FROM juror_settlements j WHERE j.chain_id = s.chain_id
                  AND j.contract = s.contract AND j.dispute_id = s.dispute_id
                  AND j.round = s.round AND j.juror = s.juror LIMIT 1) AS coherent,
               (SELECT j.penalty FROM juror_settlements j WHERE j.chain_id = s.chain_id
                  AND j.contract = s.contract AND j.dispute_id = s.dispute_id
                  AND j.round = s.round AND j.juror = s.juror LIMIT 1) AS penalty,
               (SELECT j.reward FROM juror_settlements j WHERE j.chain_id = s.chain_id
                  AND j.contract = s.contract AND j.dispute_id = s.dispute_id
                  AND j.round = s.round AND j.juror = s.juror LIMIT 1) AS reward,
               (SELECT x.ruling FROM rulings x WHERE x.chain_id = s.chain_id
                  AND x.contract = s.contract AND x.dispute_id = s.dispute_id
                  LIMIT 1) AS ruling,
               MIN(s.block_number) AS drawn_block
        FROM seats s
        GROUP BY s.chain_id, s.contract, s.dispute_id, s.round, s.juror
        """
    )
    # Work of a report: effective units less what a challenge ruling removed.
    op.execute(
        f"""
        CREATE VIEW provider_work AS
        SELECT r.chain_id, r.contract, r.node_id, r.epoch, n.owner,
               {_num("r.effective_units")} - COALESCE((
                 SELECT SUM({_num("u.units_removed")}) FROM challenge_rulings u
                 WHERE u.chain_id = r.chain_id AND u.contract = r.contract
                   AND u.node_id = r.node_id AND u.epoch = r.epoch), 0) AS units,
               r.block_number, b.timestamp
        FROM epoch_reports r
        JOIN nodes_registered n ON n.chain_id = r.chain_id AND n.contract = r.contract
             AND n.node_id = r.node_id
        JOIN blocks b ON b.chain_id = r.chain_id AND b.number = r.block_number
        """
    )
    op.execute(
        """
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
    )
    op.execute(
        """
        CREATE VIEW epoch_totals AS
        SELECT w.chain_id, w.contract, w.epoch, COUNT(*) AS reports, SUM(w.units) AS units,
               COUNT(DISTINCT w.owner) AS providers
        FROM provider_work w
        GROUP BY w.chain_id, w.contract, w.epoch
        """
    )


def downgrade() -> None:
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
