"""The ledger's database: connection, migrations, batch writes and rewinds.

Every batch of rows is written in one transaction together with the
checkpoint (the last block indexed and its hash), so the database never
holds rows past its checkpoint or a checkpoint past its rows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, insert, select
from sqlalchemy.engine import make_url

from labeldao.indexer import summary
from labeldao.indexer.abi import REPO_ROOT
from labeldao.indexer.schema import EVENT_TABLE_NAMES, METADATA

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE = Path(".labeldao") / "ledger.sqlite"


class StoreError(RuntimeError):
    """The database cannot be used; the message says why."""


def database_url(explicit: str | None = None, root: Path = REPO_ROOT) -> str:
    """`explicit`, else $DATABASE_URL, else the SQLite file under the project."""
    url = explicit or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{root / DEFAULT_SQLITE}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def connect(url: str) -> Engine:
    """An engine for `url`; a SQLite file's folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Brings the schema to `revision` with the Alembic migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@dataclass(frozen=True)
class Checkpoint:
    block_number: int
    block_hash: str


@dataclass
class Batch:
    """Rows of one block range, written atomically with the new checkpoint."""

    rows: dict[str, list[dict[str, Any]]]
    blocks: dict[int, tuple[str, int]]  # number -> (hash, timestamp), blocks with rows
    checkpoint: Checkpoint

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


class Ledger:
    """Reads and writes the indexer's bookkeeping and the event rows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tables = METADATA.tables

    def checkpoint(self, chain_id: int) -> Checkpoint | None:
        table = self.tables["checkpoint"]
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table.c.block_number, table.c.block_hash).where(table.c.chain_id == chain_id)
            ).first()
        return Checkpoint(row.block_number, row.block_hash) if row else None

    def _set_checkpoint(self, connection: Any, chain_id: int, checkpoint: Checkpoint) -> None:
        table = self.tables["checkpoint"]
        values = {
            "block_number": checkpoint.block_number,
            "block_hash": checkpoint.block_hash,
            "updated_at": int(time.time()),
        }
        updated = connection.execute(
            table.update().where(table.c.chain_id == chain_id).values(**values)
        )
        if updated.rowcount == 0:
            connection.execute(insert(table).values(chain_id=chain_id, **values))

    def write(self, chain_id: int, batch: Batch) -> None:
        """The batch's rows, its blocks and the checkpoint, in one transaction."""
        with self.engine.begin() as connection:
            for name, rows in batch.rows.items():
                if rows:
                    connection.execute(insert(self.tables[name]), rows)
            if batch.blocks:
                connection.execute(
                    insert(self.tables["blocks"]),
                    [
                        {"chain_id": chain_id, "number": n, "hash": h, "timestamp": t}
                        for n, (h, t) in sorted(batch.blocks.items())
                    ],
                )
            summary.refresh_batch(connection, chain_id, batch.rows)
            self._set_checkpoint(connection, chain_id, batch.checkpoint)

    def stored_blocks(self, chain_id: int, below: int) -> Iterator[tuple[int, str]]:
        """Stored (number, hash) of blocks under `below`, newest first."""
        table = self.tables["blocks"]
        query = (
            select(table.c.number, table.c.hash)
            .where(table.c.chain_id == chain_id, table.c.number < below)
            .order_by(table.c.number.desc())
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query.limit(1024)).all()
        yield from ((row.number, row.hash) for row in rows)

    def rewind(self, chain_id: int, checkpoint: Checkpoint | None) -> None:
        """Deletes every row after `checkpoint` (all rows when None), in one transaction."""
        after = -1 if checkpoint is None else checkpoint.block_number
        with self.engine.begin() as connection:
            touched = summary.keys_after(connection, chain_id, after)
            annotators = summary.annotator_keys_after(connection, chain_id, after)
            for name in EVENT_TABLE_NAMES:
                table = self.tables[name]
                connection.execute(
                    delete(table).where(table.c.chain_id == chain_id, table.c.block_number > after)
                )
            blocks = self.tables["blocks"]
            connection.execute(
                delete(blocks).where(blocks.c.chain_id == chain_id, blocks.c.number > after)
            )
            summary.refresh(connection, chain_id, touched)
            summary.refresh_annotators(connection, chain_id, annotators)
            if checkpoint is None:
                table = self.tables["checkpoint"]
                connection.execute(delete(table).where(table.c.chain_id == chain_id))
            else:
                self._set_checkpoint(connection, chain_id, checkpoint)

    def analyze(self) -> None:
        """Refreshes the planner's statistics (after a large backfill the
        PostgreSQL planner otherwise still believes the tables empty)."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

    def record_contracts(self, chain_id: int, contracts: Mapping[str, tuple[str, int]]) -> None:
        """Name -> (address, start block) of the indexed contracts."""
        table = self.tables["contracts"]
        with self.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.chain_id == chain_id))
            connection.execute(
                insert(table),
                [
                    {"chain_id": chain_id, "name": n, "address": a.lower(), "start_block": b}
                    for n, (a, b) in sorted(contracts.items())
                ],
            )

    def recorded_contracts(self, chain_id: int) -> dict[str, str]:
        table = self.tables["contracts"]
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).where(table.c.chain_id == chain_id)).all()
        return {row.name: row.address for row in rows}
