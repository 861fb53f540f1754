"""The ledger's tables: one append-only table per indexed event, keyed by the log.

Each event of the protocol that a user or the web app asks about has its
table (`EVENT_TABLES` says which contract event fills which table); every row
carries the log's key (chain id, transaction hash, log index), its block
number and the emitting contract. State (a task's status, a node's stake) is
derived from these rows by views (`views.py`), so undoing a reorganised block
is one `DELETE ... WHERE block_number >= N` per table.

Admin events (parameters, treasury, roles, pauses) are not indexed: they are
rare, and their names and fields change with governance work.

Column kinds: addresses are lower-case hex strings, bytes32 values 0x-hex,
identifiers, counters and times BIGINT, and token amounts (any uint256 that
may exceed 2**63) `Uint256`: NUMERIC(78) on PostgreSQL, a zero-padded
78-digit string on SQLite (exact, ordered; SQLite sums of them are
floating-point).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

UINT256_DIGITS = 78


class Amount(TypeDecorator):
    """A sum of token or work amounts: NUMERIC(78) on PostgreSQL, an INTEGER
    on SQLite (exact up to 2**63, floating-point above, as SQLite's sums)."""

    impl = Numeric(UINT256_DIGITS, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(UINT256_DIGITS, 0))

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


class Uint256(TypeDecorator):
    """An exact unsigned 256-bit integer on PostgreSQL and on SQLite."""

    impl = Numeric(UINT256_DIGITS, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(UINT256_DIGITS))
        return dialect.type_descriptor(Numeric(UINT256_DIGITS, 0))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return str(int(value)).zfill(UINT256_DIGITS)
        return int(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


ADDR, B32, TEXT, BOOL, INT, U256 = "address", "bytes32", "string", "bool", "int", "uint256"

# Contract -> event -> table. Events of the same signature in several
# contracts (ERC-1497 Evidence/Dispute, ERC-792 Ruling) share one table.
EVENT_TABLES: dict[str, dict[str, str]] = {
    "RewardToken": {
        "Transfer": "token_transfers",
        "DelegateChanged": "delegations",
        "DelegateVotesChanged": "delegate_votes",
    },
    "TaskEscrow": {
        "TaskCreated": "task_created",
        "TaskClaimed": "task_claimed",
        "TaskSubmitted": "task_submitted",
        "TaskAccepted": "task_accepted",
        "TaskFinalized": "task_finalized",
        "TaskRejected": "task_rejected",
        "GoldFailureProven": "gold_failures",
        "GoldRejectionPending": "gold_rejections",
        "GoldContested": "gold_contests",
        "TaskSettled": "task_settled",
        "Withdrawn": "escrow_withdrawals",
        "EmissionEpochOpened": "emission_epochs",
        "MetaEvidence": "meta_evidence",
        "Evidence": "evidence",
        "Dispute": "arbitrable_disputes",
        "Ruling": "arbitrable_rulings",
    },
    "QualityCourt": {
        "Staked": "juror_stakes",
        "UnstakeRequested": "juror_unstakes",
        "Withdrawn": "court_withdrawals",
        "DisputeCreated": "disputes_created",
        "RoundCreated": "rounds_created",
        "DrawRequested": "draw_requests",
        "SeatDrawn": "seats",
        "DrawSkipped": "draw_skips",
        "PanelDrawn": "panels",
        "Committed": "commits",
        "Revealed": "reveals",
        "AppealFunded": "appeals",
        "JurorSettled": "juror_settlements",
        "AppealFundsReturned": "appeal_refunds",
        "RoundExecuted": "rounds_executed",
        "RulingExecuted": "rulings",
        "DisputeParties": "dispute_parties",
        "RoundClosed": "rounds_closed",
    },
    "ComputeRegistry": {
        "NodeRegistered": "nodes_registered",
        "NodeUpdated": "node_updates",
        "StakeAdded": "node_stake_added",
        "NodeDeactivated": "node_deactivations",
        "StakeWithdrawn": "node_stake_withdrawals",
        "ReportFiled": "epoch_reports",
        "ReportChallenged": "challenges",
        "ReportRuled": "challenge_rulings",
        "ReportForfeited": "report_forfeits",
        "NodeSlashed": "node_slashes",
        "RewardClaimed": "reward_claims",
        "Credited": "registry_credits",
        "Withdrawn": "registry_withdrawals",
        "MetaEvidence": "meta_evidence",
        "Evidence": "evidence",
        "Dispute": "arbitrable_disputes",
        "Ruling": "arbitrable_rulings",
    },
}

# Table -> its event's fields in ABI order: (column, kind). The column is the
# snake_case of the ABI name; tests/indexer check both against the ABIs.
EVENT_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "token_transfers": [("sender", ADDR), ("receiver", ADDR), ("value", U256)],
    "delegations": [("delegator", ADDR), ("from_delegate", ADDR), ("to_delegate", ADDR)],
    "delegate_votes": [("delegate", ADDR), ("previous_votes", U256), ("new_votes", U256)],
    "task_created": [
        ("task_id", INT),
        ("requester", ADDR),
        ("params_id", INT),
        ("spec_hash", B32),
        ("n_items", INT),
        ("reward", U256),
        ("fee", U256),
        ("stake", U256),
        ("deadline", INT),
        ("review_period", INT),
        ("gold_root", B32),
        ("gold_bond", U256),
    ],
    "task_claimed": [("task_id", INT), ("annotator", ADDR), ("stake", U256), ("deadline", INT)],
    "task_submitted": [
        ("task_id", INT),
        ("annotator", ADDR),
        ("result_root", B32),
        ("result_uri", TEXT),
        ("review_end", INT),
    ],
    "task_accepted": [("task_id", INT), ("requester", ADDR)],
    "task_finalized": [("task_id", INT), ("caller", ADDR)],
    "task_rejected": [
        ("task_id", INT),
        ("arbitrator", ADDR),
        ("dispute_id", INT),
        ("reason_hash", B32),
        ("arbitration_cost", U256),
    ],
    "gold_failures": [
        ("task_id", INT),
        ("item_index", INT),
        ("gold_answer_hash", B32),
        ("gold_salt", B32),
        ("submitted_answer_hash", B32),
        ("slashed", U256),
        ("gold_failures", INT),
    ],
    "gold_rejections": [("task_id", INT), ("contest_end", INT)],
    "gold_contests": [
        ("task_id", INT),
        ("arbitrator", ADDR),
        ("dispute_id", INT),
        ("arbitration_cost", U256),
    ],
    "task_settled": [
        ("task_id", INT),
        ("status", INT),
        ("requester_amount", U256),
        ("annotator_amount", U256),
        ("treasury_amount", U256),
        ("slashed", U256),
        ("bonus", U256),
    ],
    "escrow_withdrawals": [("account", ADDR), ("amount", U256)],
    "emission_epochs": [("epoch", INT), ("budget", U256)],
    "meta_evidence": [("meta_evidence_id", U256), ("evidence", TEXT)],
    "evidence": [
        ("arbitrator", ADDR),
        ("evidence_group_id", U256),
        ("party", ADDR),
        ("evidence", TEXT),
    ],
    "arbitrable_disputes": [
        ("arbitrator", ADDR),
        ("dispute_id", INT),
        ("meta_evidence_id", U256),
        ("evidence_group_id", U256),
    ],
    "arbitrable_rulings": [("arbitrator", ADDR), ("dispute_id", INT), ("ruling", INT)],
    "juror_stakes": [("juror", ADDR), ("amount", U256), ("free", U256)],
    "juror_unstakes": [
        ("juror", ADDR),
        ("amount", U256),
        ("pending_withdrawal", U256),
        ("unlock_time", INT),
    ],
    "court_withdrawals": [("account", ADDR), ("stake", U256), ("rewards", U256)],
    "disputes_created": [
        ("dispute_id", INT),
        ("arbitrable", ADDR),
        ("choices", INT),
        ("params_version", INT),
        ("fee", U256),
    ],
    "rounds_created": [
        ("dispute_id", INT),
        ("round", INT),
        ("panel", INT),
        ("fee", U256),
        ("evidence_end", INT),
        ("seat_lock", U256),
    ],
    "draw_requests": [
        ("dispute_id", INT),
        ("round", INT),
        ("source", ADDR),
        ("request_id", U256),
        ("epoch", INT),
    ],
    "seats": [("dispute_id", INT), ("round", INT), ("juror", ADDR), ("seat", INT)],
    "draw_skips": [("dispute_id", INT), ("round", INT), ("juror", ADDR), ("attempt", INT)],
    "panels": [
        ("dispute_id", INT),
        ("round", INT),
        ("commit_start", INT),
        ("reveal_start", INT),
        ("appeal_start", INT),
        ("appeal_end", INT),
    ],
    "commits": [("dispute_id", INT), ("round", INT), ("juror", ADDR), ("commitment", B32)],
    "reveals": [
        ("dispute_id", INT),
        ("round", INT),
        ("juror", ADDR),
        ("choice", INT),
        ("seats", INT),
    ],
    "appeals": [
        ("dispute_id", INT),
        ("round", INT),
        ("side", INT),
        ("funder", ADDR),
        ("amount", U256),
    ],
    "juror_settlements": [
        ("dispute_id", INT),
        ("round", INT),
        ("juror", ADDR),
        ("seats", INT),
        ("coherent", BOOL),
        ("unlocked", U256),
        ("penalty", U256),
        ("reward", U256),
    ],
    "appeal_refunds": [("dispute_id", INT), ("round", INT), ("funder", ADDR), ("amount", U256)],
    "rounds_executed": [
        ("dispute_id", INT),
        ("round", INT),
        ("coherent_seats", INT),
        ("fee", U256),
        ("slashed", U256),
        ("rewarded", U256),
        ("to_treasury", U256),
    ],
    "rulings": [("dispute_id", INT), ("arbitrable", ADDR), ("ruling", INT)],
    "dispute_parties": [("dispute_id", INT), ("payer", ADDR), ("other", ADDR)],
    "rounds_closed": [
        ("dispute_id", INT),
        ("round", INT),
        ("refunded_to", ADDR),
        ("refund", U256),
    ],
    "nodes_registered": [
        ("node_id", INT),
        ("owner", ADDR),
        ("tier", INT),
        ("gpu_count", INT),
        ("stake", U256),
        ("first_epoch", INT),
        ("specs_hash", B32),
        ("specs_uri", TEXT),
    ],
    "node_updates": [("node_id", INT), ("specs_hash", B32), ("specs_uri", TEXT)],
    "node_stake_added": [
        ("node_id", INT),
        ("gpus_added", INT),
        ("amount", U256),
        ("gpu_count", INT),
        ("from_epoch", INT),
        ("stake", U256),
    ],
    "node_deactivations": [
        ("node_id", INT),
        ("end_epoch", INT),
        ("deactivated_at", INT),
        ("withdrawable_at", INT),
    ],
    "node_stake_withdrawals": [("node_id", INT), ("owner", ADDR), ("amount", U256)],
    "epoch_reports": [
        ("node_id", INT),
        ("epoch", INT),
        ("work_units", U256),
        ("uptime_bps", INT),
        ("effective_units", U256),
        ("receipts_root", B32),
        ("challenge_deadline", INT),
    ],
    "challenges": [
        ("node_id", INT),
        ("epoch", INT),
        ("challenger", ADDR),
        ("arbitrator", ADDR),
        ("dispute_id", INT),
        ("bond", U256),
        ("fee", U256),
    ],
    "challenge_rulings": [
        ("node_id", INT),
        ("epoch", INT),
        ("dispute_id", INT),
        ("ruling", INT),
        ("status", INT),
        ("units_removed", U256),
    ],
    "report_forfeits": [("node_id", INT), ("epoch", INT), ("units_removed", U256)],
    "node_slashes": [
        ("node_id", INT),
        ("epoch", INT),
        ("amount", U256),
        ("to_challenger", U256),
        ("to_treasury", U256),
        ("stake_left", U256),
    ],
    "reward_claims": [
        ("node_id", INT),
        ("epoch", INT),
        ("owner", ADDR),
        ("amount", U256),
        ("entitled", U256),
    ],
    "registry_credits": [("account", ADDR), ("amount", U256)],
    "registry_withdrawals": [("account", ADDR), ("amount", U256)],
}

# Columns looked up by the queries and views, per table.
INDEXED_COLUMNS = (
    "task_id",
    "node_id",
    "dispute_id",
    "juror",
    "requester",
    "account",
    "sender",
    "receiver",
    "epoch",
)
# Further lookups of one table each (migration 0005): an annotator's claims
# (the `annotator_totals` summary), an arbitrable's MetaEvidence by id.
EXTRA_INDEXES = {"task_claimed": "annotator", "meta_evidence": "meta_evidence_id"}


def snake(name: str) -> str:
    """`previousVotes` -> `previous_votes` (ABI names to column names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _column_type(kind: str) -> Any:
    return {
        ADDR: String(42),
        B32: String(66),
        TEXT: Text(),
        BOOL: Boolean(),
        INT: BigInteger(),
        U256: Uint256(),
    }[kind]


def _event_table(metadata: MetaData, name: str, fields: list[tuple[str, str]]) -> Table:
    table = Table(
        name,
        metadata,
        Column("chain_id", Integer, primary_key=True),
        Column("tx_hash", String(66), primary_key=True),
        Column("log_index", Integer, primary_key=True),
        Column("block_number", BigInteger, nullable=False),
        Column("contract", String(42), nullable=False),
        *(Column(column, _column_type(kind), nullable=False) for column, kind in fields),
    )
    Index(f"ix_{name}_block", table.c.block_number)
    for column, _ in fields:
        if column in INDEXED_COLUMNS:
            # With chain_id, so that no planner prefers the primary key's prefix.
            Index(f"ix_{name}_{column}", table.c[column], table.c.chain_id)
    if name in EXTRA_INDEXES:
        column = EXTRA_INDEXES[name]
        Index(f"ix_{name}_{column}", table.c[column], table.c.chain_id)
    return table


def build_metadata() -> MetaData:
    """Every table of the ledger (the Alembic migrations create the same)."""
    metadata = MetaData()
    for name, fields in EVENT_COLUMNS.items():
        _event_table(metadata, name, fields)
    # Blocks whose logs are stored, with their hash, to detect reorganisations.
    Table(
        "blocks",
        metadata,
        Column("chain_id", Integer, primary_key=True),
        Column("number", BigInteger, primary_key=True),
        Column("hash", String(66), nullable=False),
        Column("timestamp", BigInteger, nullable=False),
    )
    # One row per indexed chain: the last block fully indexed and its hash.
    Table(
        "checkpoint",
        metadata,
        Column("chain_id", Integer, primary_key=True),
        Column("block_number", BigInteger, nullable=False),
        Column("block_hash", String(66), nullable=False),
        Column("updated_at", BigInteger, nullable=False),
    )
    # The contracts indexed, by name: a record of what the rows came from.
    Table(
        "contracts",
        metadata,
        Column("chain_id", Integer, primary_key=True),
        Column("name", String(64), primary_key=True),
        Column("address", String(42), nullable=False),
        Column("start_block", BigInteger, nullable=False),
    )
    _summary_tables(metadata)
    return metadata


def _summary_tables(metadata: MetaData) -> None:
    """The providers' work summed per (node, epoch), per epoch and per owner
    (`labeldao.indexer.summary` keeps them in step with the rows)."""

    def key() -> list[Column]:
        return [
            Column("chain_id", Integer, primary_key=True),
            Column("contract", String(42), primary_key=True),
        ]

    work = Table(
        "node_epoch_work",
        metadata,
        *key(),
        Column("node_id", BigInteger, primary_key=True),
        Column("epoch", BigInteger, primary_key=True),
        Column("owner", String(42), nullable=False),
        Column("reports", BigInteger, nullable=False),
        Column("units", Amount, nullable=False),
        Column("block_number", BigInteger, nullable=False),
        Column("timestamp", BigInteger, nullable=False),
    )
    Index("ix_node_epoch_work_owner", work.c.owner, work.c.chain_id)
    Index("ix_node_epoch_work_timestamp", work.c.timestamp)
    Index("ix_node_epoch_work_epoch", work.c.epoch, work.c.chain_id)
    Table(
        "epoch_work",
        metadata,
        *key(),
        Column("epoch", BigInteger, primary_key=True),
        Column("reports", BigInteger, nullable=False),
        Column("providers", BigInteger, nullable=False),
        Column("units", Amount, nullable=False),
    )
    totals = Table(
        "provider_totals",
        metadata,
        *key(),
        Column("owner", String(42), primary_key=True),
        Column("nodes", BigInteger, nullable=False),
        Column("reports", BigInteger, nullable=False),
        Column("units", Amount, nullable=False),
    )
    Index("ix_provider_totals_units", totals.c.units)
    # Per (escrow, annotator): tasks claimed, accepted (settled 16) with their
    # items, and rejected (settled 32); migration 0005.
    annotators = Table(
        "annotator_totals",
        metadata,
        *key(),
        Column("annotator", String(42), primary_key=True),
        Column("claimed", BigInteger, nullable=False),
        Column("accepted", BigInteger, nullable=False),
        Column("items_accepted", BigInteger, nullable=False),
        Column("rejected", BigInteger, nullable=False),
    )
    Index("ix_annotator_totals_accepted", annotators.c.accepted, annotators.c.items_accepted)
    # Scratch lists of the keys, owners and annotators one transaction
    # recomputes (empty between).
    Table(
        "summary_dirty",
        metadata,
        *key(),
        Column("node_id", BigInteger, primary_key=True),
        Column("epoch", BigInteger, primary_key=True),
    )
    Table(
        "summary_dirty_owners",
        metadata,
        *key(),
        Column("owner", String(42), primary_key=True),
    )
    Table(
        "summary_dirty_annotators",
        metadata,
        *key(),
        Column("annotator", String(42), primary_key=True),
    )


METADATA = build_metadata()
EVENT_TABLE_NAMES = tuple(EVENT_COLUMNS)
