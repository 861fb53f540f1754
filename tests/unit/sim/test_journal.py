"""labeldao.sim.journal: folding py-evm's committed checkpoints changes nothing observable."""

import boa
from eth.db.backends.memory import MemoryDB
from eth.db.journal import JournalDB

from labeldao.boa_tools import deployer
from labeldao.sim import journal


def _calls(db, rounds):
    """What titanoboa does per message: record, write, commit (or discard)."""
    for i in range(rounds):
        checkpoint = db.record()
        db[b"k%d" % (i % 3)] = b"v%d" % i
        inner = db.record()
        db[b"gone"] = b"x"
        db.discard(inner) if i % 2 else db.commit(inner)
        db.commit(checkpoint)


def test_compact_journal__same_values__discard_to_root_restores_the_root():
    wrapped = {b"k0": b"orig"}
    plain, compacted = JournalDB(MemoryDB(dict(wrapped))), JournalDB(MemoryDB(dict(wrapped)))
    roots = [db._journal.root_checkpoint for db in (plain, compacted)]
    _calls(plain, 50)
    _calls(compacted, 50)
    assert journal.compact_journal(compacted._journal) == 75  # 2 a call, 1 if discarded
    assert len(compacted._journal._journal_data) == 1
    assert compacted._journal._current_values == plain._journal._current_values
    _calls(plain, 5)  # it keeps working after the fold
    _calls(compacted, 5)
    assert compacted._journal._current_values == plain._journal._current_values
    for db, root in zip((plain, compacted), roots, strict=True):
        db._journal.discard(root)  # what only a discard to the root would need
        assert db._journal._current_values == {}  # back to the wrapped values alone
        assert db[b"k0"] == b"orig"


def test_compact_journal__open_checkpoint__left_alone():
    db = JournalDB(MemoryDB())
    _calls(db, 3)
    db.record()
    assert journal.compact_journal(db._journal) == 0


def test_compact__titanoboa_env__state_and_anchors_unchanged():
    with boa.swap_env(boa.Env()):
        token = deployer("RewardToken").deploy(10**24)
        holder, receiver = boa.env.generate_address(), boa.env.generate_address()
        token.grantRole(token.MINTER_ROLE(), boa.env.eoa)
        token.mint(holder, 1_000)
        for _ in range(20):
            token.transfer(receiver, 10, sender=holder)
        assert journal.compact(boa.env) > 20
        assert journal.compact(boa.env) == 0  # nothing left to fold
        assert (token.balanceOf(holder), token.balanceOf(receiver)) == (800, 200)
        with boa.env.anchor():
            token.transfer(receiver, 800, sender=holder)
            assert token.balanceOf(receiver) == 1_000
        assert (token.balanceOf(holder), token.balanceOf(receiver)) == (800, 200)
        token.transfer(receiver, 1, sender=holder)
        assert token.balanceOf(receiver) == 201
