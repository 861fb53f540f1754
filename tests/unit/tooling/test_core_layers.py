"""The layers of the `labeldao` package (docs/decisions.md, "Architecture"):
the core imports neither titanoboa nor Ape, and `ape run deploy` and `ape run
court` load no titanoboa. Each check runs in a fresh interpreter and reads
`sys.modules` there, so nothing this test process imported can hide a load."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys

import labeldao
from labeldao.paths import REPO_ROOT

# Adapters: the only modules of the package's top level allowed to import
# titanoboa (boa_*) or Ape (ape_*).
ADAPTERS = {"boa_tools", "boa_system", "boa_logs", "ape_backend", "ape_clients", "ape_system"}
# Subpackages with owners and layers of their own (indexer, web, sim) and the
# test tooling (assurance: mutation, coverage, revert checks on titanoboa).
OWN_LAYERS = {"indexer", "web", "sim", "assurance"}


def core_modules() -> list[str]:
    """Every core module: `labeldao.*` and its core subpackages, walked."""
    names = []
    for info in pkgutil.walk_packages(labeldao.__path__, "labeldao."):
        parts = info.name.split(".")
        if parts[1] in ADAPTERS or parts[1] in OWN_LAYERS:
            continue
        names.append(info.name)
    return sorted(names)


def _fresh(code: str, *, timeout: int = 240) -> dict[str, list[str]]:
    """Runs `code` in a new interpreter at the repository root; returns the
    JSON it prints on its last line."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


_LOADED = """
import json, sys
def loaded(*tops):
    return sorted(m for m in sys.modules if m.split(".")[0] in tops)
"""


def _is_ape(name: str) -> bool:
    top = name.split(".")[0]
    return top == "ape" or top.startswith("ape_")


def test_core_modules__are_the_package_minus_adapters():
    modules = core_modules()
    # The pieces of the core the layering promises, by name.
    for name in ("paths", "units", "config", "signing", "merkle", "client_base", "juror"):
        assert f"labeldao.{name}" in modules
    assert not {m.split(".")[1] for m in modules} & ADAPTERS


def test_core__imports_no_titanoboa_and_no_ape():
    modules = core_modules()
    code = (
        _LOADED
        + f"""
import importlib
for name in {modules!r}:
    importlib.import_module(name)
print(json.dumps({{"boa": loaded("boa"), "all": sorted(sys.modules)}}))
"""
    )
    found = _fresh(code)
    assert found["boa"] == [], f"the core loads titanoboa: {found['boa'][:5]}"
    ape = [m for m in found["all"] if _is_ape(m)]
    assert ape == [], f"the core loads Ape: {ape[:5]}"


def test_moved_adapter_names__load_their_adapter_only_when_asked():
    code = (
        _LOADED
        + """
import labeldao.system, labeldao.solidity, labeldao.juror
before = loaded("boa")
from labeldao.system import deploy_boa
from labeldao.juror import BoaBackend
print(json.dumps({"before": before, "after": loaded("boa")}))
"""
    )
    found = _fresh(code)
    assert found["before"] == []
    assert "boa" in found["after"]


# What `ape run` executes: every script of scripts/ to list the commands
# (Ape runs each one to find its `cli`), then the command asked for. The
# deploy and court commands are run up to their first refusal, without a
# node: a missing parameter file, a missing deployment record.
APE_RUNS = [
    ["run", "deploy", "--help"],
    ["run", "deploy", "--network", "ethereum:local:test", "--params", "/nonexistent/p.toml"],
    ["run", "court", "--help"],
    ["run", "court", "commit", "--help"],
    [
        "run", "court", "status", "--network", "ethereum:local:test",
        "--deployment", "/nonexistent/d.json",
    ],
]  # fmt: skip


def test_ape_run_deploy_and_court__load_no_titanoboa():
    code = (
        _LOADED
        + f"""
from ape._cli import cli
outcomes = []
for args in {APE_RUNS!r}:
    try:
        cli.main(args=args, standalone_mode=False, prog_name="ape")
        outcomes.append("ok")
    except BaseException as exc:  # click's Exit, ClickException, UsageError
        outcomes.append(type(exc).__name__ + ": " + str(exc))
print(json.dumps({{"boa": loaded("boa"), "outcomes": outcomes,
                  "scripts": sorted(m for m in sys.modules if m.startswith("labeldao"))}}))
"""
    )
    found = _fresh(code)
    outcomes = found["outcomes"]
    # The commands ran: help printed, then the first refusal of each path.
    assert "no parameter file /nonexistent/p.toml" in outcomes[1]
    assert "no deployment record /nonexistent/d.json" in outcomes[4]
    assert "labeldao.config" in found["scripts"] and "labeldao.juror" in found["scripts"]
    assert found["boa"] == [], f"`ape run` loads titanoboa: {found['boa'][:5]}"
