"""The LabelDAO suite as `ape run deploy` wires it, on Ape or on titanoboa.

One plan (`system_steps`) deploys the timelock, the token, the randomness
source, the court, the escrow and the registry; sets parameter overrides from
the network's parameter file; grants every role; hands admin to the timelock
and leaves the deployer with none. The same plan runs through Ape (the
deploy script) and through titanoboa (`deploy_boa`: the simulation, the
whole-system property tests and the benchmarks), so what is tested is what
is deployed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boa
from boa.util.abi import Address

from labeldao import solidity
from labeldao.boa_tools import REPO_ROOT
from labeldao.boa_tools import deployer as boa_deployer
from labeldao.config import DeployParams, load_params, params_path
from labeldao.deploy import (
    DeployError,
    Deployment,
    Engine,
    Record,
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
    "QualityCourt",
    "TaskEscrow",
    "ComputeRegistry",
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
# Contracts without AccessControl roles (the court's lens is stateless).
ROLELESS = {*RANDOMNESS_CONTRACTS, GOVERNOR, "QualityCourtLens"}
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
        plan.deploy_step(
            "QualityCourt",
            lambda: (
                plan.address("RewardToken"),
                p.roles.treasury,
                plan.address(randomness_source(p)),
                p.court.epoch_blocks,
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


# ---------------------------------------------------------------------------
# Ape backend (the deploy script, the integration tests)
# ---------------------------------------------------------------------------


class ApeChain:
    """The engine's view of the chain Ape is connected to."""

    def code_at(self, address: str) -> bytes:
        from ape import chain

        return bytes(chain.provider.get_code(address))

    def nonce(self, account: str) -> int:
        from ape import chain

        return chain.provider.get_nonce(account)

    def block_number(self) -> int:
        from ape import chain

        return chain.blocks.height

    def mined_in(self, sender: str, nonce: int, since: int) -> int | None:
        from ape import chain

        eth = chain.provider.web3.eth
        for number in range(since, chain.blocks.height + 1):
            block = eth.get_block(number, full_transactions=True)
            for tx in block["transactions"]:
                if tx["from"].lower() == sender.lower() and tx["nonce"] == nonce:
                    return number
        return None


def deploy_ape(project: Any, deployer: Any, params: DeployParams) -> dict[str, Any]:
    """Runs the plan in-process through Ape (no record file) and returns the
    contract instances by name; used by the integration tests."""
    from ape import chain

    engine = Engine(Record(None), ApeChain(), str(deployer.address), log=lambda _: None)
    plan = Deployment(ape_containers(project, contract_names(params)), deployer, params, engine)
    engine.run(system_steps(plan, chain.blocks.head.timestamp))
    if leftover := leftover_roles(plan):
        raise DeployError(f"the deployer still holds {leftover}")
    return {name: plan.at(name) for name in contract_names(params)}


def ape_containers(project: Any, names: list[str]) -> dict[str, Any]:
    """Ape contract containers of every contract of the plan: the project's
    (Vyper, compiled by ape-vyper) and the Governor's (solc-js artifact)."""
    return {
        name: solidity_container_ape(GOVERNOR_SOURCE, name)
        if name == GOVERNOR
        else getattr(project, name)
        for name in names
    }


def solidity_container_ape(source: str, name: str) -> Any:
    """An Ape ContractContainer for a Solidity contract compiled with solc-js."""
    from ape.contracts import ContractContainer
    from ethpm_types import ContractType

    built = solidity.artifact(REPO_ROOT / source, name)
    contract_type = ContractType.model_validate(
        {
            "contractName": name,
            "abi": built["abi"],
            "deploymentBytecode": {"bytecode": "0x" + built["bytecode"]},
        }
    )
    return ContractContainer(contract_type)


# ---------------------------------------------------------------------------
# titanoboa backend
# ---------------------------------------------------------------------------


class BoaAccount(str):
    """A titanoboa account: an address that can deploy (Ape's account API)."""

    @property
    def address(self) -> str:
        return str(self)

    def deploy(self, container: Any, *args: Any) -> Any:
        return container.deploy(*args, sender=str(self))


class BoaChain:
    """The engine's view of titanoboa's chain."""

    def code_at(self, address: str) -> bytes:
        return boa.env.get_code(Address(address))

    def nonce(self, account: str) -> int:
        return boa.env.evm.vm.state.get_nonce(Address(account).canonical_address)

    def block_number(self) -> int:
        return boa.env.evm.patch.block_number

    def mined_in(self, sender: str, nonce: int, since: int) -> int | None:
        # titanoboa executes every transaction in the current block.
        return self.block_number()


@dataclass
class BoaSystem:
    """A deployed suite on titanoboa, its parameters and named accounts."""

    contracts: dict[str, Any]
    params: DeployParams
    deployer: str
    accounts: dict[str, str]

    def __getattr__(self, name: str) -> Any:
        aliases = {
            "token": "RewardToken",
            "court": "QualityCourt",
            "court_lens": "QualityCourtLens",
            "escrow": "TaskEscrow",
            "registry": "ComputeRegistry",
            "timelock": "Timelock",
            "randomness": randomness_source(self.params),
            "governor": GOVERNOR,
        }
        if name in aliases:
            return self.contracts[aliases[name]]
        raise AttributeError(name)


@dataclass(frozen=True)
class BoaSolidity:
    """A titanoboa container (`deploy`, `at`) for a Solidity contract compiled
    with solc-js."""

    source: str
    name: str

    def deploy(self, *args: Any, sender: str | None = None) -> Any:
        return solidity.deploy(self.source, self.name, *args, sender=sender)

    def at(self, address: str) -> Any:
        built = solidity.artifact(REPO_ROOT / self.source, self.name)
        return boa.loads_abi(json.dumps(built["abi"]), name=self.name).at(address)


def boa_test_account(index: int) -> str:
    """The titanoboa address standing in for Ape's test account `index`."""
    return str(boa.env.generate_address(f"test:{index}"))


def deploy_boa(
    params_file: Path | None = None,
    *,
    deployer: str | None = None,
    log: Any = None,
) -> BoaSystem:
    """Deploys the whole suite on the current titanoboa environment with the
    same plan as `ape run deploy` (default: the local parameter file)."""
    params = load_params(
        params_file or params_path("local"), is_local=True, test_account=boa_test_account
    )
    account = BoaAccount(deployer or boa.env.generate_address("deployer"))
    containers = {
        name: BoaSolidity(GOVERNOR_SOURCE, name) if name == GOVERNOR else boa_deployer(name)
        for name in contract_names(params)
    }
    engine = Engine(Record(None), BoaChain(), str(account), log=log or (lambda _: None))
    plan = Deployment(containers, account, params, engine, sender=str(account))
    genesis = boa.env.evm.patch.timestamp
    engine.run(system_steps(plan, genesis))
    if leftover := leftover_roles(plan):
        raise DeployError(f"the deployer still holds {leftover}")
    contracts = {name: plan.at(name) for name in contract_names(params)}
    accounts = {
        "guardian": params.roles.guardian,
        "treasury": params.roles.treasury,
        **{f"proposer{i}": a for i, a in enumerate(params.timelock.proposers)},
    }
    return BoaSystem(contracts, params, str(account), accounts)


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
