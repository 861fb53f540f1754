"""Fixtures shared by the simulation's unit tests."""

from __future__ import annotations

import importlib.util

import pytest

from labeldao.paths import REPO_ROOT


@pytest.fixture(scope="module")
def cli():
    """`scripts/simulate.py`'s click command, loaded as `ape run` loads it."""
    spec = importlib.util.spec_from_file_location("simulate", REPO_ROOT / "scripts" / "simulate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli
