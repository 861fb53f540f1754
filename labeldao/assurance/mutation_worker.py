"""The mutation workers' side (started by `labeldao.assurance.mutation`).

The runner keeps a `pebble.ProcessPool` of spawned processes. Each process
first runs `enter_sandbox`: it claims one of the sandbox copies of the
repository (a lock held for the life of the process), restores its
`contracts/` from the repository, makes it the working directory and the
first entry of `sys.path`, and drops the `labeldao` and `tests` modules it
was started with, so that the jobs import the sandbox's copies (whose
`boa_tools.REPO_ROOT` is the sandbox: the tests compile the mutant). Its
output goes to the sandbox's log. A job is a dict:

    {"key", "target", "source" (None: the original), "compile", "tests"}

`run_task` writes `source` over `target`, compiles `contracts/<compile>.vy`
(stillborn if that fails; equivalent if the bytecode is the original's), runs
`pytest -x` on `tests` in-process and restores the original file. pebble
stops a process whose job runs past its timeout and starts a fresh one.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boa
import boa.interpret
import pytest
from boa.interpret import set_cache_dir

from labeldao import boa_tools
from labeldao.assurance import BOA_PYTEST_PLUGINS

_BOA_FINGERPRINT = boa.interpret.get_module_fingerprint

PYTEST_ARGS = [*BOA_PYTEST_PLUGINS, "-p", "no:cacheprovider", "-x", "-q"]


class FirstFailure:
    """pytest plugin: remembers the first failing test."""

    def __init__(self) -> None:
        self.nodeid = ""

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and not self.nodeid:
            self.nodeid = report.nodeid

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and not self.nodeid:
            self.nodeid = f"collection: {report.nodeid}"


def _import_closure(module_t: Any, seen: set[Path]) -> set[Path]:
    """Every file `module_t` imports, directly or through another module."""
    for stmt in module_t.import_stmts:
        info = stmt._metadata["import_info"]
        given = info.compiler_input
        path = Path(getattr(given, "resolved_path", None) or given.path)
        if path in seen:
            continue
        seen.add(path)
        inner = getattr(info.typ, "module_t", None)
        if inner is not None:
            _import_closure(inner, seen)
    return seen


def _tree_fingerprint(module_t: Any, seen: object = None) -> str:
    """titanoboa's compile-cache key (`get_module_fingerprint`) with the hash
    of every file the module imports, through any depth: titanoboa 0.2.8
    hashes a module's direct imports only, so a mutant of a module imported
    through another (`checkpoints`, through `erc20_votes`) would hit the
    cache of the original and compile to the original's bytecode. Only the
    module's own imports count, so a mutant recompiles the contracts that
    use the mutated file and no other (hashing every file under
    `contracts/` recompiled every contract a test deploys, for each mutant)."""
    digest = hashlib.sha256()
    for path in sorted(_import_closure(module_t, set())):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return _BOA_FINGERPRINT(module_t, seen) + digest.hexdigest()


def without_metadata(bytecode: bytes) -> bytes:
    """Deploy bytecode without Vyper's trailing CBOR metadata (its length is
    the last two bytes). Vyper 0.4 puts an integrity hash of the sources in
    it, so that even a comment changes the bytes; without it, two programs
    that compile to the same code compare equal."""
    length = int.from_bytes(bytecode[-2:], "big")
    if len(bytecode) < length + 2:
        raise ValueError("no CBOR metadata at the end of the bytecode")
    return bytecode[: -(length + 2)]


def _bytecode(contract: str) -> bytes:
    """The contract's code, compiled through `boa_tools.deployer`, the path
    the tests take: the tests then reuse this compilation (titanoboa keys
    its cache by the path as given, so `contracts/X.vy` compiled twice)."""
    data = boa_tools.deployer(contract).compiler_data
    return without_metadata(bytes(data.bytecode)) + bytes(data.bytecode_runtime)


def run_job(job: dict, originals: dict[str, bytes]) -> dict:
    target = Path(job["target"])
    original = target.read_text()
    started = time.monotonic()
    try:
        if job["source"] is not None:
            target.write_text(job["source"])
        boa_tools.deployer.cache_clear()
        try:
            code = _bytecode(job["compile"])
        except Exception as error:  # a compile error of any kind: stillborn
            return {"status": "stillborn", "test": f"{type(error).__name__}", "seconds": 0.0}
        if job["source"] is None:
            originals[job["compile"]] = code
        elif originals.get(job["compile"]) == code:
            return {"status": "same-bytecode", "seconds": time.monotonic() - started}
        recorder = FirstFailure()
        exit_code = pytest.main([*PYTEST_ARGS, *job["tests"]], plugins=[recorder])
        seconds = time.monotonic() - started
        if exit_code == pytest.ExitCode.OK:
            return {"status": "survived", "seconds": seconds}
        if exit_code == pytest.ExitCode.TESTS_FAILED:
            return {"status": "killed", "seconds": seconds, "test": recorder.nodeid}
        return {"status": "error", "seconds": seconds, "test": f"pytest exit {int(exit_code)}"}
    finally:
        target.write_text(original)
        boa_tools.deployer.cache_clear()


# The one piece of state of a pool process: the original bytecode of each
# contract compiled so far (compiled once per process, in its sandbox).
_ORIGINALS: dict[str, bytes] = {}
_CLAIM: list = []  # the open lock file of the claimed sandbox (kept for the process's life)


def run_task(job: dict) -> dict:
    """One job in a pool process (after `enter_sandbox`)."""
    if job["source"] is not None and job["compile"] not in _ORIGINALS:
        _ORIGINALS[job["compile"]] = _bytecode(job["compile"])
    print(f"=== {job['key']}", flush=True)
    return run_job(job, _ORIGINALS)


def prepare() -> None:
    """Compile cache in the sandbox, keyed by every module's source."""
    set_cache_dir(str(Path(".boa-cache").resolve()))
    if boa.interpret.get_module_fingerprint is not _tree_fingerprint:
        boa.interpret.get_module_fingerprint = _tree_fingerprint


def claim(sandboxes: Sequence[str], wait: float = 60.0) -> int:
    """Index of a sandbox no other live process holds (an exclusive lock on
    `<sandbox>/.claim`, released when the process dies). A process that
    replaces a stopped one may start before the old one is gone: it waits."""
    deadline = time.monotonic() + wait
    while True:
        for index, sandbox in enumerate(sandboxes):
            handle = open(Path(sandbox) / ".claim", "a")  # noqa: SIM115 (held while alive)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            _CLAIM.append(handle)
            return index
        if time.monotonic() > deadline:
            raise RuntimeError(f"no free sandbox among {list(sandboxes)}")
        time.sleep(0.2)


def enter_sandbox(sandboxes: Sequence[str], root: str) -> None:
    """pebble's initializer: see the module's docstring."""
    sandbox = Path(sandboxes[claim(sandboxes)])
    shutil.rmtree(sandbox / "contracts")  # a stopped process may have left a mutant
    shutil.copytree(Path(root) / "contracts", sandbox / "contracts")
    log = open(sandbox.with_name(sandbox.name + ".log"), "a", buffering=1)  # noqa: SIM115
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    os.chdir(sandbox)
    os.environ.update(HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(sandbox))
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(sandbox))
    for name in list(sys.modules):
        if name.split(".")[0] in ("labeldao", "tests"):
            del sys.modules[name]
    importlib.import_module("labeldao.assurance.mutation_worker").prepare()
