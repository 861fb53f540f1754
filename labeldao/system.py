"""The LabelDAO suite as `ape run deploy` wires it, on Ape or on titanoboa.

One plan (`system_steps`) deploys the timelock, the token, the randomness
source, the court, the escrow and the registry; sets parameter overrides from
the network's parameter file; grants every role; hands admin to the timelock
and leaves the deployer with none. The same plan runs through Ape (the
deploy script, `labeldao.ape_system`) and through titanoboa
(`labeldao.boa_system.deploy_boa`: the simulation, the whole-system property
tests and the benchmarks), so what is tested is what is deployed.

Core module: imports neither titanoboa nor Ape. The names that moved to the
adapters stay importable from here (`from labeldao.system import
deploy_boa`), loaded only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from labeldao.config import DeployParams
from labeldao.deploy import (
    DeployError,
    Deployment,
    Step,
    role_id,
    token_and_timelock_steps,
)

ZERO = "0x" + "00" * 20

# Deployment order; every contract after the token depends on earlier ones.
CONTRACTS = [
    "Timelock",
    "RewardToken",
    "PrevrandaoRandomness",
    "QualityCourtLens",
    "SortitionTree",
    "QualityCourt",
    "TaskEscrow",
    "ComputeRegistry",
    "ComputeRegistryLens",
    "LabelDAOGovernor",
]
# Randomness sources the plan can deploy (no roles: see `randomness_consumer_steps`).
RANDOMNESS_CONTRACTS = ["PrevrandaoRandomness", "ChainlinkVRFRandomness", "RandomnessWithFallback"]
# OpenZeppelin's Governor (Solidity, compiled with solc-js from the pinned npm
# package), deployed only when the parameter file has a [governor] table, and
# then made the timelock's proposer and canceller: a passed proposal schedules
# its calls in the timelock (see labeldao/governance.py).
GOVERNOR = "LabelDAOGovernor"
GOVERNOR_SOURCE = "contracts/governance/LabelDAOGovernor.sol"
GOVERNOR_ROLES = ["PROPOSER_ROLE", "CANCELLER_ROLE"]
# Contracts without AccessControl roles (the lenses are stateless; the tree
# answers only to the court that bound it).
ROLELESS = {
    *RANDOMNESS_CONTRACTS,
    GOVERNOR,
    "QualityCourtLens",
    "ComputeRegistryLens",
    "SortitionTree",
}
# Contracts whose DEFAULT_ADMIN_ROLE goes to the timelock.
ADMINISTERED = ["RewardToken", "QualityCourt", "TaskEscrow", "ComputeRegistry"]
# Contracts with PARAMS_ROLE (timelock) and GUARDIAN_ROLE (guardian).
GOVERNED = ["QualityCourt", "TaskEscrow", "ComputeRegistry"]
# Holders of the token's MINTER_ROLE besides the timelock.
MINTERS = ["TaskEscrow", "ComputeRegistry"]
# Every role of the suite: the deployer must hold none of them at the end.
ALL_ROLES = [
    "DEFAULT_ADMIN_ROLE",
    "MINTER_ROLE",
    "PARAMS_ROLE",
    "GUARDIAN_ROLE",
    "PROPOSER_ROLE",
    "EXECUTOR_ROLE",
    "CANCELLER_ROLE",
]
# The view that returns the current parameters of each governed contract,
# and the arguments it takes.
PARAMS_VIEW: dict[str, tuple[str, Callable[[Any], tuple]]] = {
    "QualityCourt": ("params", lambda court: (court.params_version(),)),
    "TaskEscrow": ("current_params", lambda _: ()),
    "ComputeRegistry": ("params", lambda _: ()),
}


def system_steps(plan: Deployment, genesis: int) -> list[Step]:
    """Every step of a LabelDAO deployment, in order."""
    p = plan.params
    steps = token_and_timelock_steps(plan)
    steps += [
        *randomness_deploy_steps(plan),
        plan.deploy_step("QualityCourtLens", lambda: ()),
        # The juror stake tree, its own contract for the court's size, made
        # for the court's address: the deployer's next creation after it.
        plan.deploy_step("SortitionTree", lambda: (p.court.epoch_seconds, plan.next_created(1))),
        plan.deploy_step(
            "QualityCourt",
            lambda: (
                plan.address("RewardToken"),
                p.roles.treasury,
                plan.address(randomness_source(p)),
                _tree_for_next_court(plan),
                plan.address("QualityCourtLens"),
            ),
        ),
        plan.deploy_step(
            "TaskEscrow",
            lambda: (plan.address("RewardToken"), plan.address("QualityCourt"), p.roles.treasury),
        ),
        plan.deploy_step(
            "ComputeRegistry",
            lambda: (
                plan.address("RewardToken"),
                plan.address("QualityCourt"),
                p.roles.treasury,
                p.registry.epoch_length,
                p.registry.genesis if p.registry.genesis is not None else genesis,
                p.registry.epoch_emission,
                p.registry.meta_evidence_uri,
            ),
        ),
        # Read-only views moved out of the registry for its size (no roles).
        plan.deploy_step("ComputeRegistryLens", lambda: (plan.address("ComputeRegistry"),)),
        *randomness_consumer_steps(plan),
    ]
    steps += [
        Step(f"parameters of {name}", _overrides_step(plan, name, overrides))
        for name, overrides in (
            ("QualityCourt", p.court.params),
            ("TaskEscrow", p.escrow.params),
            ("ComputeRegistry", p.registry.params),
        )
        if overrides
    ]
    steps += [plan.role_step("RewardToken", "MINTER_ROLE", m) for m in MINTERS]
    for name in GOVERNED:
        steps += [
            plan.role_step(name, "PARAMS_ROLE", "Timelock"),
            plan.role_step(name, "GUARDIAN_ROLE", "guardian"),
        ]
    steps += [plan.role_step(c, "DEFAULT_ADMIN_ROLE", "Timelock") for c in ADMINISTERED]
    steps += [
        plan.role_step(c, "DEFAULT_ADMIN_ROLE", "deployer", wanted=False) for c in ADMINISTERED
    ]
    steps += governor_steps(plan)
    return steps


def _tree_for_next_court(plan: Deployment) -> str:
    """The recorded SortitionTree, refused clearly unless it was made for the
    address the court is about to get (a transaction sent in between moves it)."""
    tree = plan.address("SortitionTree")
    made_for, court = str(plan.at("SortitionTree").COURT()), plan.next_created()
    if made_for.lower() != court.lower():
        raise DeployError(
            f"SortitionTree {tree} was made for a court at {made_for}, but the court would "
            f"be created at {court} (the deployer sent a transaction in between): remove "
            "SortitionTree from the deployment record and run the deploy again"
        )
    return tree


def deployable_contracts() -> list[str]:
    """Every contract the plan can deploy, whatever the parameters choose, in
    deployment order (each randomness source before the court)."""
    names = [n for n in CONTRACTS if n not in RANDOMNESS_CONTRACTS]
    at = names.index("QualityCourt")
    return names[:at] + RANDOMNESS_CONTRACTS + names[at:]


def governor_steps(plan: Deployment) -> list[Step]:
    """With a [governor] table: deploy the Governor, make it the timelock's
    proposer and canceller, then drop the deployer's admin role on
    the timelock (held since its constructor for this purpose only)."""
    g = plan.params.governor
    if g is None:
        return []
    steps = [
        plan.deploy_step(
            GOVERNOR,
            lambda: (
                plan.address("RewardToken"),
                g.voting_delay,
                g.voting_period,
                g.quorum_percent,
                g.proposal_threshold,
            ),
        ),
        Step("timelock admin for the Governor", lambda: _timelock_admin_check(plan)),
    ]
    steps += [plan.role_step("Timelock", role, GOVERNOR) for role in GOVERNOR_ROLES]
    steps.append(plan.role_step("Timelock", "DEFAULT_ADMIN_ROLE", "deployer", wanted=False))
    return steps


def _timelock_admin_check(plan: Deployment) -> str:
    """Fails clearly when the Governor's roles are missing and the deployer
    cannot grant them (a timelock deployed before the [governor] table)."""
    timelock, governor = plan.at("Timelock"), plan.address(GOVERNOR)
    if all(timelock.hasRole(role_id(r), governor) for r in GOVERNOR_ROLES):
        return "the Governor holds its roles"
    if not timelock.hasRole(role_id("DEFAULT_ADMIN_ROLE"), plan.deployer_address):
        raise DeployError(
            "Timelock: was deployed without an admin, so the deployer cannot make the "
            f"Governor its proposer: schedule grantRole of {GOVERNOR_ROLES} to {governor} "
            "through the timelock"
        )
    return "the deployer may grant the Governor's roles"


def contract_names(params: DeployParams) -> list[str]:
    """The contracts a deployment with `params` has, in deployment order
    (`CONTRACTS` with the randomness source the parameters choose)."""
    names = [n for n in CONTRACTS if n not in RANDOMNESS_CONTRACTS]
    if params.governor is None:
        names.remove(GOVERNOR)
    at = names.index("QualityCourt")
    return names[:at] + randomness_contracts(params) + names[at:]


def randomness_contracts(params: DeployParams) -> list[str]:
    """The randomness contracts `params` choose, the court's source last."""
    if params.randomness.source == "prevrandao":
        return ["PrevrandaoRandomness"]
    vrf = ["ChainlinkVRFRandomness"]
    return vrf + ["RandomnessWithFallback"] if params.randomness.fallback_timeout else vrf


def randomness_source(params: DeployParams) -> str:
    """The contract the court draws from."""
    return randomness_contracts(params)[-1]


def randomness_deploy_steps(plan: Deployment) -> list[Step]:
    """Deploys the randomness source the parameters choose."""
    p, r = plan.params, plan.params.randomness
    if r.source == "prevrandao":
        return [plan.deploy_step("PrevrandaoRandomness", lambda: (p.court.randomness_delay,))]
    steps = [
        plan.deploy_step(
            "ChainlinkVRFRandomness",
            lambda: (
                r.coordinator,
                bytes.fromhex(r.key_hash[2:]),
                r.subscription_id,
                r.request_confirmations,
                r.callback_gas_limit,
                r.native_payment,
            ),
        )
    ]
    if r.fallback_timeout:
        steps.append(
            plan.deploy_step(
                "RandomnessWithFallback",
                lambda: (
                    plan.address("ChainlinkVRFRandomness"),
                    r.fallback_timeout,
                    r.max_rerequests,
                    r.fallback_delay,
                ),
            )
        )
    return steps


def randomness_consumer_steps(plan: Deployment) -> list[Step]:
    """Names each VRF-side adapter's only consumer (the next one in the
    chain, the court last): each request spends the VRF subscription."""
    chain = randomness_contracts(plan.params)
    if chain == ["PrevrandaoRandomness"]:
        return []
    pairs = zip(chain, [*chain[1:], "QualityCourt"], strict=True)
    return [_consumer_step(plan, adapter, consumer) for adapter, consumer in pairs]


def _consumer_step(plan: Deployment, adapter: str, consumer: str) -> Step:
    def run() -> str:
        instance, wanted = plan.at(adapter), plan.address(consumer)
        current = str(instance.consumer())
        if current.lower() == wanted.lower():
            return f"{adapter}.consumer: already {consumer}"
        if current != ZERO:
            raise DeployError(f"{adapter}.consumer is {current}, not {consumer}: redeploy it")
        instance.set_consumer(wanted, sender=plan.sender)
        return f"{adapter}.consumer: {consumer} ({wanted})"

    return Step(f"consumer of {adapter} -> {consumer}", run)


def leftover_roles(plan: Deployment) -> list[str]:
    """Every `contract.ROLE` the deployer still holds; empty after a deployment."""
    me = plan.deployer_address
    return [
        f"{name}.{role}"
        for name in contract_names(plan.params)
        if name not in ROLELESS  # no roles at all
        for role in ALL_ROLES
        if plan.at(name).hasRole(role_id(role), me)
    ]


def _overrides_step(plan: Deployment, name: str, overrides: dict[str, Any]) -> Any:
    """A step that sets `overrides` over the contract's current parameters,
    with PARAMS_ROLE held by the deployer for this step only."""

    def run() -> str:
        contract = plan.at(name)
        view, view_args = PARAMS_VIEW[name]
        fields = plan.struct_fields(contract, view)
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise DeployError(f"{name}: unknown parameters {unknown}; known: {fields}")
        values = plan.values(getattr(contract, view)(*view_args(contract)))
        current = dict(zip(fields, values, strict=True))
        wanted = {**current, **overrides}
        if _same(current, wanted):
            return "already set"
        role, me = role_id("PARAMS_ROLE"), plan.deployer_address
        if not contract.hasRole(role_id("DEFAULT_ADMIN_ROLE"), me):
            raise DeployError(
                f"{name}: parameters differ from the file, but the deployer no longer "
                "administers the contract: change them through the timelock"
            )
        contract.grantRole(role, me, sender=plan.sender)
        contract.set_params(tuple(wanted[f] for f in fields), sender=plan.sender)
        contract.renounceRole(role, me, sender=plan.sender)
        changed = {k: v for k, v in overrides.items() if not _same(current[k], v)}
        return f"set {changed}"

    return run


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) or isinstance(b, str):
        return str(a).lower() == str(b).lower()
    return a == b


def struct_values(value: Any) -> list[Any]:
    """A struct returned by a view, as a plain list (Ape structs and boa tuples)."""
    if hasattr(value, "items") and callable(value.items):
        return list(dict(value.items()).values())
    return list(value)


def require_contracts(names: Sequence[str], available: Sequence[str]) -> None:
    """Fails clearly when a plan refers to a contract the project lacks."""
    missing = [n for n in names if n not in available]
    if missing:
        raise DeployError(f"the project has no contract {missing}; run `ape compile`")


# Names that moved to the adapters, by module (loaded on first use, so that
# importing the plan loads neither titanoboa nor Ape).
_ADAPTERS = {
    "labeldao.ape_system": ("ApeChain", "deploy_ape", "ape_containers", "solidity_container_ape"),
    "labeldao.boa_system": (
        "BoaAccount",
        "BoaChain",
        "BoaSolidity",
        "BoaSystem",
        "boa_test_account",
        "deploy_boa",
    ),
}


def __getattr__(name: str) -> Any:
    import importlib

    for module, names in _ADAPTERS.items():
        if name in names:
            return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
