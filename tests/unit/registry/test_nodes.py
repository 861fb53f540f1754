"""ComputeRegistry: node registration (with permit), specs, growth,
deactivation and unbonding."""

import dataclasses

import boa
import pytest
from eth_utils import keccak

from labeldao.registry import DAY, LDAO, NODE_ACTIVE, NODE_DEACTIVATED, NODE_WITHDRAWN
from labeldao.signing import sign_permit
from tests.helpers import events
from tests.unit.registry.conftest import SPECS, now, warp

OPEN_END = 2**32 - 1


# --- register_node -----------------------------------------------------------


def test_register_node__bonds_stake_and_logs(registry, token, fund, provider, clock):
    fund(provider, 1_000 * LDAO)
    token.approve(registry.address, 1_000 * LDAO, sender=provider)
    node_id = registry.register_node(SPECS, "ipfs://specs", 4, 1, sender=provider)
    (registered,) = events(registry, "NodeRegistered")
    assert node_id == 1
    assert registry.node_count() == 1
    assert (registered.node_id, registered.owner, registered.tier) == (1, provider, 1)
    assert (registered.gpu_count, registered.stake, registered.first_epoch) == (4, 1_000 * LDAO, 1)
    assert (registered.specs_hash, registered.specs_uri) == (SPECS, "ipfs://specs")
    node = registry.node(1)
    assert node.owner == provider
    assert (node.tier, node.status, node.gpu_count, node.prev_gpu_count) == (1, NODE_ACTIVE, 4, 4)
    assert (node.gpus_from_epoch, node.first_epoch, node.end_epoch) == (1, 1, OPEN_END)
    assert (node.stake, node.open_challenges, node.registered_at) == (1_000 * LDAO, 0, now())
    assert (node.deactivated_at, node.withdrawable_at, node.specs_hash) == (0, 0, SPECS)
    assert token.balanceOf(registry.address) == 1_000 * LDAO == registry.total_stake()
    assert token.balanceOf(provider) == 0


def test_register_node__ids_are_sequential_and_stable(register, registry, provider, provider2):
    assert [register(provider), register(provider2), register(provider)] == [1, 2, 3]
    assert registry.node(2).owner == provider2
    assert registry.node(4).owner == "0x0000000000000000000000000000000000000000"


@pytest.mark.parametrize(("tier", "per_gpu"), [(0, 100), (1, 250), (2, 500), (3, 1_000)])
def test_register_node__stake_is_per_gpu_of_the_tier(registry, register, provider, tier, per_gpu):
    assert registry.required_stake(tier, 3) == 3 * per_gpu * LDAO
    node_id = register(provider, gpus=3, tier=tier)
    assert registry.node(node_id).stake == 3 * per_gpu * LDAO


def test_register_node__mid_epoch__first_epoch_is_the_next_full_one(
    registry, register, provider, clock
):
    warp(clock.start(5) + DAY // 2)
    node_id = register(provider)
    assert registry.node(node_id).first_epoch == 6


def test_register_node__without_allowance__reverts(registry, fund, provider):
    fund(provider, 1_000 * LDAO)
    with boa.reverts("erc20: insufficient allowance"):
        registry.register_node(SPECS, "", 4, 1, sender=provider)


@pytest.mark.parametrize("tier", [4, 255])
def test_register_node__unknown_tier__reverts(registry, provider, tier):
    with boa.reverts("registry: unknown tier"):
        registry.register_node(SPECS, "", 1, tier, sender=provider)


@pytest.mark.parametrize("gpus", [0, 1_025])
def test_register_node__gpu_count_out_of_range__reverts(registry, provider, gpus):
    with boa.reverts("registry: GPU count out of range"):
        registry.register_node(SPECS, "", gpus, 0, sender=provider)
    with boa.reverts("registry: GPU count out of range"):
        registry.required_stake(0, gpus)


def test_register_node__at_max_gpus__succeeds(registry, register, provider):
    assert registry.node(register(provider, gpus=1_024, tier=0)).gpu_count == 1_024


def test_register_node__empty_specs_hash__reverts(registry, token, fund, provider):
    fund(provider, 100 * LDAO)
    token.approve(registry.address, 100 * LDAO, sender=provider)
    with boa.reverts("registry: empty specs hash"):
        registry.register_node(b"\x00" * 32, "", 1, 0, sender=provider)


# --- register_node_with_permit ----------------------------------------------------


def _permit(token, registry, owner, value, deadline):
    return sign_permit(
        owner.key,
        token=token.address,
        chain_id=boa.env.evm.patch.chain_id,
        owner=owner.address,
        spender=registry.address,
        value=value,
        nonce=token.nonces(owner.address),
        deadline=deadline,
    )


def test_register_node_with_permit__needs_no_approve(registry, token, fund, alice):
    fund(alice.address, 250 * LDAO)
    sig = _permit(token, registry, alice, 250 * LDAO, now() + 600)
    node_id = registry.register_node_with_permit(
        SPECS, "ipfs://s", 1, 1, now() + 600, *sig.as_args(), sender=alice.address
    )
    assert registry.node(node_id).stake == 250 * LDAO
    assert token.balanceOf(registry.address) == 250 * LDAO
    assert token.nonces(alice.address) == 1


def test_register_node_with_permit__front_run_permit__still_registers(
    registry, token, fund, alice, bob
):
    fund(alice.address, 250 * LDAO)
    deadline = now() + 600
    sig = _permit(token, registry, alice, 250 * LDAO, deadline)
    token.permit(
        alice.address, registry.address, 250 * LDAO, deadline, *sig.as_args(), sender=bob.address
    )
    node_id = registry.register_node_with_permit(
        SPECS, "", 1, 1, deadline, *sig.as_args(), sender=alice.address
    )
    assert registry.node(node_id).owner == alice.address


def test_register_node_with_permit__bad_signature_and_no_allowance__reverts(
    registry, token, fund, alice, bob
):
    fund(alice.address, 250 * LDAO)
    sig = _permit(token, registry, bob, 250 * LDAO, now() + 600)
    with boa.reverts("erc20: insufficient allowance"):
        registry.register_node_with_permit(
            SPECS, "", 1, 1, now() + 600, *sig.as_args(), sender=alice.address
        )


def test_register_node_with_permit__unknown_tier__reverts(registry, alice):
    with boa.reverts("registry: unknown tier"):
        registry.register_node_with_permit(
            SPECS, "", 1, 9, 0, 27, b"\x01" * 32, b"\x01" * 32, sender=alice.address
        )


# --- update_node ----------------------------------------------------------------


def test_update_node__by_owner__replaces_specs_and_logs(registry, register, provider):
    node_id = register(provider)
    new_specs = keccak(text="specs v2")
    registry.update_node(node_id, new_specs, "ipfs://v2", sender=provider)
    (updated,) = events(registry, "NodeUpdated")
    assert (updated.node_id, updated.specs_hash, updated.specs_uri) == (
        node_id,
        new_specs,
        "ipfs://v2",
    )
    assert registry.node(node_id).specs_hash == new_specs


def test_update_node__by_someone_else__reverts(registry, register, provider, provider2):
    node_id = register(provider)
    with boa.reverts("registry: caller is not the node owner"):
        registry.update_node(node_id, SPECS, "", sender=provider2)


@pytest.mark.parametrize("node_id", [0, 2])
def test_update_node__unknown_node__reverts(registry, register, provider, node_id):
    register(provider)
    with boa.reverts("registry: unknown node"):
        registry.update_node(node_id, SPECS, "", sender=provider)


def test_update_node__empty_specs__reverts(registry, register, provider):
    node_id = register(provider)
    with boa.reverts("registry: empty specs hash"):
        registry.update_node(node_id, b"\x00" * 32, "", sender=provider)


def test_update_node__deactivated__reverts(registry, register, provider):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    with boa.reverts("registry: node not active"):
        registry.update_node(node_id, SPECS, "", sender=provider)


# --- add_stake ------------------------------------------------------------------


def _grow(registry, token, fund, owner, node_id, gpus):
    amount = registry.params().stake_per_gpu[registry.node(node_id).tier] * gpus
    fund(owner, amount)
    token.approve(registry.address, amount, sender=owner)
    return registry.add_stake(node_id, gpus, sender=owner)


def test_add_stake__bonds_more_gpus_from_next_epoch(
    registry, register, token, fund, provider, clock
):
    node_id = register(provider, gpus=2, tier=1)
    warp(clock.start(3))
    assert _grow(registry, token, fund, provider, node_id, 3) == 750 * LDAO
    (added,) = events(registry, "StakeAdded")
    assert (added.node_id, added.gpus_added, added.amount) == (node_id, 3, 750 * LDAO)
    assert (added.gpu_count, added.from_epoch, added.stake) == (5, 4, 1_250 * LDAO)
    node = registry.node(node_id)
    assert (node.gpu_count, node.prev_gpu_count, node.gpus_from_epoch) == (5, 2, 4)
    assert node.stake == registry.total_stake() == 1_250 * LDAO
    assert registry.max_work_units(node_id, 3) == 2 * 400 * 86_400
    assert registry.max_work_units(node_id, 4) == 5 * 400 * 86_400


def test_add_stake__twice_in_one_epoch__keeps_the_count_before(
    registry, register, token, fund, provider, clock
):
    node_id = register(provider, gpus=2, tier=1)
    warp(clock.start(3))
    _grow(registry, token, fund, provider, node_id, 1)
    _grow(registry, token, fund, provider, node_id, 1)
    node = registry.node(node_id)
    assert (node.gpu_count, node.prev_gpu_count, node.gpus_from_epoch) == (4, 2, 4)


def test_add_stake__in_registration_epoch__counts_from_first_epoch(
    registry, register, token, fund, provider
):
    node_id = register(provider, gpus=2, tier=1)
    _grow(registry, token, fund, provider, node_id, 2)
    assert registry.max_work_units(node_id, 1) == 4 * 400 * 86_400


@pytest.mark.parametrize("gpus", [0, 1_023])
def test_add_stake__gpu_count_out_of_range__reverts(registry, register, provider, gpus):
    node_id = register(provider, gpus=2)
    with boa.reverts("registry: GPU count out of range"):
        registry.add_stake(node_id, gpus, sender=provider)


def test_add_stake__by_someone_else__reverts(registry, register, provider, provider2):
    node_id = register(provider)
    with boa.reverts("registry: caller is not the node owner"):
        registry.add_stake(node_id, 1, sender=provider2)


def test_add_stake__deactivated__reverts(registry, register, provider):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    with boa.reverts("registry: node not active"):
        registry.add_stake(node_id, 1, sender=provider)


# --- deactivate -------------------------------------------------------------------


def test_deactivate__ends_after_current_epoch_and_starts_unbonding(
    registry, register, provider, clock
):
    node_id = register(provider)
    warp(clock.start(4) + 100)
    registry.deactivate(node_id, sender=provider)
    (logged,) = events(registry, "NodeDeactivated")
    assert (logged.node_id, logged.end_epoch, logged.deactivated_at) == (node_id, 4, now())
    assert logged.withdrawable_at == now() + 14 * DAY
    node = registry.node(node_id)
    assert (node.status, node.end_epoch) == (NODE_DEACTIVATED, 4)
    assert (node.deactivated_at, node.withdrawable_at) == (now(), now() + 14 * DAY)


def test_deactivate__twice__reverts(registry, register, provider):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    with boa.reverts("registry: node not active"):
        registry.deactivate(node_id, sender=provider)


def test_deactivate__by_someone_else__reverts(registry, register, provider, provider2):
    node_id = register(provider)
    with boa.reverts("registry: caller is not the node owner"):
        registry.deactivate(node_id, sender=provider2)


# --- withdraw_stake ----------------------------------------------------------------


def test_withdraw_stake__after_unbonding__returns_stake(registry, register, token, provider):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    warp(registry.node(node_id).withdrawable_at)
    assert registry.withdraw_stake(node_id, sender=provider) == 1_000 * LDAO
    (withdrawn,) = events(registry, "StakeWithdrawn")
    assert (withdrawn.node_id, withdrawn.owner, withdrawn.amount) == (
        node_id,
        provider,
        1_000 * LDAO,
    )
    assert token.balanceOf(provider) == 1_000 * LDAO
    node = registry.node(node_id)
    assert (node.status, node.stake, node.owner) == (NODE_WITHDRAWN, 0, provider)
    assert registry.total_stake() == 0 == token.balanceOf(registry.address)


def test_withdraw_stake__one_second_early__reverts(registry, register, provider):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    warp(registry.node(node_id).withdrawable_at - 1)
    with boa.reverts("registry: unbonding period not over"):
        registry.withdraw_stake(node_id, sender=provider)


def test_withdraw_stake__active_node__reverts(registry, register, provider):
    node_id = register(provider)
    with boa.reverts("registry: node still active"):
        registry.withdraw_stake(node_id, sender=provider)


def test_withdraw_stake__twice__reverts(registry, register, provider):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    warp(registry.node(node_id).withdrawable_at)
    registry.withdraw_stake(node_id, sender=provider)
    with boa.reverts("registry: stake already withdrawn"):
        registry.withdraw_stake(node_id, sender=provider)


def test_withdraw_stake__by_someone_else__reverts(registry, register, provider, provider2):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    warp(registry.node(node_id).withdrawable_at)
    with boa.reverts("registry: caller is not the node owner"):
        registry.withdraw_stake(node_id, sender=provider2)


def test_withdraw_stake__unbonding_snapshot__ignores_later_param_change(
    registry, register, governor, default_params, provider
):
    node_id = register(provider)
    registry.deactivate(node_id, sender=provider)
    due = registry.node(node_id).withdrawable_at
    longer = dataclasses.replace(default_params, unbonding_period=60 * DAY)
    registry.set_params(longer.as_tuple(), sender=governor)
    warp(due)
    assert registry.withdraw_stake(node_id, sender=provider) == 1_000 * LDAO


def test_withdraw__with_no_credits__reverts(registry, provider):
    with boa.reverts("registry: nothing to withdraw"):
        registry.withdraw(sender=provider)
