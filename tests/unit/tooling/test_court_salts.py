"""labeldao.court: commitments as the court checks them, and salts re-derived
from a wallet signature (EIP-712 `JurorSalt{dispute_id, round}`)."""

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from labeldao.court import (
    commitment,
    derive_salt,
    derive_salt_with,
    is_deterministic,
    salt_from_signature,
    salt_message,
    vote,
)
from labeldao.signing import sign_typed
from tests.helpers import keyed_account

COURT = "0x00000000000000000000000000000000000C0DE5"
JUROR = keyed_account("salt-juror")


def _salt(dispute_id=1, round_=0, chain_id=31337, court=COURT, key=JUROR.key):
    return derive_salt(key, court=court, chain_id=chain_id, dispute_id=dispute_id, round_=round_)


def test_derive_salt__is_deterministic():
    assert _salt() == _salt()
    assert len(_salt()) == 32


@pytest.mark.parametrize(
    "change",
    [{"dispute_id": 2}, {"round_": 1}, {"chain_id": 1}, {"court": "0x" + "11" * 20}],
)
def test_derive_salt__depends_on_dispute_round_chain_and_court(change):
    assert _salt(**change) != _salt()


def test_derive_salt__depends_on_the_key():
    assert _salt(key=keyed_account("someone-else").key) != _salt()


def test_salt__is_keccak_of_the_eip712_signature():
    message = salt_message(court=COURT, chain_id=31337, dispute_id=1, round_=0)
    signed = Account.sign_message(encode_typed_data(full_message=message), JUROR.key)
    assert _salt() == keccak(signed.signature)
    assert message["domain"]["name"] == "LabelDAO QualityCourt"
    assert message["primaryType"] == "JurorSalt"


def test_derive_salt_with__any_signer__matches():
    def signer(message):
        return Account.sign_message(encode_typed_data(full_message=message), JUROR.key).signature

    salt = derive_salt_with(signer, court=COURT, chain_id=31337, dispute_id=1, round_=0)
    assert salt == _salt()
    assert is_deterministic(signer, court=COURT, chain_id=31337)


def test_is_deterministic__detects_a_randomised_signer():
    counter = iter(range(100))

    def noisy(message):
        return bytes([next(counter)]) * 65

    assert not is_deterministic(noisy, court=COURT, chain_id=31337)


def test_salt_from_signature__accepts_split_signatures():
    message = salt_message(court=COURT, chain_id=31337, dispute_id=1, round_=0)
    split = sign_typed(JUROR.key, message)
    assert salt_from_signature(split) == _salt()


def test_salt_from_signature__wrong_length__raises():
    with pytest.raises(ValueError, match="65 bytes"):
        salt_from_signature(b"\x00" * 64)


def test_commitment__wrong_salt_length__raises():
    with pytest.raises(ValueError, match="32 bytes"):
        commitment(1, 0, JUROR.address, 1, b"\x00" * 31)


def test_vote__returns_the_commitment_of_the_derived_salt():
    digest, salt = vote(
        JUROR.key,
        court=COURT,
        chain_id=31337,
        juror=JUROR.address,
        dispute_id=1,
        round_=0,
        choice=2,
    )
    assert salt == _salt()
    assert digest == commitment(1, 0, JUROR.address, 2, salt)
    assert digest != commitment(1, 0, JUROR.address, 1, salt)
