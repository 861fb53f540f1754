"""labeldao.assurance.coverage_report reads coverage.py's JSON and lists every
uncovered line and branch with its justification."""

from pathlib import Path

import pytest

from labeldao.assurance.coverage_report import (
    FileCoverage,
    load_justifications,
    parse_json_report,
    render,
    unjustified,
)

ROOT = Path("/repo")
REPORT = {
    "files": {
        "/repo/contracts/Demo.vy": {
            "summary": {"num_statements": 10, "num_branches": 4},
            "missing_lines": [7, 9],
            "missing_branches": [[5, 6]],
        },
        "/repo/labeldao/x.py": {
            "summary": {"num_statements": 3, "num_branches": 0},
            "missing_lines": [],
            "missing_branches": [],
        },
    }
}
SOURCE = [f"line {i}" for i in range(1, 11)]


def test_parse_json_report__keeps_vyper_files_relative_to_root():
    (demo,) = parse_json_report(REPORT, root=ROOT)
    assert demo == FileCoverage("contracts/Demo.vy", 10, (7, 9), 4, ((5, 6),))
    assert demo.line_ratio == pytest.approx(0.8)
    assert demo.branch_ratio == pytest.approx(0.75)


_DEMO = """x: uint256


@external
def f(n: uint256):
    y: uint256 = 0  # no code
    self.x = n
    return
"""


def test_load_justifications__lines_named_by_function_and_code(tmp_path: Path):
    path = tmp_path / "j.toml"
    path.write_text(
        '[[line]]\nfile = "contracts/Demo.vy"\nreason = "dead"\nlines = [\n'
        '  { function = "f", code = "y: uint256 = 0" },\n'
        '  { function = "f", code = "return" },\n]\n'
    )
    assert load_justifications(path, read=lambda file: _DEMO) == {
        ("contracts/Demo.vy", 6): "dead",
        ("contracts/Demo.vy", 8): "dead",
    }


def test_load_justifications__lines_added_above__still_found(tmp_path: Path):
    path = tmp_path / "j.toml"
    path.write_text(
        '[[line]]\nfile = "contracts/Demo.vy"\nreason = "dead"\n'
        'lines = [{ function = "f", code = "return" }]\n'
    )
    edited = "# a new header\nz: public(uint8)\n\n" + _DEMO.replace("  # no code", "")
    assert load_justifications(path, read=lambda file: edited) == {
        ("contracts/Demo.vy", 11): "dead"
    }


def test_load_justifications__entry_without_reason__raises(tmp_path: Path):
    path = tmp_path / "j.toml"
    path.write_text('[[line]]\nfile = "contracts/Demo.vy"\nlines = []\n')
    with pytest.raises(ValueError, match="without a reason"):
        load_justifications(path, read=lambda file: _DEMO)


def test_load_justifications__committed_file__every_entry_names_a_current_line():
    import tomllib

    from labeldao.assurance import anchors
    from labeldao.assurance.coverage_report import JUSTIFICATIONS_FILE
    from labeldao.boa_tools import REPO_ROOT

    assert all(reason for reason in load_justifications().values())
    for entry in tomllib.loads(JUSTIFICATIONS_FILE.read_text())["line"]:
        index = anchors.index((REPO_ROOT / entry["file"]).read_text())
        for place in entry["lines"]:
            assert index.get((place["function"], anchors.normalized(place["code"]))), place


def test_unjustified__lists_missing_lines_and_branches_without_reason():
    (demo,) = parse_json_report(REPORT, root=ROOT)
    assert unjustified([demo], {}) == ["contracts/Demo.vy:7", "contracts/Demo.vy:9"]
    reasons = {("contracts/Demo.vy", 7): "a"}
    assert unjustified([demo], reasons) == ["contracts/Demo.vy:9"]


def test_render__totals_table_and_reasons():
    (demo,) = parse_json_report(REPORT, root=ROOT)
    text = render(
        [demo],
        {("contracts/Demo.vy", 7): "only on a full tree"},
        "make coverage",
        60.0,
        {"contracts/Demo.vy": SOURCE},
    )
    assert "**Lines: 8 / 10 = 80.0 %; 1 of the 2 missed lines justified below.**" in text
    assert "| contracts/Demo.vy | 10 | 2 | 80.0 |" in text
    assert "- line 7 `line 7`: only on a full tree" in text
    assert "- line 9 `line 9`: **NOT JUSTIFIED**" in text
    assert "branch 5" not in text  # boa.coverage's arcs are not reported
