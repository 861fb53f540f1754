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


def test_load_justifications__lines_with_reason(tmp_path: Path):
    path = tmp_path / "j.toml"
    path.write_text('[[line]]\nfile = "contracts/Demo.vy"\nlines = [7, 9]\nreason = "dead"\n')
    assert load_justifications(path) == {
        ("contracts/Demo.vy", 7): "dead",
        ("contracts/Demo.vy", 9): "dead",
    }


def test_load_justifications__entry_without_reason__raises(tmp_path: Path):
    path = tmp_path / "j.toml"
    path.write_text('[[line]]\nfile = "contracts/Demo.vy"\nlines = [7]\n')
    with pytest.raises(ValueError, match="without a reason"):
        load_justifications(path)


def test_load_justifications__committed_file__parses():
    reasons = load_justifications()
    assert all(reason for reason in reasons.values())


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
