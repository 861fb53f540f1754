"""Small helpers the tests share: keyed accounts and event filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_utils import keccak


@dataclass(frozen=True)
class KeyedAccount:
    """An account whose private key the test knows (to sign EIP-712)."""

    address: str
    key: bytes

    def __str__(self) -> str:
        return self.address


def keyed_account(name: str) -> KeyedAccount:
    """A deterministic account derived from `name` (never use on a real chain)."""
    key = keccak(text=f"labeldao-test-{name}")
    return KeyedAccount(address=Account.from_key(key).address, key=key)


def events(contract: Any, name: str) -> list[Any]:
    """The events called `name` that the last call to `contract` logged.

    Call it right after the transaction: any later call, views included,
    replaces the computation whose logs are read.
    """
    return [log for log in contract.get_logs() if type(log).__name__ == name]


def named(logs: list[Any], name: str) -> list[Any]:
    """The events called `name` among decoded `logs`."""
    return [log for log in logs if type(log).__name__ == name]
