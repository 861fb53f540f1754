"""What the indexer reads from a node, and a JSON-RPC implementation with web3.py.

Requests go through web3's provider (`make_request`) and come back as plain
JSON, so that decoding is the ledger's own (eth_abi) and not web3's
per-log object building.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from web3 import HTTPProvider, Web3
from web3.providers import JSONBaseProvider


class ChainError(RuntimeError):
    """The node answered with an error."""


class TooManyResults(ChainError):
    """The node refused a log range as too large (the caller halves it)."""


# Phrases nodes use when a log query is too large (geth, erigon, alchemy,
# infura, quicknode, anvil, ...).
_TOO_MANY = (
    "too many",
    "limit exceeded",
    "exceed",
    "range is too large",
    "block range",
    "query returned more than",
    "response size",
    "max results",
)


@dataclass(frozen=True)
class Block:
    number: int
    hash: str
    timestamp: int


class ChainSource(Protocol):
    """The node as the indexer sees it."""

    def chain_id(self) -> int: ...

    def head(self) -> int: ...

    def block(self, number: int) -> Block | None: ...

    def logs(
        self, addresses: list[str], topics: list[str], start: int, end: int
    ) -> list[dict[str, Any]]: ...


def _quantity(value: Any) -> int:
    """A JSON-RPC quantity ("0x1f") or the int an in-process provider gives."""
    return int(value, 16) if isinstance(value, str) else int(value)


def _data(value: Any) -> str:
    """Lower-case 0x-hex, from hex text or the bytes an in-process provider gives."""
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


def _json_log(log: dict[str, Any]) -> dict[str, Any]:
    """A log as a JSON-RPC node sends it (in-process providers, such as the
    embedded test chain's, answer with ints and bytes)."""
    out = dict(log)
    for key in ("blockNumber", "logIndex", "transactionIndex", "blockTimestamp"):
        if key in out and out[key] is not None and not isinstance(out[key], str):
            out[key] = hex(out[key])
    for key in ("blockHash", "transactionHash", "data", "address"):
        if key in out and out[key] is not None:
            out[key] = _data(out[key])
    out["topics"] = [_data(topic) for topic in out.get("topics", [])]
    return out


class Web3Chain:
    """A node reached over JSON-RPC (any URL web3.py's HTTPProvider takes)."""

    def __init__(self, url_or_web3: str | Web3, timeout: float = 60.0) -> None:
        if isinstance(url_or_web3, Web3):
            self.web3 = url_or_web3
        else:
            self.web3 = Web3(HTTPProvider(url_or_web3, request_kwargs={"timeout": timeout}))

    def _call(self, method: str, params: list[Any]) -> Any:
        if not isinstance(self.web3.provider, JSONBaseProvider):
            return self._call_in_process(method, params)
        response = self.web3.provider.make_request(method, params)
        error = response.get("error")
        if error:
            message = error.get("message", str(error)) if isinstance(error, dict) else str(error)
            if any(phrase in message.lower() for phrase in _TOO_MANY):
                raise TooManyResults(message)
            raise ChainError(f"{method}: {message}")
        return response["result"]

    def _call_in_process(self, method: str, params: list[Any]) -> Any:
        """Through web3's request formatters (an in-process provider, such as the
        embedded test chain's, takes Python values rather than JSON)."""
        try:
            result = self.web3.manager.request_blocking(method, params)
        except Exception as error:  # the provider's own error types
            message = str(error)
            if any(phrase in message.lower() for phrase in _TOO_MANY):
                raise TooManyResults(message) from None
            raise ChainError(f"{method}: {message}") from None
        if isinstance(result, list):
            return [dict(item) if isinstance(item, Mapping) else item for item in result]
        return dict(result) if isinstance(result, Mapping) else result

    def chain_id(self) -> int:
        return _quantity(self._call("eth_chainId", []))

    def head(self) -> int:
        return _quantity(self._call("eth_blockNumber", []))

    def block(self, number: int) -> Block | None:
        header = self._call("eth_getBlockByNumber", [hex(number), False])
        if header is None:
            return None
        return Block(number, _data(header["hash"]), _quantity(header["timestamp"]))

    def transaction_block(self, tx_hash: str | None) -> int | None:
        """The block of a mined transaction, None if unknown."""
        if not tx_hash:
            return None
        receipt = self._call("eth_getTransactionReceipt", [tx_hash])
        return _quantity(receipt["blockNumber"]) if receipt else None

    def logs(
        self, addresses: list[str], topics: list[str], start: int, end: int
    ) -> list[dict[str, Any]]:
        query = {
            "fromBlock": hex(start),
            "toBlock": hex(end),
            "address": addresses,
            "topics": [topics],
        }
        logs = self._call("eth_getLogs", [query])
        if isinstance(self.web3.provider, JSONBaseProvider):
            return logs
        return [_json_log(log) for log in logs]
