"""The simulation's last check: the ledger equals the contracts.

At the end of a run (`engine.run(..., ledger=PATH)`), every log the run's
transactions emitted (recorded by `labeldao.boa_logs.LogRecorder` from the
deployment on) is indexed by the real indexer into a fresh SQLite database
at PATH, and `labeldao.indexer.reconcile` compares it with the contracts'
own views at the indexed block: token balances and supply, task status,
the escrow's books, node and juror stakes, epoch totals, and the summary
tables against their event rows. The result goes into the run's
`extra["ledger"]` (and `summary.json`); `require` raises `LedgerMismatch`
for a failed check (`ape run simulate` writes the run's results, then
exits 3 with one line naming the first differences).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from labeldao.boa_logs import LogRecorder, RecordedChain, boa_view
from labeldao.boa_system import BoaSystem
from labeldao.indexer.cli import ERRORS
from labeldao.indexer.indexer import IndexerError
from labeldao.indexer.reconcile import ViewCall
from labeldao.indexer.verify import check_ledger

SHOWN = 3  # differences named in the one-line message
KEPT = 20  # differences kept in the summary


class LedgerMismatch(RuntimeError):
    """The indexed ledger and the contracts' views disagree."""

    def __init__(self, block: int, count: int, differences: list[str]) -> None:
        self.block, self.count, self.differences = block, count, differences
        more = count - min(SHOWN, len(differences))
        super().__init__(
            f"ledger check failed at block {block}: {count} difference(s) between "
            f"the indexed events and the contracts' views: {'; '.join(differences[:SHOWN])}"
            + (f"; and {more} more" if more > 0 else "")
        )

    def __reduce__(self) -> tuple[type, tuple[int, int, list[str]]]:
        # raised in a worker process, re-raised here
        return LedgerMismatch, (self.block, self.count, self.differences)


@dataclass(frozen=True)
class LedgerCheck:
    """What the check did: events indexed, view calls compared, how long,
    and what differed (the first `KEPT` differences, and how many)."""

    database: str
    block: int
    events: int
    view_calls: int
    seconds: float
    difference_count: int = 0
    differences: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.difference_count == 0, **asdict(self)}


def line(check: dict[str, Any]) -> str:
    """The line `simulate` prints (`check` is `LedgerCheck.as_dict()`)."""
    where = f"{check['events']:,} events indexed into {check['database']}"
    if not check["passed"]:
        return (
            f"ledger check FAILED: {where}, {check['difference_count']:,} difference(s) "
            f"from {check['view_calls']:,} contract views at block {check['block']:,}"
        )
    return (
        f"ledger check passed: {where}, equal to {check['view_calls']:,} contract views "
        f"at block {check['block']:,} ({check['seconds']:.1f} s)"
    )


def require(check: dict[str, Any] | None) -> None:
    """Raises `LedgerMismatch` for a failed check (None: not run)."""
    if check is not None and not check["passed"]:
        raise LedgerMismatch(check["block"], check["difference_count"], check["differences"])


@contextmanager
def recording(recorder: LogRecorder | None) -> Iterator[LogRecorder | None]:
    """Records the logs while active; nothing when `recorder` is None (no check)."""
    with recorder.recording() if recorder is not None else nullcontext():
        yield recorder


def _fresh(database: Path) -> None:
    """No ledger of an earlier run at `database` (SQLite's side files too)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def check(recorder: LogRecorder, system: BoaSystem, database: Path) -> LedgerCheck:
    """Indexes the recorded logs of `system`'s contracts into a fresh SQLite
    ledger at `database` and reconciles it with the contracts' views now.
    An indexer that cannot go on (a log it cannot decode, ...) fails the
    check with its message rather than losing the run."""
    started = time.perf_counter()
    _fresh(database)
    chain = RecordedChain(recorder)

    def views_at(block: int) -> ViewCall:
        if block != chain.head():
            raise IndexerError(
                f"the ledger reached block {block}, the chain is at {chain.head()}: "
                "titanoboa keeps no history to read views at an older block"
            )
        return boa_view(system.contracts)

    contracts = {name: str(contract.address) for name, contract in system.contracts.items()}
    start = recorder.first_block if recorder.first_block is not None else chain.head()
    try:
        checked = check_ledger(chain, views_at, contracts, f"sqlite:///{database}", start)
    except ERRORS as error:
        return LedgerCheck(
            str(database),
            chain.head(),
            0,
            0,
            _since(started),
            1,
            (f"the indexer stopped: {error}",),
        )
    checked.engine.dispose()
    differences = [str(d) for d in checked.differences]
    return LedgerCheck(
        str(database),
        checked.block,
        checked.events,
        checked.view_calls,
        _since(started),
        len(differences),
        tuple(differences[:KEPT]),
    )


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
