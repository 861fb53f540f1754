"""Summary tables of the providers' work, kept in step with the event rows.

`top_providers` and `epochs` would otherwise sum every epoch report (linear
in reports: about 1 s at a million events). Three tables hold the sums:

- `node_epoch_work`: per (node, epoch) the owner, reports and units (effective
  units less what challenge rulings and forfeits removed), and the report's
  block and time;
- `epoch_work`: per registry epoch the reports, providers and units;
- `provider_totals`: per owner the nodes, reports and units;
- `annotator_totals` (migration 0005): per (escrow, annotator) the tasks
  claimed, accepted (settled 16) and their items, and rejected (settled 32).

They are recomputed, for the (node, epoch) keys a batch or a rewind touches,
inside the transaction that writes or deletes the rows (`refresh`), from the
`provider_work` view; `differences` recomputes everything from the view and
lists where the tables disagree (the tests run it after backfills, reorgs and
kill -9 restarts). The annotators' totals are recomputed the same way, per
annotator whose claim or settlement a batch or a rewind touches
(`refresh_annotators`), from the claim, creation and settlement rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text

from labeldao.indexer.schema import METADATA

Key = tuple[str, int, int]  # (contract, node_id, epoch)
SOURCES = ("epoch_reports", "challenge_rulings", "report_forfeits")
WORK_TABLES = ("node_epoch_work", "epoch_work", "provider_totals")
SUMMARY_TABLES = (*WORK_TABLES, "annotator_totals")
AnnotatorKey = tuple[str, str]  # (escrow, annotator)
BIG_BATCH = 1_000  # dirty keys above which PostgreSQL refreshes with hash joins

_DIRTY = (
    "EXISTS (SELECT 1 FROM summary_dirty d WHERE d.chain_id = {a}.chain_id "
    "AND d.contract = {a}.contract AND d.node_id = {a}.node_id AND d.epoch = {a}.epoch)"
)
# Not correlated: `summary_dirty`'s key does not lead with the epoch, so a
# correlated EXISTS scanned every dirty key per summary row on SQLite (rows x
# keys: minutes per batch of 50,000 reports at a million events).
_DIRTY_EPOCH = (
    "({a}.chain_id, {a}.contract, {a}.epoch) IN "
    "(SELECT DISTINCT d.chain_id, d.contract, d.epoch FROM summary_dirty d)"
)
_DIRTY_OWNER = (
    "EXISTS (SELECT 1 FROM summary_dirty_owners o WHERE o.chain_id = {a}.chain_id "
    "AND o.contract = {a}.contract AND o.owner = {a}.owner)"
)

NODE_EPOCH_SELECT = (
    "SELECT w.chain_id, w.contract, w.node_id, w.epoch, MIN(w.owner) AS owner, "
    "COUNT(*) AS reports, SUM(w.units) AS units, MAX(w.block_number) AS block_number, "
    "MAX(w.timestamp) AS timestamp FROM provider_work w {where} "
    "GROUP BY w.chain_id, w.contract, w.node_id, w.epoch"
)
EPOCH_SELECT = (
    "SELECT s.chain_id, s.contract, s.epoch, SUM(s.reports) AS reports, "
    "COUNT(DISTINCT s.owner) AS providers, SUM(s.units) AS units "
    "FROM node_epoch_work s {where} GROUP BY s.chain_id, s.contract, s.epoch"
)
PROVIDER_SELECT = (
    "SELECT s.chain_id, s.contract, s.owner, COUNT(DISTINCT s.node_id) AS nodes, "
    "SUM(s.reports) AS reports, SUM(s.units) AS units "
    "FROM node_epoch_work s {where} GROUP BY s.chain_id, s.contract, s.owner"
)
# An annotator's tasks: each task is claimed once and settled at most once.
ANNOTATOR_SELECT = (
    "SELECT a.chain_id, a.contract, a.annotator, COUNT(*) AS claimed, "
    "SUM(CASE WHEN s.status = 16 THEN 1 ELSE 0 END) AS accepted, "
    "SUM(CASE WHEN s.status = 16 THEN c.n_items ELSE 0 END) AS items_accepted, "
    "SUM(CASE WHEN s.status = 32 THEN 1 ELSE 0 END) AS rejected "
    "FROM task_claimed a "
    "JOIN task_created c ON c.task_id = a.task_id AND c.chain_id = a.chain_id "
    "AND c.contract = a.contract "
    "LEFT JOIN task_settled s ON s.task_id = a.task_id AND s.chain_id = a.chain_id "
    "AND s.contract = a.contract {where} "
    "GROUP BY a.chain_id, a.contract, a.annotator"
)
_DIRTY_ANNOTATOR = (
    "EXISTS (SELECT 1 FROM summary_dirty_annotators d WHERE d.chain_id = {a}.chain_id "
    "AND d.contract = {a}.contract AND d.annotator = {a}.annotator)"
)
# The IN leads SQLite through the claims' annotator index (a claim per
# dirty annotator's task, not every claim with an EXISTS test).
_DIRTY_ANNOTATOR_CLAIM = (
    "a.annotator IN (SELECT d.annotator FROM summary_dirty_annotators d) AND "
    + _DIRTY_ANNOTATOR.format(a="a")
)
COLUMNS = {
    "node_epoch_work": "chain_id, contract, node_id, epoch, owner, reports, units, "
    "block_number, timestamp",
    "epoch_work": "chain_id, contract, epoch, reports, providers, units",
    "provider_totals": "chain_id, contract, owner, nodes, reports, units",
    "annotator_totals": "chain_id, contract, annotator, claimed, accepted, items_accepted, "
    "rejected",
}
CHUNK = 500  # task ids per lookup of their annotators


def batch_keys(chain_id: int, rows: dict[str, list[dict[str, Any]]]) -> set[Key]:
    """The (contract, node, epoch) keys of a batch's reports, challenge rulings and forfeits."""
    return {
        (row["contract"], row["node_id"], row["epoch"])
        for name in SOURCES
        for row in rows.get(name, ())
        if row["chain_id"] == chain_id
    }


def keys_after(connection: Connection, chain_id: int, after: int) -> set[Key]:
    """The keys of reports, rulings and forfeits in blocks after `after` (what a rewind deletes)."""
    keys: set[Key] = set()
    for name in SOURCES:
        rows = connection.execute(
            text(
                f"SELECT DISTINCT contract, node_id, epoch FROM {name} "
                "WHERE chain_id = :chain AND block_number > :after"
            ),
            {"chain": chain_id, "after": after},
        ).all()
        keys.update((row.contract, row.node_id, row.epoch) for row in rows)
    return keys


def refresh(connection: Connection, chain_id: int, keys: Iterable[Key]) -> None:
    """Recomputes the summaries of `keys` from the rows now in the transaction."""
    dirty = [
        {"chain_id": chain_id, "contract": c, "node_id": n, "epoch": e}
        for c, n, e in sorted(set(keys))
    ]
    if not dirty:
        return
    run = connection.exec_driver_sql
    connection.execute(insert(METADATA.tables["summary_dirty"]), dirty)
    if connection.dialect.name == "postgresql" and len(dirty) > BIG_BATCH:
        # A backfill's batch: the tables' statistics predate its rows (often
        # "empty"), and PostgreSQL then joined blocks x nodes x dirty keys in
        # nested loops (over 13 minutes for one 50,000-report batch at 1 M
        # events). Hash joins read each table once; for this transaction only.
        run("SET LOCAL enable_nestloop = off")
    owners = "INSERT INTO summary_dirty_owners (chain_id, contract, owner) SELECT DISTINCT "
    owners += "s.chain_id, s.contract, s.owner FROM node_epoch_work s WHERE " + _DIRTY.format(a="s")
    new_owners = owners + " AND NOT " + _DIRTY_OWNER.format(a="s")
    run(owners)  # the owners of the old sums (a rewind may delete the node)
    run("DELETE FROM node_epoch_work WHERE " + _DIRTY.format(a="node_epoch_work"))
    run(
        f"INSERT INTO node_epoch_work ({COLUMNS['node_epoch_work']}) "
        + NODE_EPOCH_SELECT.format(where="WHERE " + _DIRTY.format(a="w"))
    )
    run(new_owners)
    run("DELETE FROM epoch_work WHERE " + _DIRTY_EPOCH.format(a="epoch_work"))
    run(
        f"INSERT INTO epoch_work ({COLUMNS['epoch_work']}) "
        + EPOCH_SELECT.format(where="WHERE " + _DIRTY_EPOCH.format(a="s"))
    )
    run("DELETE FROM provider_totals WHERE " + _DIRTY_OWNER.format(a="provider_totals"))
    run(
        f"INSERT INTO provider_totals ({COLUMNS['provider_totals']}) "
        + PROVIDER_SELECT.format(where="WHERE " + _DIRTY_OWNER.format(a="s"))
    )
    connection.execute(delete(METADATA.tables["summary_dirty_owners"]))
    connection.execute(delete(METADATA.tables["summary_dirty"]))
    if connection.dialect.name == "postgresql" and len(dirty) > BIG_BATCH:
        run("SET LOCAL enable_nestloop = on")


def refresh_batch(
    connection: Connection, chain_id: int, rows: dict[str, list[dict[str, Any]]]
) -> None:
    """Recomputes every summary a batch of rows (just written) touches."""
    refresh(connection, chain_id, batch_keys(chain_id, rows))
    refresh_annotators(connection, chain_id, annotator_batch_keys(connection, chain_id, rows))


def rebuild(connection: Connection) -> None:
    """Recomputes every summary from the rows (the migration that adds them)."""
    run = connection.exec_driver_sql
    for name in WORK_TABLES:
        run(f"DELETE FROM {name}")
    run(
        f"INSERT INTO node_epoch_work ({COLUMNS['node_epoch_work']}) "
        + NODE_EPOCH_SELECT.format(where="")
    )
    run(f"INSERT INTO epoch_work ({COLUMNS['epoch_work']}) " + EPOCH_SELECT.format(where=""))
    run(
        f"INSERT INTO provider_totals ({COLUMNS['provider_totals']}) "
        + PROVIDER_SELECT.format(where="")
    )


def annotator_batch_keys(
    connection: Connection, chain_id: int, rows: dict[str, list[dict[str, Any]]]
) -> set[AnnotatorKey]:
    """The (escrow, annotator) keys of a batch's claims and settlements (a
    settled task's annotator read from its claim, stored or in the batch)."""
    keys = {
        (row["contract"], row["annotator"])
        for row in rows.get("task_claimed", ())
        if row["chain_id"] == chain_id
    }
    settled = {
        (row["contract"], row["task_id"])
        for row in rows.get("task_settled", ())
        if row["chain_id"] == chain_id
    }
    claims = METADATA.tables["task_claimed"]
    task_ids = sorted({task_id for _, task_id in settled})
    for start in range(0, len(task_ids), CHUNK):
        found = connection.execute(
            select(claims.c.contract, claims.c.task_id, claims.c.annotator).where(
                claims.c.chain_id == chain_id,
                claims.c.task_id.in_(task_ids[start : start + CHUNK]),
            )
        ).all()
        keys.update((r.contract, r.annotator) for r in found if (r.contract, r.task_id) in settled)
    return keys


def annotator_keys_after(connection: Connection, chain_id: int, after: int) -> set[AnnotatorKey]:
    """The annotators of claims and of settlements in blocks after `after`."""
    rows = connection.execute(
        text(
            "SELECT DISTINCT contract, annotator FROM task_claimed "
            "WHERE chain_id = :chain AND block_number > :after "
            "UNION SELECT DISTINCT a.contract, a.annotator FROM task_settled s "
            "JOIN task_claimed a ON a.chain_id = s.chain_id AND a.contract = s.contract "
            "AND a.task_id = s.task_id WHERE s.chain_id = :chain AND s.block_number > :after"
        ),
        {"chain": chain_id, "after": after},
    ).all()
    return {(row.contract, row.annotator) for row in rows}


def refresh_annotators(connection: Connection, chain_id: int, keys: Iterable[AnnotatorKey]) -> None:
    """Recomputes the totals of the annotators `keys` from the rows now in the transaction."""
    dirty = [{"chain_id": chain_id, "contract": c, "annotator": a} for c, a in sorted(set(keys))]
    if not dirty:
        return
    run = connection.exec_driver_sql
    connection.execute(insert(METADATA.tables["summary_dirty_annotators"]), dirty)
    run("DELETE FROM annotator_totals WHERE " + _DIRTY_ANNOTATOR.format(a="annotator_totals"))
    run(
        f"INSERT INTO annotator_totals ({COLUMNS['annotator_totals']}) "
        + ANNOTATOR_SELECT.format(where="WHERE " + _DIRTY_ANNOTATOR_CLAIM)
    )
    connection.execute(delete(METADATA.tables["summary_dirty_annotators"]))


def rebuild_annotators(connection: Connection) -> None:
    """Recomputes every annotator's totals from the rows (migration 0005)."""
    connection.exec_driver_sql("DELETE FROM annotator_totals")
    connection.exec_driver_sql(
        f"INSERT INTO annotator_totals ({COLUMNS['annotator_totals']}) "
        + ANNOTATOR_SELECT.format(where="")
    )


def _rows(connection: Connection, sql: str) -> set[tuple]:
    return {
        tuple(v if v is None or isinstance(v, (int, str)) else int(v) for v in row)
        for row in connection.exec_driver_sql(sql).all()
    }


def differences(connection: Connection) -> list[str]:
    """Where the summary tables differ from the sums recomputed from every row."""
    expected = {
        "node_epoch_work": NODE_EPOCH_SELECT.format(where=""),
        "epoch_work": EPOCH_SELECT.format(where="").replace(
            "FROM node_epoch_work s", f"FROM ({NODE_EPOCH_SELECT.format(where='')}) s"
        ),
        "provider_totals": PROVIDER_SELECT.format(where="").replace(
            "FROM node_epoch_work s", f"FROM ({NODE_EPOCH_SELECT.format(where='')}) s"
        ),
        "annotator_totals": ANNOTATOR_SELECT.format(where=""),
    }
    out = []
    for name, sql in expected.items():
        stored = _rows(connection, f"SELECT {COLUMNS[name]} FROM {name}")
        recomputed = _rows(connection, sql)
        out += [f"{name}: stored {row} not recomputed" for row in sorted(stored - recomputed)]
        out += [f"{name}: missing {row}" for row in sorted(recomputed - stored)]
    return out
