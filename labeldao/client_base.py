"""What the requester's, annotator's and provider's clients share with the
juror's (`labeldao.juror`, whose `CourtClient` acts through the same
`Wallet`): a `Backend` (Ape or titanoboa) that sends transactions from one
account after a dry run, refusals that say why and when an action becomes
possible, revert strings in plain words, token approvals and EIP-2612
permits, and readers of CSV/JSONL input files.

No Ape or titanoboa import here: `labeldao.ape_clients` and the tests'
titanoboa backend plug in through `Backend`.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from eth_utils import to_checksum_address

from labeldao.signing import PERMIT_TYPES, token_domain
from labeldao.units import format_ldao

PERMIT_LIFETIME = 3_600  # seconds a permit signed by the CLI stays valid


class JurorError(RuntimeError):
    """Something the juror asked for cannot be done; the message says why
    and, when it depends on time, when it becomes possible."""


class Reverted(RuntimeError):
    """The chain refused a transaction (or its dry run); `reason` is the
    contract's revert string when there is one."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Backend(Protocol):
    """What the client needs from a chain and a wallet."""

    chain_id: int
    juror: str | None

    def now(self) -> int:
        """The timestamp of the chain's latest block."""
        ...

    def sign_typed(self, message: dict[str, Any]) -> bytes:
        """The juror's 65-byte signature of an EIP-712 message."""
        ...

    def send(
        self,
        contract: Any,
        method: str,
        *args: Any,
        on_sent: Callable[[str | None], None] | None = None,
    ) -> str | None:
        """Sends `contract.method(*args)` from the juror, calls `on_sent` with
        the hash once it is out, and returns it once mined; raises Reverted."""
        ...


T = TypeVar("T")


def from_struct(cls: type[T], raw: Any) -> T:
    """Builds a record from a struct returned by Ape or titanoboa (both give
    attribute access by field name); bytes and addresses are normalized."""
    values = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        value = getattr(raw, item.name)
        if item.type in ("bytes", bytes):
            value = bytes(value)
        elif item.type in ("str", str):
            value = to_checksum_address(str(value))
        elif item.type in ("bool", bool):
            value = bool(value)
        else:
            value = int(value)
        values[item.name] = value
    return cls(**values)


class Refusal(JurorError):
    """An action cannot be done now; the message says why and, when it
    depends on time or on someone else, when it becomes possible."""


_REASON = re.compile(r"((?:escrow|registry|court|erc20|pausable|Pausable):\s[^\n<>'\"]+)")

REVERT_MESSAGES = {
    "pausable: paused": "entries are paused by the guardian (exits still work)",
    "Pausable: paused": "entries are paused by the guardian (exits still work)",
    "erc20: insufficient allowance": "the contract may not spend that much of your LDAO",
    "erc20: transfer amount exceeds balance": "your LDAO balance is too low",
}


def explain(
    reason: str,
    messages: Mapping[str, str] = REVERT_MESSAGES,
    pattern: re.Pattern[str] = _REASON,
) -> str:
    """One line for a revert reason (any text containing it): the revert
    string `pattern` finds, in the plain words of `messages` when it has them."""
    # ABI-decoded strings can keep their zero padding (titanoboa's do).
    cleaned = (reason or "").replace("\x00", "").strip()
    match = pattern.search(cleaned)
    if match is None:
        return f"the transaction reverted ({cleaned or 'no reason given'})"
    found = match.group(1).strip().rstrip(".")
    return messages.get(found, found)


def checksum(address: str, what: str = "address") -> str:
    """A checksummed address, or a Refusal naming `what`."""
    try:
        return to_checksum_address(str(address))
    except ValueError:
        raise Refusal(f"{what}: '{address}' is not an address") from None


@dataclass
class Wallet:
    """The acting account over a `Backend`: sends, approves, signs permits."""

    backend: Backend
    token: Any
    # One line for a revert reason (the court's client gives its own words).
    explain_revert: Callable[[str], str] = explain

    @property
    def address(self) -> str:
        if self.backend.juror is None:
            raise Refusal("this command needs an account: pass --account ALIAS (or TEST::N)")
        return self.backend.juror

    def now(self) -> int:
        return self.backend.now()

    def balance(self, account: str | None = None) -> int:
        return int(self.token.balanceOf(account or self.address))

    def send(self, contract: Any, method: str, *args: Any, **kwargs: Any) -> str | None:
        try:
            return self.backend.send(contract, method, *args, **kwargs)
        except Reverted as exc:
            raise Refusal(f"{method} refused: {self.explain_revert(exc.reason)}") from None

    def require_balance(self, amount: int, what: str) -> None:
        held = self.balance()
        if held < amount:
            raise Refusal(
                f"insufficient LDAO: {what} costs {format_ldao(amount)}, "
                f"you hold {format_ldao(held)}"
            )

    def approve(self, spender: str, amount: int, log: Any) -> None:
        """Approves `spender` for `amount` unless already allowed."""
        if int(self.token.allowance(self.address, spender)) >= amount:
            return
        log(f"approving {spender} to take {format_ldao(amount)}")
        self.send(self.token, "approve", spender, amount)

    def permit(self, spender: str, amount: int) -> tuple[int, int, bytes, bytes]:
        """(deadline, v, r, s) of an EIP-2612 permit signed by the wallet."""
        deadline = self.now() + PERMIT_LIFETIME
        message = {
            "types": PERMIT_TYPES,
            "primaryType": "Permit",
            "domain": token_domain(str(self.token.address), self.backend.chain_id),
            "message": {
                "owner": self.address,
                "spender": checksum(spender),
                "value": amount,
                "nonce": int(self.token.nonces(self.address)),
                "deadline": deadline,
            },
        }
        signature = self.backend.sign_typed(message)
        r, s, v = signature[:32], signature[32:64], signature[64]
        return deadline, v if v >= 27 else v + 27, r, s


# ---------------------------------------------------------------------------
# Input files: CSV (with a header) or JSON Lines
# ---------------------------------------------------------------------------


class InputError(Refusal):
    """An input file is malformed; the message names the file and line."""


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV file (first line: column names), a JSON Lines file
    (`.jsonl`/`.ndjson`, one object per line) or a JSON array of objects."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise InputError(f"{path} line {number}: not JSON") from None
            if not isinstance(row, dict):
                raise InputError(f"{path} line {number}: not a JSON object")
            rows.append(row)
    elif suffix == ".json":
        try:
            rows = json.loads(text)
        except ValueError:
            raise InputError(f"{path}: not JSON") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError(f"{path}: not a JSON array of objects")
    else:
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames:
            raise InputError(f"{path}: empty (a CSV file starts with a line of column names)")
        rows = []
        for row in reader:
            if None in row:
                raise InputError(f"{path} line {reader.line_num}: more values than columns")
            rows.append(dict(row))
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def field(row: Mapping[str, Any], names: tuple[str, ...], where: str) -> Any:
    """The first of `names` present in `row`, or an InputError."""
    for name in names:
        if name in row and row[name] not in (None, ""):
            return row[name]
    raise InputError(f"{where}: no '{names[0]}' column")


def to_int(value: Any, where: str, what: str) -> int:
    try:
        number = int(str(value).strip().replace("_", ""), 0)
    except ValueError:
        raise InputError(f"{where}: {what} '{value}' is not an integer") from None
    if number < 0:
        raise InputError(f"{where}: {what} must not be negative")
    return number


def to_bytes32(value: Any, where: str, what: str) -> bytes:
    text = str(value).strip().removeprefix("0x")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise InputError(f"{where}: {what} '{value}' is not hex") from None
    if len(raw) != 32:
        raise InputError(f"{where}: {what} is {len(raw)} bytes, not 32")
    return raw
