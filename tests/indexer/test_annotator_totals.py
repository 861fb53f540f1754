"""The `annotator_totals` summary (migration 0005) against the full GROUP BY
over the claim, creation and settlement rows, on SQLite and PostgreSQL:
after batches written as the indexer writes them (a settlement in a later
batch than its claim, two escrows, one annotator in both), after reorg
rewinds, and after migrating a populated 0004 database (which must equal a
fresh one). Also the MetaEvidence rows and the URI a dispute shows."""

from __future__ import annotations

import random

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert

from labeldao.indexer import queries, summary
from labeldao.indexer.schema import METADATA
from labeldao.indexer.store import Batch, Checkpoint, Ledger, migrate

ESCROWS = ("0x" + "e5" * 20, "0x" + "e6" * 20)
COURT = "0x" + "c0" * 20
ANNOTATORS = ["0x" + f"{n:02x}" * 20 for n in (0x0A, 0x0B, 0x0C, 0x0D)]
COUNTS = ("claimed", "accepted", "items_accepted", "rejected")
STATUSES = (16, 32, 64, 128, None)  # accepted, rejected, split, expired, not settled

# The page's question as every claim grouped (what the summary must answer).
FULL_GROUP_BY = (
    "SELECT a.annotator, COUNT(*) AS claimed, "
    "SUM(CASE WHEN s.status = 16 THEN 1 ELSE 0 END) AS accepted, "
    "SUM(CASE WHEN s.status = 16 THEN c.n_items ELSE 0 END) AS items_accepted, "
    "SUM(CASE WHEN s.status = 32 THEN 1 ELSE 0 END) AS rejected "
    "FROM task_claimed a "
    "JOIN task_created c ON c.task_id = a.task_id AND c.chain_id = a.chain_id "
    "AND c.contract = a.contract "
    "LEFT JOIN task_settled s ON s.task_id = a.task_id AND s.chain_id = a.chain_id "
    "AND s.contract = a.contract GROUP BY a.annotator"
)


class History:
    """Blocks of task rows, each block a batch with its own log keys."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.blocks: dict[int, dict[str, list[dict]]] = {}
        self.logs = 0

    def add(self, block: int, table: str, **values) -> None:
        self.logs += 1
        key = {"chain_id": 1, "tx_hash": "0x" + f"{self.logs:064x}", "log_index": 0}
        self.blocks.setdefault(block, {}).setdefault(table, []).append(
            {**key, "block_number": block, **values}
        )

    def task(self, block: int, escrow: str, task_id: int) -> None:
        """A task created at `block`, maybe claimed, maybe settled later."""
        self.add(
            block,
            "task_created",
            contract=escrow,
            task_id=task_id,
            requester=ANNOTATORS[0],
            params_id=0,
            spec_hash="0x" + "00" * 32,
            n_items=self.random.randint(1, 50),
            reward=10**18,
            fee=10**17,
            stake=10**17,
            deadline=0,
            review_period=0,
            gold_root="0x" + "00" * 32,
            gold_bond=0,
        )
        if self.random.random() < 0.2:
            return
        claimed = block + self.random.randint(0, 2)
        self.add(
            claimed,
            "task_claimed",
            contract=escrow,
            task_id=task_id,
            annotator=self.random.choice(ANNOTATORS),
            stake=10**17,
            deadline=0,
        )
        status = self.random.choice(STATUSES)
        if status is not None:
            self.add(
                claimed + self.random.randint(0, 3),
                "task_settled",
                contract=escrow,
                task_id=task_id,
                status=status,
                requester_amount=0,
                annotator_amount=0,
                treasury_amount=0,
                slashed=0,
                bonus=0,
            )

    def batch(self, block: int) -> Batch:
        return Batch(
            self.blocks.get(block, {}),
            {block: (_hash(block), block)},
            Checkpoint(block, _hash(block)),
        )


def _hash(block: int) -> str:
    return "0x" + f"{block:064x}"


def _history(seed: int, tasks: int = 40) -> History:
    history = History(seed)
    for task_id in range(tasks):
        history.task(1 + task_id // 4, ESCROWS[task_id % 2], task_id)
    return history


def _full(engine) -> list[tuple]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(FULL_GROUP_BY).all()
    ranked = sorted(rows, key=lambda r: (-int(r[2]), -int(r[3]), r[0]))
    return [tuple(int(v) if i else v for i, v in enumerate(row)) for row in ranked]


def _summed(engine) -> list[tuple]:
    found = queries.annotators(engine)
    assert all(type(a[k]) is int for a in found for k in COUNTS)  # not Decimal on PostgreSQL
    return [(a["annotator"], *(a[k] for k in COUNTS)) for a in found]


def _agrees(engine) -> None:
    with engine.connect() as connection:
        assert summary.differences(connection) == []
    assert _summed(engine) == _full(engine)


def test_annotator_totals__answer_as_the_full_group_by_through_batches_and_rewinds(
    database,
):
    history = _history(seed=7)
    ledger = Ledger(database.engine)
    last = max(history.blocks)
    for block in range(1, last + 1):
        ledger.write(1, history.batch(block))
        _agrees(database.engine)
    assert _summed(database.engine) and len(_summed(database.engine)) == len(ANNOTATORS)
    # Reorgs: rewinds that cut claims from their settlements, then the
    # replaced blocks written again (a settlement of a claim kept).
    for depth in (2, 5, 1):
        keep = last - depth
        ledger.rewind(1, Checkpoint(keep, _hash(keep)))
        _agrees(database.engine)
        for block in range(keep + 1, last + 1):
            ledger.write(1, history.batch(block))
        _agrees(database.engine)
    ledger.rewind(1, Checkpoint(3, _hash(3)))
    _agrees(database.engine)
    ledger.rewind(1, None)
    _agrees(database.engine)
    assert _summed(database.engine) == []


def test_annotator_totals__one_batch_of_a_whole_history_then_a_deep_rewind(database):
    history = _history(seed=11, tasks=120)
    merged: dict[str, list[dict]] = {}
    for rows in history.blocks.values():
        for table, values in rows.items():
            merged.setdefault(table, []).extend(values)
    last = max(history.blocks)
    blocks = {n: (_hash(n), n) for n in history.blocks}
    ledger = Ledger(database.engine)
    ledger.write(1, Batch(merged, blocks, Checkpoint(last, _hash(last))))
    _agrees(database.engine)
    ledger.rewind(1, Checkpoint(last // 2, _hash(last // 2)))
    _agrees(database.engine)


def test_migration_0005__backfills_the_totals_and_gives_the_fresh_database(new_database):
    history = _history(seed=3)
    old = new_database("0004_issue14_events")
    with old.engine.begin() as connection:  # rows as the 0004 indexer wrote them
        for block, rows in sorted(history.blocks.items()):
            for table, values in rows.items():
                connection.execute(insert(METADATA.tables[table]), values)
            connection.execute(
                insert(METADATA.tables["blocks"]),
                [{"chain_id": 1, "number": block, "hash": _hash(block), "timestamp": block}],
            )
    migrate(old.engine)
    fresh = new_database()
    ledger = Ledger(fresh.engine)
    for block in sorted(history.blocks):
        ledger.write(1, history.batch(block))
    with old.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), METADATA) == []
    _agrees(old.engine)
    dumped_old, dumped_fresh = queries.dump(old.engine), queries.dump(fresh.engine)
    dumped_fresh["checkpoint"] = dumped_old["checkpoint"]  # 0004's rows came without one
    assert dumped_old == dumped_fresh
    assert dumped_old["annotator_totals"]


def test_meta_evidence__the_uri_of_a_disputes_question(database):
    history = History(seed=0)
    escrow = ESCROWS[0]
    history.add(1, "meta_evidence", contract=escrow, meta_evidence_id=5, evidence="ipfs://task-5")
    history.add(1, "meta_evidence", contract=escrow, meta_evidence_id=6, evidence="ipfs://task-6")
    history.add(
        2,
        "disputes_created",
        contract=COURT,
        dispute_id=1,
        arbitrable=escrow,
        choices=2,
        params_version=1,
        fee=10**18,
    )
    history.add(
        2,
        "arbitrable_disputes",
        contract=escrow,
        arbitrator=COURT,
        dispute_id=1,
        meta_evidence_id=6,
        evidence_group_id=6,
    )
    history.add(
        3,
        "disputes_created",
        contract=COURT,
        dispute_id=2,
        arbitrable=escrow,
        choices=2,
        params_version=1,
        fee=10**18,
    )
    ledger = Ledger(database.engine)
    for block in (1, 2, 3):
        ledger.write(1, history.batch(block))
    assert queries.dispute(database.engine, 1)["meta_evidence_uri"] == "ipfs://task-6"
    # A dispute whose arbitrable logged no Dispute link has no URI.
    assert queries.dispute(database.engine, 2)["meta_evidence_uri"] is None
    uris = {d["dispute_id"]: d["meta_evidence_uri"] for d in queries.disputes(database.engine)}
    assert uris == {1: "ipfs://task-6", 2: None}
