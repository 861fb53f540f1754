"""One EIP-712 signing path for juror salts: a key (`derive_salt`), the
titanoboa backend, an Ape-style account signing `typed_data`, and a browser
wallet signing the message as JSON (`eth_signTypedData_v4`) derive the same
salt, pinned to a vector so that a change of the message is seen."""

from __future__ import annotations

import json

from eth_account import Account

from labeldao.boa_tools import BoaBackend
from labeldao.court import derive_salt, derive_salt_with, salt_from_signature, salt_message
from labeldao.signing import sign_typed, typed_data

KEY = bytes.fromhex("11" * 32)
COURT = "0x" + "ab" * 20
WHERE = {"court": COURT, "chain_id": 31337, "dispute_id": 7, "round_": 1}
# keccak256 of the signature of JurorSalt{7, 1} by KEY at COURT on chain 31337,
# as derived before the core/adapter split (main at 0bea495).
PINNED = "0x953cc983914020d1aa0038feff24df4610e76312e9f20eda5df4814515f2c2c7"


def _browser_wallet(message: dict) -> bytes:
    """What a web page gets from `eth_signTypedData_v4(account, JSON)`:
    eth_account's `sign_typed_data` over the JSON the page would send."""
    sent = json.loads(json.dumps(message))
    return bytes(Account.from_key(KEY).sign_typed_data(full_message=sent).signature)


def test_salt__every_signer__derives_the_same_salt():
    by_key = derive_salt(KEY, **WHERE)
    account = Account.from_key(KEY)
    by_boa = derive_salt_with(BoaBackend(account.address, KEY).sign_typed, **WHERE)
    by_account = derive_salt_with(
        lambda m: bytes(account.sign_message(typed_data(m)).signature), **WHERE
    )
    by_browser = derive_salt_with(_browser_wallet, **WHERE)
    assert by_key == by_boa == by_account == by_browser
    assert len(by_key) == 32


def test_salt__pinned_vector():
    salt = derive_salt(KEY, **WHERE)
    assert "0x" + salt.hex() == PINNED


def test_salt__signature_forms__hash_alike():
    message = salt_message(court=COURT, chain_id=31337, dispute_id=7, round_=1)
    signature = sign_typed(KEY, message)
    assert salt_from_signature(signature) == salt_from_signature(signature.to_bytes())
