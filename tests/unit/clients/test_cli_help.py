"""scripts/task.py and scripts/node.py without a chain: every command and
every option documents itself, and malformed arguments are refused by click
before any connection (exit 2, one message, no traceback)."""

from __future__ import annotations

import importlib.util

import click
import pytest
from click.testing import CliRunner

from labeldao.boa_tools import REPO_ROOT

TASK_COMMANDS = {
    "create", "cancel", "claim", "submit", "accept", "reject", "prove-gold", "finalize",
    "reclaim", "withdraw", "status", "list", "evidence", "contest",
}  # fmt: skip
NODE_COMMANDS = {
    "register", "update", "add-stake", "report", "claim", "deactivate", "withdraw-stake",
    "withdraw", "status", "challenge",
}  # fmt: skip
APE_OPTIONS = {"network", "provider_settings", "verbosity"}


def _load(name: str) -> click.Group:
    spec = importlib.util.spec_from_file_location(
        f"{name}_script", REPO_ROOT / f"scripts/{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


@pytest.fixture(scope="module", params=[("task", TASK_COMMANDS), ("node", NODE_COMMANDS)])
def script(request):
    name, commands = request.param
    return name, _load(name), commands


def test_cli__every_command_and_option_is_documented(script):
    name, group, commands = script
    assert set(group.commands) == commands
    for command_name, command in group.commands.items():
        assert len((command.help or "").strip()) > 20, f"{name} {command_name}"
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in APE_OPTIONS:
                assert (param.help or "").strip(), f"{name} {command_name} {param.opts}"
        result = CliRunner().invoke(group, [command_name, "--help"], prog_name=name)
        assert result.exit_code == 0, result.output
        assert "--account" in result.output and "--deployment" in result.output


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("task", ["create", "/nonexistent.csv", "--reward", "1", "--stake", "1"],
         "'/nonexistent.csv' does not exist"),
        ("task", ["claim", "--", "-1"], "-1 is not in the range x>=0"),
        ("task", ["list", "--status", "lost"], "'lost' is not one of"),
        ("node", ["register", "/nonexistent.json", "--gpus", "1", "--tier", "0"],
         "does not exist"),
        ("node", ["report", "0", "r.csv"], "0 is not in the range x>=1"),
        ("node", ["report", "1", "/nonexistent.csv", "--uptime", "10001"], "0<=x<=10000"),
    ],
)  # fmt: skip
def test_cli__malformed_arguments__usage_error_exit_2(name, args, message):
    result = CliRunner().invoke(_load(name), args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
