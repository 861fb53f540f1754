"""The seam between the agents and issue 14's new contract rules.

The threat model's defences rest on honest counterparts doing something:
an annotator contesting a gold-failure rejection, a watcher challenging a
report it can prove false, a court that ends a dispute it cannot seat.
Each is one function here, called by the engine at the one place the
behaviour happens, so that switching a defence on after the contract
branches merge is a change to one function (and the reference model's
matching rule in `labeldao.sim.model`), never to the epoch loop.

On today's contracts (main before issue 14's branches):

- `contest_gold_rejection`: TaskEscrow has no way to contest: returns None;
- `watcher_challenges`: the watcher challenges only when its share of the
  slash covers the court fee (a 1-GPU node's share, 12.5 LDAO, does not
  cover 30 LDAO: splitting fake capacity into 1-GPU nodes is never
  challenged);
- `refuse_undrawable`: the court has no timeout for a round it cannot seat:
  returns False (the dispute stays frozen, its locks with it).

Each docstring says what the function must do once its contract rule lands.
A juror who stakes is `Simulation.stake_as_juror` (honest jurors stake at
set-up; a self-judging party stakes the same way): a court that keeps
parties off their own panels needs no change there, since the engine reads
every seat from the chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeldao.sim.model import BPS

if TYPE_CHECKING:
    from labeldao.sim.engine import Dispute, Simulation


def contest_gold_rejection(sim: Simulation, task_id: int, annotator: str) -> int | None:
    """The annotator of a task rejected by gold failures contests the
    rejection in the court; returns the new dispute's id, or None when the
    escrow offers no contest (today).

    Switch on (escrow branch, "a gold contest"): call the escrow's contest
    entry for `task_id` from `annotator` within its window, mirror it in the
    model (the requester's gold bond, the annotator's deposit) and return
    the dispute id; the engine then sends the dispute to the court with the
    annotator's side (1) as the truth when its answers were right."""
    del sim, task_id, annotator
    return None


def challenge_pays(sim: Simulation, node_id: int) -> bool:
    """Whether proving a node's report false leaves the watcher better off:
    its share of the slash covers the court fee (the bond comes back).

    Switch on (registry branch, "the watcher always profits"): the new rule
    (fee refunded out of the slash, a reward floor) makes this True for
    every node size; compute it from the new parameters or return True."""
    m = sim.model
    t = m.registry_terms
    share = m.nodes[node_id].stake * t.fraud_slash_bps // BPS * t.challenger_share_bps // BPS
    return share >= m.court_terms.arbitration_cost


def watcher_challenges(sim: Simulation, node_id: int, detected: bool) -> bool:
    """The watcher challenges a report it can prove false (`detected`) when
    the challenge pays it (`challenge_pays`)."""
    return detected and challenge_pays(sim, node_id)


def refuse_undrawable(sim: Simulation, dispute: Dispute) -> bool:
    """A dispute whose current round the court cannot seat ends as "refused
    to arbitrate" (ruling 0) after the court's draw timeout; True when it
    did (the engine then stops following it), False when it stays frozen
    (today: the court has no such timeout).

    Switch on (court branch, "refusal with ruling 0 after a draw timeout"):
    advance past the timeout, call the court's refusal entry, mirror in the
    model (every lock, fee and appeal deposit back to whoever paid it, the
    arbitrable's ruling 0) and return True."""
    del sim, dispute
    return False
