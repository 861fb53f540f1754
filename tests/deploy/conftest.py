"""Fixtures for the deploy tests: a real anvil node per test, and a runner of
`ape run deploy` as a separate process (as an operator runs it)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from labeldao.boa_tools import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Anvil:
    """A running anvil node."""

    url: str
    process: subprocess.Popen

    def rpc(self, method: str, params: list | None = None) -> object:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
        return requests.post(self.url, json=body, timeout=10).json()["result"]


def start_anvil(port: int, state: Path | None = None, chain_id: int | None = None) -> Anvil:
    """Starts the real anvil binary (not the Node wrapper) in its own process
    group; with `state`, the chain is loaded from and saved to that file;
    with `chain_id`, the node answers as that chain (network rehearsals)."""
    binary = shutil.which("anvil")
    if binary is None:
        pytest.fail("anvil is not on PATH: run the tests through `make` (npm install)")
    command = [binary, "--port", str(port), "--silent"]
    if state is not None:
        command += ["--state", str(state)]
    if chain_id is not None:
        command += ["--chain-id", str(chain_id)]
    process = subprocess.Popen(command, start_new_session=True)
    node = Anvil(f"http://127.0.0.1:{port}", process)
    for _ in range(100):
        try:
            node.rpc("eth_chainId")
            return node
        except requests.ConnectionError:
            time.sleep(0.1)
    stop_anvil(node)
    pytest.fail("anvil did not start")


def stop_anvil(node: Anvil) -> None:
    """Stops the node's whole process group (anvil saves its state on SIGTERM)."""
    if node.process.poll() is None:
        os.killpg(node.process.pid, signal.SIGTERM)
        node.process.wait(timeout=20)


@pytest.fixture
def anvil() -> Iterator[Anvil]:
    """A fresh anvil node on a free port."""
    node = start_anvil(_free_port())
    yield node
    stop_anvil(node)


@pytest.fixture
def free_port() -> int:
    """A free local TCP port."""
    return _free_port()


@dataclass
class DeployRun:
    """Runs `ape run deploy` against a node, with its own record file."""

    anvil: Anvil
    record: Path

    def __call__(
        self, *extra: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        command = [
            shutil.which("ape") or "ape",
            "run",
            "deploy",
            "--network",
            "ethereum:local:foundry",
            "--record",
            str(self.record),
            *extra,
        ]
        environment = {**os.environ, "APE_FOUNDRY_HOST": self.anvil.url, **(env or {})}
        return subprocess.run(
            command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600
        )


@pytest.fixture
def deploy(anvil, tmp_path) -> DeployRun:
    return DeployRun(anvil, tmp_path / "deployment.json")
