"""Issue 14's events in the ledger: migration 0004 on a database of revision
0003 with rows (old rows get no bond, no deadline, the zero salt) gives
exactly the schema of a fresh one; the tasks view knows GOLD_FAILED and gold
contests; forfeited reports leave the providers' work and its summaries."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from labeldao.indexer import queries, summary
from labeldao.indexer.schema import METADATA
from labeldao.indexer.store import migrate
from tests.indexer.test_views import Rows

ESCROW, COURT, REGISTRY = "0x" + "e5" * 20, "0x" + "c0" * 20, "0x" + "e0" * 20
REQUESTER, ANNOTATOR = "0x" + "0a" * 20, "0x" + "0b" * 20
H0, H1 = "0x" + "00" * 32, "0x" + "11" * 32


def _created(task_id: int, gold_bond: int | None) -> dict:
    row = {
        "contract": ESCROW,
        "task_id": task_id,
        "requester": REQUESTER,
        "params_id": 1,
        "spec_hash": H1,
        "n_items": 10,
        "reward": 100 * 10**18,
        "fee": 10**18,
        "stake": 10 * 10**18,
        "deadline": 5_000,
        "review_period": 100,
        "gold_root": H1,
    }
    return row if gold_bond is None else {**row, "gold_bond": gold_bond}


def _key(n: int, block: int) -> dict:
    return {
        "chain_id": 1,
        "tx_hash": "0x" + f"{1_000 + n:064x}",
        "log_index": 0,
        "block_number": block,
    }


def _insert_old(connection, table: str, row: dict) -> None:
    """A row as revision 0003 stores it (raw SQL: the metadata is the new one)."""
    if connection.dialect.name == "sqlite":
        row = {
            k: str(v).zfill(78) if k in ("reward", "fee", "stake", "slashed") else v
            for k, v in row.items()
        }
    columns = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def test_migration_0004__keeps_old_rows_and_gives_the_fresh_schema(new_database):
    database = new_database("0003")
    with database.engine.begin() as connection:
        _insert_old(connection, "task_created", {**_key(1, 1), **_created(0, None)})
        claim = {"contract": ESCROW, "task_id": 0, "annotator": ANNOTATOR, "stake": 10}
        _insert_old(connection, "task_claimed", {**_key(2, 2), **claim})
        failure = {
            "contract": ESCROW,
            "task_id": 0,
            "item_index": 3,
            "gold_answer_hash": H1,
            "submitted_answer_hash": H1,
            "slashed": 7,
            "gold_failures": 1,
        }
        _insert_old(connection, "gold_failures", {**_key(3, 3), **failure})
    migrate(database.engine)
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), METADATA) == []
        tables = METADATA.tables
        assert connection.execute(select(tables["task_created"].c.gold_bond)).scalar_one() == 0
        assert connection.execute(select(tables["task_claimed"].c.deadline)).scalar_one() == 0
        salt = connection.execute(select(tables["gold_failures"].c.gold_salt)).scalar_one()
        assert salt == H0
    (task,) = queries.tasks(database.engine)
    assert (task["status"], task["annotator"], task["gold_bond"]) == ("claimed", ANNOTATOR, 0)
    assert task["gold_failures"] == 1
    # New rows go in with the new fields.
    rows = Rows()
    rows.add("task_created", 9, **_created(1, 5 * 10**18))
    rows.write(database)
    assert queries.tasks(database.engine)[0]["gold_bond"] == 5 * 10**18


def _task_to_gold_failure(rows: Rows, task_id: int) -> None:
    rows.add("task_created", 1, **_created(task_id, 3 * 10**18))
    rows.add(
        "task_claimed",
        2,
        contract=ESCROW,
        task_id=task_id,
        annotator=ANNOTATOR,
        stake=10,
        deadline=5_000,
    )
    rows.add(
        "task_submitted",
        3,
        contract=ESCROW,
        task_id=task_id,
        annotator=ANNOTATOR,
        result_root=H1,
        result_uri="ipfs://r",
        review_end=6_000,
    )
    rows.add(
        "gold_failures",
        4,
        contract=ESCROW,
        task_id=task_id,
        item_index=2,
        gold_answer_hash=H1,
        gold_salt=H1,
        submitted_answer_hash=H0,
        slashed=10**18,
        gold_failures=1,
    )
    rows.add("gold_rejections", 4, contract=ESCROW, task_id=task_id, contest_end=7_000)


def test_tasks_view__gold_failed_then_contested_then_settled(database):
    rows = Rows()
    for task_id in (0, 1, 2):
        _task_to_gold_failure(rows, task_id)
    contest = {"contract": ESCROW, "arbitrator": COURT, "arbitration_cost": 2 * 10**18}
    rows.add("gold_contests", 5, task_id=1, dispute_id=9, **contest)
    rows.add(
        "disputes_created",
        5,
        contract=COURT,
        dispute_id=9,
        arbitrable=ESCROW,
        choices=2,
        params_version=1,
        fee=2 * 10**18,
    )
    settled = {"requester_amount": 1, "annotator_amount": 0, "treasury_amount": 0, "bonus": 0}
    rows.add("task_settled", 8, contract=ESCROW, task_id=2, status=32, slashed=10**18, **settled)
    rows.write(database)
    tasks = {t["task_id"]: t for t in queries.tasks(database.engine)}
    assert tasks[0]["status"] == "gold_failed" and tasks[0]["contest_end"] == 7_000
    assert (tasks[0]["gold_bond"], tasks[0]["claim_deadline"]) == (3 * 10**18, 5_000)
    assert tasks[1]["status"] == "disputed" and tasks[1]["dispute_id"] == 9
    assert tasks[2]["status"] == "rejected"
    (dispute,) = queries.disputes(database.engine)
    assert (dispute["dispute_id"], dispute["task_id"]) == (9, 1)


def test_forfeited_reports__leave_the_work_and_the_summaries(database):
    rows = Rows()
    rows.add(
        "nodes_registered",
        1,
        contract=REGISTRY,
        node_id=1,
        owner=ANNOTATOR,
        tier=0,
        gpu_count=1,
        stake=10,
        first_epoch=0,
        specs_hash=H0,
        specs_uri="",
    )
    report = {"contract": REGISTRY, "node_id": 1, "uptime_bps": 10_000, "receipts_root": H1}
    for epoch in (0, 1):
        rows.add(
            "epoch_reports",
            2 + epoch,
            epoch=epoch,
            work_units=100,
            effective_units=100,
            challenge_deadline=0,
            **report,
        )
    rows.write(database)
    later = Rows()  # a later batch: the summaries of its keys are recomputed
    later.add("report_forfeits", 9, contract=REGISTRY, node_id=1, epoch=1, units_removed=100)
    later.rows[0][1]["tx_hash"] = "0x" + "f" * 64
    later.write(database)
    assert [(e["epoch"], e["units"]) for e in queries.epochs(database.engine)] == [(0, 100), (1, 0)]
    assert [r["units"] for r in queries.top_providers(database.engine, top=1)] == [100]
    with database.engine.connect() as connection:
        assert summary.differences(connection) == []


def test_court_rows__dispute_parties_and_closed_rounds_are_stored(database):
    rows = Rows()
    rows.add("dispute_parties", 1, contract=COURT, dispute_id=3, payer=REQUESTER, other=ANNOTATOR)
    rows.add(
        "rounds_closed",
        2,
        contract=COURT,
        dispute_id=3,
        round=0,
        refunded_to=REQUESTER,
        refund=2 * 10**18,
    )
    rows.write(database)
    with database.engine.connect() as connection:
        closed = connection.execute(select(METADATA.tables["rounds_closed"])).one()
        parties = connection.execute(select(METADATA.tables["dispute_parties"])).one()
    assert (closed.refunded_to, closed.refund) == (REQUESTER, 2 * 10**18)
    assert (parties.payer, parties.other) == (REQUESTER, ANNOTATOR)
