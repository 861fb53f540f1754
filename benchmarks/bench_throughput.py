"""Throughput: how much of raw titanoboa's speed each way of driving the
contracts keeps.

1. The whole-system property suite (`tests/property/test_system_machine.py`):
   a fixed, derandomized run of the machine under `CallRecorder`; every
   example's messages are then replayed raw (`labeldao.assurance.throughput`)
   on the same deployment, each in its own anchor as the machine runs it.
   The ratio is replay time / harness time, with the steps per second.
2. The same call mix (token transfers, approvals and delegations) through
   Ape's API on the default stack (EthTester, `ethereum:local:test`), on
   ape-titanoboa (`ethereum:local:boa`), and through titanoboa directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import boa
from boa.environment import Env
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from benchmarks.report import Report
from labeldao.assurance.throughput import CallRecorder, Message, replay
from labeldao.boa_tools import deployer

EXAMPLES = 20  # property-suite examples measured (100 steps at most each)
MIX_ROUNDS = 60  # rounds of the call mix (3 transactions each)
CAP = 10**27
GOAL = 0.5  # x raw titanoboa


def property_suite(examples: int = EXAMPLES) -> dict[str, float]:
    """Runs the system machine under the recorder and replays it raw."""
    from tests.property.system.world import build_world
    from tests.property.test_system_machine import SystemMachine

    recorder = CallRecorder()
    bounds: list[list[int]] = []

    class Recorded(SystemMachine):
        def __init__(self, world) -> None:
            bounds.append([len(recorder.messages), 0])
            super().__init__(world)

        def teardown(self) -> None:
            try:
                super().teardown()
            finally:
                bounds[-1][1] = len(recorder.messages)

    fixed = settings(
        max_examples=examples,
        stateful_step_count=100,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    with boa.swap_env(Env()), recorder.recording():
        world = build_world()
        setup = len(recorder.messages)
        started = time.perf_counter()
        run_state_machine_as_test(lambda: Recorded(world), settings=fixed)
        harness = time.perf_counter() - started
    raw = _replay_examples(recorder.messages[:setup], [recorder.messages[a:b] for a, b in bounds])
    return {
        "steps": world.steps,
        "examples": world.examples,
        "messages": sum(b - a for a, b in bounds),
        "harness": harness,
        "raw": raw,
    }


def _replay_examples(setup: list[Message], examples: list[list[Message]]) -> float:
    """Replays the setup (untimed), then each example in its own anchor."""
    env = Env()
    replay(setup, env)
    total = 0.0
    for messages in examples:
        with env.anchor():
            total += replay(messages, env)
    return total


def _token_mix(transfer: Callable, approve: Callable, delegate: Callable, rounds: int) -> float:
    """Seconds for `rounds` x (transfer, approve, delegate)."""
    started = time.perf_counter()
    for i in range(rounds):
        transfer(i)
        approve(i)
        delegate(i)
    return time.perf_counter() - started


def boa_mix(rounds: int = MIX_ROUNDS) -> float:
    """The token mix through titanoboa directly (transactions per second)."""
    with boa.swap_env(Env()):
        admin, bob = boa.env.generate_address("mix-admin"), boa.env.generate_address("mix-bob")
        with boa.env.prank(admin):
            token = deployer("RewardToken").deploy(CAP)
            token.grantRole(token.MINTER_ROLE(), admin)
            token.mint(admin, 10**24)
        seconds = _token_mix(
            lambda i: token.transfer(bob, 1, sender=admin),
            lambda i: token.approve(bob, i, sender=admin),
            lambda i: token.delegate(bob if i % 2 else admin, sender=admin),
            rounds,
        )
    return 3 * rounds / seconds


def ape_mix(network: str, rounds: int = MIX_ROUNDS) -> float:
    """The token mix through Ape's API on `network` (transactions per second)."""
    from ape import accounts, networks, project
    from ape.logging import logger

    logger.set_level("ERROR")  # no line per transaction inside the timing
    with networks.parse_network_choice(network):
        admin, bob = accounts.test_accounts[0], accounts.test_accounts[1]
        token = project.RewardToken.deploy(CAP, sender=admin)
        token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
        token.mint(admin, 10**24, sender=admin)
        seconds = _token_mix(
            lambda i: token.transfer(bob, 1, sender=admin),
            lambda i: token.approve(bob, i, sender=admin),
            lambda i: token.invoke_transaction("delegate", bob if i % 2 else admin, sender=admin),
            rounds,
        )
    return 3 * rounds / seconds


def run(report: Report, log: Callable[[str], None] = print) -> None:
    """Fills the throughput tables."""
    log("throughput: property suite ...")
    suite = property_suite()
    table = report.table(
        "Throughput: whole-system property suite vs raw titanoboa",
        ["examples", "steps", "messages", "harness s", "raw replay s", "steps/s", "x raw", "goal"],
    )
    share = suite["raw"] / suite["harness"]
    table.add(
        suite["examples"],
        suite["steps"],
        suite["messages"],
        f"{suite['harness']:.1f}",
        f"{suite['raw']:.1f}",
        f"{suite['steps'] / suite['harness']:.1f}",
        f"{share:.2f}x",
        "ok" if share >= GOAL else "MISSED",
    )
    table.notes.append(
        "messages: every top-level titanoboa message of the examples (transactions and the "
        "view calls of rules and invariants); raw replay runs them with no ABI layer, no "
        "Hypothesis and no model, each example in its own anchor."
    )
    log("throughput: call mix ...")
    mix = report.table(
        "Throughput: one call mix (transfer, approve, delegate) by backend",
        ["backend", "tx/s", "x raw titanoboa"],
    )
    raw = boa_mix()
    for name, network in (("Ape default stack (EthTester)", "ethereum:local:test"),
                          ("ape-titanoboa", "ethereum:local:boa")):  # fmt: skip
        rate = ape_mix(network)
        mix.add(name, f"{rate:.0f}", f"{rate / raw:.2f}x")
    mix.add("titanoboa directly (the property suite's backend)", f"{raw:.0f}", "1.00x")
