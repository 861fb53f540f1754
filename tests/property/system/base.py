"""The base of the system machine: one example = one anchored run on the
shared deployment, the clock, what the machine remembers, and the
bookkeeping the role mixins share (which contracts a step touched, so that
the invariants read only what may have changed, with a full sweep every
`SWEEP_EVERY` steps and at teardown).
"""

from __future__ import annotations

import sys
from typing import Any

import boa
from hypothesis import event, note
from hypothesis.stateful import RuleBasedStateMachine

from tests.property.system.model import Dispute, Ledgers, Node, Task
from tests.property.system.world import JURORS, World

# Every this many steps the invariants read everything, not only what the
# step touched.
SWEEP_EVERY = 40
PAUSED = "pausable: contract is paused"
MISSING_ROLE = "access_control: account is missing role"


class SystemBase(RuleBasedStateMachine):
    """State shared by every role; each example runs in its own anchor.

    Each role mixin names the contracts its rules act on in `AREAS`; a
    machine's `areas` is the union over its mixins, and the invariants read
    only those contracts (a machine without `RegistryUsers` never reads the
    registry's books)."""

    AREAS: frozenset[str] = frozenset()

    def __init__(self, world: World) -> None:
        super().__init__()
        # titanoboa keeps a trace of every storage key written and hashed in
        # the session, which its error reports walk; start every example
        # with empty traces so that the hundredth example costs what the
        # first does.
        boa.env.sha3_trace = {}
        boa.env.sstore_trace = {}
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.w = world
        world.examples += 1
        self.step = 0
        self.ledgers = Ledgers()
        self.areas = frozenset().union(*(getattr(c, "AREAS", ()) for c in type(self).__mro__))
        self.paused = {"escrow": False, "court": False, "registry": False}
        # Seconds each contract was paused before its current pause, and
        # when that pause began (the escrow's claim deadlines count them).
        self.paused_total = dict.fromkeys(self.paused, 0)
        self.paused_since = dict.fromkeys(self.paused, 0)
        # What this step touched: "token", "escrow", "court", "registry".
        self.touched: set[str] = set(self.areas)
        # Token: delegations, permit nonces, recorded past votes.
        self.delegates: dict[str, str] = {}
        self.votes_dirty: set[str] = set()  # delegates whose delegators moved LDAO
        self.nonces: dict[str, int] = {}
        self.past_votes: dict[tuple[str, int], int] = {}
        # TaskEscrow.
        self.tasks: list[Task] = []
        self.bonus_epochs: set[int] = set()  # escrow epochs that paid a bonus
        # QualityCourt: disputes by id; each juror's free stake at the start
        # of the snapshot epoch and the seat locks drawn from it since.
        self.disputes: dict[int, Dispute] = {}
        # Current round of each dispute: (drawn, panel, commit_start,
        # reveal_start, appeal_start, appeal_end).
        self.timetables: dict[int, tuple[int, int, int, int, int, int]] = {}
        self.jurors = tuple(world.address(j) for j in JURORS)
        self.court_epoch = -1
        self.epoch_free: dict[str, int] = {}
        self.epoch_locked: dict[str, int] = {}
        # ComputeRegistry.
        self.nodes: list[Node] = []
        self.reports: dict[tuple[int, int], int] = {}  # (node, epoch) -> status
        self.claimed: set[tuple[int, int]] = set()
        self.challenges: dict[tuple[int, int], int] = {}  # (node, epoch) -> dispute

    def teardown(self) -> None:
        """Checks everything once more (a full sweep), then drops the
        example's state."""
        try:
            self._tally()
            self.step = 0  # step 0 is a sweep
            self.touched = set(self.areas)
            for name in sorted(dir(self)):
                if name.startswith("invariant_"):
                    getattr(self, name)()
        finally:
            self._anchor.__exit__(None, None, None)

    def _tally(self) -> None:
        """Adds what this example reached to the run's counters."""
        reached, ledgers = self.w.reached, self.ledgers
        for s in ledgers.slashes:
            reached[f"slash: {s.contract} ({s.cause})"] += 1
        reached["court rounds executed"] += len(ledgers.rounds_executed)
        for d in self.disputes.values():
            reached[f"disputes opened: {d.origin}"] += 1
            reached[f"disputes ruled: {d.origin}"] += d.ruled
            reached["appeals (extra rounds)"] += d.rounds - 1
        for _, _, _, how in ledgers.refused_reveals:
            reached[f"refused reveal: {how}"] += 1
        for contract, action in ledgers.paused_exits:
            reached[f"exit while paused: {contract}.{action}"] += 1
        reached["entries refused while paused"] += len(ledgers.paused_entries)
        reached["locked stake: refused unstake/withdraw"] += len(ledgers.refused_unlocks)
        reached["stale-chain permits refused"] += len(ledgers.stale_permits)
        reached["privileged calls refused"] += len(ledgers.privileged_refused)
        reached["re-entries refused"] += ledgers.reentries_refused

    # -- clock ------------------------------------------------------------------

    @property
    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    @property
    def block(self) -> int:
        return boa.env.evm.patch.block_number

    def wait(self, seconds: int) -> None:
        """Time passes (12-second blocks)."""
        if seconds > 0:
            boa.env.time_travel(seconds=seconds)

    def registry_epoch(self) -> int:
        return (self.now - self.w.genesis) // self.w.epoch_length

    # -- bookkeeping ------------------------------------------------------------

    @property
    def sweeping(self) -> bool:
        """Whether this step's invariants read everything."""
        return self.step % SWEEP_EVERY == 0

    def begin(self, label: str) -> None:
        """Starts a step (every rule calls it first)."""
        self.step += 1
        self.w.count_step()
        self.w.rules[sys._getframe(1).f_code.co_name] += 1
        self.touched = set()
        note(f"step {self.step}: {label}")

    def paused_seconds(self, contract: str) -> int:
        """Seconds `contract` has been paused since the example began."""
        running = self.now - self.paused_since[contract] if self.paused[contract] else 0
        return self.paused_total[contract] + running

    def touch(self, *areas: str) -> None:
        """This step may have changed these contracts' books."""
        self.touched.update(areas)

    def _exit(self, contract: str, action: str) -> None:
        """An exit went through; recorded if the contract was paused."""
        self.touch("token", contract)
        if self.paused[contract]:
            self.ledgers.paused_exits.append((contract, action))
            event(f"{contract}: {action} while paused")

    def mark_court_epoch(self) -> None:
        """Records every juror's free stake the first time a snapshot epoch
        is touched, before any court action of that epoch (each action that
        changes free stake calls this first)."""
        epoch = self.now // self.w.epoch_seconds
        if epoch != self.court_epoch:
            self.court_epoch = epoch
            self.epoch_free = {
                j: self.w.system.court_lens.juror_status(self.w.court.address, j).free
                for j in self.jurors
            }
            self.epoch_locked = dict.fromkeys(self.jurors, 0)

    def name_of(self, address: Any) -> str:
        """A readable name for an address (for notes)."""
        for name, person in self.w.people.items():
            if person.address == str(address):
                return name
        return str(address)[:10]
