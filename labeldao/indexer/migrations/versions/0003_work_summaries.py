"""work summaries: node_epoch_work, epoch_work, provider_totals

The providers' work summed per (node, epoch), per epoch and per owner, so
that `providers` and `epochs` read a few hundred rows instead of summing
every report. Kept in step by `labeldao.indexer.summary.refresh` in the
transaction that writes or rewinds the rows; filled here from the rows
already indexed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from labeldao.indexer.schema import Amount
from labeldao.indexer.summary import rebuild

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:
    return [
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "node_epoch_work",
        *_key(),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("reports", sa.BigInteger(), nullable=False),
        sa.Column("units", Amount(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "node_id", "epoch"),
    )
    op.create_index("ix_node_epoch_work_owner", "node_epoch_work", ["owner", "chain_id"])
    op.create_index("ix_node_epoch_work_timestamp", "node_epoch_work", ["timestamp"])
    op.create_index("ix_node_epoch_work_epoch", "node_epoch_work", ["epoch", "chain_id"])
    op.create_table(
        "epoch_work",
        *_key(),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("reports", sa.BigInteger(), nullable=False),
        sa.Column("providers", sa.BigInteger(), nullable=False),
        sa.Column("units", Amount(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "epoch"),
    )
    op.create_table(
        "provider_totals",
        *_key(),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("nodes", sa.BigInteger(), nullable=False),
        sa.Column("reports", sa.BigInteger(), nullable=False),
        sa.Column("units", Amount(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "owner"),
    )
    op.create_index("ix_provider_totals_units", "provider_totals", ["units"])
    op.create_table(
        "summary_dirty",
        *_key(),
        sa.Column("node_id", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "node_id", "epoch"),
    )
    op.create_table(
        "summary_dirty_owners",
        *_key(),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "contract", "owner"),
    )
    rebuild(op.get_bind())


def downgrade() -> None:
    for table in (
        "summary_dirty_owners",
        "summary_dirty",
        "provider_totals",
        "epoch_work",
        "node_epoch_work",
    ):
        op.drop_table(table)
