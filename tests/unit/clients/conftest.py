"""Fixtures of the client tests: the whole suite deployed on titanoboa by
the same plan as `ape run deploy` (`labeldao.system.deploy_boa`), keyed
parties funded from the plan's demo allocations, and a journal of every
log titanoboa executes (the `LogSource` that `eth_getLogs` is on a node)."""

from __future__ import annotations

from collections.abc import Sequence

import boa
import pytest
from boa.util.abi import Address
from eth_utils import to_checksum_address

from labeldao.juror import BoaBackend
from labeldao.metaevidence import RawLog
from labeldao.nodes_client import NodeClient
from labeldao.system import deploy_boa
from labeldao.tasks_client import TaskClient
from tests.helpers import KeyedAccount, keyed_account

LDAO = 10**18
DAY = 86_400


class LogJournal:
    """Every log of every successful transaction and deployment titanoboa
    runs while installed, in order: a `LogSource` for the tests."""

    def __init__(self) -> None:
        self.entries: list[RawLog] = []
        self._env = boa.env
        self._execute = boa.env.execute_code
        self._deploy = boa.env.deploy

    def install(self) -> None:
        def execute(*args, **kwargs):
            computation = self._execute(*args, **kwargs)
            if kwargs.get("is_modifying", True) and not kwargs.get("simulate", False):
                self._record(computation)
            return computation

        def deploy(*args, **kwargs):
            address, computation = self._deploy(*args, **kwargs)
            self._record(computation)
            return address, computation

        self._env.execute_code = execute
        self._env.deploy = deploy

    def uninstall(self) -> None:
        del self._env.execute_code
        del self._env.deploy

    def _record(self, computation) -> None:
        if computation.is_error:
            return
        block = len(self.entries)
        for _, address, topics, data in computation.get_raw_log_entries():
            self.entries.append(
                RawLog(
                    to_checksum_address(address),
                    tuple(t.to_bytes(32, "big") for t in topics),
                    bytes(data),
                    block,
                    len(self.entries),
                )
            )

    def get_logs(self, address: str, topics: Sequence[bytes | None]) -> list[RawLog]:
        wanted = to_checksum_address(str(address))
        return [
            log
            for log in self.entries
            if log.address == wanted
            and len(log.topics) >= len(topics)
            and all(t is None or t == log.topics[i] for i, t in enumerate(topics))
        ]


@pytest.fixture(scope="module")
def journal():
    log = LogJournal()
    log.install()
    yield log
    log.uninstall()


@pytest.fixture(autouse=True)
def _journal_per_test(journal):
    """Each test's transactions are rolled back by titanoboa's anchor: so are their logs."""
    size = len(journal.entries)
    yield
    del journal.entries[size:]


@pytest.fixture(scope="module")
def system(journal):
    return deploy_boa()


def _funded(system, name: str, amount: int = 100_000 * LDAO) -> KeyedAccount:
    account = keyed_account(name)
    holder = system.params.token.initial_mints[0].to  # the plan's demo allocation
    system.token.transfer(account.address, amount, sender=holder)
    return account


@pytest.fixture(scope="module")
def requester(system) -> KeyedAccount:
    return _funded(system, "requester")


@pytest.fixture(scope="module")
def annotator(system) -> KeyedAccount:
    return _funded(system, "annotator")


@pytest.fixture(scope="module")
def provider(system) -> KeyedAccount:
    return _funded(system, "provider")


@pytest.fixture(scope="module")
def outsider(system) -> KeyedAccount:
    return keyed_account("outsider")


def backend_of(account: KeyedAccount | None) -> BoaBackend:
    if account is None:
        return BoaBackend(None)
    return BoaBackend(account.address, account.key)


@pytest.fixture
def tasks(system):
    """`tasks(account)`: a TaskClient acting as `account`."""

    def _client(account: KeyedAccount | None) -> TaskClient:
        return TaskClient(system.escrow, system.token, system.court, backend_of(account))

    return _client


@pytest.fixture
def nodes(system):
    """`nodes(account)`: a NodeClient acting as `account`."""

    def _client(account: KeyedAccount | None) -> NodeClient:
        return NodeClient(system.registry, system.token, system.court, backend_of(account))

    return _client


def travel(seconds: int) -> None:
    boa.env.time_travel(seconds=seconds)


def address(value) -> str:
    return to_checksum_address(str(Address(value)))
