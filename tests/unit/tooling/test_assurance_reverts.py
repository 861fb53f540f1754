"""labeldao.assurance.reverts finds revert strings no test expects."""

from pathlib import Path

from labeldao.assurance.reverts import contract_reverts, expected_reverts, main

CONTRACT = """# pragma version ~=0.4.3
@external
def f(x: uint256):
    assert x > 0, "demo: zero"
    # assert x < 9, "demo: commented out"
    assert (
        x != 7
    ), "demo: seven"
    if x == 5:
        raise "demo: five"
"""

TESTS = """
import boa
SEVEN = "demo: seven"
def test_zero(c):
    with boa.reverts("demo: zero"):
        c.f(0)
def test_seven(c):
    with boa.reverts(SEVEN):
        c.f(7)
# boa.reverts("demo: five") in a comment does not count
"""


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    contracts, tests = tmp_path / "contracts", tmp_path / "tests"
    contracts.mkdir()
    tests.mkdir()
    (contracts / "Demo.vy").write_text(CONTRACT)
    (tests / "test_demo.py").write_text(TESTS)
    return contracts, tests


def test_contract_reverts__reads_asserts_and_raises_not_comments(tmp_path):
    contracts, _ = _tree(tmp_path)
    assert set(contract_reverts(contracts)) == {"demo: zero", "demo: seven", "demo: five"}


def test_expected_reverts__reads_literals_and_constants_only(tmp_path):
    _, tests = _tree(tmp_path)
    assert expected_reverts(tests) == {"demo: zero", "demo: seven"}


def test_main__fails_and_names_the_untested_string(tmp_path, capsys):
    contracts, tests = _tree(tmp_path)
    assert main(["--contracts", str(contracts), "--tests", str(tests)]) == 1
    out = capsys.readouterr().out
    assert "'demo: five' at contracts/Demo.vy:10" in out


def test_main__passes_when_every_string_is_expected(tmp_path):
    contracts, tests = _tree(tmp_path)
    (tests / "test_more.py").write_text('import boa\nboa.reverts("demo: five")\n')
    assert main(["--contracts", str(contracts), "--tests", str(tests)]) == 0


def test_expected_reverts__follows_parametrized_messages(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_p.py").write_text(
        "import boa, pytest\n"
        '@pytest.mark.parametrize(("x", "message"), [(0, "demo: zero"), (7, "demo: seven")])\n'
        "def test_bad(c, x, message):\n"
        "    with boa.reverts(message):\n"
        "        c.f(x)\n"
        '@pytest.mark.parametrize("unused", ["demo: five"])\n'
        "def test_other(unused):\n"
        "    pass\n"
    )
    assert expected_reverts(tests) == {"demo: zero", "demo: seven"}


def test_contract_reverts__reads_reasons_passed_to_the_shared_revert_path(tmp_path):
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "Shared.vy").write_text(
        "# pragma version ~=0.4.3\n"
        "@internal\n"
        "def _require(ok: bool, reason: String[64]):\n"
        "    if not ok:\n"
        "        raise reason\n"
        "@external\n"
        "def f(x: uint256):\n"
        '    self._require(x > 0, "demo: zero")\n'
        '    log_it: String[8] = "not one"\n'
    )
    assert set(contract_reverts(contracts)) == {"demo: zero"}


def test_expected_reverts__reads_parametrize_rows_kept_in_a_module_list(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_rows.py").write_text(
        "import boa\nimport pytest\n"
        'ROWS = [(1, "demo: one"), (2, "demo: two")]\n'
        '@pytest.mark.parametrize(("x", "reason"), ROWS)\n'
        "def test_rows(c, x, reason):\n"
        "    with boa.reverts(reason):\n"
        "        c.f(x)\n"
    )
    assert expected_reverts(tests) == {"demo: one", "demo: two"}
