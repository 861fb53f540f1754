"""The deploy plan's randomness source: chosen and validated in the parameter
file (`[randomness]`), prevrandao refused on L2 chain ids, and the suite wired
to a Chainlink VRF adapter (behind a fallback adapter) by `deploy_boa`, the
plan `ape run deploy` runs; then a dispute drawn with the coordinator mock
answering, and one drawn from the fallback when it never answers."""

from pathlib import Path

import boa
import pytest
from eth_utils import to_checksum_address

from labeldao.config import (
    L2_CHAIN_IDS,
    ParamsError,
    check_randomness_for_chain,
    load_params,
    params_path,
)
from labeldao.deploy import role_id
from labeldao.system import ALL_ROLES, ROLELESS, deploy_boa
from tests.unit.randomness.conftest import LINK_FUNDING, deploy_coordinator

LOCAL = params_path("local").read_text()
KEY_HASH = "0x" + "4b" * 32
BIG_SUBSCRIPTION = 2**255 + 7  # VRF v2.5 ids are uint256: beyond TOML's integers
TIMEOUT = 60  # seconds (5 titanoboa blocks): 3 asks + the lookahead fit in the 600 s epoch


def _vrf_table(coordinator: str, subscription: int | str, **extra: object) -> str:
    lines = [
        "[randomness]",
        'source = "chainlink_vrf"',
        f'coordinator = "{coordinator}"',
        f'key_hash = "{KEY_HASH}"',
        f'subscription_id = "{subscription}"',
        *(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in extra.items()),
    ]
    return LOCAL + "\n" + "\n".join(lines) + "\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.toml"
    path.write_text(text)
    return path


def _load(path: Path):
    return load_params(path, is_local=True, test_account=lambda i: f"0x{i + 1:040x}")


# --- validation -------------------------------------------------------------


def test_default__is_prevrandao():
    assert _load(params_path("local")).randomness.source == "prevrandao"


def test_vrf_table__big_subscription_id_as_a_string(tmp_path):
    params = _load(_write(tmp_path, _vrf_table(f"0x{'ab' * 20}", BIG_SUBSCRIPTION)))
    assert params.randomness.subscription_id == BIG_SUBSCRIPTION
    assert params.randomness.coordinator == to_checksum_address("0x" + "ab" * 20)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('[randomness]\nsource = "chainlink_vrf"', "needs coordinator, key_hash, subscription_id"),
        ('[randomness]\nsource = "drand"', "randomness.source: Input should be 'prevrandao'"),
        (f'[randomness]\ncoordinator = "0x{"ab" * 20}"', "coordinator: only for source"),
        (
            f'[randomness]\nsource = "chainlink_vrf"\ncoordinator = "0x{"ab" * 20}"\n'
            f'key_hash = "0x{"00" * 32}"\nsubscription_id = 1',
            "key_hash must not be zero",
        ),
        ('[randomness]\nkey_hash = "0x12"', "randomness.key_hash: String should match pattern"),
        ("[randomness]\nfallback_timeout = -1", "randomness.fallback_timeout"),
        ("[randomness]\ncallback_gas_limit = 10", "randomness.callback_gas_limit"),
        ('[randomness]\ncoordinator = "0x12"', "randomness.coordinator: '0x12' is not an address"),
    ],
)
def test_bad_randomness_table__names_the_field(tmp_path, table, problem):
    with pytest.raises(ParamsError) as error:
        _load(_write(tmp_path, LOCAL + "\n" + table + "\n"))
    assert problem in str(error.value)
    assert "randomness" in str(error.value)


@pytest.mark.parametrize("chain_id", sorted(L2_CHAIN_IDS))
def test_prevrandao_on_an_l2__is_refused_in_one_line(chain_id):
    params = _load(params_path("local"))
    with pytest.raises(ParamsError) as error:
        check_randomness_for_chain(params, chain_id)
    message = str(error.value)
    assert message.startswith("randomness.source: 'prevrandao' is refused on chain id")
    assert str(chain_id) in message and "\n" not in message


@pytest.mark.parametrize("chain_id", [1, 11_155_111, 31_337, 17_000])
def test_prevrandao_on_l1_and_local_chains__is_accepted(chain_id):
    check_randomness_for_chain(_load(params_path("local")), chain_id)


def test_vrf_on_an_l2__is_accepted(tmp_path):
    params = _load(_write(tmp_path, _vrf_table(f"0x{'ab' * 20}", 5)))
    for chain_id in (42_161, 421_614, 8_453, 84_532, 10, 11_155_420):
        check_randomness_for_chain(params, chain_id)


# --- deployment and draws ------------------------------------------------------


@pytest.fixture
def coordinator():
    mock = deploy_coordinator()
    subscription = mock.createSubscription()
    mock.fundSubscription(subscription, LINK_FUNDING)
    return mock, subscription


def _deploy(tmp_path, coordinator, **extra):
    mock, subscription = coordinator
    system = deploy_boa(_write(tmp_path, _vrf_table(str(mock.address), subscription, **extra)))
    mock.addConsumer(subscription, system.contracts["ChainlinkVRFRandomness"].address)
    return system


def test_deploy__vrf_behind_the_fallback__wired_and_no_role_left(tmp_path, coordinator):
    mock, subscription = coordinator
    system = _deploy(
        tmp_path, coordinator, fallback_timeout=TIMEOUT, max_rerequests=2, native_payment=True
    )
    vrf = system.contracts["ChainlinkVRFRandomness"]
    fallback = system.contracts["RandomnessWithFallback"]
    assert "PrevrandaoRandomness" not in system.contracts
    assert system.randomness is fallback
    court_source = system.court.params(system.court.params_version()).randomness
    assert court_source == fallback.address
    assert fallback.PRIMARY() == vrf.address and fallback.consumer() == system.court.address
    assert (fallback.TIMEOUT(), fallback.MAX_REREQUESTS(), fallback.FALLBACK_DELAY()) == (60, 2, 4)
    assert vrf.consumer() == fallback.address
    assert vrf.COORDINATOR() == mock.address and vrf.SUBSCRIPTION_ID() == subscription
    assert vrf.KEY_HASH() == bytes.fromhex(KEY_HASH[2:]) and vrf.NATIVE_PAYMENT()
    for name, contract in system.contracts.items():
        if name not in ROLELESS:
            for role in ALL_ROLES:
                assert not contract.hasRole(role_id(role), system.deployer)


def test_deploy__vrf_without_fallback__the_court_consumes_it(tmp_path, coordinator):
    system = _deploy(tmp_path, coordinator)
    vrf = system.contracts["ChainlinkVRFRandomness"]
    assert "RandomnessWithFallback" not in system.contracts
    assert system.court.params(system.court.params_version()).randomness == vrf.address
    assert vrf.consumer() == system.court.address


def _open_dispute(system) -> int:
    """Three staked jurors (the local file's funded test accounts), the next
    epoch, and a dispute opened by one of them; returns its id."""
    court, token = system.court, system.token
    stake = court.params(court.params_version()).min_juror_stake * 10
    jurors = [mint.to for mint in system.params.token.initial_mints]
    for juror in jurors:
        token.approve(court.address, 2**256 - 1, sender=juror)
        court.stake(stake, sender=juror)
    epoch = court.epoch_seconds()
    boa.env.time_travel(seconds=epoch - boa.env.evm.patch.timestamp % epoch)
    return court.createDispute(2, b"", sender=jurors[0])


def _draw_all(system, dispute: int) -> int:
    system.court.draw(dispute, 16)
    info = system.court_lens.round_info(system.court.address, dispute, 0)
    assert info.drawn == info.panel
    return info.panel


def test_draw__the_coordinator_answers__the_panel_is_drawn(tmp_path, coordinator):
    mock, _ = coordinator
    system = _deploy(tmp_path, coordinator, fallback_timeout=TIMEOUT)
    vrf, fallback = system.contracts["ChainlinkVRFRandomness"], system.randomness
    dispute = _open_dispute(system)
    with boa.reverts("court: randomness not ready"):
        system.court.draw(dispute, 16)
    request = system.court_lens.round_info(system.court.address, dispute, 0).randomness_request
    mock.fulfillRandomWords(vrf.vrf_request_id(fallback.primary_request_id(request)), vrf.address)
    assert _draw_all(system, dispute) >= 1
    assert fallback.value_of(request) == vrf.value_of(fallback.primary_request_id(request))


def test_draw__the_coordinator_never_answers__rerequest_then_fallback(tmp_path, coordinator):
    mock, _ = coordinator
    system = _deploy(tmp_path, coordinator, fallback_timeout=TIMEOUT, fallback_delay=2)
    vrf, fallback = system.contracts["ChainlinkVRFRandomness"], system.randomness
    dispute = _open_dispute(system)
    request = system.court_lens.round_info(system.court.address, dispute, 0).randomness_request
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.retry(request)  # asks the coordinator again: still no answer
    assert fallback.rerequests(request) == 1 and vrf.request_count() == 2
    boa.env.time_travel(seconds=TIMEOUT)
    fallback.retry(request)  # falls back
    boa.env.time_travel(blocks=3)
    assert _draw_all(system, dispute) >= 1
    assert fallback.value_of(request) != 0
    assert (
        system.court_lens.round_info(system.court.address, dispute, 0).randomness_request == request
    )  # the court's id
    stale = vrf.vrf_request_id(fallback.primary_request_id(request))
    mock.fulfillRandomWords(stale, vrf.address)  # a late answer is recorded, and ignored
    assert fallback.receive_randomness(request) != vrf.value_of(1)
