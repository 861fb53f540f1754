"""Running LabelDAO's CLIs (`ape run court|task|node ...`) as their users
do: subprocesses against a real anvil node, with one-line refusals checked.
`tests/deploy/test_court_cli.py` runs the juror CLI the same way."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from labeldao.boa_tools import REPO_ROOT
from tests.deploy.conftest import Anvil


class ApeScript:
    """`ape run SCRIPT ARGS` against `node`, with the deployment `record`
    and, for scripts that keep files, `--store store`."""

    def __init__(self, script: str, node: Anvil, record: Path, store: Path | None = None) -> None:
        self.script, self.node, self.record, self.store = script, node, record, store

    def command(self, *args: str, account: str | None = None) -> list[str]:
        options = ["--network", "ethereum:local:foundry"]
        if self.store is not None and "--store" not in args:
            options += ["--store", str(self.store)]
        if "--deployment" not in args:
            options += ["--deployment", str(self.record)]
        if account is not None:
            options += ["--account", account]
        return [shutil.which("ape") or "ape", "run", self.script, *args, *options]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "APE_FOUNDRY_HOST": self.node.url,
            "COLUMNS": "200",
            "PYTHONWARNINGS": "ignore::UserWarning:pydantic_settings.sources.utils",
        }

    def __call__(
        self, *args: str, account: str | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args, account=account),
            cwd=REPO_ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def ok(self, *args: str, account: str | None = None) -> str:
        """A command that must succeed; its output, spaces collapsed."""
        result = self(*args, account=account)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return " ".join(result.stdout.split())

    def refused(self, *args: str, account: str | None = None) -> str:
        """A command that must fail: non-zero exit, one message, no traceback."""
        result = self(*args, account=account)
        assert result.returncode != 0, result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        return " ".join((result.stdout + result.stderr).split())
