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


def __getattr__(name: str) -> Any:
    """`solidity.deploy` moved to the titanoboa adapter
    (`labeldao.boa_tools.deploy_solidity`); loaded only when asked for."""
    if name == "deploy":
        from labeldao.boa_tools import deploy_solidity

        return deploy_solidity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
