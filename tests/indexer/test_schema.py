"""The ledger's schema against the contracts' ABIs and the Alembic migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from labeldao.indexer.decode import DecodeError, event_decoders
from labeldao.indexer.schema import EVENT_COLUMNS, EVENT_TABLES, METADATA
from labeldao.indexer.store import Ledger, migrate


def test_every_indexed_event__matches_its_table(abis):
    for contract, events in EVENT_TABLES.items():
        decoders = event_decoders(contract, abis[contract])
        assert sorted(d.table for d in decoders.values()) == sorted(events.values())


def test_a_changed_event__is_refused_with_the_fields(abis):
    abi = [dict(e) for e in abis["TaskEscrow"]]
    for entry in abi:
        if entry.get("name") == "TaskAccepted":
            entry["inputs"] = entry["inputs"][:1]
    with pytest.raises(DecodeError, match="TaskAccepted has fields"):
        event_decoders("TaskEscrow", abi)


def test_every_table_has_the_log_key_and_the_event_fields():
    for name, fields in EVENT_COLUMNS.items():
        table = METADATA.tables[name]
        assert [c.name for c in table.primary_key] == ["chain_id", "tx_hash", "log_index"]
        assert [c.name for c in table.c][5:] == [column for column, _ in fields]


def test_migrations__create_exactly_the_schema(database):
    engine = database.engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, METADATA) == []


def test_migrate_twice__changes_nothing(database):
    migrate(database.engine)
    assert Ledger(database.engine).checkpoint(1) is None
