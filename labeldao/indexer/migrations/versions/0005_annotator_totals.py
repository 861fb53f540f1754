"""annotator totals and MetaEvidence

`annotator_totals`: per (escrow, annotator) the tasks claimed, accepted
(settled 16) with their items, and rejected (settled 32), so that the web
app's annotators table reads a row per annotator instead of grouping every
claim. Kept in step by `labeldao.indexer.summary.refresh_annotators` in the
transaction that writes or rewinds the rows; filled here from the rows
already indexed. An index on `task_claimed.annotator` serves its refresh.

`meta_evidence`: the arbitrables' ERC-1497 `MetaEvidence(_metaEvidenceID,
_evidence)` (TaskEscrow: one per task, id = task id, and the gold contests';
ComputeRegistry: its challenges'). `arbitrable_disputes` (ERC-1497
`Dispute`) links a dispute to its meta-evidence id. Rows indexed before this
revision did not keep these logs: re-index from the deployment block to fill
the table.

Revision ID: 0005_annotator_totals
Revises: 0004_issue14_events
"""

import sqlalchemy as sa
from alembic import op

from labeldao.indexer.schema import Uint256
from labeldao.indexer.summary import rebuild_annotators

revision = "0005_annotator_totals"
down_revision = "0004_issue14_events"
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:
    return [
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "meta_evidence",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("meta_evidence_id", Uint256(precision=78, scale=0), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    op.create_index("ix_meta_evidence_block", "meta_evidence", ["block_number"])
    op.create_index(
        "ix_meta_evidence_meta_evidence_id", "meta_evidence", ["meta_evidence_id", "chain_id"]
    )
    op.create_index("ix_task_claimed_annotator", "task_claimed", ["annotator", "chain_id"])
    op.create_table(
        "annotator_totals",
        *_key(),
        sa.Column("annotator", sa.String(length=42), nullable=False),
        sa.Column("claimed", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.BigInteger(), nullable=False),
        sa.Column("items_accepted", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "annotator"),
    )
    op.create_index(
        "ix_annotator_totals_accepted", "annotator_totals", ["accepted", "items_accepted"]
    )
    op.create_table(
        "summary_dirty_annotators",
        *_key(),
        sa.Column("annotator", sa.String(length=42), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "annotator"),
    )
    rebuild_annotators(op.get_bind())


def downgrade() -> None:
    op.drop_table("summary_dirty_annotators")
    op.drop_table("annotator_totals")
    op.drop_index("ix_task_claimed_annotator", table_name="task_claimed")
    op.drop_table("meta_evidence")
