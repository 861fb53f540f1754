"""The juror's local commitment store: every vote is on disk before it is sent.

One JSON file per (chain id, court, juror), by default under `~/.labeldao/`
(`--store DIR` or `LABELDAO_STORE` choose another directory):

    ~/.labeldao/31337-0x8a79...c318-0x7099...79c8.json

The juror CLI writes a commit attempt (dispute, round, salt, choice,
commitment) with status `prepared` and fsyncs it BEFORE the commit
transaction is sent, then records `sent` (with its hash) and `confirmed`
or `failed`, and finally the reveal. A crash at any point therefore leaves
either nothing on chain, or a commitment on chain whose choice and salt are
in this file. The chain stays the source of truth: a `prepared` attempt
whose commitment is on chain is as good as a `confirmed` one
(`Vote.attempt_matching`).

The file never holds a private key. It does hold salts and choices, so
until the reveal it tells whoever reads it how you voted: it is created
with mode 0600 in a 0700 directory. Losing it loses nothing: each salt is
`keccak256` of a deterministic wallet signature (`labeldao.court`) and is
re-derived by `ape run court recover-salt`, and the choice is found by
trying each choice against the commitment on chain.

Writes are atomic (a temporary file in the same directory, fsync'ed, then
`os.replace` and an fsync of the directory) and serialized by an advisory
lock (`flock`), so an `auto-reveal --loop` and a `commit` in another
terminal never lose each other's records.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

STORE_ENV = "LABELDAO_STORE"
FORMAT_VERSION = 1

# Commit attempt statuses, in the order they are written.
PREPARED = "prepared"  # on disk, not sent (or the process died while sending)
SENT = "sent"  # the transaction is out, its hash known
CONFIRMED = "confirmed"  # mined and succeeded
FAILED = "failed"  # mined and reverted, or refused by the node
STATUSES = (PREPARED, SENT, CONFIRMED, FAILED)

# The court keeps the top 224 bits of a commitment (docs/decisions.md).
PREFIX_BYTES = 28


class StoreError(RuntimeError):
    """The store cannot be read or written; the message says which file and why."""


def default_directory(option: str | os.PathLike[str] | None = None) -> Path:
    """The store directory: `option`, else `$LABELDAO_STORE`, else `~/.labeldao`."""
    if option:
        return Path(option).expanduser()
    if env := os.environ.get(STORE_ENV):
        return Path(env).expanduser()
    return Path.home() / ".labeldao"


def same_prefix(a: bytes, b: bytes) -> bool:
    """Whether two commitments agree on the 224 bits the court keeps."""
    return bytes(a)[:PREFIX_BYTES] == bytes(b)[:PREFIX_BYTES]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


@dataclass
class CommitAttempt:
    """One commit of a choice, as prepared, sent and mined."""

    choice: int
    salt: str
    commitment: str
    status: str = PREPARED
    tx_hash: str | None = None
    error: str | None = None
    updated_at: str = field(default_factory=_now)

    @property
    def commitment_bytes(self) -> bytes:
        return _bytes(self.commitment)

    @property
    def salt_bytes(self) -> bytes:
        return _bytes(self.salt)


@dataclass
class Vote:
    """Everything the juror needs to reveal one round: its commit attempts,
    each with its choice and salt (a later commit in the period replaces an
    earlier one, and a failed one leaves the earlier one on chain)."""

    dispute_id: int
    round: int
    attempts: list[CommitAttempt] = field(default_factory=list)
    revealed_choice: int | None = None
    reveal_tx: str | None = None

    @property
    def key(self) -> str:
        return vote_key(self.dispute_id, self.round)

    @property
    def latest(self) -> CommitAttempt | None:
        return self.attempts[-1] if self.attempts else None

    def attempt_matching(self, onchain_prefix: bytes) -> CommitAttempt | None:
        """The newest attempt whose commitment is the one the court holds."""
        for attempt in reversed(self.attempts):
            if same_prefix(attempt.commitment_bytes, onchain_prefix):
                return attempt
        return None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Vote:
        attempts = [CommitAttempt(**a) for a in raw.get("attempts", [])]
        return cls(
            dispute_id=int(raw["dispute_id"]),
            round=int(raw["round"]),
            attempts=attempts,
            revealed_choice=raw.get("revealed_choice"),
            reveal_tx=raw.get("reveal_tx"),
        )


def vote_key(dispute_id: int, round_: int) -> str:
    return f"{dispute_id}:{round_}"


def write_atomically(path: Path, text: str) -> None:
    """Replaces `path` with `text` so that a crash leaves the old or the new
    file, never a part of one, and the new one is on disk when this returns."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class CommitmentStore:
    """The votes of one juror at one court on one chain."""

    def __init__(self, directory: Path, *, chain_id: int, court: str, juror: str) -> None:
        self.directory = Path(directory)
        self.chain_id = int(chain_id)
        self.court = to_checksum_address(str(court))
        self.juror = to_checksum_address(str(juror))

    @property
    def path(self) -> Path:
        name = f"{self.chain_id}-{self.court.lower()}-{self.juror.lower()}.json"
        return self.directory / name

    # -- reading ----------------------------------------------------------

    def _empty(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "chain_id": self.chain_id,
            "court": self.court,
            "juror": self.juror,
            "signer_deterministic": False,
            "votes": {},
        }

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return self._empty()
        try:
            data = json.loads(self.path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"{self.path}: unreadable ({exc}); move it away and run "
                "`court recover-salt` for each open vote"
            ) from None
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise StoreError(f"{self.path}: not a version {FORMAT_VERSION} commitment store")
        expected = (self.chain_id, self.court.lower(), self.juror.lower())
        found = (
            data.get("chain_id"),
            str(data.get("court", "")).lower(),
            str(data.get("juror", "")).lower(),
        )
        if found != expected:
            raise StoreError(
                f"{self.path}: holds votes of chain {found[0]}, court {found[1]}, "
                f"juror {found[2]}, not of this one"
            )
        return data

    def votes(self) -> list[Vote]:
        """Every recorded vote, by dispute and round."""
        data = self._read()
        votes = [Vote.from_json(v) for v in data["votes"].values()]
        return sorted(votes, key=lambda v: (v.dispute_id, v.round))

    def get(self, dispute_id: int, round_: int) -> Vote | None:
        raw = self._read()["votes"].get(vote_key(dispute_id, round_))
        return None if raw is None else Vote.from_json(raw)

    @property
    def signer_deterministic(self) -> bool:
        """Whether this juror's signer was seen to sign the salt message twice alike."""
        return bool(self._read().get("signer_deterministic"))

    # -- writing ----------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[dict[str, Any]]:
        """Read-modify-write under an exclusive lock; written atomically on exit."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                data = self._read()
                yield data
                data["updated_at"] = _now()
                write_atomically(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def mark_signer_deterministic(self) -> None:
        with self._transaction() as data:
            data["signer_deterministic"] = True

    def prepare(
        self, dispute_id: int, round_: int, *, salt: bytes, choice: int, commitment: bytes
    ) -> Vote:
        """Records a commit attempt as `prepared`; on disk when this returns.

        Call it BEFORE sending the commit transaction.
        """
        with self._transaction() as data:
            key = vote_key(dispute_id, round_)
            raw = data["votes"].get(key)
            vote = Vote(dispute_id, round_) if raw is None else Vote.from_json(raw)
            vote.attempts.append(
                CommitAttempt(choice=choice, salt=_hex(salt), commitment=_hex(commitment))
            )
            data["votes"][key] = vote.to_json()
        return vote

    def update_attempt(
        self,
        dispute_id: int,
        round_: int,
        commitment: bytes,
        status: str,
        *,
        tx_hash: str | None = None,
        error: str | None = None,
    ) -> None:
        """Moves the newest attempt with this commitment to `status`."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._transaction() as data:
            raw = data["votes"].get(vote_key(dispute_id, round_))
            if raw is None:
                raise StoreError(
                    f"{self.path}: no vote recorded for dispute {dispute_id} round {round_}"
                )
            vote = Vote.from_json(raw)
            for attempt in reversed(vote.attempts):
                if attempt.commitment_bytes == bytes(commitment):
                    attempt.status = status
                    attempt.tx_hash = tx_hash or attempt.tx_hash
                    attempt.error = error
                    attempt.updated_at = _now()
                    break
            else:
                raise StoreError(f"{self.path}: no attempt with commitment {_hex(commitment)}")
            data["votes"][vote.key] = vote.to_json()

    def mark_revealed(
        self, dispute_id: int, round_: int, *, choice: int, tx_hash: str | None
    ) -> None:
        """Records the reveal of a vote."""
        with self._transaction() as data:
            key = vote_key(dispute_id, round_)
            raw = data["votes"].get(key)
            if raw is None:
                raise StoreError(
                    f"{self.path}: no vote recorded for dispute {dispute_id} round {round_}"
                )
            vote = Vote.from_json(raw)
            vote.revealed_choice = choice
            vote.reveal_tx = tx_hash
            data["votes"][key] = vote.to_json()

    def restore(
        self, dispute_id: int, round_: int, *, salt: bytes, choice: int, commitment: bytes
    ) -> Vote:
        """Writes back a vote recovered from the wallet and the chain
        (`recover-salt`): the committed choice and its salt, as confirmed."""
        with self._transaction() as data:
            key = vote_key(dispute_id, round_)
            raw = data["votes"].get(key)
            vote = Vote(dispute_id, round_) if raw is None else Vote.from_json(raw)
            for attempt in vote.attempts:
                if attempt.commitment_bytes == bytes(commitment):
                    attempt.status = CONFIRMED
                    attempt.updated_at = _now()
                    break
            else:
                vote.attempts.append(
                    CommitAttempt(
                        choice=choice,
                        salt=_hex(salt),
                        commitment=_hex(commitment),
                        status=CONFIRMED,
                    )
                )
            data["votes"][key] = vote.to_json()
        return vote
