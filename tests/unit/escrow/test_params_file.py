"""The [escrow] table of a deployment parameter file: new TaskEscrow fields are
checked before any transaction, each problem on one line."""

import pytest

from labeldao.config import ParamsError, load_params, params_path
from labeldao.escrow import check_gold_bond_covers_fee, check_overrides

TEST_ACCOUNTS = [f"0x{i:040x}" for i in range(1, 11)]


def _with_escrow(tmp_path, escrow_params: str):
    text = params_path("local").read_text()
    text = text.replace("[escrow]\n", f"[escrow]\nparams = {{ {escrow_params} }}\n[ignored]\n", 1)
    # Drop the file's own `params` line of the table (now under [ignored]).
    lines = text.splitlines()
    start = lines.index("[ignored]")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
    path = tmp_path / "params.toml"
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    return load_params(path, is_local=True, test_account=lambda i: TEST_ACCOUNTS[i])


def test_extra_data_above_192_bytes__is_refused_with_a_clear_error(tmp_path):
    with pytest.raises(ParamsError, match="arbitrator_extra_data is 193 bytes: at most 192"):
        _with_escrow(tmp_path, f'arbitrator_extra_data = "0x{"00" * 193}"')


def test_extra_data_of_192_bytes__is_accepted(tmp_path):
    params = _with_escrow(tmp_path, f'arbitrator_extra_data = "0x{"01" * 192}"')
    assert len(params.escrow.params["arbitrator_extra_data"]) == 2 + 384


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"arbitrator_extra_data": "zz"}, "must be bytes or a 0x hex string"),
        ({"gold_bond": -1}, "gold_bond must be an integer from 0"),
        ({"gold_bond": 10**24 + 1}, "gold_bond must be an integer from 0"),
        ({"gold_contest_period": 86_399}, "gold_contest_period must be 86400 to 2592000"),
        ({"gold_contest_period": 30 * 86_400 + 1}, "gold_contest_period must be"),
    ],
)
def test_check_overrides__out_of_bounds(overrides, message):
    (problem,) = check_overrides(overrides)
    assert message in problem


def test_gold_bond_below_the_court_fee__is_refused():
    assert check_gold_bond_covers_fee({"gold_bond": 29 * 10**18}, {}) is not None
    assert check_gold_bond_covers_fee({"gold_bond": 30 * 10**18}, {}) is None
    assert check_gold_bond_covers_fee({"gold_bond": 30 * 10**18}, {"panel_size": 5}) is not None
    assert check_gold_bond_covers_fee({}, {}) is None


def test_gold_bond_below_the_court_fee__in_a_file__is_refused(tmp_path):
    with pytest.raises(ParamsError, match="below the court's arbitration cost"):
        _with_escrow(tmp_path, "gold_bond = 1")
