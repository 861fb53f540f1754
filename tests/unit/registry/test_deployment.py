"""ComputeRegistry: constructor, defaults, roles and the Python mirrors."""

import boa
import pytest

from labeldao import registry as model
from labeldao.boa_tools import deployer
from tests.helpers import events
from tests.unit.registry.conftest import EMISSION, EPOCH, META, now

ZERO = "0x0000000000000000000000000000000000000000"
DEFAULT_ADMIN_ROLE = b"\x00" * 32


def _deploy(token, arbitrator, treasury, **overrides):
    args = {
        "token_": token.address,
        "arbitrator_": arbitrator.address,
        "treasury_": treasury,
        "epoch_length_": EPOCH,
        "genesis_": now(),
        "epoch_emission_": EMISSION,
        "meta_evidence_uri_": META,
    }
    args.update(overrides)
    return deployer("ComputeRegistry").deploy(*args.values())


def test_constructor__sets_immutables_and_defaults(registry, token, default_params, default_terms):
    assert registry.TOKEN() == token.address
    assert registry.EPOCH_LENGTH() == EPOCH
    assert registry.GENESIS() <= now()
    assert registry.current_epoch() == 0
    assert registry.node_count() == 0
    assert registry.params() == default_params.as_tuple()
    assert registry.terms_count() == 1
    assert registry.epoch_terms(0) == default_terms.as_tuple()
    assert registry.meta_evidence_id() == 0
    assert registry.accounted() == 0


def test_constructor__logs_params_terms_and_meta_evidence(token, arbitrator, treasury):
    contract = _deploy(token, arbitrator, treasury)
    logs = contract.get_logs()
    names = [type(log).__name__ for log in logs]
    assert names == ["RoleGranted", "ParamsChanged", "EpochTermsScheduled", "MetaEvidence"]
    assert (logs[1].version, contract.params_version()) == (0, 0)
    assert logs[2].terms[0] == EMISSION
    assert (logs[3].meta_evidence_id, logs[3].evidence) == (0, META)


def test_constructor__admin_is_deployer_only(registry, admin, governor, guardian):
    assert registry.hasRole(DEFAULT_ADMIN_ROLE, admin)
    assert registry.hasRole(registry.PARAMS_ROLE(), governor)
    assert not registry.hasRole(registry.PARAMS_ROLE(), admin)
    assert registry.PARAMS_ROLE() == boa.eval('keccak256("PARAMS_ROLE")')
    assert registry.GUARDIAN_ROLE() == boa.eval('keccak256("GUARDIAN_ROLE")')
    assert registry.hasRole(registry.GUARDIAN_ROLE(), guardian)


def test_constructor__with_zero_token__reverts(token, arbitrator, treasury):
    with boa.reverts("registry: token is the zero address"):
        _deploy(token, arbitrator, treasury, token_=ZERO)


@pytest.mark.parametrize("length", [3_599, 30 * 86_400 + 1, 0])
def test_constructor__with_epoch_length_out_of_range__reverts(token, arbitrator, treasury, length):
    with boa.reverts("registry: epoch length out of range"):
        _deploy(token, arbitrator, treasury, epoch_length_=length)


@pytest.mark.parametrize("length", [3_600, 30 * 86_400])
def test_constructor__with_epoch_length_at_bounds__deploys(token, arbitrator, treasury, length):
    assert _deploy(token, arbitrator, treasury, epoch_length_=length).EPOCH_LENGTH() == length


def test_constructor__with_future_genesis__reverts(token, arbitrator, treasury):
    with boa.reverts("registry: genesis in the future"):
        _deploy(token, arbitrator, treasury, genesis_=now() + 1)


def test_constructor__with_past_genesis__counts_epochs_from_it(token, arbitrator, treasury):
    contract = _deploy(token, arbitrator, treasury, genesis_=now() - 10 * EPOCH - 5)
    assert contract.current_epoch() == 10


def test_constructor__with_zero_arbitrator__reverts(token, arbitrator, treasury):
    with boa.reverts("registry: arbitrator is the zero address"):
        _deploy(token, arbitrator, treasury, arbitrator_=ZERO)


def test_constructor__with_arbitrator_of_other_fee_token__reverts(token, arbitrator, treasury):
    other = deployer("MockArbitrator", "tests/mocks").deploy(treasury, 0)
    with boa.reverts("registry: arbitrator fee token is not LDAO"):
        _deploy(token, arbitrator, treasury, arbitrator_=other.address)


def test_constructor__with_zero_treasury__reverts(token, arbitrator, treasury):
    with boa.reverts("registry: treasury is the zero address"):
        _deploy(token, arbitrator, treasury, treasury_=ZERO)


def test_constructor__with_emission_over_bound__reverts(token, arbitrator, treasury):
    with boa.reverts("registry: epoch emission out of range"):
        _deploy(token, arbitrator, treasury, epoch_emission_=10**25 + 1)


def test_python_mirrors__match_the_contract(registry):
    assert registry.N_TIERS() == model.N_TIERS
    assert registry.NODE_ACTIVE() == model.NODE_ACTIVE
    assert registry.NODE_DEACTIVATED() == model.NODE_DEACTIVATED
    assert registry.NODE_WITHDRAWN() == model.NODE_WITHDRAWN
    assert [
        registry.REPORT_NONE(),
        registry.REPORT_FILED(),
        registry.REPORT_CHALLENGED(),
        registry.REPORT_UPHELD(),
        registry.REPORT_VOIDED(),
    ] == [
        model.REPORT_NONE,
        model.REPORT_FILED,
        model.REPORT_CHALLENGED,
        model.REPORT_UPHELD,
        model.REPORT_VOIDED,
    ]
    assert [registry.RULING_REFUSED(), registry.RULING_VALID(), registry.RULING_FRAUD()] == [
        model.RULING_REFUSED,
        model.RULING_VALID,
        model.RULING_FRAUD,
    ]
    assert registry.MIN_UNBONDING_PERIOD() == (
        registry.MAX_REPORTING_WINDOW() + registry.MAX_CHALLENGE_PERIOD()
    )


def test_current_epoch__advances_every_epoch_length(registry, clock):
    boa.env.time_travel(seconds=EPOCH - (now() - clock.genesis) - 1)
    assert registry.current_epoch() == 0
    boa.env.time_travel(seconds=1)
    assert registry.current_epoch() == 1
    boa.env.time_travel(seconds=5 * EPOCH)
    assert registry.current_epoch() == 6 == clock.epoch_at(now())


def test_supports_interface__erc165_and_access_control(registry):
    assert registry.supportsInterface(bytes.fromhex("01ffc9a7"))
    assert registry.supportsInterface(bytes.fromhex("7965db0b"))
    assert not registry.supportsInterface(bytes.fromhex("ffffffff"))


def test_set_meta_evidence__by_governor__logs_next_id(registry, governor):
    assert registry.set_meta_evidence("ipfs://rules-v2", sender=governor) == 1
    (logged,) = events(registry, "MetaEvidence")
    assert (logged.meta_evidence_id, logged.evidence) == (1, "ipfs://rules-v2")
    assert registry.meta_evidence_id() == 1


def test_set_meta_evidence__by_anyone_else__reverts(registry, admin):
    with boa.reverts("access_control: account is missing role"):
        registry.set_meta_evidence("ipfs://x", sender=admin)
