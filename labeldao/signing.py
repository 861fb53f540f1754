"""EIP-712 messages of LabelDAO, signed exactly as the contracts verify them.

`RewardToken` verifies two messages under its domain
`{name: "LabelDAO Token", version: "1", chainId, verifyingContract}`:
EIP-2612 `Permit` and ERC-5805 `Delegation`. Both use the holder's `nonces`
counter, so a signature works once. The juror's salt message is in
`labeldao.court`.

One signing path: every EIP-712 message is a JSON-ready dict (`types`,
`primaryType`, `domain`, `message`), encoded by `typed_data` and signed by
a key (`sign_typed`), an Ape account or titanoboa's test key (the backends
sign `typed_data(message)`), or a browser wallet (`eth_signTypedData_v4`
with the same dict as JSON): all give the same digest, hence, with a
deterministic (RFC 6979) signer, the same signature.

Core module: imports neither titanoboa nor Ape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data

TOKEN_NAME = "LabelDAO Token"
TOKEN_EIP712_VERSION = "1"

_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

PERMIT_TYPES = {
    "EIP712Domain": _DOMAIN_TYPE,
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}

DELEGATION_TYPES = {
    "EIP712Domain": _DOMAIN_TYPE,
    "Delegation": [
        {"name": "delegatee", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
    ],
}


@dataclass(frozen=True)
class Signature:
    """A secp256k1 signature split as the contracts take it."""

    v: int
    r: bytes
    s: bytes

    def to_bytes(self) -> bytes:
        """The 65-byte `r || s || v` form wallets return."""
        return self.r + self.s + bytes([self.v])

    def as_args(self) -> tuple[int, bytes, bytes]:
        """Returns `(v, r, s)` in the order of `permit`/`delegateBySig`."""
        return (self.v, self.r, self.s)


def token_domain(
    token_address: str,
    chain_id: int,
    name: str = TOKEN_NAME,
    version: str = TOKEN_EIP712_VERSION,
) -> dict[str, Any]:
    """The EIP-712 domain of a deployed `RewardToken` (or another token's)."""
    return {
        "name": name,
        "version": version,
        "chainId": chain_id,
        "verifyingContract": str(token_address),
    }


def typed_data(full_message: dict[str, Any]) -> SignableMessage:
    """The EIP-712 encoding of a message (`types`, `primaryType`, `domain`,
    `message`) that every signer of the project signs."""
    return encode_typed_data(full_message=full_message)


def sign_typed(private_key: bytes | str, full_message: dict[str, Any]) -> Signature:
    """Signs an EIP-712 message (`types`, `primaryType`, `domain`, `message`)."""
    signed = Account.sign_message(typed_data(full_message), private_key)
    return Signature(
        v=signed.v,
        r=signed.r.to_bytes(32, "big"),
        s=signed.s.to_bytes(32, "big"),
    )


def sign_permit(
    private_key: bytes | str,
    *,
    token: str,
    chain_id: int,
    owner: str,
    spender: str,
    value: int,
    nonce: int,
    deadline: int,
    domain_name: str = TOKEN_NAME,
) -> Signature:
    """Signs an EIP-2612 permit letting `spender` spend `value` of `owner`'s LDAO."""
    return sign_typed(
        private_key,
        {
            "types": PERMIT_TYPES,
            "primaryType": "Permit",
            "domain": token_domain(token, chain_id, domain_name),
            "message": {
                "owner": str(owner),
                "spender": str(spender),
                "value": value,
                "nonce": nonce,
                "deadline": deadline,
            },
        },
    )


def sign_delegation(
    private_key: bytes | str,
    *,
    token: str,
    chain_id: int,
    delegatee: str,
    nonce: int,
    expiry: int,
) -> Signature:
    """Signs an ERC-5805 delegation of the signer's votes to `delegatee`."""
    return sign_typed(
        private_key,
        {
            "types": DELEGATION_TYPES,
            "primaryType": "Delegation",
            "domain": token_domain(token, chain_id),
            "message": {"delegatee": str(delegatee), "nonce": nonce, "expiry": expiry},
        },
    )
