"""event tables, blocks, checkpoint, contracts

Revision ID: 0001
Revises:

"""

import sqlalchemy as sa
from alembic import op

import labeldao.indexer.schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeal_refunds",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("funder", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("appeal_refunds", schema=None) as batch_op:
        batch_op.create_index("ix_appeal_refunds_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_appeal_refunds_dispute_id", ["dispute_id", "chain_id"], unique=False
        )

    op.create_table(
        "appeals",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.BigInteger(), nullable=False),
        sa.Column("funder", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index("ix_appeals_block", ["block_number"], unique=False)
        batch_op.create_index("ix_appeals_dispute_id", ["dispute_id", "chain_id"], unique=False)

    op.create_table(
        "arbitrable_disputes",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("arbitrator", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "meta_evidence_id",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column(
            "evidence_group_id",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("arbitrable_disputes", schema=None) as batch_op:
        batch_op.create_index("ix_arbitrable_disputes_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_arbitrable_disputes_dispute_id", ["dispute_id", "chain_id"], unique=False
        )

    op.create_table(
        "arbitrable_rulings",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("arbitrator", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("ruling", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("arbitrable_rulings", schema=None) as batch_op:
        batch_op.create_index("ix_arbitrable_rulings_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_arbitrable_rulings_dispute_id", ["dispute_id", "chain_id"], unique=False
        )

    op.create_table(
        "blocks",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "number"),
    )
    op.create_table(
        "challenge_rulings",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("ruling", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column(
            "units_removed", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("challenge_rulings", schema=None) as batch_op:
        batch_op.create_index("ix_challenge_rulings_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_challenge_rulings_dispute_id", ["dispute_id", "chain_id"], unique=False
        )
        batch_op.create_index("ix_challenge_rulings_epoch", ["epoch", "chain_id"], unique=False)
        batch_op.create_index("ix_challenge_rulings_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "challenges",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("challenger", sa.String(length=42), nullable=False),
        sa.Column("arbitrator", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("bond", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("fee", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index("ix_challenges_block", ["block_number"], unique=False)
        batch_op.create_index("ix_challenges_dispute_id", ["dispute_id", "chain_id"], unique=False)
        batch_op.create_index("ix_challenges_epoch", ["epoch", "chain_id"], unique=False)
        batch_op.create_index("ix_challenges_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "checkpoint",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id"),
    )
    op.create_table(
        "commits",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("commitment", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.create_index("ix_commits_block", ["block_number"], unique=False)
        batch_op.create_index("ix_commits_dispute_id", ["dispute_id", "chain_id"], unique=False)
        batch_op.create_index("ix_commits_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "contracts",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("start_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "name"),
    )
    op.create_table(
        "court_withdrawals",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("stake", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column(
            "rewards", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("court_withdrawals", schema=None) as batch_op:
        batch_op.create_index("ix_court_withdrawals_account", ["account", "chain_id"], unique=False)
        batch_op.create_index("ix_court_withdrawals_block", ["block_number"], unique=False)

    op.create_table(
        "delegate_votes",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("delegate", sa.String(length=42), nullable=False),
        sa.Column(
            "previous_votes", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column(
            "new_votes", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("delegate_votes", schema=None) as batch_op:
        batch_op.create_index("ix_delegate_votes_block", ["block_number"], unique=False)

    op.create_table(
        "delegations",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("delegator", sa.String(length=42), nullable=False),
        sa.Column("from_delegate", sa.String(length=42), nullable=False),
        sa.Column("to_delegate", sa.String(length=42), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.create_index("ix_delegations_block", ["block_number"], unique=False)

    op.create_table(
        "disputes_created",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("arbitrable", sa.String(length=42), nullable=False),
        sa.Column("choices", sa.BigInteger(), nullable=False),
        sa.Column("params_version", sa.BigInteger(), nullable=False),
        sa.Column("fee", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("disputes_created", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_created_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_disputes_created_dispute_id", ["dispute_id", "chain_id"], unique=False
        )

    op.create_table(
        "draw_requests",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=42), nullable=False),
        sa.Column(
            "request_id", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("draw_requests", schema=None) as batch_op:
        batch_op.create_index("ix_draw_requests_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_draw_requests_dispute_id", ["dispute_id", "chain_id"], unique=False
        )
        batch_op.create_index("ix_draw_requests_epoch", ["epoch", "chain_id"], unique=False)

    op.create_table(
        "draw_skips",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("attempt", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("draw_skips", schema=None) as batch_op:
        batch_op.create_index("ix_draw_skips_block", ["block_number"], unique=False)
        batch_op.create_index("ix_draw_skips_dispute_id", ["dispute_id", "chain_id"], unique=False)
        batch_op.create_index("ix_draw_skips_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "emission_epochs",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("budget", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("emission_epochs", schema=None) as batch_op:
        batch_op.create_index("ix_emission_epochs_block", ["block_number"], unique=False)
        batch_op.create_index("ix_emission_epochs_epoch", ["epoch", "chain_id"], unique=False)

    op.create_table(
        "epoch_reports",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column(
            "work_units", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column("uptime_bps", sa.BigInteger(), nullable=False),
        sa.Column(
            "effective_units",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column("receipts_root", sa.String(length=66), nullable=False),
        sa.Column("challenge_deadline", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("epoch_reports", schema=None) as batch_op:
        batch_op.create_index("ix_epoch_reports_block", ["block_number"], unique=False)
        batch_op.create_index("ix_epoch_reports_epoch", ["epoch", "chain_id"], unique=False)
        batch_op.create_index("ix_epoch_reports_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "escrow_withdrawals",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("escrow_withdrawals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_escrow_withdrawals_account", ["account", "chain_id"], unique=False
        )
        batch_op.create_index("ix_escrow_withdrawals_block", ["block_number"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("arbitrator", sa.String(length=42), nullable=False),
        sa.Column(
            "evidence_group_id",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column("party", sa.String(length=42), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_block", ["block_number"], unique=False)

    op.create_table(
        "gold_failures",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("item_index", sa.BigInteger(), nullable=False),
        sa.Column("gold_answer_hash", sa.String(length=66), nullable=False),
        sa.Column("submitted_answer_hash", sa.String(length=66), nullable=False),
        sa.Column(
            "slashed", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column("gold_failures", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("gold_failures", schema=None) as batch_op:
        batch_op.create_index("ix_gold_failures_block", ["block_number"], unique=False)
        batch_op.create_index("ix_gold_failures_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "juror_settlements",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("seats", sa.BigInteger(), nullable=False),
        sa.Column("coherent", sa.Boolean(), nullable=False),
        sa.Column(
            "unlocked", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column(
            "penalty", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column("reward", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("juror_settlements", schema=None) as batch_op:
        batch_op.create_index("ix_juror_settlements_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_juror_settlements_dispute_id", ["dispute_id", "chain_id"], unique=False
        )
        batch_op.create_index("ix_juror_settlements_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "juror_stakes",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("free", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("juror_stakes", schema=None) as batch_op:
        batch_op.create_index("ix_juror_stakes_block", ["block_number"], unique=False)
        batch_op.create_index("ix_juror_stakes_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "juror_unstakes",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column(
            "pending_withdrawal",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column("unlock_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("juror_unstakes", schema=None) as batch_op:
        batch_op.create_index("ix_juror_unstakes_block", ["block_number"], unique=False)
        batch_op.create_index("ix_juror_unstakes_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "node_deactivations",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("end_epoch", sa.BigInteger(), nullable=False),
        sa.Column("deactivated_at", sa.BigInteger(), nullable=False),
        sa.Column("withdrawable_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("node_deactivations", schema=None) as batch_op:
        batch_op.create_index("ix_node_deactivations_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_node_deactivations_node_id", ["node_id", "chain_id"], unique=False
        )

    op.create_table(
        "node_slashes",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column(
            "to_challenger", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column(
            "to_treasury", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column(
            "stake_left", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("node_slashes", schema=None) as batch_op:
        batch_op.create_index("ix_node_slashes_block", ["block_number"], unique=False)
        batch_op.create_index("ix_node_slashes_epoch", ["epoch", "chain_id"], unique=False)
        batch_op.create_index("ix_node_slashes_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "node_stake_added",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("gpus_added", sa.BigInteger(), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("gpu_count", sa.BigInteger(), nullable=False),
        sa.Column("from_epoch", sa.BigInteger(), nullable=False),
        sa.Column("stake", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("node_stake_added", schema=None) as batch_op:
        batch_op.create_index("ix_node_stake_added_block", ["block_number"], unique=False)
        batch_op.create_index("ix_node_stake_added_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "node_stake_withdrawals",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("node_stake_withdrawals", schema=None) as batch_op:
        batch_op.create_index("ix_node_stake_withdrawals_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_node_stake_withdrawals_node_id", ["node_id", "chain_id"], unique=False
        )

    op.create_table(
        "node_updates",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("specs_hash", sa.String(length=66), nullable=False),
        sa.Column("specs_uri", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("node_updates", schema=None) as batch_op:
        batch_op.create_index("ix_node_updates_block", ["block_number"], unique=False)
        batch_op.create_index("ix_node_updates_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "nodes_registered",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("tier", sa.BigInteger(), nullable=False),
        sa.Column("gpu_count", sa.BigInteger(), nullable=False),
        sa.Column("stake", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("first_epoch", sa.BigInteger(), nullable=False),
        sa.Column("specs_hash", sa.String(length=66), nullable=False),
        sa.Column("specs_uri", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("nodes_registered", schema=None) as batch_op:
        batch_op.create_index("ix_nodes_registered_block", ["block_number"], unique=False)
        batch_op.create_index("ix_nodes_registered_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "panels",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("commit_start", sa.BigInteger(), nullable=False),
        sa.Column("reveal_start", sa.BigInteger(), nullable=False),
        sa.Column("appeal_start", sa.BigInteger(), nullable=False),
        sa.Column("appeal_end", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.create_index("ix_panels_block", ["block_number"], unique=False)
        batch_op.create_index("ix_panels_dispute_id", ["dispute_id", "chain_id"], unique=False)

    op.create_table(
        "registry_credits",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("registry_credits", schema=None) as batch_op:
        batch_op.create_index("ix_registry_credits_account", ["account", "chain_id"], unique=False)
        batch_op.create_index("ix_registry_credits_block", ["block_number"], unique=False)

    op.create_table(
        "registry_withdrawals",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("account", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("registry_withdrawals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registry_withdrawals_account", ["account", "chain_id"], unique=False
        )
        batch_op.create_index("ix_registry_withdrawals_block", ["block_number"], unique=False)

    op.create_table(
        "reveals",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("choice", sa.BigInteger(), nullable=False),
        sa.Column("seats", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("reveals", schema=None) as batch_op:
        batch_op.create_index("ix_reveals_block", ["block_number"], unique=False)
        batch_op.create_index("ix_reveals_dispute_id", ["dispute_id", "chain_id"], unique=False)
        batch_op.create_index("ix_reveals_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "reward_claims",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("amount", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column(
            "entitled", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("reward_claims", schema=None) as batch_op:
        batch_op.create_index("ix_reward_claims_block", ["block_number"], unique=False)
        batch_op.create_index("ix_reward_claims_epoch", ["epoch", "chain_id"], unique=False)
        batch_op.create_index("ix_reward_claims_node_id", ["node_id", "chain_id"], unique=False)

    op.create_table(
        "rounds_created",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("panel", sa.BigInteger(), nullable=False),
        sa.Column("fee", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("evidence_end", sa.BigInteger(), nullable=False),
        sa.Column(
            "seat_lock", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("rounds_created", schema=None) as batch_op:
        batch_op.create_index("ix_rounds_created_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_rounds_created_dispute_id", ["dispute_id", "chain_id"], unique=False
        )

    op.create_table(
        "rounds_executed",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("coherent_seats", sa.BigInteger(), nullable=False),
        sa.Column("fee", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column(
            "slashed", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column(
            "rewarded", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column(
            "to_treasury", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("rounds_executed", schema=None) as batch_op:
        batch_op.create_index("ix_rounds_executed_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_rounds_executed_dispute_id", ["dispute_id", "chain_id"], unique=False
        )

    op.create_table(
        "rulings",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("arbitrable", sa.String(length=42), nullable=False),
        sa.Column("ruling", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("rulings", schema=None) as batch_op:
        batch_op.create_index("ix_rulings_block", ["block_number"], unique=False)
        batch_op.create_index("ix_rulings_dispute_id", ["dispute_id", "chain_id"], unique=False)

    op.create_table(
        "seats",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.BigInteger(), nullable=False),
        sa.Column("juror", sa.String(length=42), nullable=False),
        sa.Column("seat", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.create_index("ix_seats_block", ["block_number"], unique=False)
        batch_op.create_index("ix_seats_dispute_id", ["dispute_id", "chain_id"], unique=False)
        batch_op.create_index("ix_seats_juror", ["juror", "chain_id"], unique=False)

    op.create_table(
        "task_accepted",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("requester", sa.String(length=42), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_accepted", schema=None) as batch_op:
        batch_op.create_index("ix_task_accepted_block", ["block_number"], unique=False)
        batch_op.create_index("ix_task_accepted_requester", ["requester", "chain_id"], unique=False)
        batch_op.create_index("ix_task_accepted_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "task_claimed",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("annotator", sa.String(length=42), nullable=False),
        sa.Column("stake", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_claimed", schema=None) as batch_op:
        batch_op.create_index("ix_task_claimed_block", ["block_number"], unique=False)
        batch_op.create_index("ix_task_claimed_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "task_created",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("requester", sa.String(length=42), nullable=False),
        sa.Column("params_id", sa.BigInteger(), nullable=False),
        sa.Column("spec_hash", sa.String(length=66), nullable=False),
        sa.Column("n_items", sa.BigInteger(), nullable=False),
        sa.Column("reward", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("fee", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("stake", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("review_period", sa.BigInteger(), nullable=False),
        sa.Column("gold_root", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_created", schema=None) as batch_op:
        batch_op.create_index("ix_task_created_block", ["block_number"], unique=False)
        batch_op.create_index("ix_task_created_requester", ["requester", "chain_id"], unique=False)
        batch_op.create_index("ix_task_created_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "task_finalized",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("caller", sa.String(length=42), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_finalized", schema=None) as batch_op:
        batch_op.create_index("ix_task_finalized_block", ["block_number"], unique=False)
        batch_op.create_index("ix_task_finalized_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "task_rejected",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("arbitrator", sa.String(length=42), nullable=False),
        sa.Column("dispute_id", sa.BigInteger(), nullable=False),
        sa.Column("reason_hash", sa.String(length=66), nullable=False),
        sa.Column(
            "arbitration_cost",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_rejected", schema=None) as batch_op:
        batch_op.create_index("ix_task_rejected_block", ["block_number"], unique=False)
        batch_op.create_index(
            "ix_task_rejected_dispute_id", ["dispute_id", "chain_id"], unique=False
        )
        batch_op.create_index("ix_task_rejected_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "task_settled",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column(
            "requester_amount",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column(
            "annotator_amount",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column(
            "treasury_amount",
            labeldao.indexer.schema.Uint256(precision=78, scale=0),
            nullable=False,
        ),
        sa.Column(
            "slashed", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False
        ),
        sa.Column("bonus", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_settled", schema=None) as batch_op:
        batch_op.create_index("ix_task_settled_block", ["block_number"], unique=False)
        batch_op.create_index("ix_task_settled_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "task_submitted",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("annotator", sa.String(length=42), nullable=False),
        sa.Column("result_root", sa.String(length=66), nullable=False),
        sa.Column("result_uri", sa.Text(), nullable=False),
        sa.Column("review_end", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("task_submitted", schema=None) as batch_op:
        batch_op.create_index("ix_task_submitted_block", ["block_number"], unique=False)
        batch_op.create_index("ix_task_submitted_task_id", ["task_id", "chain_id"], unique=False)

    op.create_table(
        "token_transfers",
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("receiver", sa.String(length=42), nullable=False),
        sa.Column("value", labeldao.indexer.schema.Uint256(precision=78, scale=0), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index"),
    )
    with op.batch_alter_table("token_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_token_transfers_block", ["block_number"], unique=False)
        batch_op.create_index("ix_token_transfers_receiver", ["receiver", "chain_id"], unique=False)
        batch_op.create_index("ix_token_transfers_sender", ["sender", "chain_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("token_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_token_transfers_sender")
        batch_op.drop_index("ix_token_transfers_receiver")
        batch_op.drop_index("ix_token_transfers_block")

    op.drop_table("token_transfers")
    with op.batch_alter_table("task_submitted", schema=None) as batch_op:
        batch_op.drop_index("ix_task_submitted_task_id")
        batch_op.drop_index("ix_task_submitted_block")

    op.drop_table("task_submitted")
    with op.batch_alter_table("task_settled", schema=None) as batch_op:
        batch_op.drop_index("ix_task_settled_task_id")
        batch_op.drop_index("ix_task_settled_block")

    op.drop_table("task_settled")
    with op.batch_alter_table("task_rejected", schema=None) as batch_op:
        batch_op.drop_index("ix_task_rejected_task_id")
        batch_op.drop_index("ix_task_rejected_dispute_id")
        batch_op.drop_index("ix_task_rejected_block")

    op.drop_table("task_rejected")
    with op.batch_alter_table("task_finalized", schema=None) as batch_op:
        batch_op.drop_index("ix_task_finalized_task_id")
        batch_op.drop_index("ix_task_finalized_block")

    op.drop_table("task_finalized")
    with op.batch_alter_table("task_created", schema=None) as batch_op:
        batch_op.drop_index("ix_task_created_task_id")
        batch_op.drop_index("ix_task_created_requester")
        batch_op.drop_index("ix_task_created_block")

    op.drop_table("task_created")
    with op.batch_alter_table("task_claimed", schema=None) as batch_op:
        batch_op.drop_index("ix_task_claimed_task_id")
        batch_op.drop_index("ix_task_claimed_block")

    op.drop_table("task_claimed")
    with op.batch_alter_table("task_accepted", schema=None) as batch_op:
        batch_op.drop_index("ix_task_accepted_task_id")
        batch_op.drop_index("ix_task_accepted_requester")
        batch_op.drop_index("ix_task_accepted_block")

    op.drop_table("task_accepted")
    with op.batch_alter_table("seats", schema=None) as batch_op:
        batch_op.drop_index("ix_seats_juror")
        batch_op.drop_index("ix_seats_dispute_id")
        batch_op.drop_index("ix_seats_block")

    op.drop_table("seats")
    with op.batch_alter_table("rulings", schema=None) as batch_op:
        batch_op.drop_index("ix_rulings_dispute_id")
        batch_op.drop_index("ix_rulings_block")

    op.drop_table("rulings")
    with op.batch_alter_table("rounds_executed", schema=None) as batch_op:
        batch_op.drop_index("ix_rounds_executed_dispute_id")
        batch_op.drop_index("ix_rounds_executed_block")

    op.drop_table("rounds_executed")
    with op.batch_alter_table("rounds_created", schema=None) as batch_op:
        batch_op.drop_index("ix_rounds_created_dispute_id")
        batch_op.drop_index("ix_rounds_created_block")

    op.drop_table("rounds_created")
    with op.batch_alter_table("reward_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_reward_claims_node_id")
        batch_op.drop_index("ix_reward_claims_epoch")
        batch_op.drop_index("ix_reward_claims_block")

    op.drop_table("reward_claims")
    with op.batch_alter_table("reveals", schema=None) as batch_op:
        batch_op.drop_index("ix_reveals_juror")
        batch_op.drop_index("ix_reveals_dispute_id")
        batch_op.drop_index("ix_reveals_block")

    op.drop_table("reveals")
    with op.batch_alter_table("registry_withdrawals", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_withdrawals_block")
        batch_op.drop_index("ix_registry_withdrawals_account")

    op.drop_table("registry_withdrawals")
    with op.batch_alter_table("registry_credits", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_credits_block")
        batch_op.drop_index("ix_registry_credits_account")

    op.drop_table("registry_credits")
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_dispute_id")
        batch_op.drop_index("ix_panels_block")

    op.drop_table("panels")
    with op.batch_alter_table("nodes_registered", schema=None) as batch_op:
        batch_op.drop_index("ix_nodes_registered_node_id")
        batch_op.drop_index("ix_nodes_registered_block")

    op.drop_table("nodes_registered")
    with op.batch_alter_table("node_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_node_updates_node_id")
        batch_op.drop_index("ix_node_updates_block")

    op.drop_table("node_updates")
    with op.batch_alter_table("node_stake_withdrawals", schema=None) as batch_op:
        batch_op.drop_index("ix_node_stake_withdrawals_node_id")
        batch_op.drop_index("ix_node_stake_withdrawals_block")

    op.drop_table("node_stake_withdrawals")
    with op.batch_alter_table("node_stake_added", schema=None) as batch_op:
        batch_op.drop_index("ix_node_stake_added_node_id")
        batch_op.drop_index("ix_node_stake_added_block")

    op.drop_table("node_stake_added")
    with op.batch_alter_table("node_slashes", schema=None) as batch_op:
        batch_op.drop_index("ix_node_slashes_node_id")
        batch_op.drop_index("ix_node_slashes_epoch")
        batch_op.drop_index("ix_node_slashes_block")

    op.drop_table("node_slashes")
    with op.batch_alter_table("node_deactivations", schema=None) as batch_op:
        batch_op.drop_index("ix_node_deactivations_node_id")
        batch_op.drop_index("ix_node_deactivations_block")

    op.drop_table("node_deactivations")
    with op.batch_alter_table("juror_unstakes", schema=None) as batch_op:
        batch_op.drop_index("ix_juror_unstakes_juror")
        batch_op.drop_index("ix_juror_unstakes_block")

    op.drop_table("juror_unstakes")
    with op.batch_alter_table("juror_stakes", schema=None) as batch_op:
        batch_op.drop_index("ix_juror_stakes_juror")
        batch_op.drop_index("ix_juror_stakes_block")

    op.drop_table("juror_stakes")
    with op.batch_alter_table("juror_settlements", schema=None) as batch_op:
        batch_op.drop_index("ix_juror_settlements_juror")
        batch_op.drop_index("ix_juror_settlements_dispute_id")
        batch_op.drop_index("ix_juror_settlements_block")

    op.drop_table("juror_settlements")
    with op.batch_alter_table("gold_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_gold_failures_task_id")
        batch_op.drop_index("ix_gold_failures_block")

    op.drop_table("gold_failures")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_block")

    op.drop_table("evidence")
    with op.batch_alter_table("escrow_withdrawals", schema=None) as batch_op:
        batch_op.drop_index("ix_escrow_withdrawals_block")
        batch_op.drop_index("ix_escrow_withdrawals_account")

    op.drop_table("escrow_withdrawals")
    with op.batch_alter_table("epoch_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_epoch_reports_node_id")
        batch_op.drop_index("ix_epoch_reports_epoch")
        batch_op.drop_index("ix_epoch_reports_block")

    op.drop_table("epoch_reports")
    with op.batch_alter_table("emission_epochs", schema=None) as batch_op:
        batch_op.drop_index("ix_emission_epochs_epoch")
        batch_op.drop_index("ix_emission_epochs_block")

    op.drop_table("emission_epochs")
    with op.batch_alter_table("draw_skips", schema=None) as batch_op:
        batch_op.drop_index("ix_draw_skips_juror")
        batch_op.drop_index("ix_draw_skips_dispute_id")
        batch_op.drop_index("ix_draw_skips_block")

    op.drop_table("draw_skips")
    with op.batch_alter_table("draw_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_draw_requests_epoch")
        batch_op.drop_index("ix_draw_requests_dispute_id")
        batch_op.drop_index("ix_draw_requests_block")

    op.drop_table("draw_requests")
    with op.batch_alter_table("disputes_created", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_created_dispute_id")
        batch_op.drop_index("ix_disputes_created_block")

    op.drop_table("disputes_created")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index("ix_delegations_block")

    op.drop_table("delegations")
    with op.batch_alter_table("delegate_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_delegate_votes_block")

    op.drop_table("delegate_votes")
    with op.batch_alter_table("court_withdrawals", schema=None) as batch_op:
        batch_op.drop_index("ix_court_withdrawals_block")
        batch_op.drop_index("ix_court_withdrawals_account")

    op.drop_table("court_withdrawals")
    op.drop_table("contracts")
    with op.batch_alter_table("commits", schema=None) as batch_op:
        batch_op.drop_index("ix_commits_juror")
        batch_op.drop_index("ix_commits_dispute_id")
        batch_op.drop_index("ix_commits_block")

    op.drop_table("commits")
    op.drop_table("checkpoint")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_challenges_node_id")
        batch_op.drop_index("ix_challenges_epoch")
        batch_op.drop_index("ix_challenges_dispute_id")
        batch_op.drop_index("ix_challenges_block")

    op.drop_table("challenges")
    with op.batch_alter_table("challenge_rulings", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_rulings_node_id")
        batch_op.drop_index("ix_challenge_rulings_epoch")
        batch_op.drop_index("ix_challenge_rulings_dispute_id")
        batch_op.drop_index("ix_challenge_rulings_block")

    op.drop_table("challenge_rulings")
    op.drop_table("blocks")
    with op.batch_alter_table("arbitrable_rulings", schema=None) as batch_op:
        batch_op.drop_index("ix_arbitrable_rulings_dispute_id")
        batch_op.drop_index("ix_arbitrable_rulings_block")

    op.drop_table("arbitrable_rulings")
    with op.batch_alter_table("arbitrable_disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_arbitrable_disputes_dispute_id")
        batch_op.drop_index("ix_arbitrable_disputes_block")

    op.drop_table("arbitrable_disputes")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_appeals_dispute_id")
        batch_op.drop_index("ix_appeals_block")

    op.drop_table("appeals")
    with op.batch_alter_table("appeal_refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_appeal_refunds_dispute_id")
        batch_op.drop_index("ix_appeal_refunds_block")

    op.drop_table("appeal_refunds")
