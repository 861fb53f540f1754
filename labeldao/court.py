"""Juror-side helpers for LabelDAO's QualityCourt: commitments and salts.

A juror commits `keccak256(abi_encode(dispute_id, round, juror, choice,
salt))` and later reveals `(choice, salt)`. Losing the salt used to mean
losing the reveal, and being slashed for not revealing. Here the salt is
derived from the juror's wallet:

    salt = keccak256(signature of the EIP-712 message JurorSalt{dispute_id, round})

under the domain `{name: "LabelDAO QualityCourt", version: "1", chainId,
verifyingContract: court}`. Ethereum wallets sign deterministically
(RFC 6979 nonces), so signing the same message again gives the same
signature, hence the same salt: a juror who lost the salt re-derives it from
the wallet, and nothing secret needs to be stored. The salt is secret until
the reveal because only the juror's key can produce the signature; it is
bound to one court, one chain, one dispute and one round, so revealing it
exposes nothing about other votes.

Every signer takes the same path: `salt_message` builds the message (a
JSON-ready dict), the signer signs its EIP-712 encoding
(`labeldao.signing.typed_data`; a browser wallet: `eth_signTypedData_v4`
with the dict as JSON), `salt_from_signature` hashes the 65 bytes. The CLI,
the tests' keys and a web wallet therefore derive the same salt.

The contract binds the commitment to the juror, the round and the dispute,
so a commitment copied from another juror can never be revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from labeldao.signing import Signature, sign_typed

COURT_NAME = "LabelDAO QualityCourt"
COURT_EIP712_VERSION = "1"

JUROR_SALT_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "JurorSalt": [
        {"name": "dispute_id", "type": "uint256"},
        {"name": "round", "type": "uint256"},
    ],
}

COMMITMENT_TYPES = ("uint256", "uint256", "address", "uint256", "bytes32")


def commitment(dispute_id: int, round_: int, juror: str, choice: int, salt: bytes) -> bytes:
    """`keccak256(abi_encode(dispute_id, round, juror, choice, salt))`, as the court checks it."""
    if len(salt) != 32:
        raise ValueError("salt must be 32 bytes")
    values = (dispute_id, round_, to_checksum_address(str(juror)), choice, salt)
    return keccak(encode(list(COMMITMENT_TYPES), list(values)))


def salt_message(*, court: str, chain_id: int, dispute_id: int, round_: int) -> dict[str, Any]:
    """The EIP-712 message whose signature is the salt's seed."""
    return {
        "types": JUROR_SALT_TYPES,
        "primaryType": "JurorSalt",
        "domain": {
            "name": COURT_NAME,
            "version": COURT_EIP712_VERSION,
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(str(court)),
        },
        "message": {"dispute_id": dispute_id, "round": round_},
    }


def salt_from_signature(signature: Signature | bytes) -> bytes:
    """`keccak256(r || s || v)`: the salt of a signature (65 bytes, or split)."""
    raw = signature.to_bytes() if isinstance(signature, Signature) else bytes(signature)
    if len(raw) != 65:
        raise ValueError("a signature is 65 bytes: r, s, v")
    return keccak(raw)


def derive_salt(
    private_key: bytes | str, *, court: str, chain_id: int, dispute_id: int, round_: int
) -> bytes:
    """The salt of a juror's vote in `(dispute_id, round_)`, re-derivable from the key."""
    return derive_salt_with(
        lambda message: sign_typed(private_key, message),
        court=court,
        chain_id=chain_id,
        dispute_id=dispute_id,
        round_=round_,
    )


def derive_salt_with(
    sign: Callable[[dict[str, Any]], Signature | bytes],
    *,
    court: str,
    chain_id: int,
    dispute_id: int,
    round_: int,
) -> bytes:
    """Same as `derive_salt` with any signer (an Ape account, a hardware wallet).

    `sign` receives the full EIP-712 message and returns the signature. The
    signer must be deterministic (RFC 6979), as Ethereum wallets are; check it
    once by signing twice (`is_deterministic`).
    """
    message = salt_message(court=court, chain_id=chain_id, dispute_id=dispute_id, round_=round_)
    return salt_from_signature(sign(message))


def is_deterministic(
    sign: Callable[[dict[str, Any]], Signature | bytes], *, court: str, chain_id: int
) -> bool:
    """True when `sign` returns the same signature twice for the same salt message."""
    message = salt_message(court=court, chain_id=chain_id, dispute_id=0, round_=0)
    return salt_from_signature(sign(message)) == salt_from_signature(sign(message))


def vote(
    private_key: bytes | str,
    *,
    court: str,
    chain_id: int,
    juror: str,
    dispute_id: int,
    round_: int,
    choice: int,
) -> tuple[bytes, bytes]:
    """`(commitment, salt)` for a juror's vote, the salt derived from the key."""
    salt = derive_salt(
        private_key, court=court, chain_id=chain_id, dispute_id=dispute_id, round_=round_
    )
    return commitment(dispute_id, round_, juror, choice, salt), salt
