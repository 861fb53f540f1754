"""The world the system machine plays in, built once per process.

`build_world()` deploys the whole suite with `labeldao.system.deploy_boa()`
(the same plan as `ape run deploy`, local parameters: the contracts'
default parameters, roles handed to the timelock and the guardian), then
funds the people of every role from the deployment's initial allocations,
gives them standing approvals, and deploys the attacker's re-entrant
arbitrable. Every Hypothesis example then runs in a `boa.env.anchor()` on
top of this state, so an example costs no deployment.

`refuse()` is the machine's path for calls that must revert: it sends the
prepared calldata straight to `boa.env.execute_code` and decodes the
revert reason itself, skipping titanoboa's error report (a source map
lookup, a stack trace and a dump of the contract's storage), which costs
more than the EVM execution of a refusal.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boa
from boa.util.abi import abi_decode
from eth_utils import keccak

from labeldao.annotations import AnswerTree, GoldItem, answer_hash, answer_tree, gold_tree
from labeldao.boa_tools import deployer
from labeldao.signing import Signature, sign_delegation, sign_permit
from labeldao.system import ALL_ROLES, BoaSystem, deploy_boa
from tests.helpers import KeyedAccount, keyed_account

LDAO = 10**18
DAY = 86_400
MAX_UINT = 2**256 - 1
ZERO = "0x" + "00" * 20
BPS = 10_000

# Escrow tasks: eight items, three of them hidden gold items.
N_ITEMS = 8
GOLD_INDICES = (1, 5, 6)
GOLD = gold_tree(
    [GoldItem(i, answer_hash(f"gold-{i}"), keccak(text=f"salt-{i}")) for i in GOLD_INDICES]
)

# Who plays: names of keyed accounts, by role.
REQUESTERS = ("requester-0", "requester-1")
PERMIT_REQUESTER = "requester-permit"  # no standing approval: pays with permits only
ANNOTATORS = ("annotator-0", "annotator-1")
JURORS = tuple(f"juror-{i}" for i in range(5))
PROVIDERS = ("provider-0", "provider-1")
CHALLENGERS = ("challenger-0",)
ATTACKER = "attacker"
PEOPLE = (
    *REQUESTERS,
    PERMIT_REQUESTER,
    *ANNOTATORS,
    *JURORS,
    *PROVIDERS,
    *CHALLENGERS,
    ATTACKER,
)
FUNDS = {
    **dict.fromkeys(REQUESTERS, 150_000 * LDAO),
    PERMIT_REQUESTER: 50_000 * LDAO,
    **dict.fromkeys(ANNOTATORS, 20_000 * LDAO),
    **dict.fromkeys(JURORS, 12_000 * LDAO),
    **dict.fromkeys(PROVIDERS, 100_000 * LDAO),
    **dict.fromkeys(CHALLENGERS, 20_000 * LDAO),
    ATTACKER: 20_000 * LDAO,
}
ARBITRABLE_FUNDS = 5_000 * LDAO  # the attacker's arbitrable pays court fees

PROGRESS_EVERY = 250

# The revert data of `Error(string)`.
_ERROR_SELECTOR = bytes.fromhex("08c379a0")


def revert_reason(computation: Any) -> str | None:
    """The reason string of a reverted computation (None: no reason)."""
    data = computation.output
    if data[:4] != _ERROR_SELECTOR:
        return None
    return abi_decode("(string)", data[4:])[0]


def refuse(contract: Any, fn: str, *args: Any, sender: str, reason: str | None) -> None:
    """Sends `contract.fn(*args)` from `sender` and asserts that it reverts
    with `reason` exactly (None: with no reason string). A reverted call
    changes nothing, so the machine's model stays as it was."""
    data = getattr(contract, fn).prepare_calldata(*args)
    computation = boa.env.execute_code(to_address=contract.address, sender=sender, data=data)
    assert computation.is_error, f"{fn}{args} from {sender} should revert with {reason!r}"
    got = revert_reason(computation)
    assert got == reason, f"{fn}{args} from {sender} reverted with {got!r}, not {reason!r}"


def sheet(wrong: frozenset[int]) -> AnswerTree:
    """An annotator's answers: right on every gold item except `wrong`."""
    answers = {}
    for i in range(N_ITEMS):
        good = f"gold-{i}" if i in GOLD_INDICES else f"label-{i}"
        answers[i] = answer_hash(f"wrong-{i}" if i in wrong else good)
    return answer_tree(answers)


def as_dict(struct: Any) -> dict[str, Any]:
    """A struct returned by titanoboa, as a plain dict."""
    return dict(struct._asdict())


@dataclass
class World:
    """The deployed suite, its people and what the machine reuses."""

    system: BoaSystem
    people: dict[str, KeyedAccount]
    arbitrable: Any  # the attacker's ReentrantArbitrable
    holders: tuple[str, ...]  # every address that can hold LDAO
    # Who the machine's actions can make each contract owe something to.
    escrow_claimants: tuple[str, ...]
    court_claimants: tuple[str, ...]
    registry_claimants: tuple[str, ...]
    roles: dict[str, bytes]  # role name -> id
    role_holders: tuple[tuple[Any, str], ...]  # (contract, role name) pairs of the suite
    court_params: dict[str, Any]
    escrow_params: dict[str, Any]
    registry_params: dict[str, Any]
    registry_terms: dict[str, Any]
    epoch_length: int
    genesis: int
    epoch_seconds: int  # the court's stake-snapshot epoch
    cap: int
    balances: dict[str, int]  # every holder's LDAO after the setup
    supply: int
    sheets: dict[frozenset, AnswerTree] = field(default_factory=dict)
    signatures: dict[tuple, Signature] = field(default_factory=dict)
    # Counters of the run (all examples of this process), for progress
    # reports and the step floor of the `ci` profile.
    steps: int = 0
    examples: int = 0
    # How often each rule ran, and what the examples reached (slashes by
    # cause, refused attacks, exits while paused, ...), over the run.
    rules: Counter = field(default_factory=Counter)
    reached: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    progress_path: str | None = field(default_factory=lambda: os.environ.get("FUZZ_PROGRESS"))

    def count_step(self) -> None:
        """Counts a step; every `PROGRESS_EVERY` steps writes the progress
        file named by FUZZ_PROGRESS (the fuzz runner reads it)."""
        self.steps += 1
        if self.progress_path and self.steps % PROGRESS_EVERY == 0:
            self.write_progress()

    def write_progress(self) -> None:
        """Writes `{steps, examples, seconds}` to the progress file."""
        if not self.progress_path:
            return
        elapsed = time.monotonic() - self.started
        record = {
            "steps": self.steps,
            "examples": self.examples,
            "seconds": round(elapsed, 1),
            "rules": dict(self.rules.most_common()),
            "reached": dict(sorted(self.reached.items())),
        }
        tmp = f"{self.progress_path}.tmp"
        with open(tmp, "w") as out:
            json.dump(record, out)
        os.replace(tmp, self.progress_path)

    @property
    def token(self) -> Any:
        return self.system.token

    @property
    def escrow(self) -> Any:
        return self.system.escrow

    @property
    def court(self) -> Any:
        return self.system.court

    @property
    def registry(self) -> Any:
        return self.system.registry

    @property
    def timelock(self) -> str:
        return self.system.timelock.address

    @property
    def guardian(self) -> str:
        return self.system.accounts["guardian"]

    @property
    def treasury(self) -> str:
        return self.system.accounts["treasury"]

    def address(self, name: str) -> str:
        """The address of a person."""
        return self.people[name].address

    def sheet(self, wrong: frozenset[int]) -> AnswerTree:
        """`sheet(wrong)`, built once."""
        if wrong not in self.sheets:
            self.sheets[wrong] = sheet(wrong)
        return self.sheets[wrong]

    def permit(
        self, owner: str, spender: str, value: int, nonce: int, deadline: int, chain_id: int
    ) -> Signature:
        """`owner`'s EIP-2612 permit signature, signed once per distinct
        message (every example starts from the same nonces, so examples
        share signatures)."""
        key = (owner, spender, value, nonce, deadline, chain_id)
        if key not in self.signatures:
            self.signatures[key] = sign_permit(
                self.people[owner].key,
                token=self.token.address,
                chain_id=chain_id,
                owner=self.address(owner),
                spender=spender,
                value=value,
                nonce=nonce,
                deadline=deadline,
            )
        return self.signatures[key]

    def delegation(
        self, signer: str, delegatee: str, nonce: int, expiry: int, chain_id: int
    ) -> Signature:
        """`signer`'s ERC-5805 delegation signature, signed once per message."""
        key = ("delegation", signer, delegatee, nonce, expiry, chain_id)
        if key not in self.signatures:
            self.signatures[key] = sign_delegation(
                self.people[signer].key,
                token=self.token.address,
                chain_id=chain_id,
                delegatee=delegatee,
                nonce=nonce,
                expiry=expiry,
            )
        return self.signatures[key]


def build_world() -> World:
    """Deploys the suite and sets up every role (see the module docstring)."""
    system = deploy_boa()
    token = system.token
    people = {name: keyed_account(f"system-{name}") for name in PEOPLE}
    donors = [mint.to for mint in system.params.token.initial_mints]
    spenders = (system.escrow.address, system.court.address, system.registry.address)
    donor = 0
    for name, amount in FUNDS.items():
        address = people[name].address
        while token.balanceOf(donors[donor]) < amount:
            donor += 1
        token.transfer(address, amount, sender=donors[donor])
        if name != PERMIT_REQUESTER:
            for spender in spenders:
                token.approve(spender, MAX_UINT, sender=address)
    attacker = people[ATTACKER].address
    with boa.env.prank(attacker):
        arbitrable = deployer("ReentrantArbitrable", "tests/mocks").deploy(
            system.court.address, token.address
        )
    token.transfer(arbitrable.address, ARBITRABLE_FUNDS, sender=attacker)

    court, escrow, registry = system.court, system.escrow, system.registry
    roles = {name: keccak(text=name) for name in ALL_ROLES if name != "DEFAULT_ADMIN_ROLE"}
    roles["DEFAULT_ADMIN_ROLE"] = b"\x00" * 32
    role_holders = tuple(
        (contract, role)
        for contract in (token, court, escrow, registry, system.timelock)
        for role in ALL_ROLES
    )
    holders = (
        *donors,
        *(p.address for p in people.values()),
        court.address,
        escrow.address,
        registry.address,
        arbitrable.address,
        system.timelock.address,
        system.accounts["guardian"],
        system.accounts["treasury"],
        system.deployer,
    )
    treasury = str(system.accounts["treasury"])

    def of(*names: str) -> tuple[str, ...]:
        return (*(people[n].address for n in names), treasury)

    return World(
        system=system,
        people=people,
        arbitrable=arbitrable,
        holders=tuple(dict.fromkeys(str(h) for h in holders)),
        escrow_claimants=of(*REQUESTERS, PERMIT_REQUESTER, *ANNOTATORS),
        court_claimants=of(*JURORS, *CHALLENGERS, *REQUESTERS),
        registry_claimants=of(*PROVIDERS, *CHALLENGERS),
        roles=roles,
        role_holders=role_holders,
        court_params=as_dict(court.params(court.params_version())),
        escrow_params=as_dict(escrow.current_params()),
        registry_params=as_dict(registry.params()),
        registry_terms=as_dict(registry.epoch_terms(0)),
        epoch_length=registry.EPOCH_LENGTH(),
        genesis=registry.GENESIS(),
        epoch_seconds=court.epoch_seconds(),
        cap=token.cap(),
        balances={h: token.balanceOf(h) for h in dict.fromkeys(str(h) for h in holders)},
        supply=token.totalSupply(),
    )
