"""Where the indexer's ABIs come from: one function, `load_abis`.

In order: a committed `abi/<Contract>.json` folder (a plain ABI list or an
object with an "abi" key), Ape's build manifest (`.build/__local__.json`
after `ape compile`), and last a compile of `contracts/<Contract>.vy` with
the `vyper` on PATH (a few seconds per contract).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

Abi = list[dict[str, Any]]

REPO_ROOT = Path(__file__).resolve().parents[2]


class AbiError(RuntimeError):
    """No ABI could be found for a contract; the message says where it looked."""


def _from_folder(root: Path, name: str) -> Abi | None:
    path = root / "abi" / f"{name}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return data["abi"] if isinstance(data, dict) else data


def _from_ape_build(root: Path, name: str) -> Abi | None:
    manifest = root / ".build" / "__local__.json"
    if not manifest.exists():
        return None
    types = json.loads(manifest.read_text()).get("contractTypes", {})
    entry = types.get(name)
    return entry.get("abi") if entry else None


def _from_vyper(root: Path, name: str) -> Abi | None:
    source = root / "contracts" / f"{name}.vy"
    vyper = shutil.which("vyper")
    if not source.exists() or vyper is None:
        return None
    result = subprocess.run(
        [vyper, "-f", "abi", source.name],
        cwd=source.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AbiError(f"vyper could not compile {source}: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout)


def load_abi(name: str, root: Path = REPO_ROOT) -> Abi:
    """The ABI of contract `name` from the first source that has it."""
    for source in (_from_folder, _from_ape_build, _from_vyper):
        abi = source(root, name)
        if abi is not None:
            return abi
    raise AbiError(
        f"no ABI for {name}: expected abi/{name}.json, .build/__local__.json (ape compile) "
        f"or contracts/{name}.vy with vyper on PATH"
    )


def load_abis(names: list[str], root: Path = REPO_ROOT) -> dict[str, Abi]:
    """The ABIs of several contracts (compiled in parallel when compiling)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(lambda n: load_abi(n, root), names), strict=True))
