"""titanoboa's embedded chain as the indexer's `ChainSource`, and its views
as reconcile's `ViewCall`.

titanoboa has no JSON-RPC node, no blocks and no transaction hashes: it
executes messages against a state whose block number and timestamp the
caller sets. `LogRecorder` wraps the two calls every transaction goes
through (`Env.execute_code`, `Env.deploy`, as `labeldao.assurance.throughput`
does) and keeps the logs of each one that changed state. `RecordedChain` serves
them as a node would: each recorded transaction gets a hash (keccak of the
chain id and its position), each block a hash (keccak of its number), logs
are numbered within their block, and every block up to the current one
exists. The indexer decodes and stores them with its own code.

    recorder = LogRecorder()
    with recorder.recording():
        ...  # deploy, transact
    chain = RecordedChain(recorder)
    view = boa_view(contracts)  # the state now, i.e. at chain.head()
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boa
from boa.environment import Env
from eth_utils import keccak, to_checksum_address

from labeldao.boa_tools import intercepting_messages
from labeldao.indexer.chain import Block
from labeldao.indexer.reconcile import ViewCall


@dataclass(frozen=True, slots=True)
class RecordedLog:
    """One log as titanoboa emitted it, with where it landed."""

    block_number: int
    timestamp: int
    transaction: int  # position of its transaction among all recorded ones
    address: bytes
    topics: tuple[int, ...]
    data: bytes


@dataclass
class LogRecorder:
    """The logs of every state-changing message while `recording()` is active."""

    logs: list[RecordedLog] = field(default_factory=list)
    transactions: int = 0
    timestamps: dict[int, int] = field(default_factory=dict)  # block -> first timestamp seen

    @contextmanager
    def recording(self) -> Iterator[LogRecorder]:
        """Patches `Env.execute_code` and `Env.deploy` for the duration."""

        def execute_code(original: Any, env: Env, *args: Any, **kwargs: Any) -> Any:
            computation = original(env, *args, **kwargs)
            if kwargs.get("is_modifying", True) and not kwargs.get("simulate", False):
                self._add(env, computation)
            return computation

        def deploy(original: Any, env: Env, *args: Any, **kwargs: Any) -> Any:
            address, computation = original(env, *args, **kwargs)
            self._add(env, computation)
            return address, computation

        with intercepting_messages(execute_code, deploy):
            yield self

    @property
    def first_block(self) -> int | None:
        """The block of the first recorded transaction (None before any)."""
        return min(self.timestamps) if self.timestamps else None

    def _add(self, env: Env, computation: Any) -> None:
        """One transaction; its logs unless it reverted (py-evm drops those)."""
        patch = env.evm.patch
        number, timestamp = int(patch.block_number), int(patch.timestamp)
        self.timestamps.setdefault(number, timestamp)
        for _, address, topics, data in computation.get_raw_log_entries():
            self.logs.append(
                RecordedLog(number, timestamp, self.transactions, address, tuple(topics), data)
            )
        self.transactions += 1


def block_hash(number: int) -> str:
    """The made-up hash of block `number` (titanoboa has none; it never reorgs)."""
    return "0x" + keccak(b"labeldao-boa-block:" + number.to_bytes(32, "big")).hex()


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


class RecordedChain:
    """The recorded logs of titanoboa's current environment, served the way
    `labeldao.indexer.chain.Web3Chain` serves a node's (JSON-RPC shapes,
    built only for the logs a query returns: a year-long run records
    millions)."""

    def __init__(self, recorder: LogRecorder, env: Env | None = None) -> None:
        self.env = env or boa.env
        self._chain_id = int(self.env.evm.patch.chain_id)
        self._logs = sorted(recorder.logs, key=lambda log: (log.block_number, log.transaction))
        self._blocks = [log.block_number for log in self._logs]
        self._numbers = self._numbered(self._logs)
        self._timestamps = sorted(recorder.timestamps.items())

    @staticmethod
    def _numbered(logs: list[RecordedLog]) -> list[tuple[int, int]]:
        """Each log's index and its transaction's index within its block."""
        out: list[tuple[int, int]] = []
        block, first_tx, index = -1, 0, 0
        for log in logs:
            if log.block_number != block:
                block, first_tx, index = log.block_number, log.transaction, 0
            out.append((index, log.transaction - first_tx))
            index += 1
        return out

    def _json(self, at: int) -> dict[str, Any]:
        log, (index, tx_index) = self._logs[at], self._numbers[at]
        tx = keccak(f"labeldao-boa-tx:{self._chain_id}:{log.transaction}".encode())
        return {
            "address": "0x" + bytes(log.address).hex(),
            "topics": [_word(topic) for topic in log.topics],
            "data": "0x" + bytes(log.data).hex(),
            "blockNumber": hex(log.block_number),
            "blockHash": block_hash(log.block_number),
            "blockTimestamp": hex(log.timestamp),
            "transactionHash": "0x" + tx.hex(),
            "transactionIndex": hex(tx_index),
            "logIndex": hex(index),
            "removed": False,
        }

    def chain_id(self) -> int:
        return self._chain_id

    def head(self) -> int:
        return int(self.env.evm.patch.block_number)

    def block(self, number: int) -> Block | None:
        if number < 0 or number > self.head():
            return None
        at = bisect.bisect_right(self._timestamps, (number, float("inf")))
        timestamp = self._timestamps[at - 1][1] if at else 0
        return Block(number, block_hash(number), timestamp)

    def logs(
        self, addresses: list[str], topics: list[str], start: int, end: int
    ) -> list[dict[str, Any]]:
        wanted_addresses = {bytes.fromhex(a.lower().removeprefix("0x")) for a in addresses}
        wanted_topics = {int(topic, 16) for topic in topics}
        first = bisect.bisect_left(self._blocks, start)
        last = bisect.bisect_right(self._blocks, end)
        return [
            self._json(at)
            for at in range(first, last)
            if bytes(self._logs[at].address) in wanted_addresses
            and self._logs[at].topics
            and self._logs[at].topics[0] in wanted_topics
        ]


def _argument(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def boa_view(contracts: dict[str, Any]) -> ViewCall:
    """A `ViewCall` on titanoboa contract objects (name -> contract): the
    current state, which is the state at `RecordedChain.head()`."""

    def call(contract: str, function: str, args: tuple) -> Any:
        return getattr(contracts[contract], function)(*(_argument(a) for a in args))

    return call
