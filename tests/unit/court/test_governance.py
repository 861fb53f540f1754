"""QualityCourt: construction, roles, parameters (bounds, versions) and pause."""

import boa
import pytest

from labeldao.boa_tools import deploy_court
from tests.helpers import events
from tests.unit.court.conftest import (
    EPOCH_SECONDS,
    LDAO,
    TEST_PARAMS,
    params_tuple,
)

ZERO = "0x0000000000000000000000000000000000000000"
DEFAULT_ADMIN_ROLE = b"\x00" * 32


def test_constructor__sets_token_treasury_defaults_and_admin(
    token, admin, treasury, randomness, lens
):
    with boa.env.prank(admin):
        court = deploy_court(token.address, treasury, randomness.address, 600, lens.address)
    assert court.feeToken() == token.address
    assert court.TOKEN() == token.address
    assert court.treasury() == treasury
    assert court.epoch_seconds() == 600
    assert court.hasRole(DEFAULT_ADMIN_ROLE, admin)
    assert not court.hasRole(court.PARAMS_ROLE(), admin)
    params = court.params(court.params_version())
    assert court.params_version() == 0
    assert params.unstake_delay == 7 * 86_400
    assert params.panel_size == 3
    assert params.min_juror_stake == 1_000 * LDAO
    assert params.randomness == randomness.address
    assert (params.alpha_bps, params.non_reveal_multiplier_bps) == (1_000, 20_000)
    assert (params.max_panel, params.max_rounds) == (511, 5)
    assert params.fee_per_juror == 10 * LDAO
    periods = (params.evidence_period, params.commit_period, params.reveal_period)
    assert periods + (params.appeal_period,) == (2 * 86_400,) * 4
    assert (params.draw_timeout, params.max_dispute_lock_bps) == (3 * 86_400, 5_000)
    assert court.LENS() == lens.address
    assert court.arbitrationCost(b"") == 30 * LDAO


def test_constructor__zero_token__reverts(treasury, randomness, lens):
    with boa.reverts("court: token is the zero address"):
        deploy_court(ZERO, treasury, randomness.address, EPOCH_SECONDS, lens.address)


def test_constructor__zero_treasury__reverts(token, randomness, lens):
    with boa.reverts("treasury: zero address"):
        deploy_court(token.address, ZERO, randomness.address, EPOCH_SECONDS, lens.address)


@pytest.mark.parametrize("epoch_seconds", [59, 2**32 + 1])
def test_constructor__epoch_out_of_range__reverts(token, treasury, randomness, epoch_seconds, lens):
    with boa.reverts("court: epoch length out of range"):
        deploy_court(token.address, treasury, randomness.address, epoch_seconds, lens.address)


@pytest.mark.parametrize("epoch_seconds", [60, 2**32])
def test_constructor__epoch_at_a_bound__counts_seconds(
    token, treasury, randomness, epoch_seconds, lens
):
    court = deploy_court(token.address, treasury, randomness.address, epoch_seconds, lens.address)
    assert court.epoch_seconds() == epoch_seconds
    assert court.current_epoch() == boa.env.evm.patch.timestamp // epoch_seconds


def test_constructor__randomness_not_a_contract__reverts(token, treasury, lens):
    with boa.reverts("court: randomness not a contract"):
        deploy_court(token.address, treasury, treasury, EPOCH_SECONDS, lens.address)


def test_constructor__lens_not_a_contract__reverts(token, treasury, randomness):
    with boa.reverts("court: lens not a contract"):
        deploy_court(token.address, treasury, randomness.address, EPOCH_SECONDS, treasury)


def test_set_params__by_governor__writes_a_new_version_and_logs(court, governor, randomness):
    before = court.params_version()
    new = params_tuple(randomness.address, panel_size=5, fee_per_juror=3 * LDAO)
    court.set_params(new, sender=governor)
    (changed,) = events(court, "ParamsChanged")
    assert court.params_version() == before + 1
    assert court.params(before + 1).panel_size == 5
    assert court.params(before).panel_size == 3
    assert changed.version == before + 1
    assert tuple(changed.params) == new
    assert court.arbitrationCost(b"") == 15 * LDAO


def test_set_params__by_non_governor__reverts(court, admin, randomness):
    with boa.reverts("access_control: account is missing role"):
        court.set_params(params_tuple(randomness.address), sender=admin)


BOUNDS = [
    ("min_juror_stake", 10**18 - 1, "court: min stake out of range"),
    ("min_juror_stake", 10**27 + 1, "court: min stake out of range"),
    ("alpha_bps", 0, "court: alpha out of range"),
    ("alpha_bps", 10_001, "court: alpha out of range"),
    ("non_reveal_multiplier_bps", 9_999, "court: multiplier out of range"),
    ("non_reveal_multiplier_bps", 100_001, "court: multiplier out of range"),
    ("unstake_delay", 59, "court: delay out of range"),
    ("unstake_delay", 365 * 86_400 + 1, "court: delay out of range"),
    ("max_panel", 0, "court: max panel out of range"),
    ("max_panel", 1_024, "court: max panel out of range"),
    ("panel_size", 0, "court: panel size out of range"),
    ("panel_size", 16, "court: panel size out of range"),
    ("max_rounds", 0, "court: max rounds out of range"),
    ("max_rounds", 11, "court: max rounds out of range"),
    ("fee_per_juror", 10**24 + 1, "court: fee out of range"),
    ("evidence_period", 59, "court: evidence out of range"),
    ("evidence_period", 30 * 86_400 + 1, "court: evidence out of range"),
    ("commit_period", 59, "court: commit out of range"),
    ("commit_period", 30 * 86_400 + 1, "court: commit out of range"),
    ("reveal_period", 59, "court: reveal out of range"),
    ("reveal_period", 30 * 86_400 + 1, "court: reveal out of range"),
    ("appeal_period", 59, "court: appeal out of range"),
    ("appeal_period", 30 * 86_400 + 1, "court: appeal out of range"),
    ("draw_timeout", 59, "court: draw timeout out of range"),
    ("draw_timeout", 30 * 86_400 + 1, "court: draw timeout out of range"),
    ("max_dispute_lock_bps", 0, "court: lock share out of range"),
    ("max_dispute_lock_bps", 10_001, "court: lock share out of range"),
]


@pytest.mark.parametrize(("name", "value", "reason"), BOUNDS)
def test_set_params__out_of_bounds__reverts(court, governor, randomness, name, value, reason):
    with boa.reverts(reason):
        court.set_params(params_tuple(randomness.address, **{name: value}), sender=governor)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("min_juror_stake", 10**18),
        ("alpha_bps", 10_000),
        ("non_reveal_multiplier_bps", 100_000),
        ("unstake_delay", 60),
        ("panel_size", 15),
        ("max_rounds", 10),
        ("min_juror_stake", 10**27),
        ("alpha_bps", 1),
        ("non_reveal_multiplier_bps", 10_000),
        ("unstake_delay", 365 * 86_400),
        ("fee_per_juror", 0),
        ("fee_per_juror", 10**24),
        ("evidence_period", 60),
        ("evidence_period", 30 * 86_400),
        ("commit_period", 60),
        ("commit_period", 30 * 86_400),
        ("reveal_period", 60),
        ("reveal_period", 30 * 86_400),
        ("appeal_period", 60),
        ("appeal_period", 30 * 86_400),
        ("draw_timeout", 60),
        ("draw_timeout", 30 * 86_400),
        ("max_dispute_lock_bps", 1),
        ("max_dispute_lock_bps", 10_000),
    ],
)
def test_set_params__at_the_bounds__succeeds(court, governor, randomness, name, value):
    court.set_params(params_tuple(randomness.address, **{name: value}), sender=governor)
    assert getattr(court.params(court.params_version()), name) == value


def test_set_params__randomness_not_a_contract__reverts(court, governor):
    with boa.reverts("court: randomness not a contract"):
        court.set_params(params_tuple(governor), sender=governor)


def test_set_params__applies_to_new_disputes_only(court, lens, flow, governor, randomness, staked):
    staked(3)
    old = flow.create()
    court.set_params(params_tuple(randomness.address, panel_size=5), sender=governor)
    new = flow.create()
    assert lens.dispute_info(court.address, old).params_version == court.params_version() - 1
    assert lens.round_info(court.address, old, 0).panel == 3
    assert lens.round_info(court.address, new, 0).panel == 5


def test_pause__by_guardian__blocks_staking_only(court, lens, guardian, stake, jurors, arbitrable):
    stake(jurors[0], 200 * LDAO)
    court.pause(sender=guardian)
    assert court.paused()
    with boa.reverts("pausable: contract is paused"):
        stake(jurors[1], 200 * LDAO)
    # Disputes still open: an arbitrable's own deadlines run during a pause.
    dispute_id = arbitrable.create_dispute(2, b"")
    assert lens.dispute_info(court.address, dispute_id).rounds == 1
    # Exits keep working.
    court.request_unstake(200 * LDAO, sender=jurors[0].address)
    assert lens.juror_status(court.address, jurors[0].address).pending_withdrawal == 200 * LDAO


def test_unpause__by_guardian__reopens_entries(court, lens, guardian, stake, jurors):
    court.pause(sender=guardian)
    court.unpause(sender=guardian)
    stake(jurors[1], 200 * LDAO)
    assert lens.juror_status(court.address, jurors[1].address).free == 200 * LDAO


def test_test_params__match_the_struct_order(court):
    params = court.params(court.params_version())
    for name, value in TEST_PARAMS.items():
        assert getattr(params, name) == value
