"""The indexing loop: backfill in block ranges, follow the head, undo reorgs.

One cycle: check that the checkpoint's block is still on the chain (else
rewind to the newest stored block that is, deleting every row after it),
read the logs of the next range up to `head - confirmations`, decode them
and write them with the new checkpoint in one transaction. The range
halves when the node refuses it as too large and grows back after each
success. Restarting runs the same check first, so a killed process loses
nothing and duplicates nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from labeldao.indexer.chain import Block, ChainSource, TooManyResults
from labeldao.indexer.decode import LogDecoder
from labeldao.indexer.store import Batch, Checkpoint, Ledger

MAX_SPAN = 10_000
MIN_SPAN = 1


class IndexerError(RuntimeError):
    """The indexer cannot go on; the message says why."""


@dataclass
class Progress:
    """What one `run` did."""

    blocks: int = 0
    events: int = 0
    last_block: int | None = None


@dataclass
class Indexer:
    """Indexes the logs of `contracts` (name -> address) from `start_block` on."""

    chain: ChainSource
    ledger: Ledger
    decoder: LogDecoder
    start_block: int
    confirmations: int = 0
    span: int = 2_000
    max_span: int = MAX_SPAN
    log: Callable[[str], None] = lambda _message: None
    chain_id: int = 0
    _blocks: dict[int, Block] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.chain_id = self.chain.chain_id()

    # -- reorganisations ------------------------------------------------------

    def _hash_at(self, number: int) -> str | None:
        block = self.chain.block(number)
        return block.hash if block else None

    def verify(self) -> Checkpoint | None:
        """The checkpoint if it is still canonical, else the rewound one."""
        checkpoint = self.ledger.checkpoint(self.chain_id)
        if checkpoint is None or self._hash_at(checkpoint.block_number) == checkpoint.block_hash:
            return checkpoint
        base: Checkpoint | None = None
        for number, stored in self.ledger.stored_blocks(self.chain_id, checkpoint.block_number):
            if self._hash_at(number) == stored:
                base = Checkpoint(number, stored)
                break
        self.ledger.rewind(self.chain_id, base)
        self.log(
            f"reorg: block {checkpoint.block_number} is no longer canonical; "
            f"rewound to {base.block_number if base else 'the start'}"
        )
        return base

    # -- reading --------------------------------------------------------------

    def _logs(self, start: int, end: int) -> tuple[list[dict[str, Any]], int]:
        """Logs of [start, end'] for the largest end' <= end the node accepts."""
        while True:
            try:
                logs = self.chain.logs(self.decoder.addresses, self.decoder.topics, start, end)
                return logs, end
            except TooManyResults:
                if end == start:
                    raise
                end = start + (end - start + 1) // 2 - 1
                self.span = max(MIN_SPAN, end - start + 1)

    def _timestamp(self, log: dict[str, Any]) -> int:
        stamp = log.get("blockTimestamp")
        if stamp is not None:
            return int(stamp, 16) if isinstance(stamp, str) else int(stamp)
        number = int(log["blockNumber"], 16)
        if number not in self._blocks:
            block = self.chain.block(number)
            if block is None:
                raise IndexerError(f"block {number} vanished while indexing")
            self._blocks[number] = block
        return self._blocks[number].timestamp

    def _batch(self, start: int, target: int) -> Batch | None:
        """The next range's batch, or None when the chain moved under it (retry)."""
        end = min(target, start + self.span - 1)
        before = self.chain.block(end)
        logs, read_end = self._logs(start, end)
        if read_end != end:
            return None  # the span shrank: read the smaller range afresh
        last = self.chain.block(end)
        if before is None or last is None or before.hash != last.hash:
            return None
        rows: dict[str, list[dict[str, Any]]] = {}
        blocks: dict[int, tuple[str, int]] = {}
        for log in logs:
            if log.get("removed"):
                continue
            decoded = self.decoder.decode(log, self.chain_id)
            if decoded is None:
                continue
            table, row = decoded
            rows.setdefault(table, []).append(row)
            blocks[row["block_number"]] = (log["blockHash"].lower(), self._timestamp(log))
        if end in blocks and blocks[end][0] != last.hash:
            return None
        self._blocks.clear()
        return Batch(rows, blocks, Checkpoint(end, last.hash))

    # -- the loop -------------------------------------------------------------

    def step(self) -> tuple[int, int] | None:
        """Indexes one range; (blocks, events) done, or None when at the target."""
        checkpoint = self.verify()
        target = self.chain.head() - self.confirmations
        start = self.start_block if checkpoint is None else checkpoint.block_number + 1
        if start > target:
            return None
        batch = self._batch(start, target)
        if batch is None:
            self.log(f"the chain changed while reading from block {start}; retrying")
            return 0, 0
        self.ledger.write(self.chain_id, batch)
        self.span = min(self.max_span, self.span * 2)
        return batch.checkpoint.block_number - start + 1, batch.size

    ANALYZE_AFTER = 50_000  # rows written by one run before the statistics are refreshed

    def run(
        self,
        follow: bool = False,
        poll_seconds: float = 2.0,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Progress:
        """Backfills to the head; with `follow`, keeps following it until stopped."""
        progress = Progress()
        analyzed_at = 0
        while not should_stop():
            done = self.step()
            if progress.events - analyzed_at >= self.ANALYZE_AFTER and (done is None or follow):
                self.ledger.analyze()
                analyzed_at = progress.events
            if done is None:
                if not follow:
                    break
                time.sleep(poll_seconds)
                continue
            progress.blocks += done[0]
            progress.events += done[1]
            checkpoint = self.ledger.checkpoint(self.chain_id)
            progress.last_block = checkpoint.block_number if checkpoint else None
        return progress
