"""Solidity contracts (OpenZeppelin anchors and compatibility harnesses)
compiled with solc-js from npm, for titanoboa (`labeldao.boa_tools.deploy_solidity`)
and Ape (`labeldao.ape_system`) beside LabelDAO's Vyper.

Artifacts are cached in `.build/solidity/`, keyed by the source, the npm lock
file and the compile script, so a run compiles each contract once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from eth_abi import encode

from labeldao.paths import REPO_ROOT

BUILD = REPO_ROOT / ".build" / "solidity"
COMPILER = Path(__file__).resolve().parent / "compile_solidity.js"


def artifact(source: Path, name: str) -> dict[str, Any]:
    """Compiles contract `name` of `source` (cached); returns `{abi, bytecode, solc}`."""
    digest = hashlib.sha256(
        source.read_bytes() + (REPO_ROOT / "package-lock.json").read_bytes() + COMPILER.read_bytes()
    ).hexdigest()[:16]
    cached = BUILD / f"{name}-{digest}.json"
    if not cached.exists():
        out = _compile(source, name)
        BUILD.mkdir(parents=True, exist_ok=True)
        cached.write_text(out)
    return json.loads(cached.read_text())


def _compile(source: Path, name: str, *flags: str) -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is required to compile Solidity anchors: run `make install`")
    out = subprocess.run(
        [node, str(COMPILER), str(source), name, *flags],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def standard_input(source: Path, name: str) -> dict[str, Any]:
    """The compiler's standard JSON input for contract `name` of `source`,
    with every imported source: what a block explorer recompiles to verify
    it ("Solidity (Standard-Json-Input)")."""
    return json.loads(_compile(source, name, "--standard-input"))


def write_verification_input(source: Path, name: str, args: list[Any], path: Path) -> str:
    """Writes the standard JSON input of a deployed Solidity contract to
    `path`; returns the one line an operator needs on the block explorer's
    verification form: compiler version, contract, constructor arguments
    (`args`, as the deployment record holds them, ABI-encoded)."""
    built = artifact(source, name)
    constructor = next((i for i in built["abi"] if i["type"] == "constructor"), {"inputs": []})
    encoded = encode([i["type"] for i in constructor["inputs"]], args).hex()
    path.write_text(json.dumps(standard_input(source, name), indent=1) + "\n")
    version = built["solc"].split(".Emscripten")[0]
    return (
        f"{name}: verify on the explorer as 'Solidity (Standard-Json-Input)' with {path}, "
        f"compiler v{version}, contract {source.name}:{name}, constructor arguments {encoded}"
    )


def __getattr__(name: str) -> Any:
    """`solidity.deploy` moved to the titanoboa adapter
    (`labeldao.boa_tools.deploy_solidity`); loaded only when asked for."""
    if name == "deploy":
        from labeldao.boa_tools import deploy_solidity

        return deploy_solidity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
