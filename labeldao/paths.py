"""Where the repository's files are: one definition for every module.

Core module: imports neither titanoboa nor Ape.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACTS_DIR = REPO_ROOT / "contracts"
ABI_DIR = REPO_ROOT / "abi"
DEPLOYMENTS_DIR = REPO_ROOT / "deployments"
PARAMS_DIR = DEPLOYMENTS_DIR / "params"
METAEVIDENCE_DIR = REPO_ROOT / "metaevidence"
