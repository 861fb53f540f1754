"""A token holder's client of LabelDAO's Governor: delegate, propose a
parameter change, vote, queue it in the timelock, execute it, and see where
a proposal stands.

The CLI (`ape run govern ...`, scripts/govern.py) is a thin layer over
`GovernorClient`. A parameter change `court.alpha_bps=5000` becomes the call
`QualityCourt.set_params(<current params with alpha_bps = 5000>)`, which only
the Timelock (holder of PARAMS_ROLE) may make. The Governor is the timelock's
proposer, so the proposal's one action is `Timelock.schedule_batch(<those
calls>, salt = keccak(description), delay = the timelock's minimum)`:

- `queue` executes the passed proposal at the Governor, which schedules the
  calls in the Timelock (the proposal is then Queued until the delay ends);
- `execute` runs `Timelock.execute_batch` with the same calls once ready
  (EXECUTOR_ROLE, held by anyone when the zero address is an executor).

Every action is checked
against the Governor's views first: a refusal says why and when it becomes
possible, on the token's clock. LDAO's clock is the block timestamp
(`CLOCK_MODE` "mode=timestamp"), so times are dates to the second; a token on
a block-number clock (read from `CLOCK_MODE`) gets block numbers instead.

Free of Ape and titanoboa: contracts are handles of either (attribute calls),
transactions go through a `labeldao.client_base.Backend`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import is_address, keccak, to_checksum_address

from labeldao.client_base import Backend, JurorError
from labeldao.paths import ABI_DIR
from labeldao.units import format_duration, format_ldao, format_time

GOVERNOR = "LabelDAOGovernor"
# Why a deployment record has no Governor (`DeploymentRecord.address(why=...)`).
NO_GOVERNOR = "deployed without a [governor] table; its timelock's proposers decide"


class GovernanceError(JurorError):
    """An action the Governor would refuse; the message says why and when."""


class State(IntEnum):
    """OpenZeppelin's `IGovernor.ProposalState`."""

    Pending = 0
    Active = 1
    Canceled = 2
    Defeated = 3
    Succeeded = 4
    Queued = 5
    Expired = 6
    Executed = 7


SUPPORT = {"against": 0, "for": 1, "abstain": 2}

# `--set PREFIX.FIELD=VALUE`: the contract, its parameter view (and a function
# of the contract giving the view's arguments) and its setter.
TARGETS: dict[str, tuple[str, str, Callable[[Any], tuple]]] = {
    "court": ("QualityCourt", "params", lambda c: (c.params_version(),)),
    "escrow": ("TaskEscrow", "current_params", lambda _: ()),
    "registry": ("ComputeRegistry", "params", lambda _: ()),
}
SETTER = "set_params"
TIMELOCK = "Timelock"
BATCH = ["address[]", "uint256[]", "bytes[]", "bytes32", "bytes32"]
SCHEDULE = keccak(text="schedule_batch(address[],uint256[],bytes[],bytes32,bytes32,uint256)")[:4]
NO_PREDECESSOR = b"\x00" * 32
ZERO = "0x" + "00" * 20


def load_abi(name: str, abi_dir: Path = ABI_DIR) -> list[dict[str, Any]]:
    """The committed ABI of contract `name` (abi/<name>.json)."""
    return json.loads((abi_dir / f"{name}.json").read_text())


# ---------------------------------------------------------------------------
# Parameter changes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One `--set target.field=value`."""

    target: str
    name: str
    raw: str

    @property
    def label(self) -> str:
        return f"{self.target}.{self.name}"


def parse_change(text: str) -> Change:
    """`court.alpha_bps=5000` -> Change; a GovernanceError names what is wrong."""
    key, sep, value = text.partition("=")
    target, dot, name = key.strip().partition(".")
    if not sep or not dot or not name or not value.strip():
        raise GovernanceError(
            f"--set '{text}': write TARGET.FIELD=VALUE, e.g. court.alpha_bps=5000"
        )
    if target not in TARGETS:
        raise GovernanceError(
            f"--set '{text}': unknown target '{target}'; known: {sorted(TARGETS)}"
        )
    return Change(target, name.strip(), value.strip())


def _components(abi: list[dict[str, Any]], view: str) -> list[dict[str, Any]]:
    for item in abi:
        if item.get("type") == "function" and item.get("name") == view:
            return item["outputs"][0]["components"]
    raise GovernanceError(f"no view {view} in the ABI")


def _convert(change: Change, abi_type: str) -> Any:
    if abi_type == "address":
        if not is_address(change.raw):
            raise GovernanceError(f"{change.label}: '{change.raw}' is not an address")
        return to_checksum_address(change.raw)
    if abi_type == "bool":
        if change.raw.lower() not in ("true", "false"):
            raise GovernanceError(f"{change.label}: '{change.raw}' is not true or false")
        return change.raw.lower() == "true"
    try:
        value = int(change.raw.replace("_", ""), 0)
    except ValueError:
        raise GovernanceError(f"{change.label}: '{change.raw}' is not an integer") from None
    bits = int(abi_type.removeprefix("uint") or 256)
    if not 0 <= value < 2**bits:
        raise GovernanceError(f"{change.label}: {value} is out of range for {abi_type}")
    return value


def struct_values(value: Any) -> list[Any]:
    """A struct returned by a view (Ape struct or titanoboa tuple) as a list."""
    if hasattr(value, "items") and callable(value.items):
        return list(dict(value.items()).values())
    return list(value)


@dataclass(frozen=True)
class Call:
    """One call the timelock will make, and what it changes."""

    contract: str
    target: str
    calldata: bytes
    changes: dict[str, tuple[Any, Any]]  # field -> (current, new)

    def describe(self) -> str:
        parts = [f"{k} {old} -> {new}" for k, (old, new) in self.changes.items()]
        return f"{self.contract}.{SETTER}: " + ", ".join(parts)


def build_call(
    contract_name: str, handle: Any, view: str, view_args: tuple, changes: Sequence[Change]
) -> Call:
    """`set_params(current with changes)` of one contract, ABI-encoded."""
    components = _components(load_abi(contract_name), view)
    names = [c["name"] for c in components]
    current = dict(zip(names, struct_values(getattr(handle, view)(*view_args)), strict=True))
    wanted, diff = dict(current), {}
    for change in changes:
        if change.name not in current:
            raise GovernanceError(
                f"{change.label}: {contract_name} has no parameter '{change.name}'; "
                f"known: {', '.join(names)}"
            )
        kind = next(c["type"] for c in components if c["name"] == change.name)
        wanted[change.name] = _convert(change, kind)
        diff[change.name] = (current[change.name], wanted[change.name])
    if all(_same(old, new) for old, new in diff.values()):
        raise GovernanceError(
            "nothing to change: " + ", ".join(f"{c.label} is already {c.raw}" for c in changes)
        )
    struct_type = "(" + ",".join(c["type"] for c in components) + ")"
    selector = keccak(text=f"{SETTER}({struct_type})")[:4]
    data = selector + encode([struct_type], [tuple(wanted[n] for n in names)])
    return Call(contract_name, to_checksum_address(str(handle.address)), data, diff)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a).lower() == str(b).lower()
    return a == b


# ---------------------------------------------------------------------------
# Views of a proposal
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """The timelock batch a proposal schedules."""

    targets: list[str]
    values: list[int]
    payloads: list[bytes]
    predecessor: bytes
    salt: bytes
    delay: int

    @property
    def batch(self) -> tuple:
        """The arguments of `execute_batch` and `hash_operation_batch`."""
        return (self.targets, self.values, self.payloads, self.predecessor, self.salt)

    def schedule_calldata(self) -> bytes:
        return SCHEDULE + encode([*BATCH, "uint256"], [*self.batch, self.delay])

    @classmethod
    def decode(cls, calldata: bytes) -> Operation | None:
        """The batch a `schedule_batch` calldata schedules (None: another call)."""
        from eth_abi import decode

        if calldata[:4] != SCHEDULE:
            return None
        targets, values, payloads, predecessor, salt, delay = decode(
            [*BATCH, "uint256"], calldata[4:]
        )
        return cls(
            [to_checksum_address(t) for t in targets],
            list(values),
            list(payloads),
            predecessor,
            salt,
            delay,
        )


@dataclass(frozen=True)
class Proposal:
    """Everything `status` shows about one proposal. `state` is the
    Governor's, except that a proposal executed at the Governor is Queued
    until its timelock batch is executed."""

    id: int
    state: State
    governor_state: State
    proposer: str
    snapshot: int
    deadline: int
    eta: int
    against: int
    for_: int
    abstain: int
    quorum: int | None  # None: the snapshot is not reached yet
    operation: Operation | None = None
    operation_id: bytes = b""

    @property
    def quorum_votes(self) -> int:
        """Votes that count for quorum (OpenZeppelin's simple counting: for + abstain)."""
        return self.for_ + self.abstain

    def defeat_reason(self) -> str:
        if self.quorum is not None and self.quorum_votes < self.quorum:
            return (
                f"quorum not reached: {format_ldao(self.quorum_votes)} for or abstaining, "
                f"{format_ldao(self.quorum)} needed"
            )
        return f"not more for ({format_ldao(self.for_)}) than against ({format_ldao(self.against)})"


class GovernorClient:
    """A token holder's view of, and actions at, one Governor.

    `governor` and `token` are contract handles (Ape or titanoboa);
    `contracts` maps TARGETS' contract names to handles; `backend` sends
    transactions (its `juror` is the acting account).
    """

    def __init__(
        self,
        governor: Any,
        token: Any,
        timelock: Any,
        contracts: dict[str, Any],
        backend: Backend,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.governor = governor
        self.token = token
        self.timelock = timelock
        self.contracts = contracts
        self.backend = backend
        self.log = log

    # -- identity and clock -------------------------------------------------

    @property
    def account(self) -> str:
        if self.backend.juror is None:
            raise GovernanceError("this command needs an account: pass --account")
        return self.backend.juror

    def clock(self) -> int:
        return int(self.governor.clock())

    def timestamp_clock(self) -> bool:
        return "mode=timestamp" in str(self.governor.CLOCK_MODE())

    def when(self, timepoint: int) -> str:
        """A timepoint of the token's clock, relative to now."""
        if self.timestamp_clock():
            return format_second(timepoint, self.clock())
        delta = timepoint - self.clock()
        if delta > 0:
            return f"block {timepoint} (in {delta} blocks)"
        return f"block {timepoint} ({-delta} blocks ago)" if delta else f"block {timepoint} (now)"

    def after(self, timepoint: int) -> str:
        """When a step that needs the clock past `timepoint` becomes possible."""
        return self.when(timepoint + (0 if self.timestamp_clock() else 1))

    # -- views ----------------------------------------------------------------

    def proposal(self, proposal_id: int) -> Proposal:
        snapshot = int(self.governor.proposalSnapshot(proposal_id))
        if snapshot == 0:
            raise GovernanceError(f"no proposal {proposal_id} at Governor {self.governor.address}")
        against, for_, abstain = (int(v) for v in self.governor.proposalVotes(proposal_id))
        quorum = int(self.governor.quorum(snapshot)) if snapshot < self.clock() else None
        details = struct_values(self.governor.proposalDetails(proposal_id))
        operation, operation_id, eta = None, b"", 0
        if len(details[0]) == 1 and _same(details[0][0], self.timelock.address):
            operation = Operation.decode(bytes(details[2][0]))
        governor_state = State(int(self.governor.state(proposal_id)))
        state = governor_state
        if operation is not None:
            operation_id = bytes(self.timelock.hash_operation_batch(*operation.batch))
            eta = int(self.timelock.get_timestamp(operation_id))
            if governor_state == State.Executed and not self.timelock.is_operation_done(
                operation_id
            ):
                state = State.Canceled if eta == 0 else State.Queued
        return Proposal(
            id=proposal_id,
            state=state,
            governor_state=governor_state,
            proposer=to_checksum_address(str(self.governor.proposalProposer(proposal_id))),
            snapshot=snapshot,
            deadline=int(self.governor.proposalDeadline(proposal_id)),
            eta=eta,
            against=against,
            for_=for_,
            abstain=abstain,
            quorum=quorum,
            operation=operation,
            operation_id=operation_id,
        )

    def proposal_ids(self) -> list[int]:
        count = int(self.governor.proposalCount())
        return [int(struct_values(self.governor.proposalDetailsAt(i))[0]) for i in range(count)]

    def votes(self, account: str | None = None) -> int:
        return int(self.token.getVotes(account or self.account))

    def next_step(self, p: Proposal) -> str:
        """What can happen to the proposal next, and when."""
        now = self.backend.now()
        match p.state:
            case State.Pending:
                return f"voting opens after {self.when(p.snapshot)}"
            case State.Active:
                return f"voting closes after {self.when(p.deadline)}; then queue if it passed"
            case State.Succeeded:
                return "passed: anyone may queue it in the timelock now (`govern queue`)"
            case State.Queued:
                if now >= p.eta:
                    return "ready: an executor may execute it now (`govern execute`)"
                return f"executable from {format_time(p.eta, now)} (the timelock's delay)"
            case State.Defeated:
                return f"defeated ({p.defeat_reason()}): it does nothing"
            case State.Executed:
                return "executed: nothing left to do"
        return f"{p.state.name.lower()}: nothing left to do"

    def describe_calls(self, p: Proposal) -> list[str]:
        """The calls of a proposal, the parameters ones decoded against the ABI."""
        if p.operation is None:
            return ["not a timelock batch: this client cannot describe it"]
        names = {to_checksum_address(str(h.address)): n for n, h in self.contracts.items()}
        lines = []
        for target, data in zip(p.operation.targets, p.operation.payloads, strict=True):
            if target in names:
                lines.append(f"{names[target]}.{_decode_setter(names[target], data)}")
            else:
                lines.append(f"{target}: 0x{data.hex()}")
        return lines

    # -- actions --------------------------------------------------------------

    def delegate(self, to: str | None = None) -> int:
        """Delegates the account's LDAO votes (to itself by default); returns
        the delegatee's voting power."""
        delegatee = to_checksum_address(to) if to else self.account
        if int(self.token.balanceOf(self.account)) == 0:
            raise GovernanceError(f"{self.account} holds no LDAO: there are no votes to delegate")
        self.backend.send(self.token, "delegate", delegatee)
        return self.votes(delegatee)

    def build_calls(self, changes: Sequence[Change]) -> list[Call]:
        by_target: dict[str, list[Change]] = {}
        for change in changes:
            by_target.setdefault(change.target, []).append(change)
        calls = []
        for target, items in by_target.items():
            name, view, view_args = TARGETS[target]
            handle = self.contracts[name]
            calls.append(build_call(name, handle, view, view_args(handle), items))
        return calls

    def operation(self, calls: Sequence[Call], description: str) -> Operation:
        """The timelock batch of the calls, salted with the description."""
        return Operation(
            [c.target for c in calls],
            [0] * len(calls),
            [c.calldata for c in calls],
            NO_PREDECESSOR,
            keccak(text=description),
            int(self.timelock.get_minimum_delay()),
        )

    def proposal_id(self, operation: Operation, description: str) -> int:
        return int(
            self.governor.hashProposal(
                [self.timelock.address],
                [0],
                [operation.schedule_calldata()],
                keccak(text=description),
            )
        )

    def propose(self, changes: Sequence[Change], description: str | None = None) -> int:
        """Proposes the changes; returns the proposal id."""
        if not changes:
            raise GovernanceError("nothing to propose: give at least one --set TARGET.FIELD=VALUE")
        calls = self.build_calls(changes)
        text = description or "Set " + "; ".join(c.describe() for c in calls)
        operation = self.operation(calls, text)
        proposal_id = self.proposal_id(operation, text)
        if int(self.governor.proposalSnapshot(proposal_id)) != 0:
            state = State(int(self.governor.state(proposal_id))).name
            raise GovernanceError(
                f"the same proposal exists already: {proposal_id} ({state}); "
                "give another --description to propose it again"
            )
        threshold = int(self.governor.proposalThreshold())
        power = int(self.token.getPastVotes(self.account, self.clock() - 1)) if threshold else 0
        if power < threshold:
            raise GovernanceError(
                f"proposing needs {format_ldao(threshold)} of votes; you had {format_ldao(power)} "
                "a moment ago (delegate first: `govern delegate`)"
            )
        self.backend.send(
            self.governor,
            "propose",
            [to_checksum_address(str(self.timelock.address))],
            [0],
            [operation.schedule_calldata()],
            text,
        )
        for call in calls:
            self.log(f"  {call.describe()}")
        return proposal_id

    def vote(self, proposal_id: int, support: str, reason: str = "") -> Proposal:
        """Casts the account's votes; returns the proposal after the vote."""
        if support not in SUPPORT:
            raise GovernanceError(f"'{support}': vote for, against or abstain")
        p = self.proposal(proposal_id)
        if p.state == State.Pending:
            raise GovernanceError(
                f"proposal {proposal_id} is Pending: voting opens after {self.when(p.snapshot)}"
            )
        if p.state != State.Active:
            raise GovernanceError(
                f"proposal {proposal_id} is {p.state.name}: voting closed at "
                f"{self.when(p.deadline)}"
            )
        if self.governor.hasVoted(proposal_id, self.account):
            raise GovernanceError(f"you already voted on proposal {proposal_id}")
        weight = int(self.governor.getVotes(self.account, p.snapshot))
        if weight == 0:
            raise GovernanceError(
                f"you had no votes at the snapshot of proposal {proposal_id} "
                f"({self.when(p.snapshot)}): "
                "LDAO counts only once delegated (`govern delegate`) before a proposal's snapshot"
            )
        if reason:
            self.backend.send(
                self.governor, "castVoteWithReason", proposal_id, SUPPORT[support], reason
            )
        else:
            self.backend.send(self.governor, "castVote", proposal_id, SUPPORT[support])
        self.log(f"cast {format_ldao(weight)} of votes {support} proposal {proposal_id}")
        return self.proposal(proposal_id)

    def queue(self, proposal_id: int) -> Proposal:
        """Schedules a passed proposal's batch in the timelock (by executing
        the proposal, whose one action is `schedule_batch`, at the Governor)."""
        p = self.proposal(proposal_id)
        if p.state != State.Succeeded:
            raise GovernanceError(f"proposal {proposal_id} cannot be queued: {self._why_not(p)}")
        if p.operation is None:
            raise GovernanceError(
                f"proposal {proposal_id} does not schedule a timelock batch: execute it with "
                "the Governor's own `execute`"
            )
        self.backend.send(self.governor, "execute", proposal_id)
        return self.proposal(proposal_id)

    def execute(self, proposal_id: int) -> Proposal:
        """Executes a queued proposal once the timelock's delay is over."""
        p = self.proposal(proposal_id)
        if p.state != State.Queued:
            raise GovernanceError(f"proposal {proposal_id} cannot be executed: {self._why_not(p)}")
        now = self.backend.now()
        if now < p.eta:
            raise GovernanceError(
                f"proposal {proposal_id} cannot be executed yet: the timelock's delay ends at "
                f"{format_time(p.eta, now)}"
            )
        executor = role_id_executor()
        if not (
            self.timelock.hasRole(executor, ZERO) or self.timelock.hasRole(executor, self.account)
        ):
            raise GovernanceError(
                f"{self.account} may not execute timelock operations: only EXECUTOR_ROLE "
                "holders may (the deployment's [timelock] executors)"
            )
        assert p.operation is not None  # a Queued proposal has its batch
        self.backend.send(self.timelock, "execute_batch", *p.operation.batch)
        return self.proposal(proposal_id)

    def _why_not(self, p: Proposal) -> str:
        """Why a proposal is not at the step asked for, and what is next."""
        return f"it is {p.state.name}; {self.next_step(p)}"


def format_second(timestamp: int, now: int) -> str:
    """`"2026-12-06 04:10:37 UTC (in 1m 5s)"`: a timepoint of a timestamp
    clock, to the second (a voting delay may be a minute), relative to `now`."""
    when = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    delta = int(timestamp) - int(now)
    if delta > 0:
        return f"{when} (in {format_duration(delta)})"
    return f"{when} ({format_duration(-delta)} ago)" if delta else f"{when} (now)"


def role_id_executor() -> bytes:
    """The timelock's EXECUTOR_ROLE id."""
    return keccak(text="EXECUTOR_ROLE")


def _decode_setter(contract: str, data: bytes) -> str:
    """`set_params(...)`, its fields named, from the calldata."""
    from eth_abi import decode

    target = next(k for k, v in TARGETS.items() if v[0] == contract)
    components = _components(load_abi(contract), TARGETS[target][1])
    struct_type = "(" + ",".join(c["type"] for c in components) + ")"
    if data[:4] != keccak(text=f"{SETTER}({struct_type})")[:4]:
        return "0x" + data.hex()
    (values,) = decode([struct_type], data[4:])
    pairs = ", ".join(f"{c['name']}={v}" for c, v in zip(components, values, strict=True))
    return f"{SETTER}({pairs})"
