"""The web pages' own reads of the indexer's database (beside
`labeldao.indexer.queries`): the deployment the wallet pages act on, the
ledger's nodes read without the aggregate views (which rescan every
report per page), a juror's seats with their
deadlines, and the candidates of the maintenance buttons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from labeldao.indexer.queries import _address, _query

# Contracts a wallet page may call (their ABIs are served from abi/); the
# court's lens is found at `QualityCourt.LENS()`.
WALLET_CONTRACTS = (
    "RewardToken",
    "QualityCourt",
    "QualityCourtLens",
    "TaskEscrow",
    "ComputeRegistry",
)


def deployment(bind: Engine | Connection) -> dict[str, Any] | None:
    """The indexed chain and its contracts by name (the one with the newest
    checkpoint when several are indexed); None when nothing is indexed."""
    chains = _query(bind, "SELECT chain_id FROM checkpoint ORDER BY updated_at DESC LIMIT 1")
    if not chains:
        chains = _query(bind, "SELECT DISTINCT chain_id FROM contracts LIMIT 1")
    if not chains:
        return None
    chain_id = int(chains[0]["chain_id"])
    rows = _query(
        bind, "SELECT name, address FROM contracts WHERE chain_id = :chain_id", chain_id=chain_id
    )
    if not rows:
        return None
    return {
        "chain_id": chain_id,
        "network": f"chain {chain_id}",
        "contracts": {row["name"]: row["address"] for row in rows},
    }


def nodes(bind: Engine | Connection, limit: int = 100) -> list[dict[str, Any]]:
    """`queries.nodes`, with each node's reports and units summed from the
    `node_epoch_work` summary (the `nodes` view sums `provider_work`, which
    rescans the node's reports and their challenge rulings)."""
    same = "chain_id = n.chain_id AND {t}.contract = n.contract AND {t}.node_id = n.node_id"
    return _query(
        bind,
        "SELECT n.node_id, n.owner, n.tier, n.first_epoch, "
        "COALESCE((SELECT a.gpu_count FROM node_stake_added a WHERE a."
        + same.format(t="a")
        + " ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1), n.gpu_count) AS gpu_count, "
        "(SELECT d.end_epoch FROM node_deactivations d WHERE d."
        + same.format(t="d")
        + " LIMIT 1) AS end_epoch, "
        "COALESCE((SELECT SUM(w.reports) FROM node_epoch_work w WHERE w."
        + same.format(t="w")
        + "), 0) AS reports, "
        "(SELECT SUM(w.units) FROM node_epoch_work w WHERE w." + same.format(t="w") + ") AS units, "
        "(SELECT COUNT(*) FROM challenges c WHERE c." + same.format(t="c") + ") AS challenges, "
        "(SELECT COUNT(*) FROM node_slashes s WHERE s." + same.format(t="s") + ") AS slashes "
        "FROM nodes_registered n ORDER BY n.node_id LIMIT :limit",
        limit=limit,
    )


def juror_seats(bind: Engine | Connection, juror: str) -> list[dict[str, Any]]:
    """A juror's seats, newest first, with the round's commit/reveal/appeal times."""
    return _query(
        bind,
        "SELECT v.dispute_id, v.round, v.seats, v.commitment, v.choice, v.coherent, v.reward, "
        "v.penalty, v.ruling, p.commit_start, p.reveal_start, p.appeal_start, p.appeal_end "
        "FROM juror_votes v LEFT JOIN panels p ON p.chain_id = v.chain_id "
        "AND p.contract = v.court AND p.dispute_id = v.dispute_id AND p.round = v.round "
        "WHERE v.juror = :juror ORDER BY v.drawn_block DESC, v.dispute_id DESC LIMIT 100",
        juror=_address(juror),
    )


def maintenance(bind: Engine | Connection, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """Candidates of the maintenance buttons: the newest disputes without an
    executed ruling (draw, execute, execute_ruling) and the newest tasks not
    settled (finalize, reclaim). The browser shows a button only once its
    action would succeed (simulated against the chain)."""
    disputes = _query(
        bind,
        "SELECT d.dispute_id, COUNT(r.round) AS rounds, MAX(r.panel) AS panel "
        "FROM disputes_created d LEFT JOIN rounds_created r ON r.chain_id = d.chain_id "
        "AND r.contract = d.contract AND r.dispute_id = d.dispute_id "
        "WHERE NOT EXISTS (SELECT 1 FROM rulings x WHERE x.chain_id = d.chain_id "
        "AND x.contract = d.contract AND x.dispute_id = d.dispute_id) "
        "AND d.dispute_id IN (SELECT dispute_id FROM disputes_created "
        "ORDER BY block_number DESC, dispute_id DESC LIMIT :limit) "
        "GROUP BY d.dispute_id ORDER BY d.dispute_id DESC",
        limit=limit,
    )
    tasks = _query(
        bind,
        "SELECT c.task_id, c.n_items FROM task_created c WHERE NOT EXISTS "
        "(SELECT 1 FROM task_settled s WHERE s.chain_id = c.chain_id AND s.contract = c.contract "
        "AND s.task_id = c.task_id) AND c.task_id IN (SELECT task_id FROM task_created "
        "ORDER BY block_number DESC, task_id DESC LIMIT :limit) ORDER BY c.task_id DESC",
        limit=limit * 2,
    )
    return {"disputes": disputes, "tasks": tasks}
