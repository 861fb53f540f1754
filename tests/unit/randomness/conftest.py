"""Fixtures of the randomness adapter tests: Chainlink's own
VRFCoordinatorV2_5Mock (npm @chainlink/contracts, compiled with solc-js), a
funded subscription, a VRF adapter that is its consumer, and a fallback
adapter in front of it. `court` stands in for the QualityCourt (the only
consumer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boa
import pytest

from labeldao import solidity
from labeldao.boa_tools import deployer

LINK = 10**18
KEY_HASH = b"\x4b" * 32
CONFIRMATIONS = 3
CALLBACK_GAS = 200_000
TIMEOUT = 3_600
REREQUESTS = 1
FALLBACK_DELAY = 4
# The mock's pricing: 0.1 LINK base fee, 1 gwei gas price, 0.004 ETH per LINK;
# the mock converts the native-denominated fee to LINK, so a LINK-paid answer
# costs about 25 LINK: the LINK balance covers a million answers.
MOCK_ARGS = (10**17, 10**9, 4 * 10**15)
LINK_FUNDING = 25 * 10**6 * LINK


def deploy_coordinator() -> Any:
    """Chainlink's VRFCoordinatorV2_5Mock, unmodified."""
    return solidity.deploy(
        "tests/mocks/VRFCoordinatorV2_5Mock.sol", "VRFCoordinatorV2_5Mock", *MOCK_ARGS
    )


@dataclass
class Vrf:
    """A coordinator mock, a funded subscription and an adapter consuming it."""

    coordinator: Any
    subscription: int
    adapter: Any
    court: str

    def request(self) -> tuple[int, int]:
        """Requests as the court; returns (adapter id, coordinator id)."""
        request_id = self.adapter.request_randomness(sender=self.court)
        return request_id, self.adapter.vrf_request_id(request_id)

    def fulfil(self, vrf_id: int, words: list[int] | None = None) -> None:
        """The coordinator answers (with the mock's words unless given)."""
        if words is None:
            self.coordinator.fulfillRandomWords(vrf_id, self.adapter.address)
        else:
            self.coordinator.fulfillRandomWordsWithOverride(vrf_id, self.adapter.address, words)


def make_vrf(native: bool = False, fund: bool = True) -> Vrf:
    coordinator = deploy_coordinator()
    subscription = coordinator.createSubscription()
    if fund and native:
        boa.env.set_balance(boa.env.eoa, 100 * LINK)
        coordinator.fundSubscriptionWithNative(subscription, value=10 * LINK)
    elif fund:
        coordinator.fundSubscription(subscription, LINK_FUNDING)
    adapter = deployer("ChainlinkVRFRandomness").deploy(
        coordinator.address, KEY_HASH, subscription, CONFIRMATIONS, CALLBACK_GAS, native
    )
    coordinator.addConsumer(subscription, adapter.address)
    court = boa.env.generate_address("court")
    adapter.set_consumer(court)
    return Vrf(coordinator, subscription, adapter, court)


@pytest.fixture
def vrf() -> Vrf:
    return make_vrf()


@dataclass
class Fallback:
    """A fallback adapter in front of a VRF adapter."""

    vrf: Vrf
    adapter: Any
    court: str

    def request(self) -> int:
        return self.adapter.request_randomness(sender=self.court)

    def primary_vrf_id(self, request_id: int) -> int:
        """The coordinator id of the latest ask of `request_id`."""
        return self.vrf.adapter.vrf_request_id(self.adapter.primary_request_id(request_id))


def make_fallback(vrf: Vrf, rerequests: int = REREQUESTS) -> Fallback:
    """A fallback adapter made the VRF adapter's consumer (in place of `vrf.court`)."""
    adapter = deployer("ChainlinkVRFRandomness").deploy(
        vrf.coordinator.address, KEY_HASH, vrf.subscription, CONFIRMATIONS, CALLBACK_GAS, False
    )
    vrf.coordinator.addConsumer(vrf.subscription, adapter.address)
    primary = Vrf(vrf.coordinator, vrf.subscription, adapter, "")
    wrapper = deployer("RandomnessWithFallback").deploy(
        adapter.address, TIMEOUT, rerequests, FALLBACK_DELAY
    )
    adapter.set_consumer(wrapper.address)
    primary.court = wrapper.address
    court = boa.env.generate_address("court")
    wrapper.set_consumer(court)
    return Fallback(primary, wrapper, court)


@pytest.fixture
def fallback(vrf) -> Fallback:
    return make_fallback(vrf)
