"""Keeps a long titanoboa run's state journals from growing with every call.

titanoboa never mines a block, so py-evm never persists its state: every
message records a checkpoint in each journal (accounts, account trie, warm
addresses and slots, each contract's storage), and py-evm keeps the
rollback record of a committed checkpoint for a later discard of an outer
one. Nothing discards to the root, so after a year of calls the journals
hold one small dict per message and journal: gigabytes, and a heap the
garbage collector walks again and again.

`compact(env)` folds the rollback records of committed checkpoints into
the root's, keeping for each key its oldest value: a discard to the root
still restores exactly the state at the root, so nothing observable
changes (current values, reads, reverts of later checkpoints). It only
touches a journal whose sole open checkpoint is the root and that has no
pending clear; call it between transactions (the simulation: after each
epoch).
"""

from __future__ import annotations

from typing import Any


def compact_journal(journal: Any) -> int:
    """Folds a py-evm `Journal`'s committed checkpoints into its root;
    returns how many rollback records it dropped (0 when it cannot)."""
    data, stack = journal._journal_data, journal._checkpoint_stack
    if len(stack) != 1 or journal._clears_at or len(data) < 2:
        return 0
    root = stack[0]
    if next(iter(data)) != root:
        return 0
    merged = data[root]
    for checkpoint, rollback in data.items():
        if checkpoint != root:
            for key, value in rollback.items():
                merged.setdefault(key, value)  # the oldest: the value at the root
    dropped = len(data) - 1
    data.clear()
    data[root] = merged
    return dropped


def compact(env: Any) -> int:
    """Compacts every journal of a titanoboa environment's py-evm state;
    returns the rollback records dropped (0 on an unknown py-evm layout)."""
    db = getattr(getattr(getattr(env.evm, "vm", None), "state", None), "_account_db", None)
    if db is None:
        return 0
    journals = [db._journaldb, db._journaltrie, db._journal_accessed_state]
    journals += [store._journal_storage for store in db._account_stores.values()]
    return sum(compact_journal(j._journal) for j in journals)
