"""The indexer on a real anvil node: backfill, reorganisations, confirmations,
reconciliation. Every test runs on SQLite and on PostgreSQL."""

import secrets

import pytest
from sqlalchemy import text

from labeldao.indexer import queries, summary
from labeldao.indexer.reconcile import reconcile, web3_view
from labeldao.indexer.store import Ledger
from tests.indexer.conftest import CONTRACTS, make_indexer
from tests.indexer.test_views import tasks_by_the_view

LDAO = 10**18


def _index(node, database, **options):
    indexer = make_indexer(node, database, **options)
    return indexer, indexer.run()


def _transfers(database) -> list[int]:
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT value FROM token_transfers")).scalars().all()
    return sorted(int(v) for v in rows)


def _differences(node, database, abis):
    deployment = node.deployment()
    checkpoint = Ledger(database.engine).checkpoint(node.web3.eth.chain_id)
    view = web3_view(node.web3, deployment.contracts, abis, checkpoint.block_number)
    return reconcile(database.engine, node.web3.eth.chain_id, view)


def _summary_differences(database) -> list[str]:
    with database.engine.connect() as connection:
        return summary.differences(connection)


def _transfer(node, amount: int) -> None:
    accounts = node.workload.accounts
    node.workload.send("RewardToken", "transfer", accounts[5], amount, sender=accounts[1])


def test_backfill__indexes_the_whole_history_once(node, database, abis):
    indexer, progress = _index(node, database, span=7)
    head = node.web3.eth.block_number
    assert progress.last_block == head
    assert progress.events > 100
    statuses = sorted(t["status"] for t in queries.tasks(database.engine))
    assert statuses == ["accepted", "accepted", "claimed", "disputed", "open", "submitted"]
    assert queries.tasks(database.engine) == tasks_by_the_view(database.engine)
    assert len(queries.top_providers(database.engine, top=10)) == 3
    assert [e["reports"] for e in queries.epochs(database.engine)] == [3, 3]
    disputed = queries.disputes(database.engine)
    assert len(disputed) == 1 and disputed[0]["task_id"] is not None
    mine = queries.disputes(database.engine, requester=disputed[0]["requester"])
    assert mine == disputed
    assert _differences(node, database, abis) == []
    assert _summary_differences(database) == []
    assert indexer.run().events == 0  # nothing new: nothing written twice


def test_adaptive_span__halves_on_too_many_results(node, database):
    from labeldao.indexer.chain import TooManyResults, Web3Chain

    class Limited(Web3Chain):
        def logs(self, addresses, topics, start, end):
            if end - start + 1 > 5:
                raise TooManyResults("query returned more than 10000 results")
            return super().logs(addresses, topics, start, end)

    indexer = make_indexer(node, database, span=1_000)
    indexer.chain = Limited(node.url)
    assert indexer.run().last_block == node.web3.eth.block_number
    reference = make_indexer(node, database.__class__(database.url, database.engine))
    assert reference.run().events == 0


@pytest.mark.parametrize("depth", [1, 3, 10])
def test_reorg__rows_of_replaced_blocks_are_undone(node, new_database, depth):
    database = new_database()
    indexer, _ = _index(node, database)
    before = _transfers(database)
    head = node.web3.eth.block_number
    accounts = node.workload.accounts
    token = node.workload.contracts["RewardToken"]
    amount = secrets.randbelow(10**12) + 1  # unique: earlier tests left transfers behind
    replacement = token.functions.transfer(accounts[6], amount).build_transaction(
        {"from": accounts[2], "gas": 200_000}
    )
    replacement = {k: v for k, v in replacement.items() if k in ("from", "to", "data", "gas")}
    node.reorg(depth, [[replacement, 0]])
    assert node.web3.eth.block_number == head
    indexer.run()
    after = _transfers(database)
    assert amount in after and amount not in before
    fresh = new_database()
    _index(node, fresh)
    assert queries.dump(database.engine) == queries.dump(fresh.engine)


def test_reorg__a_dropped_transaction_disappears(node, new_database):
    database = new_database()
    _transfer(node, 777)
    indexer, _ = _index(node, database)
    assert 777 in _transfers(database)
    node.reorg(1)
    indexer.run()
    assert 777 not in _transfers(database)
    fresh = new_database()
    _index(node, fresh)
    assert queries.dump(database.engine) == queries.dump(fresh.engine)


def test_reorg_of_epoch_reports__summaries_are_recomputed(node, new_database):
    database = new_database()
    indexer, _ = _index(node, database)
    before = queries.epochs(database.engine), queries.top_providers(database.engine)
    start = node.web3.eth.block_number
    node.workload.report_epoch()
    indexer.run()
    reported = queries.epochs(database.engine)
    assert len(reported) == len(before[0]) + 1 and reported[-1]["reports"] > 0
    assert _summary_differences(database) == []
    node.reorg(node.web3.eth.block_number - start)  # the new epoch's reports vanish
    indexer.run()
    assert (queries.epochs(database.engine), queries.top_providers(database.engine)) == before
    assert _summary_differences(database) == []
    fresh = new_database()
    _index(node, fresh)
    assert queries.dump(database.engine) == queries.dump(fresh.engine)


def test_restart_after_a_reorg__rewinds_before_reading(node, new_database):
    database = new_database()
    _transfer(node, 555)
    _index(node, database)
    node.reorg(2)
    make_indexer(node, database).run()  # a new process: only the database is shared
    assert 555 not in _transfers(database)


def test_confirmations__stop_short_of_the_head_and_ignore_shallow_reorgs(node, database):
    indexer, progress = _index(node, database, confirmations=5)
    head = node.web3.eth.block_number
    assert progress.last_block == head - 5
    before = queries.dump(database.engine)
    node.reorg(3)
    indexer.run()
    assert queries.dump(database.engine) == before


def test_reconcile__finds_a_tampered_row(node, database, abis):
    _index(node, database)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE token_transfers SET value = :v WHERE log_index = "
                "(SELECT MAX(log_index) FROM token_transfers)"
            ),
            {"v": "1".zfill(78) if database.url.startswith("sqlite") else 1},
        )
    differences = _differences(node, database, abis)
    assert differences and all("RewardToken" in str(d) for d in differences)


def test_reconcile__finds_tampered_escrow_books(node, database, abis):
    _index(node, database)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE task_created SET gold_bond = :v WHERE log_index = "
                "(SELECT MAX(log_index) FROM task_created)"
            ),
            {"v": "1".zfill(78) if database.url.startswith("sqlite") else 1},
        )
    differences = _differences(node, database, abis)
    assert [d.what for d in differences] == ["TaskEscrow.liabilities()"]


def test_reconcile__finds_a_tampered_juror_stake(node, database, abis):
    _index(node, database)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE juror_stakes SET amount = :v WHERE log_index = "
                "(SELECT MAX(log_index) FROM juror_stakes)"
            ),
            {"v": "1".zfill(78) if database.url.startswith("sqlite") else 1},
        )
    differences = _differences(node, database, abis)
    assert differences and all("QualityCourt.juror_slots" in str(d) for d in differences)


def test_court_round__juror_votes_and_stakes_on_real_events(node, database, abis):
    dispute, jurors = node.workload.court_round()
    _index(node, database)
    votes = {j: queries.juror_votes(database.engine, j) for j in jurors}
    assert all(len(v) == 1 and v[0]["dispute_id"] == dispute for v in votes.values())
    assert {v[0]["ruling"] for v in votes.values()} == {1}
    revealed = jurors[:-1] if len(jurors) > 1 else jurors
    assert all(votes[j][0]["choice"] == 1 and votes[j][0]["coherent"] for j in revealed)
    if len(jurors) > 1:  # the last juror committed and never revealed: penalised
        silent = votes[jurors[-1]][0]
        assert silent["choice"] is None and not silent["coherent"] and silent["penalty"] > 0
    assert _differences(node, database, abis) == []


def test_juror_votes__empty_for_a_juror_never_drawn(node, database):
    _index(node, database)
    assert queries.juror_votes(database.engine, node.workload.accounts[9]) == []
    assert set(CONTRACTS) <= set(node.deployment().contracts)


def test_follow__indexes_new_blocks_until_stopped(node, database):
    import threading

    from tests.indexer.conftest import wait_for

    indexer = make_indexer(node, database)
    stop = threading.Event()
    runner = threading.Thread(
        target=lambda: indexer.run(follow=True, poll_seconds=0.05, should_stop=stop.is_set)
    )
    runner.start()
    try:
        wait_for(lambda: Ledger(database.engine).checkpoint(node.web3.eth.chain_id) is not None)
        _transfer(node, 31_337)
        wait_for(lambda: 31_337 in _transfers(database))
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
