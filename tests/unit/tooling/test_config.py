"""labeldao.config: deployment parameter files are validated before any transaction."""

import tomllib
from pathlib import Path

import pytest
from eth_utils import is_checksum_address

from labeldao.config import ParamsError, load_params, params_path

TEST_ACCOUNTS = [f"0x{i:040x}" for i in range(1, 11)]
GOOD = """
network = "demo"
[token]
cap = 1000
initial_mints = [{ to = "test:1", amount = 5 }]
[timelock]
min_delay = 172800
proposers = ["test:2"]
executors = ["0x0000000000000000000000000000000000000000"]
[roles]
guardian = "test:3"
treasury = "0x00000000000000000000000000000000000000aa"
[court]
randomness_delay = 1
epoch_seconds = 600
params = { panel_size = 5 }
[registry]
epoch_length = 3600
epoch_emission = 10
meta_evidence_uri = "ipfs://rules"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.toml"
    path.write_text(text)
    return path


def _load(path: Path, is_local: bool = True):
    return load_params(path, is_local=is_local, test_account=lambda i: TEST_ACCOUNTS[i])


def test_checked_in_files__are_valid():
    assert _load(params_path("local")).network == "local"
    with pytest.raises(ParamsError, match="placeholder"):
        _load(params_path("sepolia"), is_local=False)


def test_good_file__resolves_test_accounts_and_checksums(tmp_path):
    params = _load(_write(tmp_path, GOOD))
    assert params.token.initial_mints[0].to == "0x0000000000000000000000000000000000000002"
    assert params.roles.treasury == "0x00000000000000000000000000000000000000AA"
    assert params.timelock.executors == ["0x0000000000000000000000000000000000000000"]
    assert params.court.params == {"panel_size": 5}
    assert params.escrow.params == {}


def test_test_accounts__on_public_network__are_refused(tmp_path):
    with pytest.raises(ParamsError, match="token.initial_mints.0.to: 'test:1'.*local networks"):
        _load(_write(tmp_path, GOOD), is_local=False)


def test_short_timelock__on_public_network__is_refused(tmp_path):
    text = GOOD.replace("test:", "0x00000000000000000000000000000000000000b").replace(
        "172800", "3600"
    )
    with pytest.raises(ParamsError, match="min_delay: must be >= 172800"):
        _load(_write(tmp_path, text), is_local=False)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("cap = 1000", "cap = 0", "token.cap: Input should be greater than 0"),
        ("cap = 1000", f"cap = {2**96}", "token.cap: Input should be less than or equal"),
        (
            'treasury = "0x00000000000000000000000000000000000000aa"',
            'treasury = "0x12"',
            "not an address",
        ),
        (
            'guardian = "test:3"',
            'guardian = "0x0000000000000000000000000000000000000000"',
            "zero address",
        ),
        ("amount = 5", "amount = -5", "amount: Input should be greater than 0"),
        ("[roles]", "[roles]\nsurprise = 1", "roles.surprise: Extra inputs are not permitted"),
        (  # (48 + 2) blocks of 12 s = 600 s: the epoch must be longer
            "randomness_delay = 1",
            "randomness_delay = 48",
            r"court: epoch_seconds must exceed \(randomness_delay \+ 2\) blocks of 12 s = 600 s",
        ),
        ("epoch_seconds = 600", "epoch_seconds = 59", "court.epoch_seconds: Input should be"),
        ("epoch_seconds = 600", f"epoch_seconds = {2**32 + 1}", "court.epoch_seconds: Input"),
        ("epoch_length = 3600", "epoch_length = 60", "registry.epoch_length: Input should be"),
        ('meta_evidence_uri = "ipfs://rules"', "", "registry.meta_evidence_uri: Field required"),
        ('proposers = ["test:2"]', "proposers = []", "timelock.proposers"),
        ('guardian = "test:3"', 'guardian = "test:x"', "must be test:N"),
    ],
)
def test_bad_value__names_the_field(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(ParamsError, match=message):
        _load(_write(tmp_path, GOOD.replace(old, new)))


def test_missing_or_broken_file__says_so(tmp_path):
    with pytest.raises(ParamsError, match="no parameter file"):
        _load(tmp_path / "nope.toml")
    with pytest.raises(ParamsError, match="not valid TOML"):
        _load(_write(tmp_path, "cap = = 1"))


PUBLIC_NETWORKS = ["sepolia", "arbitrum-sepolia", "base-sepolia", "optimism-sepolia"]


@pytest.mark.parametrize("network", PUBLIC_NETWORKS)
def test_public_network_files__refuse_placeholders_and_are_valid_once_filled(network, tmp_path):
    """Each public network's file names itself, keeps the deployer from
    deploying with its placeholders, and is valid once real addresses are in."""
    path = params_path(network)
    with pytest.raises(ParamsError, match="placeholder"):
        _load(path, is_local=False)
    filled = path.read_text().replace(
        "0x000000000000000000000000000000000000dEaD", "0x00000000000000000000000000000000000000aa"
    )
    # Every public file uses Chainlink VRF: the subscription is the operator's own.
    with pytest.raises(ParamsError) as missing:
        _load(_write(tmp_path, filled), is_local=False)
    message = str(missing.value)
    assert "\n" not in message  # one line, naming the field
    assert ".toml: randomness: source 'chainlink_vrf' needs subscription_id" in message
    assert "the operator must fill it in" in message
    filled = filled.replace('# subscription_id = "<your subscription id>"', 'subscription_id = "7"')
    params = _load(_write(tmp_path, filled), is_local=False)
    assert params.network == network
    assert params.timelock.min_delay >= 2 * 86_400


@pytest.mark.parametrize("network", PUBLIC_NETWORKS)
def test_public_network_files__chainlink_vrf_and_a_governor_in_seconds(network):
    """The public files (prevrandao stays for local chains) carry Chainlink's
    published coordinator and key hash (the source is cited in the file) and
    a [governor] table in seconds: on the L2s the voting delay outlasts how
    far the sequencer may move timestamps (>= 1 hour)."""
    text = params_path(network).read_text()
    assert "https://docs.chain.link/vrf/v2-5/supported-networks" in text
    table = tomllib.loads(text)
    assert table["randomness"]["source"] == "chainlink_vrf"
    assert is_checksum_address(table["randomness"]["coordinator"])
    assert int(table["randomness"]["key_hash"], 16) != 0
    assert "subscription_id" not in table["randomness"]  # the operator's own
    governor = table["governor"]
    assert 3_600 <= governor["voting_delay"] < governor["voting_period"] <= 14 * 86_400


VRF_BEHIND_FALLBACK = """
[randomness]
source = "chainlink_vrf"
coordinator = "0x00000000000000000000000000000000000000cc"
key_hash = "0x{key}"
subscription_id = "7"
fallback_timeout = {timeout}
max_rerequests = 1
fallback_delay = 4
""".replace("{key}", "11" * 32)


@pytest.mark.parametrize(
    ("epoch", "timeout", "fits"),
    [
        # 2 asks x 1,800 s + (4 + 2) blocks x 12 s = 3,672 s
        (3_673, 1_800, True),
        (3_672, 1_800, False),
        (7_200, 3_600, False),  # the testnet files before the court's epoch counted seconds
        (600, 0, True),  # no fallback adapter: nothing to reach
    ],
)
def test_vrf_fallback__must_be_reached_within_one_court_epoch(tmp_path, epoch, timeout, fits):
    """The court asks again by itself when a draw outlives its snapshot epoch:
    unless every VRF ask, the fallback's lookahead and the draw fit in one
    epoch, the fallback is never reached, and the loader says so in one line
    naming the fields."""
    text = GOOD.replace("epoch_seconds = 600", f"epoch_seconds = {epoch}")
    text += VRF_BEHIND_FALLBACK.replace("{timeout}", str(timeout))
    path = _write(tmp_path, text)
    if fits:
        assert _load(path).court.epoch_seconds == epoch
        return
    with pytest.raises(ParamsError) as refused:
        _load(path)
    message = str(refused.value)
    assert "\n" not in message
    for field in (
        "randomness.max_rerequests",
        "randomness.fallback_timeout",
        "court.epoch_seconds",
    ):
        assert field in message
    assert f"= {2 * timeout + 72} s must be below court.epoch_seconds ({epoch})" in message
