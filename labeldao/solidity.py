"""Solidity contracts (OpenZeppelin anchors and compatibility harnesses)
compiled with solc-js from npm and run on titanoboa beside LabelDAO's Vyper.

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

import boa
from eth_abi import encode

from labeldao.boa_tools import REPO_ROOT

BUILD = REPO_ROOT / ".build" / "solidity"
COMPILER = Path(__file__).resolve().parent / "compile_solidity.js"


def artifact(source: Path, name: str) -> dict[str, Any]:
    """Compiles contract `name` of `source` (cached); returns `{abi, bytecode, solc}`."""
    digest = hashlib.sha256(
        source.read_bytes() + (REPO_ROOT / "package-lock.json").read_bytes() + COMPILER.read_bytes()
    ).hexdigest()[:16]
    cached = BUILD / f"{name}-{digest}.json"
    if not cached.exists():
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is required to compile Solidity anchors: run `make install`")
        out = subprocess.run(
            [node, str(COMPILER), str(source), name],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        BUILD.mkdir(parents=True, exist_ok=True)
        cached.write_text(out.stdout)
    return json.loads(cached.read_text())


def deploy(source: str | Path, name: str, *args: Any, sender: str | None = None) -> Any:
    """Deploys contract `name` from `source` (path from the repository root) with
    constructor `args`; returns the titanoboa contract (`.solc` holds the compiler)."""
    built = artifact(REPO_ROOT / source, name)
    factory = boa.loads_abi(json.dumps(built["abi"]), name=name)
    ctor = next((item for item in built["abi"] if item["type"] == "constructor"), None)
    encoded = b""
    if ctor and ctor["inputs"]:
        encoded = encode([i["type"] for i in ctor["inputs"]], list(args))
    address, _ = boa.env.deploy_code(
        bytecode=bytes.fromhex(built["bytecode"]) + encoded, sender=sender or boa.env.eoa
    )
    contract = factory.at(address)
    contract.solc = built["solc"]
    return contract
