"""Stateful properties of the court's randomness: requests that answer late,
never, or through RandomnessWithFallback's re-request and blockhash fallback,
and governance moving stalled disputes to a new source.

A separate model: the system world's randomness always answers, so the
system mixins never exercise late, lost or re-requested randomness.

One court on Chainlink's own VRFCoordinatorV2_5Mock: its source is a
`ChainlinkVRFRandomness` or a `RandomnessWithFallback` in front of one, and
governance installs new ones (`set_params`). Rules: disputes are opened; the
coordinator answers any ask of any adapter (current or abandoned) at any time,
or never; seconds pass (one block; snapshot epochs end) and blocks pass;
anyone calls `retry` on a fallback source; keepers draw and close rounds past
their draw deadline.

Invariants:
- every randomness request of a round goes to the court's current source
  (the newest parameter version's) and is logged by a `DrawRequested` naming
  it; the lens's `randomness_source` and `round_info().randomness_request`
  are those of the round's latest `DrawRequested`;
- a draw seats jurors only with the latest request's seed: a draw call in the
  request's snapshot epoch draws exactly when that request's source has
  answered it, and reverts "court: randomness not ready" otherwise; once the
  epoch is over it asks the current source again and draws nothing;
- a round closed undrawn is never drawn nor asked again;
- the jurors' locks equal the seat locks of the rounds' drawn seats (no round
  is executed here);
- liveness (checked at the end of every example): from any state reached,
  governance installing a source that answers, then keepers drawing one
  epoch on, completes the panel of every open round.

Profiles: HYPOTHESIS_PROFILE=default|ci|deep (tests/conftest.py); a few
examples of 30 steps in CI (seconds).
"""

from __future__ import annotations

from types import SimpleNamespace

import boa
import pytest
from boa import BoaError
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from labeldao.boa_tools import deployer
from tests.helpers import named
from tests.property.court_deployment import deploy_court
from tests.unit.randomness.conftest import (
    CALLBACK_GAS,
    CONFIRMATIONS,
    FALLBACK_DELAY,
    KEY_HASH,
    LINK_FUNDING,
    REREQUESTS,
    TIMEOUT,
    deploy_coordinator,
)

LDAO = 10**18
MIN_STAKE = 100 * LDAO
SEAT_LOCK = 20 * LDAO
# The snapshot epoch, in seconds: four fallback timeouts, so that a fallback
# source's two asks and its lookahead fit in one epoch when asked early in it.
EPOCH_SECONDS = 4 * TIMEOUT
N_JURORS = 5
MAX_DISPUTES = 3
MAX_SOURCES = 3
PERIOD = 600

PARAMS = (
    MIN_STAKE,
    2_000,  # alpha: a seat locks 20 LDAO
    20_000,
    PERIOD,  # unstake delay
    3,  # panel
    7,
    2,
    10 * LDAO,  # fee per juror
    PERIOD,  # evidence
    PERIOD,
    PERIOD,
    PERIOD,
    4 * PERIOD,  # draw timeout
    10_000,  # one dispute may lock the whole (small) court
)


def deploy() -> SimpleNamespace:
    """Token, lens, court, a funded VRF subscription; jurors and a creator funded."""
    d = deploy_court("rng-machine", 3, EPOCH_SECONDS, {"juror": N_JURORS, "creator": 1})
    coordinator = deploy_coordinator()
    subscription = coordinator.createSubscription()
    coordinator.fundSubscription(subscription, LINK_FUNDING)
    return SimpleNamespace(
        token=d.token,
        lens=d.lens,
        court=d.court,
        admin=d.admin,
        jurors=d.accounts["juror"],
        creator=d.accounts["creator"][0],
        coordinator=coordinator,
        subscription=subscription,
    )


class RandomnessMoveMachine(RuleBasedStateMachine):
    """The court's randomness under sources that answer late, never, or by
    their fallback, and governance moving stalled rounds."""

    def __init__(self, deployment: SimpleNamespace):
        super().__init__()
        self.__dict__.update(vars(deployment))

    # -- sources --------------------------------------------------------------

    def _new_adapter(self) -> object:
        """A ChainlinkVRFRandomness on the subscription (no consumer yet)."""
        adapter = deployer("ChainlinkVRFRandomness").deploy(
            self.coordinator.address,
            KEY_HASH,
            self.subscription,
            CONFIRMATIONS,
            CALLBACK_GAS,
            False,
        )
        self.coordinator.addConsumer(self.subscription, adapter.address)
        self.adapters.append(adapter)
        return adapter

    def _vrf_adapter(self, consumer: str) -> object:
        adapter = self._new_adapter()
        adapter.set_consumer(consumer)
        return adapter

    def _install(self, fallback: bool) -> None:
        """Governance installs a new source (`set_params`)."""
        if fallback:
            primary = self._new_adapter()
            source = deployer("RandomnessWithFallback").deploy(
                primary.address, TIMEOUT, REREQUESTS, FALLBACK_DELAY
            )
            primary.set_consumer(source.address)
            source.set_consumer(self.court.address)
            self.wrappers.append(source)
        else:
            source = self._vrf_adapter(self.court.address)
        self.court.set_params((*PARAMS, source.address), sender=self.admin)
        self.sources[source.address] = source
        self.current = source.address

    def _record_request(self, d: int, logs) -> None:
        """The draw or dispute just made logged one request, to the current source."""
        (requested,) = named(logs, "DrawRequested")
        assert requested.source == self.current
        assert requested.epoch == self._epoch()
        self.latest[d] = (requested.source, requested.request_id, requested.epoch)

    def _epoch(self) -> int:
        return boa.env.evm.patch.timestamp // EPOCH_SECONDS

    @initialize(
        fallback=st.sampled_from([True, True, False]),
        stakes=st.lists(st.integers(200, 600), min_size=N_JURORS, max_size=N_JURORS),
    )
    def start(self, fallback: bool, stakes: list[int]) -> None:
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        boa.env.sstore_trace = {}
        self.adapters: list = []  # every ChainlinkVRFRandomness (a fallback's primary too)
        self.wrappers: list = []  # every RandomnessWithFallback
        self.sources: dict[str, object] = {}
        self.answered: set[tuple[str, int]] = set()
        self.latest: dict[int, tuple[str, int, int]] = {}  # dispute -> (source, id, epoch)
        self.drawn: dict[int, int] = {}
        self.closed: set[int] = set()
        self._install(fallback)
        for juror, amount in zip(self.jurors, stakes, strict=True):
            self.court.stake(amount * LDAO, sender=juror)
        boa.env.time_travel(seconds=EPOCH_SECONDS)
        self.open_dispute()

    def teardown(self) -> None:
        if hasattr(self, "_anchor"):
            try:
                self._rescue_every_open_round()
            finally:
                self._anchor.__exit__(None, None, None)

    # -- actions --------------------------------------------------------------

    @precondition(lambda self: len(self.latest) < MAX_DISPUTES)
    @rule()
    def open_dispute(self) -> None:
        d = self.court.createDispute(2, b"", sender=self.creator)
        self._record_request(d, self.court.get_logs())
        self.drawn[d] = 0

    @precondition(lambda self: len(self.sources) < MAX_SOURCES)
    @rule(fallback=st.booleans(), epoch_ends=st.booleans())
    def install_source(self, fallback: bool, epoch_ends: bool) -> None:
        """Governance installs a new source; perhaps the snapshot epoch ends
        (stalled rounds move at their next draw)."""
        self._install(fallback)
        if epoch_ends:
            boa.env.time_travel(seconds=EPOCH_SECONDS - boa.env.evm.patch.timestamp % EPOCH_SECONDS)

    @precondition(lambda self: self.latest)
    @rule(data=st.data(), word=st.integers(0, 2**256 - 1))
    def coordinator_answers_a_round(self, data: st.DataObject, word: int) -> None:
        """The coordinator answers the ask behind a round's latest request."""
        source, request_id, _ = self.latest[data.draw(st.sampled_from(sorted(self.latest)))]
        adapter = self.sources[source]
        if adapter in self.wrappers:
            adapter = next(a for a in self.adapters if a.address == adapter.PRIMARY())
            request_id = self.sources[source].primary_request_id(request_id)
        if (adapter.address, request_id) not in self.answered:
            self.coordinator.fulfillRandomWordsWithOverride(
                adapter.vrf_request_id(request_id), adapter.address, [word]
            )
            self.answered.add((adapter.address, request_id))

    @rule(data=st.data(), word=st.integers(0, 2**256 - 1))
    def coordinator_answers(self, data: st.DataObject, word: int) -> None:
        """The coordinator answers one ask not answered yet, current or abandoned."""
        asks = [
            (adapter, i)
            for adapter in self.adapters
            for i in range(adapter.request_count())
            if (adapter.address, i) not in self.answered
        ]
        if not asks:
            return
        adapter, i = data.draw(st.sampled_from(asks))
        self.coordinator.fulfillRandomWordsWithOverride(
            adapter.vrf_request_id(i), adapter.address, [word]
        )
        self.answered.add((adapter.address, i))
        assert adapter.value_of(i) == (word or 1)

    @rule(
        seconds=st.sampled_from([0, TIMEOUT // 2, TIMEOUT, EPOCH_SECONDS // 2, EPOCH_SECONDS]),
        blocks=st.sampled_from([1, FALLBACK_DELAY + 1]),
    )
    def time_passes(self, seconds: int, blocks: int) -> None:
        """Seconds pass in one block (a slow chain; snapshot epochs end), or
        blocks pass within a second each (a fast chain: epochs do not end)."""
        if seconds:
            boa.env.time_travel(seconds=seconds, block_delta=seconds)
        else:
            boa.env.time_travel(blocks=blocks, block_delta=1)

    @precondition(lambda self: any(self._stalled_at_a_fallback()))
    @rule(data=st.data())
    def keepers_fall_back(self, data: st.DataObject) -> None:
        """A round's request at a fallback source is not answered: after each
        timeout a keeper retries (one block each), until the fallback is armed
        and its lookahead block is past."""
        d = data.draw(st.sampled_from(sorted(self._stalled_at_a_fallback())))
        source, request_id, _ = self.latest[d]
        wrapper = self.sources[source]
        for _ in range(REREQUESTS + 1):
            if wrapper.fallback_block(request_id):
                break
            boa.env.time_travel(seconds=TIMEOUT, block_delta=TIMEOUT)
            try:
                wrapper.retry(request_id)
            except BoaError as refused:  # the primary answered meanwhile
                assert "fallback: primary has answered" in str(refused)
                return
        assert wrapper.fallback_block(request_id) != 0
        boa.env.time_travel(blocks=FALLBACK_DELAY + 1, block_delta=1)
        event("fallback armed")

    def _stalled_at_a_fallback(self) -> list[int]:
        wrappers = {w.address for w in self.wrappers}
        return [
            d
            for d, (source, request_id, _) in self.latest.items()
            if source in wrappers
            and d not in self.closed
            and self.drawn[d] < 3
            and self.sources[source].fallback_block(request_id) == 0
            and self.sources[source].value_of(request_id) == 0
        ]

    @precondition(lambda self: self.wrappers)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        """Anyone moves a fallback source's request on (its own rules decide)."""
        wrapper = data.draw(st.sampled_from(self.wrappers))
        count = wrapper.request_count()
        if count == 0:
            return
        try:
            wrapper.retry(data.draw(st.integers(0, count - 1)))
        except BoaError as refused:
            assert "fallback: " in str(refused)

    @precondition(lambda self: self.latest)
    @rule(data=st.data())
    def draw(self, data: st.DataObject) -> None:
        d = data.draw(st.sampled_from(sorted(self.latest)))
        source, request_id, epoch = self.latest[d]
        if d in self.closed or self.drawn[d] == 3:
            with boa.reverts("court: panel already drawn"):
                self.court.draw(d, 8)
            return
        if epoch != self._epoch():
            assert self.court.draw(d, 8) == 0
            moved = self.court.get_logs()
            self._record_request(d, moved)
            event("draw: re-requested" + (" (moved)" if source != self.current else ""))
            return
        ready = self.sources[source].is_ready(request_id)
        if not ready:
            event("draw: not ready")
            with boa.reverts("court: randomness not ready"):
                self.court.draw(d, 8)
            return
        seats = self.court.draw(d, 8)
        logs = self.court.get_logs()
        assert named(logs, "DrawRequested") == []
        assert len(named(logs, "SeatDrawn")) == seats
        self.drawn[d] += seats
        fell_back = source in {w.address for w in self.wrappers} and self.sources[
            source
        ].fallback_block(request_id)
        event("draw: seated" + (" (fallback)" if fell_back else ""))

    @precondition(lambda self: self.latest)
    @rule(data=st.data())
    def draw_again(self, data: st.DataObject) -> None:
        """Keepers draw often (a second rule doubles the chance)."""
        self.draw(data)

    @precondition(lambda self: self.latest)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        d = data.draw(st.sampled_from(sorted(self.latest)))
        if d in self.closed or self.drawn[d] == 3:
            with boa.reverts("court: panel already drawn"):
                self.court.close_undrawn(d)
        elif self.lens.draw_deadline(self.court.address, d) > boa.env.evm.patch.timestamp:
            with boa.reverts("court: draw deadline not over"):
                self.court.close_undrawn(d)
        else:
            self.court.close_undrawn(d)
            self.closed.add(d)

    # -- invariants -------------------------------------------------------------

    @invariant()
    def rounds_name_their_latest_request(self) -> None:
        for d, (source, request_id, epoch) in self.latest.items():
            info = self.lens.round_info(self.court.address, d, 0)
            assert info.randomness_request == request_id and info.draw_epoch == epoch
            assert self.lens.randomness_source(self.court.address, d, 0) == source
            assert info.drawn == self.drawn[d]

    @invariant()
    def locks_are_the_drawn_seats(self) -> None:
        locked = sum(self.lens.juror_status(self.court.address, j).locked for j in self.jurors)
        assert locked == SEAT_LOCK * sum(self.drawn.values())

    # -- liveness -------------------------------------------------------------

    def _rescue_every_open_round(self) -> None:
        """Governance installs a VRF source; one epoch on keepers draw; the
        coordinator answers: every open round's panel completes."""
        open_rounds = [d for d in self.latest if d not in self.closed and self.drawn[d] < 3]
        if not open_rounds:
            return
        self._install(fallback=False)
        boa.env.time_travel(seconds=EPOCH_SECONDS)
        rescuer = self.sources[self.current]
        for d in open_rounds:
            assert self.court.draw(d, 8) == 0
            self._record_request(d, self.court.get_logs())
            self.coordinator.fulfillRandomWordsWithOverride(
                rescuer.vrf_request_id(self.latest[d][1]), rescuer.address, [d + 1]
            )
        for d in open_rounds:
            for _ in range(10):
                if self.drawn[d] == 3:
                    break
                self.drawn[d] += self.court.draw(d, 64)
            assert self.drawn[d] == 3, f"dispute {d}: panel not complete after the move"
        self.locks_are_the_drawn_seats()


@pytest.fixture(scope="module")
def deployment() -> SimpleNamespace:
    """One deployment for the whole run; each example starts from it."""
    return deploy()


def test_court_randomness_machine(deployment):
    # A few examples in the default and CI profiles (each example deploys its
    # sources; about 2 s each); the deep profile runs its full count.
    profile = settings()
    deep = profile.max_examples > 100
    run_state_machine_as_test(
        lambda: RandomnessMoveMachine(deployment),
        settings=settings(
            profile,
            max_examples=profile.max_examples if deep else min(profile.max_examples, 8),
            stateful_step_count=min(profile.stateful_step_count, 30),
        ),
    )
