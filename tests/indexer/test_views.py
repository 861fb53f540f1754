"""The views behind `ledger juror` and `ledger providers`, on rows as the
indexer writes them (the anvil workload has no drawn panel: a court round
needs days of evidence and reveal periods)."""

import pytest
from sqlalchemy import insert

from labeldao.indexer import queries, summary
from labeldao.indexer.schema import METADATA

COURT = "0x" + "c0" * 20
REGISTRY = "0x" + "e0" * 20
JUROR, OTHER = "0x" + "0a" * 20, "0x" + "0b" * 20


class Rows:
    """Rows to write, each with its own log key."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, dict]] = []

    def add(self, table: str, block: int, **values) -> None:
        key = {"chain_id": 1, "tx_hash": "0x" + f"{len(self.rows) + 1:064x}", "log_index": 0}
        self.rows.append((table, {**key, "block_number": block, **values}))

    def write(self, database) -> None:
        blocks = sorted({row["block_number"] for _, row in self.rows})
        with database.engine.begin() as connection:
            for table, row in self.rows:
                connection.execute(insert(METADATA.tables[table]), [row])
            connection.execute(
                insert(METADATA.tables["blocks"]),
                [
                    {"chain_id": 1, "number": n, "hash": "0x" + f"{n:064x}", "timestamp": 1_000 * n}
                    for n in blocks
                ],
            )
            batch = {}
            for table, row in self.rows:
                batch.setdefault(table, []).append(row)
            summary.refresh_batch(connection, 1, batch)


def test_juror_votes__seats_choice_and_judgement(database):
    rows = Rows()
    court = {"contract": COURT, "dispute_id": 4, "round": 0}
    rows.add("seats", 10, juror=JUROR, seat=0, **court)
    rows.add("seats", 10, juror=JUROR, seat=1, **court)
    rows.add("seats", 10, juror=OTHER, seat=2, **court)
    rows.add("commits", 11, juror=JUROR, commitment="0x" + "11" * 32, **court)
    rows.add("reveals", 12, juror=JUROR, choice=2, seats=2, **court)
    rows.add(
        "juror_settlements",
        13,
        juror=JUROR,
        seats=2,
        coherent=True,
        unlocked=7,
        penalty=0,
        reward=5 * 10**18,
        **court,
    )
    rows.add(
        "juror_settlements",
        13,
        juror=OTHER,
        seats=1,
        coherent=False,
        unlocked=0,
        penalty=3 * 10**18,
        reward=0,
        **court,
    )
    rows.add("rulings", 14, contract=COURT, dispute_id=4, arbitrable=REGISTRY, ruling=2)
    rows.write(database)
    (mine,) = queries.juror_votes(database.engine, JUROR.upper().replace("0X", "0x"))
    assert (mine["seats"], mine["choice"], mine["coherent"], mine["ruling"]) == (2, 2, True, 2)
    assert mine["reward"] == 5 * 10**18 and mine["penalty"] == 0
    (other,) = queries.juror_votes(database.engine, OTHER)
    assert other["choice"] is None and other["commitment"] is None
    assert not other["coherent"] and other["penalty"] == 3 * 10**18


@pytest.mark.parametrize("big_batch", [summary.BIG_BATCH, 0], ids=["small", "big"])
def test_top_providers__work_in_a_period_less_what_challenges_removed(
    database, big_batch, monkeypatch
):
    monkeypatch.setattr(summary, "BIG_BATCH", big_batch)  # "big": hash joins on PostgreSQL
    rows = Rows()
    for node, owner in ((1, JUROR), (2, OTHER)):
        rows.add(
            "nodes_registered",
            1,
            contract=REGISTRY,
            node_id=node,
            owner=owner,
            tier=0,
            gpu_count=1,
            stake=10,
            first_epoch=0,
            specs_hash="0x" + "00" * 32,
            specs_uri="",
        )
    report = {
        "contract": REGISTRY,
        "uptime_bps": 10_000,
        "receipts_root": "0x" + "22" * 32,
        "challenge_deadline": 0,
    }
    rows.add("epoch_reports", 5, node_id=1, epoch=0, work_units=100, effective_units=100, **report)
    rows.add("epoch_reports", 5, node_id=2, epoch=0, work_units=80, effective_units=80, **report)
    rows.add("epoch_reports", 9, node_id=1, epoch=1, work_units=10, effective_units=10, **report)
    rows.add("epoch_reports", 9, node_id=2, epoch=1, work_units=50, effective_units=50, **report)
    rows.add(
        "challenge_rulings",
        9,
        contract=REGISTRY,
        node_id=1,
        epoch=0,
        dispute_id=0,
        ruling=1,
        status=3,
        units_removed=60,
    )
    rows.write(database)
    everything = queries.top_providers(database.engine, top=10)
    assert [(r["owner"], r["units"]) for r in everything] == [(OTHER, 130), (JUROR, 50)]
    late = queries.top_providers(database.engine, top=1, since=9_000)
    assert [(r["owner"], r["units"]) for r in late] == [(OTHER, 50)]
    assert [(e["epoch"], e["units"]) for e in queries.epochs(database.engine)] == [
        (0, 120),
        (1, 60),
    ]
    with database.engine.connect() as connection:
        assert summary.differences(connection) == []


ESCROW, OTHER_ESCROW = "0x" + "e5" * 20, "0x" + "e6" * 20


def tasks_by_the_view(bind, requester: str | None = None, limit: int = 100) -> list[dict]:
    """`ledger tasks` as the `tasks` view answers it (the query before it read the
    event tables directly): the reference `queries.tasks` must equal."""
    where = "WHERE requester = :requester " if requester else ""
    rows = queries._query(
        bind,
        "SELECT task_id, requester, annotator, status, reward, fee, stake, gold_bond, n_items, "
        "gold_failures, dispute_id, contest_end, claim_deadline, created_block "
        f"FROM tasks {where}"
        "ORDER BY created_block DESC, task_id DESC LIMIT :limit",
        requester=requester,
        limit=limit,
    )
    for row in rows:
        row["status"] = queries.TASK_STATUS.get(row["status"], str(row["status"]))
    return rows


def _task(rows: Rows, contract: str, task_id: int, block: int, requester: str) -> None:
    rows.add(
        "task_created",
        block,
        contract=contract,
        task_id=task_id,
        requester=requester,
        params_id=0,
        spec_hash="0x" + "51" * 32,
        n_items=task_id + 3,
        reward=(100 + task_id) * 10**18,
        fee=2 * 10**18,
        stake=10 * 10**18,
        deadline=9_999,
        review_period=100,
        gold_root="0x" + "60" * 32,
        gold_bond=task_id * 10**17,
    )


def test_tasks__the_query_answers_as_the_view_on_every_status(database):
    rows = Rows()
    b32 = "0x" + "ab" * 32
    # Task ids repeat in a second escrow: each task's rows are its contract's only.
    for contract, offset in ((ESCROW, 0), (OTHER_ESCROW, 50)):
        for task_id in range(1, 10):
            requester = JUROR if task_id % 2 else OTHER
            _task(rows, contract, task_id, offset + task_id, requester)
        task = {"contract": contract}
        claim = {"stake": 1, "deadline": 5_000, **task}
        for task_id in (2, 3, 4, 5, 6, 7, 8, 9):  # claimed; 6 re-claimed by OTHER later
            rows.add("task_claimed", offset + 10, task_id=task_id, annotator=JUROR, **claim)
        rows.add("task_claimed", offset + 20, task_id=6, annotator=OTHER, **claim)
        for task_id in (3, 4, 5, 6, 8, 9):  # submitted
            rows.add(
                "task_submitted",
                offset + 11,
                task_id=task_id,
                annotator=JUROR,
                result_root=b32,
                result_uri="ipfs://r",
                review_end=1,
                **task,
            )
        for task_id in (4, 5):  # rejected: disputed until settled
            rows.add(
                "task_rejected",
                offset + 12,
                task_id=task_id,
                arbitrator=COURT,
                dispute_id=task_id + offset,
                reason_hash=b32,
                arbitration_cost=3,
                **task,
            )
        for task_id in (8, 9):  # gold-failed; 9 contested at the court
            rows.add("gold_rejections", offset + 12, task_id=task_id, contest_end=7_000, **task)
        rows.add(
            "gold_contests",
            offset + 13,
            task_id=9,
            arbitrator=COURT,
            dispute_id=90 + offset,
            arbitration_cost=3,
            **task,
        )
        settled = {"requester_amount": 1, "annotator_amount": 2, "treasury_amount": 0}
        for task_id, status, block in ((5, 32, 13), (6, 64, 13), (6, 16, 14), (7, 128, 13)):
            rows.add(
                "task_settled",
                offset + block,
                task_id=task_id,
                status=status,
                slashed=0,
                bonus=0,
                **settled,
                **task,
            )
        for item in (0, 1):
            rows.add(
                "gold_failures",
                offset + 11,
                task_id=3,
                item_index=item,
                gold_answer_hash=b32,
                gold_salt=b32,
                submitted_answer_hash=b32,
                slashed=1,
                gold_failures=item + 1,
                **task,
            )
    rows.write(database)
    everything = queries.tasks(database.engine)
    assert everything == tasks_by_the_view(database.engine)
    assert [t["status"] for t in everything[:9]] == [
        "disputed",
        "gold_failed",
        "expired",
        "accepted",
        "rejected",
        "disputed",
        "submitted",
        "claimed",
        "open",
    ]
    assert everything[3]["annotator"] == OTHER and everything[6]["gold_failures"] == 2
    assert everything[5]["dispute_id"] == 54 and everything[0]["dispute_id"] == 140
    assert (everything[1]["contest_end"], everything[1]["claim_deadline"]) == (7_000, 5_000)
    assert everything[1]["gold_bond"] == 8 * 10**17
    for requester, limit in ((JUROR, 100), (OTHER, 2), (None, 3)):
        mine = queries.tasks(database.engine, requester=requester, limit=limit)
        assert mine == tasks_by_the_view(database.engine, requester, limit)
