"""The queries the web app added to `labeldao.indexer.queries`, on SQLite and
on a throwaway PostgreSQL cluster (the indexer tests' fixtures)."""

from __future__ import annotations

from labeldao.indexer import queries
from tests.indexer.conftest import database, new_database, postgres  # noqa: F401
from tests.indexer.test_views import COURT, JUROR, OTHER, REGISTRY, Rows

LDAO = 10**18
ESCROW = "0x" + "e5" * 20


def _task(rows: Rows, task_id: int, annotator: str | None, settled: int | None) -> None:
    rows.add(
        "task_created",
        task_id + 1,
        contract=ESCROW,
        task_id=task_id,
        requester=OTHER,
        params_id=0,
        spec_hash="0x" + "00" * 32,
        n_items=10 + task_id,
        reward=100 * LDAO,
        fee=LDAO,
        stake=LDAO,
        deadline=0,
        review_period=0,
        gold_root="0x" + "00" * 32,
        gold_bond=0,
    )
    if annotator:
        rows.add(
            "task_claimed",
            task_id + 1,
            contract=ESCROW,
            task_id=task_id,
            annotator=annotator,
            stake=LDAO,
            deadline=0,
        )
    if settled:
        rows.add(
            "task_settled",
            task_id + 1,
            contract=ESCROW,
            task_id=task_id,
            status=settled,
            requester_amount=0,
            annotator_amount=0,
            treasury_amount=0,
            slashed=0,
            bonus=0,
        )


def test_overview_and_annotators__count_and_rank_accepted_work(database):  # noqa: F811
    rows = Rows()
    _task(rows, 0, JUROR, 16)
    _task(rows, 1, JUROR, 16)
    _task(rows, 2, OTHER, 32)
    _task(rows, 3, OTHER, None)
    _task(rows, 4, None, None)
    rows.add("juror_stakes", 1, contract=COURT, juror=JUROR, amount=LDAO, free=LDAO)
    rows.add("juror_stakes", 2, contract=COURT, juror=JUROR, amount=LDAO, free=LDAO)
    rows.write(database)
    assert queries.overview(database.engine) == {
        "tasks": 5,
        "disputes": 0,
        "jurors": 1,
        "nodes": 0,
        "reports": 0,
    }
    ranked = [
        (
            a["annotator"],
            int(a["claimed"]),
            int(a["accepted"]),
            int(a["items_accepted"]),
            int(a["rejected"]),
        )
        for a in queries.annotators(database.engine)
    ]
    assert ranked == [(JUROR, 2, 2, 21, 0), (OTHER, 2, 0, 0, 1)]


def test_dispute__rounds_with_their_votes_or_none(database):  # noqa: F811
    rows = Rows()
    court = {"contract": COURT, "dispute_id": 4}
    rows.add(
        "disputes_created", 9, arbitrable=REGISTRY, choices=2, params_version=1, fee=LDAO, **court
    )
    for number in (0, 1):
        rows.add(
            "rounds_created",
            9 + number,
            round=number,
            panel=3,
            fee=LDAO,
            evidence_end=0,
            seat_lock=0,
            **court,
        )
    rows.add("seats", 12, round=1, juror=JUROR, seat=0, **court)
    rows.add("reveals", 13, round=1, juror=JUROR, choice=1, seats=1, **court)
    rows.write(database)
    found = queries.dispute(database.engine, 4)
    assert (found["rounds"], found["ruling"], found["fee"]) == (2, None, LDAO)
    first, second = found["rounds_detail"]
    assert (first["round"], first["votes"]) == (0, [])
    assert [(v["juror"], v["seats"], v["choice"]) for v in second["votes"]] == [(JUROR, 1, 1)]
    assert queries.dispute(database.engine, 5) is None
