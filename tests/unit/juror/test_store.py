"""labeldao.store: the juror's commitment store is on disk before a commit is
sent, written atomically, shared safely between processes, and never holds
a key."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from labeldao import store as store_module
from labeldao.court import commitment
from labeldao.store import (
    CONFIRMED,
    FAILED,
    PREPARED,
    SENT,
    CommitmentStore,
    StoreError,
    default_directory,
    same_prefix,
    write_atomically,
)
from tests.helpers import keyed_account

COURT = "0x00000000000000000000000000000000000C0DE5"
JUROR = keyed_account("store-juror")
SALT = bytes(range(32))


def _store(directory, juror=JUROR.address, chain_id=31337, court=COURT) -> CommitmentStore:
    return CommitmentStore(directory, chain_id=chain_id, court=court, juror=juror)


def _digest(choice: int, dispute_id: int = 3, round_: int = 0, salt: bytes = SALT) -> bytes:
    return commitment(dispute_id, round_, JUROR.address, choice, salt)


def _on_disk(store: CommitmentStore) -> dict:
    return json.loads(store.path.read_text())


def test_prepare__is_on_disk_when_it_returns(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    (vote,) = _on_disk(store)["votes"].values()
    assert vote["dispute_id"] == 3 and vote["round"] == 0
    (attempt,) = vote["attempts"]
    assert attempt["status"] == PREPARED
    assert attempt["choice"] == 1
    assert attempt["salt"] == "0x" + SALT.hex()
    assert attempt["commitment"] == "0x" + _digest(1).hex()


def test_prepare__fsyncs_the_file_and_its_directory(tmp_path, monkeypatch):
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_IFMT(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(store_module.os, "fsync", fsync)
    _store(tmp_path).prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    assert stat.S_IFREG in synced
    assert stat.S_IFDIR in synced


def test_store__file_and_directory__are_private(tmp_path):
    store = _store(tmp_path / "private")
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700


def test_store__never_holds_the_private_key(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    store.mark_signer_deterministic()
    text = store.path.read_text().lower()
    assert JUROR.key.hex() not in text
    assert "key" not in text


def test_write_atomically__crash_before_replace__keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "votes.json"
    write_atomically(path, "old")

    def crash(src, dst):
        raise KeyboardInterrupt("killed while saving")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["votes.json"]  # no temporary left


def test_write_atomically__crash_while_writing__keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "votes.json"
    write_atomically(path, "old")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["votes.json"]


def test_prepare__crash_while_saving__leaves_the_previous_votes(tmp_path, monkeypatch):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.prepare(4, 0, salt=SALT, choice=2, commitment=_digest(2, dispute_id=4))
    monkeypatch.undo()
    assert [(v.dispute_id, v.latest.choice) for v in store.votes()] == [(3, 1)]


def test_update_attempt__records_sent_then_confirmed(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    store.update_attempt(3, 0, _digest(1), SENT, tx_hash="0xabc")
    assert store.get(3, 0).latest.status == SENT
    store.update_attempt(3, 0, _digest(1), CONFIRMED)
    attempt = store.get(3, 0).latest
    assert attempt.status == CONFIRMED
    assert attempt.tx_hash == "0xabc"  # kept from `sent`


def test_update_attempt__unknown_vote__raises(tmp_path):
    store = _store(tmp_path)
    with pytest.raises(StoreError, match="no vote recorded for dispute 3 round 0"):
        store.update_attempt(3, 0, _digest(1), CONFIRMED)


def test_update_attempt__unknown_status__raises(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    with pytest.raises(ValueError, match="unknown status"):
        store.update_attempt(3, 0, _digest(1), "mined")


def test_attempt_matching__a_failed_replacement__finds_the_vote_on_chain(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    store.update_attempt(3, 0, _digest(1), CONFIRMED)
    store.prepare(3, 0, salt=SALT, choice=2, commitment=_digest(2))
    store.update_attempt(3, 0, _digest(2), FAILED, error="not in commit period")
    vote = store.get(3, 0)
    onchain_prefix = _digest(1)[:28] + b"\x00" * 4  # what `juror_round` returns
    assert vote.attempt_matching(onchain_prefix).choice == 1
    assert vote.latest.choice == 2 and vote.latest.error == "not in commit period"


def test_attempt_matching__no_attempt_on_chain__returns_none(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    assert store.get(3, 0).attempt_matching(b"\x00" * 32) is None


def test_same_prefix__compares_the_224_bits_the_court_keeps():
    digest = _digest(1)
    assert same_prefix(digest, digest[:28] + b"\xff" * 4)
    assert not same_prefix(digest, bytes([digest[0] ^ 1]) + digest[1:])


def test_mark_revealed__records_choice_and_transaction(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    store.mark_revealed(3, 0, choice=1, tx_hash="0xdef")
    vote = store.get(3, 0)
    assert (vote.revealed_choice, vote.reveal_tx) == (1, "0xdef")


def test_mark_revealed__unknown_vote__raises(tmp_path):
    with pytest.raises(StoreError, match="no vote recorded"):
        _store(tmp_path).mark_revealed(3, 0, choice=1, tx_hash=None)


def test_restore__adds_a_confirmed_attempt_once(tmp_path):
    store = _store(tmp_path)
    for _ in range(2):
        store.restore(3, 0, salt=SALT, choice=2, commitment=_digest(2))
    (attempt,) = store.get(3, 0).attempts
    assert (attempt.choice, attempt.status, attempt.salt_bytes) == (2, CONFIRMED, SALT)


def test_restore__a_prepared_attempt__becomes_confirmed(tmp_path):
    store = _store(tmp_path)
    store.prepare(3, 0, salt=SALT, choice=2, commitment=_digest(2))
    store.restore(3, 0, salt=SALT, choice=2, commitment=_digest(2))
    (attempt,) = store.get(3, 0).attempts
    assert attempt.status == CONFIRMED


def test_store__one_file_per_chain_court_and_juror(tmp_path):
    a = _store(tmp_path)
    others = [
        _store(tmp_path, chain_id=1),
        _store(tmp_path, court="0x" + "11" * 20),
        _store(tmp_path, juror=keyed_account("someone").address),
    ]
    assert len({a.path, *(o.path for o in others)}) == 4
    a.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    assert all(o.votes() == [] for o in others)


def test_store__file_of_another_juror__is_refused(tmp_path):
    mine = _store(tmp_path)
    mine.prepare(3, 0, salt=SALT, choice=1, commitment=_digest(1))
    theirs = _store(tmp_path, juror=keyed_account("someone").address)
    theirs.directory.mkdir(exist_ok=True)
    theirs.path.write_text(mine.path.read_text())
    with pytest.raises(StoreError, match="not of this one"):
        theirs.votes()


def test_store__corrupt_file__raises_a_clear_error(tmp_path):
    store = _store(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_text('{"version": 1, "votes": {')
    with pytest.raises(StoreError, match="unreadable.*recover-salt"):
        store.get(3, 0)


def test_store__missing_file__reads_as_empty(tmp_path):
    store = _store(tmp_path / "never-written")
    assert store.votes() == []
    assert store.get(3, 0) is None
    assert not store.signer_deterministic


def test_store__concurrent_writers__lose_no_vote(tmp_path):
    store = _store(tmp_path)

    def commit(dispute_id: int) -> None:
        digest = _digest(1, dispute_id=dispute_id)
        store.prepare(dispute_id, 0, salt=SALT, choice=1, commitment=digest)
        store.update_attempt(dispute_id, 0, digest, CONFIRMED)

    threads = [threading.Thread(target=commit, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    votes = store.votes()
    assert [v.dispute_id for v in votes] == list(range(12))
    assert all(v.latest.status == CONFIRMED for v in votes)


def test_default_directory__option_then_environment_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABELDAO_STORE", str(tmp_path / "env"))
    assert default_directory(tmp_path / "option") == tmp_path / "option"
    assert default_directory(None) == tmp_path / "env"
    monkeypatch.delenv("LABELDAO_STORE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_directory(None) == tmp_path / "home" / ".labeldao"
