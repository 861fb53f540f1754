"""Stateful properties of the randomness adapters: a RandomnessWithFallback in
front of a ChainlinkVRFRandomness, with Chainlink's own VRFCoordinatorV2_5Mock
answering any ask (current or abandoned) at any time, or never, while time
and blocks pass and anyone calls `retry` and `receive_randomness`.

A separate model: the system world's randomness always answers, so the
system mixins never exercise late, lost or re-requested randomness.

Invariants, for every request of the court:
- once a value is seen it is never 0 and never changes;
- `is_ready` is true exactly when `receive_randomness` returns a value;
- a value comes from the primary's latest ask, or from the fallback once it
  was armed (never from an abandoned ask);
- `retry` succeeds exactly when the request is unanswered and either its
  latest ask timed out unanswered or its armed fallback's block hash expired;
  it re-requests while re-requests remain, then arms the fallback.
"""

from __future__ import annotations

import boa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.unit.randomness.conftest import (
    FALLBACK_DELAY,
    REREQUESTS,
    TIMEOUT,
    make_fallback,
    make_vrf,
)

WORD = st.integers(0, 2**256 - 1)
# Requests per run: enough for independence between them, few enough that the
# invariants (which read every request) keep steps cheap.
MAX_REQUESTS = 3


class FallbackMachine(RuleBasedStateMachine):
    @initialize()
    def deploy(self) -> None:
        self.fb = make_fallback(make_vrf(), rerequests=REREQUESTS)
        self.seen: dict[int, int] = {}
        self.answered_vrf: set[int] = set()

    def count(self) -> int:
        return self.fb.adapter.request_count()

    # --- actions -----------------------------------------------------------

    @precondition(lambda self: self.count() < MAX_REQUESTS)
    @rule()
    def request(self) -> None:
        self.fb.request()

    @precondition(lambda self: self.fb.vrf.adapter.request_count() > 0)
    @rule(data=st.data(), word=WORD)
    def coordinator_answers(self, data: st.DataObject, word: int) -> None:
        """The coordinator answers one ask of the VRF adapter, current or abandoned."""
        asks = self.fb.vrf.adapter.request_count()
        vrf_id = self.fb.vrf.adapter.vrf_request_id(data.draw(st.integers(0, asks - 1)))
        if vrf_id not in self.answered_vrf:
            self.fb.vrf.fulfil(vrf_id, [word])
            self.answered_vrf.add(vrf_id)

    @rule(seconds=st.integers(1, 2 * TIMEOUT))
    def wait(self, seconds: int) -> None:
        boa.env.time_travel(seconds=seconds)

    @rule(blocks=st.integers(1, 300))
    def mine(self, blocks: int) -> None:
        boa.env.time_travel(blocks=blocks)

    @precondition(lambda self: self.count() > 0)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        fb, i = self.fb.adapter, data.draw(st.integers(0, self.count() - 1))
        block, now = boa.env.evm.patch.block_number, boa.env.evm.patch.timestamp
        target, rerequests = fb.fallback_block(i), fb.rerequests(i)
        if fb.value_of(i) != 0:
            expected = "fallback: already answered"
        elif target != 0:
            expected = None if block > target + 256 else "fallback: fallback already armed"
        elif now < fb.asked_at(i) + TIMEOUT:
            expected = "fallback: primary not timed out"
        elif self.fb.vrf.adapter.is_ready(fb.primary_request_id(i)):
            expected = "fallback: primary has answered"
        else:
            expected = None
        if expected is not None:
            with boa.reverts(expected):
                fb.retry(i)
            return
        fb.retry(i)
        if target == 0 and rerequests < REREQUESTS:
            assert fb.rerequests(i) == rerequests + 1 and fb.asked_at(i) == now
            assert fb.fallback_block(i) == 0
        else:
            assert fb.fallback_block(i) == block + FALLBACK_DELAY

    @precondition(lambda self: self.count() > 0)
    @rule(data=st.data())
    def receive(self, data: st.DataObject) -> None:
        i = data.draw(st.integers(0, self.count() - 1))
        value = self.fb.adapter.receive_randomness(i)
        if i in self.seen:
            assert value == self.seen[i]
        elif value != 0:
            self.seen[i] = value

    # --- invariants ----------------------------------------------------------

    @invariant()
    def values_never_zero_and_never_change(self) -> None:
        for i, value in self.seen.items():
            assert value != 0
            assert self.fb.adapter.value_of(i) == value

    @invariant()
    def ready_exactly_when_a_value_comes(self) -> None:
        for i in range(self.count()):
            ready = self.fb.adapter.is_ready(i)
            with boa.env.anchor():
                assert (self.fb.adapter.receive_randomness(i) != 0) == ready

    @invariant()
    def values_come_from_the_latest_ask_or_the_fallback(self) -> None:
        fb, vrf = self.fb.adapter, self.fb.vrf.adapter
        for i in range(self.count()):
            value = fb.value_of(i)
            if value != 0 and fb.fallback_block(i) == 0:
                assert value == vrf.value_of(fb.primary_request_id(i))


TestFallbackMachine = FallbackMachine.TestCase
