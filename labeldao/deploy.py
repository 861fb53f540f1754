"""Idempotent, resumable deployment of LabelDAO through Ape.

A deployment is a fixed sequence of steps (deploy a contract, set a role).
Each step first looks at the chain: a contract already at its recorded (or
predicted) address is adopted, a role already in the wanted state is left
alone. The record `deployments/<network>.json` is written after every step,
and before every deployment transaction the deployer's nonce and the address
that transaction will create are written too, so that a process killed
between sending and saving still finds its contract on the next run instead of
deploying a second one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address

DEFAULT_ADMIN_ROLE = b"\x00" * 32


def role_id(name: str) -> bytes:
    """`keccak256(name)`, as the contracts define their roles."""
    return DEFAULT_ADMIN_ROLE if name == "DEFAULT_ADMIN_ROLE" else keccak(text=name)


def create_address(sender: str, nonce: int) -> str:
    """The address a contract creation by `sender` at `nonce` gets (CREATE)."""
    digest = keccak(rlp.encode([to_canonical_address(sender), nonce]))
    return to_checksum_address(digest[12:])


class DeployError(RuntimeError):
    """A deployment step cannot proceed; the message says why and what to do."""


@dataclass
class Record:
    """What has been deployed on one network: the contents of `deployments/<network>.json`."""

    path: Path | None  # None: kept in memory only (titanoboa deployments)
    data: dict[str, Any] = field(
        default_factory=lambda: {"contracts": {}, "roles": {}, "pending": None, "complete": False}
    )

    @classmethod
    def load(cls, path: Path) -> Record:
        """Reads the record, or starts an empty one."""
        if path.exists():
            return cls(path, json.loads(path.read_text()))
        return cls(path)

    def save(self) -> None:
        """Writes the record atomically (a crash never leaves half a file)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.data["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        with os.fdopen(fd, "w") as handle:
            json.dump(self.data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, self.path)

    @property
    def contracts(self) -> dict[str, dict[str, Any]]:
        """Deployed contracts by name: address, transaction, block, arguments."""
        return self.data.setdefault("contracts", {})

    def address(self, name: str) -> str:
        """The recorded address of contract `name`."""
        try:
            return self.contracts[name]["address"]
        except KeyError:
            raise DeployError(f"{name} is not deployed yet") from None


class Chain(Protocol):
    """What the engine needs from a chain (Ape in scripts, a fake in unit tests)."""

    def code_at(self, address: str) -> bytes: ...

    def nonce(self, account: str) -> int: ...

    def block_number(self) -> int:
        """The latest block's number."""
        ...

    def mined_in(self, sender: str, nonce: int, since: int) -> int | None:
        """The block, from `since` on, that holds `sender`'s transaction of
        `nonce` (None: not found). Reads blocks only, no historical state, so
        it works on a node that is not an archive."""
        ...


@dataclass
class Step:
    """One named step and the function that performs it (returns a log line)."""

    name: str
    run: Callable[[], str]


@dataclass
class Engine:
    """Runs steps in order against a chain, keeping the record up to date."""

    record: Record
    chain: Chain
    deployer: str
    log: Callable[[str], None] = print
    # Fault injection for the resume tests: exit the process right after the
    # creation transaction of this contract is mined, before it is recorded
    # (the worst moment to crash). Set from LABELDAO_DEPLOY_CRASH_AFTER.
    crash_after: str | None = None

    def check_record_matches_chain(self, chain_id: int) -> None:
        """Refuses a record of another chain; restarts one whose contracts vanished.

        A local node restarted without its state has none of the recorded
        contracts: the old record is kept beside the new one and the run
        starts over. A public network with a missing contract is an error.
        """
        recorded = self.record.data.get("chain_id")
        if recorded is not None and recorded != chain_id:
            raise DeployError(
                f"{self.record.path} is for chain id {recorded}, not {chain_id}: "
                "use another network name or move the file away"
            )
        missing = [
            name
            for name, entry in self.record.contracts.items()
            if not self.chain.code_at(entry["address"])
        ]
        if missing and len(missing) == len(self.record.contracts):
            backup = self.record.path.with_suffix(".stale.json")
            self.record.path.replace(backup)
            self.log(f"no recorded contract exists on this chain (node reset?); kept {backup.name}")
            self.record.data = Record.load(self.record.path).data
        elif missing:
            raise DeployError(
                f"recorded contracts {missing} have no code on chain {chain_id} while others do: "
                "the record does not match this chain"
            )
        self.record.data["chain_id"] = chain_id

    def deploy(
        self,
        name: str,
        send: Callable[[Sequence[Any]], Any],
        args: Callable[[], Sequence[Any]],
    ) -> str:
        """Deploys contract `name` once; returns its address.

        `args` computes the constructor arguments, and only for a contract
        the record does not hold yet: they may read the chain or refuse,
        which must not stop a rerun that has nothing to send. `send(values)`
        sends the creation transaction and returns Ape's contract instance
        (with `.address` and `.txn_hash`).
        """
        if name in self.record.contracts:
            return f"{name}: already at {self.record.contracts[name]['address']}"
        values = list(args())
        pending = self.record.data.get("pending")
        if pending and pending["name"] == name:
            if self.chain.code_at(pending["address"]):
                block = self._creation_block(pending)
                self._remember(name, pending["address"], values, tx=None, block=block)
                return f"{name}: adopted {pending['address']} (sent by an interrupted run)"
            if self.chain.nonce(self.deployer) <= pending["nonce"]:
                self.log(f"{name}: the interrupted run's transaction was never mined; resending")
        nonce = self.chain.nonce(self.deployer)
        expected = create_address(self.deployer, nonce)
        self.record.data["pending"] = {
            "name": name,
            "nonce": nonce,
            "address": expected,
            "since_block": self.chain.block_number(),
        }
        self.record.save()
        instance = send(values)
        if self.crash_after == name:
            self.log(f"{name}: crashing on purpose after sending (LABELDAO_DEPLOY_CRASH_AFTER)")
            os._exit(75)
        address = to_checksum_address(str(instance.address))
        block = self._creation_block(self.record.data["pending"])
        # Ape's contract instance has the transaction hash but no receipt (the
        # old `instance.receipt` lookup always gave None: "block": null).
        self._remember(name, address, values, tx=getattr(instance, "txn_hash", None), block=block)
        return f"{name}: deployed at {address} (block {block})"

    def _creation_block(self, pending: dict[str, Any]) -> int | None:
        """The block that mined the creation `pending` describes (None when a
        record written before `since_block` existed does not say where to look)."""
        since = pending.get("since_block")
        if since is None:
            return None
        return self.chain.mined_in(self.deployer, pending["nonce"], since)

    def set_role(
        self,
        contract_name: str,
        role: str,
        account: str,
        wanted: bool,
        has_role: Callable[[], bool],
        send: Callable[[], Any],
    ) -> str:
        """Grants (`wanted`) or revokes/renounces a role, unless already so."""
        key = f"{contract_name}.{role}.{account}"
        if has_role() == wanted:
            self.record.data.setdefault("roles", {})[key] = wanted
            return f"{key}: already {'held' if wanted else 'absent'}"
        receipt = send()
        self.record.data.setdefault("roles", {})[key] = wanted
        tx = getattr(receipt, "txn_hash", None)
        return f"{key}: {'granted' if wanted else 'removed'} ({tx})"

    def run(self, steps: Sequence[Step]) -> None:
        """Runs every step, saving the record after each."""
        for step in steps:
            line = step.run()
            self.record.save()
            self.log(f"[{step.name}] {line}")
        self.record.data["complete"] = True
        self.record.save()

    def _remember(self, name: str, address: str, args: Sequence[Any], tx: Any, block: Any) -> None:
        self.record.contracts[name] = {
            "address": address,
            "tx_hash": None if tx is None else str(tx),
            "block": block,
            "args": [_jsonable(a) for a in args],
        }
        self.record.data["pending"] = None
        self.record.save()


def publish_sources(
    contracts: dict[str, dict[str, Any]],
    publish: Callable[[str], Any],
    *,
    unpublishable: dict[str, str],
    errors: tuple[type[Exception], ...],
    log: Callable[[str], None],
) -> list[str]:
    """Publishes the source of every recorded contract on the block explorer
    (`publish(address)`), one log line each, and goes on past a contract the
    explorer refuses (`errors`), so that one failure leaves no other contract
    unverified; `unpublishable`: names the publisher cannot handle, with the
    reason logged. Returns the names that failed."""
    failed = []
    for name, entry in contracts.items():
        if name in unpublishable:
            log(f"  skipped {name}: {unpublishable[name]}")
            continue
        try:
            publish(entry["address"])
        except errors as exc:
            failed.append(name)
            log(f"  not verified {name}: {type(exc).__name__}: {exc}")
            continue
        log(f"  verified {name}")
    return failed


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, int | str | bool) or value is None:
        return value
    return str(value)


# ---------------------------------------------------------------------------
# Plans: steps built from contract containers (Ape's or titanoboa's)
# ---------------------------------------------------------------------------


@dataclass
class Deployment:
    """What a plan needs: contract containers (`.at(address)`), a deployer
    (`.deploy(container, *args)`, `.address`), the `sender=` value for
    transactions (Ape: the account; titanoboa: its address) and the params."""

    containers: dict[str, Any]
    deployer: Any
    params: Any
    engine: Engine
    sender: Any = None
    instances: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sender is None:
            self.sender = self.deployer

    @property
    def deployer_address(self) -> str:
        return to_checksum_address(str(self.deployer.address))

    def address(self, name: str) -> str:
        """The recorded address of contract `name`."""
        return self.engine.record.address(name)

    def next_created(self, after: int = 0) -> str:
        """The address of the deployer's contract creation `after` creations
        from now (CREATE: the deployer and its nonce)."""
        me = self.deployer_address
        return create_address(me, self.engine.chain.nonce(me) + after)

    def at(self, name: str) -> Any:
        """The deployed instance of `name` (loaded from the record when resumed)."""
        if name not in self.instances:
            self.instances[name] = self.containers[name].at(self.address(name))
        return self.instances[name]

    def deploy_step(self, name: str, args: Callable[[], Sequence[Any]]) -> Step:
        """A step that deploys `name` with the given (lazily computed) arguments."""

        def run() -> str:
            return self.engine.deploy(
                name,
                lambda values: self.deployer.deploy(self.containers[name], *values),
                args,
            )

        return Step(f"deploy {name}", run)

    def role_step(self, contract: str, role: str, holder: str, wanted: bool = True) -> Step:
        """A step that grants `role` on `contract` to `holder` or, with
        `wanted=False`, removes it (the deployer renounces its own)."""

        def run() -> str:
            instance = self.at(contract)
            account = self._account(holder)
            role_bytes = role_id(role)
            if wanted:
                method, args = instance.grantRole, (role_bytes, account)
            elif account == self.deployer_address:
                method, args = instance.renounceRole, (role_bytes, account)
            else:
                method, args = instance.revokeRole, (role_bytes, account)
            return self.engine.set_role(
                contract,
                role,
                account,
                wanted,
                lambda: instance.hasRole(role_bytes, account),
                lambda: method(*args, sender=self.sender),
            )

        verb = "grant" if wanted else "drop"
        return Step(f"{verb} {contract}.{role} -> {holder}", run)

    def struct_fields(self, instance: Any, view: str) -> list[str]:
        """Field names of the struct a view returns (from the ABI)."""
        abi = getattr(instance, "abi", None)
        if not isinstance(abi, list):  # Ape
            abi = [item.model_dump() for item in instance.contract_type.abi]
        for item in abi:
            if item.get("type") == "function" and item.get("name") == view:
                return [c["name"] for c in item["outputs"][0]["components"]]
        raise DeployError(f"{view} is not a view of {instance}")

    @staticmethod
    def values(struct: Any) -> list[Any]:
        """A struct returned by a view as a list (Ape structs and boa tuples)."""
        if hasattr(struct, "items") and callable(struct.items):
            return [_plain(v) for v in dict(struct.items()).values()]
        return [_plain(v) for v in struct]

    def _account(self, holder: str) -> str:
        if holder == "deployer":
            return self.deployer_address
        if holder in ("guardian", "treasury"):
            return getattr(self.params.roles, holder)
        return self.address(holder)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def token_and_timelock_steps(plan: Deployment) -> list[Step]:
    """Timelock and RewardToken, the initial allocations (minted while the
    deployer briefly holds MINTER_ROLE), and MINTER_ROLE for the timelock."""
    p = plan.params
    steps = [
        plan.deploy_step(
            "Timelock",
            lambda: (
                p.timelock.min_delay,
                p.timelock.proposers,
                p.timelock.executors,
                timelock_admin(plan),
            ),
        ),
        plan.deploy_step("RewardToken", lambda: (p.token.cap,)),
    ]
    if p.token.initial_mints:
        steps.append(Step("initial allocations", lambda: _initial_mints(plan)))
    steps.append(plan.role_step("RewardToken", "MINTER_ROLE", "Timelock"))
    return steps


def timelock_admin(plan: Deployment) -> str:
    """The timelock's constructor admin: nobody, unless a Governor is to be
    made its proposer after it is deployed (the deployer then holds the admin
    role until it has granted the Governor's roles, and renounces it)."""
    return plan.deployer_address if getattr(plan.params, "governor", None) else ZERO


def _initial_mints(plan: Deployment) -> str:
    """Mints the allocations in order, each once, while the deployer holds
    MINTER_ROLE for the duration of this step only.

    Idempotent from chain state alone: during deployment only the deployer
    mints, so allocation `i` is done exactly when the supply has reached the
    sum of allocations `0..i` (a run killed after sending a mint finds it
    mined and skips it). Once all are minted, the step sends nothing, so a
    re-run after the handover does not need a role the deployer gave up.
    """
    token = plan.at("RewardToken")
    mints = plan.params.token.initial_mints
    minter = role_id("MINTER_ROLE")
    me = plan.deployer_address
    lines, target = [], 0
    if token.totalSupply() < sum(m.amount for m in mints):
        if not token.hasRole(minter, me):
            token.grantRole(minter, me, sender=plan.sender)
        for mint in mints:
            target += mint.amount
            if token.totalSupply() >= target:
                continue
            token.mint(mint.to, mint.amount, sender=plan.sender)
            lines.append(f"{mint.amount / 10**18:,.0f} LDAO to {mint.to}")
    if token.hasRole(minter, me):
        token.renounceRole(minter, me, sender=plan.sender)
    return "; ".join(lines) or "already minted"


ZERO = "0x" + "00" * 20
