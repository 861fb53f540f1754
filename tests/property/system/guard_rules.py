"""The guardian (pauses entries, never exits), and the attacker: calls
to privileged functions without the role, and a re-entrant arbitrable that
opens disputes at the court and tries to call back into it when the court
delivers the ruling."""

from __future__ import annotations

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from tests.property.system.base import MISSING_ROLE, SystemBase
from tests.property.system.model import Dispute
from tests.property.system.world import ATTACKER, refuse

CONTRACTS = ("escrow", "court", "registry")
# What the attacker's arbitrable sends back into the court from `rule`.
REENTRIES = ("none", "execute_ruling", "withdraw", "execute", "createDispute")
MAX_ATTACKER_DISPUTES = 3


class Guardian(SystemBase):
    """The guardian pauses and unpauses; nobody else can."""

    def __init__(self, world) -> None:
        super().__init__(world)
        self.toggles = 0

    # At most one toggle in four steps, so that a small machine is not
    # mostly paused.
    @precondition(lambda self: self.toggles * 4 <= self.step)
    @rule(which=st.integers(0, 5), intruder=st.booleans())
    def guardian_toggle(self, which: int, intruder: bool) -> None:
        """The guardian pauses (or unpauses) one of the machine's contracts;
        the attacker, who has no role, is refused either."""
        pausable = [c for c in CONTRACTS if c in self.areas]
        contract = pausable[which % len(pausable)]
        self.begin(f"toggle pause of the {contract}")
        self.toggles += 1
        target = getattr(self.w, contract)
        fn = "unpause" if self.paused[contract] else "pause"
        if intruder:
            refuse(target, fn, sender=self.w.address(ATTACKER), reason=MISSING_ROLE)
            self.ledgers.privileged_refused.append((contract, fn))
            return
        getattr(target, fn)(sender=self.w.guardian)
        if fn == "pause":
            self.paused_since[contract] = self.now
        else:
            self.paused_total[contract] += self.now - self.paused_since[contract]
        self.paused[contract] = not self.paused[contract]
        assert target.paused() == self.paused[contract]
        event(f"guardian: {fn} {contract}")


class Attacker(SystemBase):
    """An account without roles, and its re-entrant arbitrable."""

    AREAS = frozenset({"token", "court"})

    def __init__(self, world) -> None:
        super().__init__(world)
        self.reentry: tuple[str, bool] = ("none", False)

    @rule(which=st.integers(0, 7))
    def attacker_privileged(self, which: int) -> None:
        """The attacker tries to redirect the treasury of one of the
        machine's contracts (or mint): refused."""
        targets = [c for c in (*CONTRACTS, "token") if c in self.areas]
        contract = targets[which % len(targets)]
        self.begin(f"attacker privileged call on the {contract}")
        attacker = self.w.address(ATTACKER)
        if contract == "token":
            refuse(self.w.token, "mint", attacker, 1, sender=attacker, reason=MISSING_ROLE)
            fn = "mint"
        elif contract == "registry":
            fn = "set_meta_evidence"
            refuse(self.w.registry, fn, "ipfs://x", sender=attacker, reason=MISSING_ROLE)
        else:
            fn = "set_treasury"
            refuse(getattr(self.w, contract), fn, attacker, sender=attacker, reason=MISSING_ROLE)
        self.ledgers.privileged_refused.append((contract, fn))

    @precondition(
        lambda self: (
            sum(d.origin == "attacker" for d in self.disputes.values()) < MAX_ATTACKER_DISPUTES
        )
    )
    @rule()
    def attacker_dispute(self) -> None:
        """The attacker's arbitrable opens a dispute (paid from its own
        LDAO); the court's pause does not stop it."""
        self.begin("attacker opens a dispute")
        arbitrable = self.w.arbitrable
        owner = self.w.address(ATTACKER)
        dispute_id = arbitrable.create_dispute(2, sender=owner)
        self.open_dispute(Dispute(dispute_id, "attacker", None))
        self.touch("token", "court")

    @rule(kind=st.sampled_from(REENTRIES), swallow=st.booleans())
    def attacker_plan(self, kind: str, swallow: bool) -> None:
        """The attacker chooses what its arbitrable's `rule` calls back into
        the court, and whether a refused call reverts the delivery."""
        self.begin(f"attacker plans {kind} (swallow={swallow})")
        court = self.w.court
        target = next(iter(self.disputes), 0)
        calldata = {
            "none": b"",
            "execute_ruling": court.execute_ruling.prepare_calldata(target),
            "withdraw": court.withdraw.prepare_calldata(),
            "execute": court.execute.prepare_calldata(target, 0, 1),
            "createDispute": court.createDispute.prepare_calldata(2, b""),
        }[kind]
        self.w.arbitrable.set_plan(calldata, swallow, sender=self.w.address(ATTACKER))
        self.reentry = (kind, swallow)

    def attacker_accepts_ruling(self) -> bool:
        """Whether a delivery to the arbitrable goes through: it does unless
        the arbitrable re-enters and lets the court's refusal revert it."""
        kind, swallow = self.reentry
        return kind == "none" or swallow

    def attacker_ruled(self, dispute_id: int, ruling: int) -> None:
        """The ruling arrived once; every call back into the court was
        refused by its re-entrancy lock."""
        arbitrable = self.w.arbitrable
        assert arbitrable.rule_calls(dispute_id) == 1
        assert arbitrable.ruling_of(dispute_id) == ruling
        assert arbitrable.reentry_accepted() == 0
        if self.reentry[0] != "none":
            self.ledgers.reentries_refused += 1
            event("attacker: re-entry refused")
