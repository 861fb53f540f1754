"""The questions people ask of the ledger, as plain functions (the CLI and the web app).

Every function takes a SQLAlchemy engine (or connection) and returns a list
of dicts with Python values: token amounts as int, addresses lower-case hex.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, text

from labeldao.indexer.schema import EVENT_TABLE_NAMES, METADATA
from labeldao.indexer.summary import SUMMARY_TABLES

# Columns of the views that hold Uint256 values (strings on SQLite).
AMOUNTS = {"reward", "fee", "stake", "gold_bond", "penalty", "units", "value", "amount"}
TASK_STATUS = {
    1: "open",
    2: "claimed",
    4: "submitted",
    8: "disputed",
    16: "accepted",
    32: "rejected",
    64: "split",
    128: "expired",
    256: "cancelled",
    512: "gold_failed",
}


def _query(bind: Engine | Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    statement = text(sql)
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            result = connection.execute(statement, params).mappings().all()
    else:
        result = bind.execute(statement, params).mappings().all()
    rows = []
    for row in result:
        out = dict(row)
        for key in AMOUNTS.intersection(out):
            if out[key] is not None:
                out[key] = int(float(out[key])) if isinstance(out[key], float) else int(out[key])
        rows.append(out)
    return rows


def _address(value: str | None) -> str | None:
    return value.lower() if value else None


def _task_latest(value: str, table: str) -> str:
    """`value` (over `x`) of `table`'s newest row for task `c` (an index probe per task)."""
    return (
        f"(SELECT {value} FROM {table} x WHERE x.task_id = c.task_id "
        "AND x.chain_id = c.chain_id AND x.contract = c.contract "
        "ORDER BY x.block_number DESC, x.log_index DESC LIMIT 1)"
    )


# The `tasks` view's columns for the rows of `c` only. The view's EXISTS tests
# let PostgreSQL plan them as hashed subplans that read whole tables (a seq scan
# of every claim, submission and settlement per query, seconds at 1 M events
# before ANALYZE); scalar subqueries with LIMIT 1 are always index probes. Same
# status rule as the view (migration 0004): settled status, else disputed 8 (a
# rejection or a gold contest), gold-failed 512, submitted 4, claimed 2, open 1.
_TASK_COLUMNS = (
    "c.task_id, c.requester, "
    + _task_latest("x.annotator", "task_claimed")
    + " AS annotator, COALESCE("
    + _task_latest("x.status", "task_settled")
    + ", "
    + ", ".join(
        _task_latest(str(flag), table)
        for flag, table in (
            (8, "task_rejected"),
            (8, "gold_contests"),
            (512, "gold_rejections"),
            (4, "task_submitted"),
            (2, "task_claimed"),
        )
    )
    + ", 1) AS status, c.reward, c.fee, c.stake, c.gold_bond, c.n_items, "
    "(SELECT COUNT(*) FROM gold_failures x WHERE x.task_id = c.task_id "
    "AND x.chain_id = c.chain_id AND x.contract = c.contract) AS gold_failures, "
    # A task has a rejection's dispute or a gold contest's, never both.
    "COALESCE("
    + _task_latest("x.dispute_id", "task_rejected")
    + ", "
    + _task_latest("x.dispute_id", "gold_contests")
    + ") AS dispute_id, "
    + _task_latest("x.contest_end", "gold_rejections")
    + " AS contest_end, "
    + _task_latest("x.deadline", "task_claimed")
    + " AS claim_deadline, c.block_number AS created_block"
)


def tasks(
    bind: Engine | Connection, requester: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Tasks, newest first, with status, annotator and dispute (of one requester)."""
    # The newest tasks first (an index walk), then their columns, as the view's.
    newest = (
        "SELECT chain_id, contract, task_id, requester, n_items, reward, fee, stake, "
        "gold_bond, block_number FROM task_created "
        + ("WHERE requester = :requester " if requester else "")
        + "ORDER BY block_number DESC, task_id DESC LIMIT :limit"
    )
    rows = _query(
        bind,
        f"SELECT {_TASK_COLUMNS} FROM ({newest}) c ORDER BY created_block DESC, task_id DESC",
        requester=_address(requester),
        limit=limit,
    )
    for row in rows:
        row["status"] = TASK_STATUS.get(row["status"], str(row["status"]))
    return rows


# The URI of a dispute `d`'s ERC-1497 MetaEvidence: the arbitrable's
# `Dispute(arbitrator, dispute_id, meta_evidence_id, ...)` names the id, its
# `MetaEvidence(id, uri)` the document (the newest, should an id be logged twice).
META_EVIDENCE_URI = (
    "(SELECT m.evidence FROM arbitrable_disputes x JOIN meta_evidence m "
    "ON m.chain_id = x.chain_id AND m.contract = x.contract "
    "AND m.meta_evidence_id = x.meta_evidence_id "
    "WHERE x.dispute_id = d.dispute_id AND x.chain_id = d.chain_id "
    "AND x.contract = d.arbitrable AND x.arbitrator = d.court "
    "ORDER BY m.block_number DESC, m.log_index DESC LIMIT 1)"
)


def disputes(
    bind: Engine | Connection, requester: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Court disputes with the task or node they judge (of one requester's
    tasks) and the URI of their MetaEvidence (the question and its choices)."""
    return _query(
        bind,
        "SELECT d.dispute_id, d.arbitrable, d.task_id, t.requester, d.node_id, d.rounds, "
        f"d.ruling, d.fee, d.created_block, {META_EVIDENCE_URI} AS meta_evidence_uri "
        "FROM disputes d "
        "LEFT JOIN tasks t ON t.chain_id = d.chain_id AND t.contract = d.arbitrable "
        "AND t.task_id = d.task_id "
        + (
            "WHERE t.requester = :requester "
            if requester
            else "WHERE d.dispute_id IN (SELECT dispute_id FROM disputes_created "
            "ORDER BY block_number DESC, dispute_id DESC LIMIT :limit) "
        )
        + "ORDER BY d.created_block DESC, d.dispute_id DESC LIMIT :limit",
        requester=_address(requester),
        limit=limit,
    )


def juror_votes(bind: Engine | Connection, juror: str) -> list[dict[str, Any]]:
    """Every seat of `juror`: the choice revealed and how the round judged it."""
    return _query(
        bind,
        "SELECT dispute_id, round, seats, commitment, choice, coherent, penalty, reward, "
        "ruling, drawn_block FROM juror_votes WHERE juror = :juror "
        "ORDER BY drawn_block, dispute_id, round",
        juror=_address(juror),
    )


def node(bind: Engine | Connection, node_id: int) -> list[dict[str, Any]]:
    """One node: its registration and totals, then one row per epoch report."""
    summary = _query(
        bind,
        "SELECT node_id, owner, tier, gpu_count, first_epoch, end_epoch, reports, units, "
        "challenges, slashes FROM nodes WHERE node_id = :node_id",
        node_id=node_id,
    )
    reports = _query(
        bind,
        "SELECT node_id, epoch, units, block_number, timestamp FROM provider_work "
        "WHERE node_id = :node_id ORDER BY epoch",
        node_id=node_id,
    )
    return summary + reports


def top_providers(
    bind: Engine | Connection,
    top: int = 20,
    since: int | None = None,
    until: int | None = None,
) -> list[dict[str, Any]]:
    """Providers by work reported (less what challenges removed), in [since, until).

    Reads the summary tables (`labeldao.indexer.summary`): the owners' totals
    without a period, the (node, epoch) sums with one (by the report's time).
    """
    if since is None and until is None:
        return _query(
            bind,
            "SELECT owner, SUM(nodes) AS nodes, SUM(reports) AS reports, SUM(units) AS units "
            "FROM provider_totals GROUP BY owner ORDER BY SUM(units) DESC, owner LIMIT :top",
            top=top,
        )
    return _query(
        bind,
        "SELECT owner, COUNT(DISTINCT node_id) AS nodes, SUM(reports) AS reports, "
        "SUM(units) AS units FROM node_epoch_work "
        + "WHERE 1 = 1 "
        + ("AND timestamp >= :since " if since is not None else "")
        + ("AND timestamp < :until " if until is not None else "")
        + "GROUP BY owner ORDER BY SUM(units) DESC, owner LIMIT :top",
        top=top,
        since=since,
        until=until,
    )


def epochs(bind: Engine | Connection) -> list[dict[str, Any]]:
    """Per registry epoch: reports, providers and total units."""
    return _query(
        bind,
        "SELECT epoch, reports, providers, units FROM epoch_work ORDER BY epoch, contract",
    )


def status(bind: Engine | Connection) -> list[dict[str, Any]]:
    """The checkpoint of each indexed chain."""
    return _query(bind, "SELECT chain_id, block_number, block_hash FROM checkpoint")


def dump(bind: Engine | Connection) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: two equal dumps are two equal ledgers."""
    names = [*EVENT_TABLE_NAMES, "blocks", "checkpoint", "contracts", *SUMMARY_TABLES]
    out: dict[str, list[tuple]] = {}
    connection = bind.connect() if isinstance(bind, Engine) else bind
    try:
        for name in names:
            table = METADATA.tables[name]
            columns = [c for c in table.c if c.name != "updated_at"]
            rows = connection.execute(table.select().with_only_columns(*columns)).all()
            out[name] = sorted(tuple(row) for row in rows)
    finally:
        if isinstance(bind, Engine):
            connection.close()
    return out


# -- the web app's pages ------------------------------------------------------------


def overview(bind: Engine | Connection) -> dict[str, int]:
    """The dashboard's counts: tasks, disputes, jurors (ever staked), nodes, reports."""
    (row,) = _query(
        bind,
        "SELECT (SELECT COUNT(*) FROM task_created) AS tasks, "
        "(SELECT COUNT(*) FROM disputes_created) AS disputes, "
        "(SELECT COUNT(DISTINCT juror) FROM juror_stakes) AS jurors, "
        "(SELECT COUNT(*) FROM nodes_registered) AS nodes, "
        "(SELECT COUNT(*) FROM epoch_reports) AS reports",
    )
    return {key: int(value or 0) for key, value in row.items()}


def nodes(bind: Engine | Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Nodes by id with their totals (reports, units less challenged ones)."""
    return _query(
        bind,
        "SELECT node_id, owner, tier, gpu_count, first_epoch, end_epoch, reports, units, "
        "challenges, slashes FROM nodes ORDER BY node_id LIMIT :limit",
        limit=limit,
    )


def annotators(bind: Engine | Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Annotators by accepted work: tasks claimed, accepted (settled 16) with
    their items, and rejected (settled 32), summed over the escrows. Reads the
    `annotator_totals` summary (`labeldao.indexer.summary`), a row per
    annotator, not every claim. Counts are int on both databases."""
    rows = _query(
        bind,
        "SELECT annotator, SUM(claimed) AS claimed, SUM(accepted) AS accepted, "
        "SUM(items_accepted) AS items_accepted, SUM(rejected) AS rejected "
        "FROM annotator_totals GROUP BY annotator "
        "ORDER BY SUM(accepted) DESC, SUM(items_accepted) DESC, annotator LIMIT :limit",
        limit=limit,
    )
    counts = ("claimed", "accepted", "items_accepted", "rejected")
    return [{**row, **{key: int(row[key]) for key in counts}} for row in rows]


def dispute(bind: Engine | Connection, dispute_id: int) -> dict[str, Any] | None:
    """One dispute: its row (as `disputes`), its rounds and every juror's seats
    and revealed choice per round; None when no such dispute was indexed."""
    found = _query(
        bind,
        "SELECT d.dispute_id, d.court, d.arbitrable, d.choices, d.task_id, d.node_id, "
        f"d.rounds, d.ruling, d.fee, d.created_block, {META_EVIDENCE_URI} AS meta_evidence_uri "
        "FROM disputes d "
        "WHERE d.dispute_id = :dispute_id ORDER BY d.created_block LIMIT 1",
        dispute_id=dispute_id,
    )
    if not found:
        return None
    rounds = _query(
        bind,
        "SELECT r.round, r.panel, r.fee, r.evidence_end, p.commit_start, p.reveal_start, "
        "p.appeal_start, p.appeal_end, x.coherent_seats FROM rounds_created r "
        "LEFT JOIN panels p ON p.chain_id = r.chain_id AND p.contract = r.contract "
        "AND p.dispute_id = r.dispute_id AND p.round = r.round "
        "LEFT JOIN rounds_executed x ON x.chain_id = r.chain_id AND x.contract = r.contract "
        "AND x.dispute_id = r.dispute_id AND x.round = r.round "
        "WHERE r.dispute_id = :dispute_id AND r.contract = :court ORDER BY r.round",
        dispute_id=dispute_id,
        court=found[0]["court"],
    )
    votes = _query(
        bind,
        "SELECT round, juror, seats, commitment, choice, coherent, penalty, reward "
        "FROM juror_votes WHERE dispute_id = :dispute_id AND court = :court "
        "ORDER BY round, juror",
        dispute_id=dispute_id,
        court=found[0]["court"],
    )
    for entry in rounds:
        entry["votes"] = [v for v in votes if v["round"] == entry["round"]]
    return {**found[0], "rounds_detail": rounds}
