"""Alembic environment of the ledger: run by `labeldao.indexer.store.migrate`
with an open connection (no alembic.ini)."""

from alembic import context

from labeldao.indexer.schema import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
