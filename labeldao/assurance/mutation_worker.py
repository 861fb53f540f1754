"""A long-lived mutation worker (started by `labeldao.assurance.mutation`).

Runs in a sandbox copy of the repository (its working directory), so that
`labeldao`, `tests` and `contracts` are the sandbox's. Reads one JSON job per
line on stdin, answers one JSON line on the real stdout (pytest's own output
goes to stderr, i.e. the worker's log). A job:

    {"key", "target", "source" (None: the original), "compile", "tests"}

The worker writes `source` over `target`, compiles `contracts/<compile>.vy`
(stillborn if that fails; equivalent if the bytecode is the original's), runs
`pytest -x` on `tests` in-process and restores the original file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

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


def _tree_fingerprint(module_t: object, seen: object = None) -> str:
    """titanoboa's compile-cache key (`get_module_fingerprint`) with the hash
    of every Vyper source under `contracts/` added: titanoboa 0.2.8 hashes a
    module's direct imports only, so a mutant of a module imported through
    another (`checkpoints`, through `erc20_votes`) would hit the cache of the
    original and compile to the original's bytecode."""
    digest = hashlib.sha256()
    for path in sorted(Path("contracts").rglob("*.vy")):
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
    data = boa.load_partial(f"contracts/{contract}.vy").compiler_data
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


def _original_bytecodes(jobs_compile: set[str]) -> dict[str, bytes]:
    return {name: _bytecode(name) for name in jobs_compile}


def main() -> int:
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # pytest's output (and any print) goes to the log
    sys.stdout = sys.stderr
    set_cache_dir(str(Path(".boa-cache").resolve()))
    boa.interpret.get_module_fingerprint = _tree_fingerprint
    originals: dict[str, bytes] = {}
    for line in sys.stdin:
        job = json.loads(line)
        if job["source"] is not None and job["compile"] not in originals:
            originals.update(_original_bytecodes({job["compile"]}))
        print(f"=== {job['key']}", flush=True)
        result = run_job(job, originals)
        answer.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
