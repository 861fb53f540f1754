"""Throughput against raw titanoboa on the very same calls.

`CallRecorder` records every top-level message titanoboa executes (contract
deployments, transactions and view calls) with the block number, timestamp
and chain id it ran at. `replay` executes the recorded messages again, raw,
through `boa.env.execute_code` / `boa.env.deploy`: no ABI layer, no
Hypothesis, no Python model. The ratio of the two wall times says how much of
raw titanoboa's speed a harness (the property suite, the simulation) keeps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boa
from boa.environment import Env

from labeldao.boa_tools import intercepting_messages


@dataclass(frozen=True)
class Message:
    """One top-level message as titanoboa executed it."""

    kind: str  # "deploy" or "call"
    sender: Any
    to: Any  # the target, or the created address for a deployment
    data: bytes  # calldata, or creation bytecode with constructor arguments
    value: int
    is_modifying: bool
    block_number: int
    timestamp: int
    chain_id: int


@dataclass
class CallRecorder:
    """Records what titanoboa executes while `recording()` is active."""

    messages: list[Message] = field(default_factory=list)
    keep: bool = True  # False: only count (a long run that is not replayed)
    calls: int = 0  # every message recorded, kept or not
    transactions: int = 0  # those that may modify state

    @contextmanager
    def recording(self) -> Iterator[CallRecorder]:
        """Patches `Env.execute_code` and `Env.deploy` for the duration."""

        def execute_code(original: Any, env: Env, *args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError("record: execute_code is called with keywords only")
            self._add("call", env, kwargs.get("sender"), kwargs.get("to_address"), kwargs)
            return original(env, **kwargs)

        def deploy(original: Any, env: Env, *args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError("record: deploy is called with keywords only")
            address, computation = original(env, **kwargs)
            self._add("deploy", env, kwargs.get("sender"), address, kwargs)
            return address, computation

        with intercepting_messages(execute_code, deploy):
            yield self

    def _add(self, kind: str, env: Env, sender: Any, to: Any, kwargs: dict[str, Any]) -> None:
        self.calls += 1
        self.transactions += kwargs.get("is_modifying", True)
        if not self.keep:
            return
        patch = env.evm.patch
        self.messages.append(
            Message(
                kind=kind,
                sender=env._get_sender(sender),
                to=to,
                data=kwargs.get("data", b"") if kind == "call" else kwargs.get("bytecode", b""),
                value=kwargs.get("value", 0),
                is_modifying=kwargs.get("is_modifying", True),
                block_number=patch.block_number,
                timestamp=patch.timestamp,
                chain_id=patch.chain_id,
            )
        )


def replay(messages: list[Message], env: Env | None = None) -> float:
    """Executes `messages` raw in `env` (default: a fresh titanoboa
    environment); returns the seconds it took."""
    with boa.swap_env(env or Env()):
        env = boa.env
        patch = env.evm.patch
        started = time.perf_counter()
        for m in messages:
            patch.block_number, patch.timestamp, patch.chain_id = (
                m.block_number,
                m.timestamp,
                m.chain_id,
            )
            if m.kind == "deploy":
                env.deploy(sender=m.sender, value=m.value, bytecode=m.data, override_address=m.to)
            else:
                env.execute_code(
                    to_address=m.to,
                    sender=m.sender,
                    value=m.value,
                    data=m.data,
                    is_modifying=m.is_modifying,
                )
        return time.perf_counter() - started
