"""Turns raw logs into table rows with the contracts' ABIs (eth_abi, no web3 objects)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak

from labeldao.indexer.abi import Abi
from labeldao.indexer.schema import EVENT_COLUMNS, EVENT_TABLES, snake


class DecodeError(RuntimeError):
    """A log or an ABI does not match the ledger's schema."""


def _hex(value: Any) -> str:
    """0x-hex of bytes or of a hex string (web3 returns HexBytes, raw JSON strings)."""
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def _bytes(value: Any) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _plain(kind: str, value: Any) -> Any:
    if kind == "address":
        return value.lower()
    if kind == "bytes32":
        return "0x" + value.hex()
    return value


def _topic(kind: str, topic: bytes) -> Any:
    if kind == "address":
        return "0x" + topic[12:].hex()
    if kind == "bytes32":
        return "0x" + topic.hex()
    if kind == "bool":
        return topic[-1] == 1
    if kind.startswith("uint"):
        return int.from_bytes(topic, "big")
    raise DecodeError(f"indexed {kind} is not supported")


@dataclass(frozen=True)
class EventDecoder:
    """Decodes the logs of one event of one contract into rows of one table."""

    table: str
    columns: tuple[str, ...]
    indexed: tuple[tuple[int, str], ...]  # (column position, ABI type)
    data: tuple[tuple[int, str], ...]

    def row(self, log: dict[str, Any], chain_id: int) -> dict[str, Any]:
        topics = log["topics"]
        values: list[Any] = [None] * len(self.columns)
        for (position, kind), topic in zip(self.indexed, topics[1:], strict=True):
            values[position] = _topic(kind, _bytes(topic))
        if self.data:
            decoded = abi_decode([kind for _, kind in self.data], _bytes(log["data"]))
            for (position, kind), value in zip(self.data, decoded, strict=True):
                values[position] = _plain(kind, value)
        row = dict(zip(self.columns, values, strict=True))
        row.update(
            chain_id=chain_id,
            tx_hash=_hex(log["transactionHash"]),
            log_index=_int(log["logIndex"]),
            block_number=_int(log["blockNumber"]),
            contract=_hex(log["address"]),
        )
        return row


def _signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"


def event_decoders(contract: str, abi: Abi) -> dict[str, EventDecoder]:
    """topic0 (0x-hex) -> decoder, for the indexed events of `contract`."""
    events = {e["name"]: e for e in abi if e.get("type") == "event"}
    decoders: dict[str, EventDecoder] = {}
    for event, table in EVENT_TABLES.get(contract, {}).items():
        entry = events.get(event)
        if entry is None:
            raise DecodeError(f"{contract} has no event {event} in its ABI")
        expected = [column for column, _ in EVENT_COLUMNS[table]]
        names = [snake(i["name"]) for i in entry["inputs"]]
        if names != expected:
            raise DecodeError(
                f"{contract}.{event} has fields {names}, the ledger expects {expected}: "
                "the contract changed; add a migration"
            )
        inputs = list(enumerate(entry["inputs"]))
        decoders["0x" + keccak(text=_signature(entry)).hex()] = EventDecoder(
            table=table,
            columns=tuple(expected),
            indexed=tuple((n, i["type"]) for n, i in inputs if i["indexed"]),
            data=tuple((n, i["type"]) for n, i in inputs if not i["indexed"]),
        )
    return decoders


@dataclass(frozen=True)
class LogDecoder:
    """Decoders of every watched contract, by (address, topic0)."""

    by_address: dict[str, dict[str, EventDecoder]]

    @classmethod
    def build(cls, contracts: dict[str, str], abis: dict[str, Abi]) -> LogDecoder:
        """`contracts`: name -> address; `abis`: name -> ABI."""
        return cls(
            {
                address.lower(): event_decoders(name, abis[name])
                for name, address in contracts.items()
                if name in EVENT_TABLES
            }
        )

    @property
    def addresses(self) -> list[str]:
        return sorted(self.by_address)

    @property
    def topics(self) -> list[str]:
        return sorted({topic for decoders in self.by_address.values() for topic in decoders})

    def decode(self, log: dict[str, Any], chain_id: int) -> tuple[str, dict[str, Any]] | None:
        """(table, row), or None for a log the ledger does not index."""
        topics = log["topics"]
        if not topics:
            return None
        decoders = self.by_address.get(_hex(log["address"]))
        decoder = decoders and decoders.get(_hex(topics[0]))
        if not decoder:
            return None
        return decoder.table, decoder.row(log, chain_id)
