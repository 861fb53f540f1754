"""labeldao.governance on titanoboa: the calls it builds, its refusals, and a
parameter change through Governor and Timelock (the anvil test drives the
same client through `ape run govern`)."""

from __future__ import annotations

import boa
import pytest

from labeldao.governance import (
    GovernanceError,
    GovernorClient,
    State,
    build_call,
    parse_change,
)
from labeldao.juror import BoaBackend
from labeldao.system import boa_test_account, deploy_boa
from tests.unit.governance.test_governor_deploy import governed_params

LDAO = 10**18


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    path = governed_params(tmp_path_factory.mktemp("gov"))
    text = path.read_text().replace('executors = ["test:9"]', f'executors = ["{"0x" + "00" * 20}"]')
    path.write_text(text)
    with boa.env.anchor():
        yield deploy_boa(path)


def _account(system, index: int) -> str:
    """test:1..3 are the holders the local file mints to; others hold nothing."""
    mints = system.params.token.initial_mints
    return mints[index - 1].to if index <= len(mints) else boa_test_account(index)


@pytest.fixture
def client(system):
    def make(index: int = 1) -> GovernorClient:
        contracts = {
            n: system.contracts[n] for n in ("QualityCourt", "TaskEscrow", "ComputeRegistry")
        }
        backend = BoaBackend(_account(system, index))
        return GovernorClient(system.governor, system.token, system.timelock, contracts, backend)

    with boa.env.anchor():
        yield make


def _alpha(system) -> int:
    court = system.court
    return court.params(court.params_version())[1]


def test_build_call__same_calldata_as_the_contract_encodes(system):
    court = system.court
    call = build_call(
        "QualityCourt",
        court,
        "params",
        (court.params_version(),),
        [parse_change("court.alpha_bps=5000")],
    )
    wanted = list(court.params(court.params_version()))
    wanted[1] = 5000
    assert call.calldata == court.set_params.prepare_calldata(tuple(wanted))
    assert call.changes == {"alpha_bps": (_alpha(system), 5000)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("court.alpha_bps", "write TARGET.FIELD=VALUE"),
        ("vault.x=1", "unknown target 'vault'"),
        ("=1", "write TARGET.FIELD=VALUE"),
    ],
)
def test_parse_change__malformed__names_the_problem(text, message):
    with pytest.raises(GovernanceError, match=message):
        parse_change(text)


def test_propose__unchanged_value__refused(client, system):
    with pytest.raises(GovernanceError, match="nothing to change: court.alpha_bps is already"):
        client().propose([parse_change(f"court.alpha_bps={_alpha(system)}")])


def test_propose__escrow_address_field__out_of_range_refused(client):
    with pytest.raises(GovernanceError, match="out of range for uint256"):
        client().propose([parse_change(f"escrow.fee_bps={2**256}")])


def test_governance__change_passes__timelock_sets_it_after_its_delay(client, system):
    holder = client(1)
    holder.delegate()
    boa.env.time_travel(seconds=1)
    pid = holder.propose([parse_change("court.alpha_bps=5000")], "halve the seat lock")
    with pytest.raises(GovernanceError, match="the same proposal exists already"):
        holder.propose([parse_change("court.alpha_bps=5000")], "halve the seat lock")
    with pytest.raises(GovernanceError, match="is Pending: voting opens after 20"):
        holder.vote(pid, "for")  # a date: the clock is in seconds
    boa.env.time_travel(seconds=61)  # past the 60-second voting delay
    assert holder.vote(pid, "for").state == State.Active
    boa.env.time_travel(seconds=600)  # past the 600-second voting period
    assert holder.proposal(pid).state == State.Succeeded
    queued = holder.queue(pid)
    assert (queued.state, queued.governor_state) == (State.Queued, State.Executed)
    with pytest.raises(GovernanceError, match="the timelock's delay ends at"):
        holder.execute(pid)
    boa.env.time_travel(seconds=61)
    assert client(5).execute(pid).state == State.Executed
    assert _alpha(system) == 5000


def test_governance__no_votes_at_snapshot__vote_refused_with_the_reason(client):
    holder, latecomer = client(1), client(2)  # 2 holds LDAO, never delegated
    holder.delegate()
    boa.env.time_travel(seconds=1)
    pid = holder.propose([parse_change("court.alpha_bps=6000")])
    boa.env.time_travel(seconds=61)
    with pytest.raises(GovernanceError, match="you had no votes at the snapshot"):
        latecomer.vote(pid, "for")
