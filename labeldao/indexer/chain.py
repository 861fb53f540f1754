"""What the indexer reads from a node, and a JSON-RPC implementation with web3.py.

Requests go through web3's provider (`make_request`) and come back as plain
JSON, so that decoding is the ledger's own (eth_abi) and not web3's
per-log object building.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from web3 import HTTPProvider, Web3


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


class Web3Chain:
    """A node reached over JSON-RPC (any URL web3.py's HTTPProvider takes)."""

    def __init__(self, url_or_web3: str | Web3, timeout: float = 60.0) -> None:
        if isinstance(url_or_web3, Web3):
            self.web3 = url_or_web3
        else:
            self.web3 = Web3(HTTPProvider(url_or_web3, request_kwargs={"timeout": timeout}))

    def _call(self, method: str, params: list[Any]) -> Any:
        response = self.web3.provider.make_request(method, params)
        error = response.get("error")
        if error:
            message = error.get("message", str(error)) if isinstance(error, dict) else str(error)
            if any(phrase in message.lower() for phrase in _TOO_MANY):
                raise TooManyResults(message)
            raise ChainError(f"{method}: {message}")
        return response["result"]

    def chain_id(self) -> int:
        return int(self._call("eth_chainId", []), 16)

    def head(self) -> int:
        return int(self._call("eth_blockNumber", []), 16)

    def block(self, number: int) -> Block | None:
        header = self._call("eth_getBlockByNumber", [hex(number), False])
        if header is None:
            return None
        return Block(number, header["hash"].lower(), int(header["timestamp"], 16))

    def transaction_block(self, tx_hash: str | None) -> int | None:
        """The block of a mined transaction, None if unknown."""
        if not tx_hash:
            return None
        receipt = self._call("eth_getTransactionReceipt", [tx_hash])
        return int(receipt["blockNumber"], 16) if receipt else None

    def logs(
        self, addresses: list[str], topics: list[str], start: int, end: int
    ) -> list[dict[str, Any]]:
        query = {
            "fromBlock": hex(start),
            "toBlock": hex(end),
            "address": addresses,
            "topics": [topics],
        }
        return self._call("eth_getLogs", [query])
