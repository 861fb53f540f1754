"""scripts/court.py without a chain: every command documents itself, and
arguments are refused by click before any connection."""

from __future__ import annotations

import importlib.util

import pytest
from click.testing import CliRunner

from labeldao.boa_tools import REPO_ROOT

COMMANDS = [
    "status",
    "disputes",
    "stake",
    "unstake",
    "withdraw",
    "evidence",
    "draw",
    "commit",
    "reveal",
    "auto-reveal",
    "recover-salt",
    "appeal",
    "execute",
]


@pytest.fixture(scope="module")
def cli():
    spec = importlib.util.spec_from_file_location("court_script", REPO_ROOT / "scripts/court.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


def test_cli__group_help__lists_every_command(cli):
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line}
    assert listed == set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_cli__command_help__describes_it_with_the_shared_options(cli, name):
    result = CliRunner().invoke(cli, [name, "--help"], prog_name="court")
    assert result.exit_code == 0, result.output
    assert f"Usage: court {name}" in result.output
    for option in ("--account", "--network", "--court", "--deployment", "--store"):
        assert option in result.output
    description = result.output.split("\n\n")[1].strip()
    assert len(description) > 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["commit", "0"], "Missing argument 'CHOICE'"),
        (["commit", "zero", "1"], "'zero' is not a valid integer"),
        (["stake", "1,000"], "write amounts without commas"),
        (["stake", "0.0000000000000000001"], "18 decimals at most"),
        (["draw", "0", "--batch", "65"], "65 is not in the range 1<=x<=64"),
        (["reveal", "0", "--salt", "0xzz"], "'0xzz' is not hex"),
        (["appeal", "0", "0"], "0 is not in the range x>=1"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_cli__malformed_arguments__usage_error_exit_2(cli, args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
