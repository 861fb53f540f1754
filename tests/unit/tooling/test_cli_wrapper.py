"""One click wrapper for the Ape CLIs (`labeldao.ape_clients.ape_command`):
every command of `ape run court|task|node|govern` is built by it, and it
turns every error a user can cause into one line (no traceback)."""

from __future__ import annotations

import importlib.util

import click
import pytest
from ape.exceptions import ApeException

from labeldao.ape_clients import cli_errors
from labeldao.client_base import JurorError, Refusal, Reverted
from labeldao.metaevidence import MetaEvidenceError
from labeldao.paths import REPO_ROOT
from labeldao.store import StoreError

WRAPPED = "ape_command.<locals>.decorate.<locals>.run"


def _commands(script: str) -> dict[str, click.Command]:
    spec = importlib.util.spec_from_file_location(
        f"{script}_wrapped", REPO_ROOT / f"scripts/{script}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli.commands


@pytest.mark.parametrize("script", ["court", "task", "node", "govern"])
def test_every_command__is_built_by_the_one_wrapper(script):
    commands = _commands(script)
    assert commands
    for name, command in commands.items():
        assert command.callback.__code__.co_qualname == WRAPPED, f"{script} {name}"
        options = {p.name for p in command.params}
        assert {"account", "deployment"} <= options, f"{script} {name}: {options}"


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (Reverted("court: not in commit period"), "reverted: court: not in commit period"),
        (JurorError("no dispute 9"), "no dispute 9"),
        (Refusal("task 3 is not open"), "task 3 is not open"),
        (StoreError("the store is locked"), "the store is locked"),
        (MetaEvidenceError("no MetaEvidence"), "no MetaEvidence"),
        (ApeException("no provider"), "ApeException: no provider"),
        (KeyboardInterrupt(), "interrupted"),
    ],
)
def test_cli_errors__a_user_error__is_one_line(error, line):
    with pytest.raises(click.ClickException) as raised, cli_errors():
        raise error
    assert raised.value.message == line
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_cli_errors__a_bug__is_not_hidden():
    with pytest.raises(ZeroDivisionError), cli_errors():
        _ = 1 / 0
