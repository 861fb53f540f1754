"""Fixtures of the juror client tests: the court unit tests' court, test
arbitrable and dispute walker (tests/unit/court/conftest.py), and a
`client` factory that gives a keyed juror a `CourtClient` on titanoboa
with its own commitment store."""

from __future__ import annotations

from pathlib import Path

import boa
import pytest

from labeldao.boa_tools import deployer
from labeldao.juror import BoaBackend, CourtClient
from labeldao.store import CommitmentStore
from tests.helpers import KeyedAccount
from tests.unit.court.conftest import (  # noqa: F401  (fixtures reused as they are)
    _fresh_storage_traces,
    appellant,
    arbitrable,
    court,
    defender,
    flow,
    jurors,
    keys,
    lens,
    pay,
    randomness,
    stake,
    staked,
)


def store_of(contract, juror: KeyedAccount, directory: Path) -> CommitmentStore:
    """The juror's commitment store for the court `contract` in `directory`."""
    return CommitmentStore(
        directory, chain_id=boa.env.evm.patch.chain_id, court=contract.address, juror=juror.address
    )


@pytest.fixture
def client(court, token, tmp_path):  # noqa: F811  (the imported fixture)
    """`client(juror, store_dir=None, backend=None)`: a `CourtClient` for a
    keyed juror; its store lives in `store_dir` (default: the test's tmp dir)."""

    def _client(juror: KeyedAccount, store_dir: Path | None = None, backend=None) -> CourtClient:
        backend = backend or BoaBackend(juror.address, juror.key)
        store = store_of(court, juror, store_dir or tmp_path / "store")
        court_lens = deployer("QualityCourtLens").at(court.LENS())
        return CourtClient(court, court_lens, token, backend, store)

    return _client
