"""Summary tables of the providers' work, kept in step with the event rows.

`top_providers` and `epochs` would otherwise sum every epoch report (linear
in reports: about 1 s at a million events). Three tables hold the sums:

- `node_epoch_work`: per (node, epoch) the owner, reports and units (effective
  units less what challenge rulings and forfeits removed), and the report's
  block and time;
- `epoch_work`: per registry epoch the reports, providers and units;
- `provider_totals`: per owner the nodes, reports and units.

They are recomputed, for the (node, epoch) keys a batch or a rewind touches,
inside the transaction that writes or deletes the rows (`refresh`), from the
`provider_work` view; `differences` recomputes everything from the view and
lists where the tables disagree (the tests run it after backfills, reorgs and
kill -9 restarts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, text

from labeldao.indexer.schema import METADATA

Key = tuple[str, int, int]  # (contract, node_id, epoch)
SOURCES = ("epoch_reports", "challenge_rulings", "report_forfeits")
SUMMARY_TABLES = ("node_epoch_work", "epoch_work", "provider_totals")
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
COLUMNS = {
    "node_epoch_work": "chain_id, contract, node_id, epoch, owner, reports, units, "
    "block_number, timestamp",
    "epoch_work": "chain_id, contract, epoch, reports, providers, units",
    "provider_totals": "chain_id, contract, owner, nodes, reports, units",
}


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


def rebuild(connection: Connection) -> None:
    """Recomputes every summary from the rows (the migration that adds them)."""
    run = connection.exec_driver_sql
    for name in SUMMARY_TABLES:
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
    }
    out = []
    for name, sql in expected.items():
        stored = _rows(connection, f"SELECT {COLUMNS[name]} FROM {name}")
        recomputed = _rows(connection, sql)
        out += [f"{name}: stored {row} not recomputed" for row in sorted(stored - recomputed)]
        out += [f"{name}: missing {row}" for row in sorted(recomputed - stored)]
    return out
