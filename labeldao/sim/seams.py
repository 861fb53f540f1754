"""The seam between the agents and issue 14's new contract rules.

The threat model's defences rest on honest counterparts doing something:
an annotator contesting a gold-failure rejection, a watcher challenging a
report it can prove false, a court that ends a dispute it cannot seat.
Each is one function here, called by the engine at the one place the
behaviour happens, so that switching a defence on after the contract
branches merge is a change to one function (and the reference model's
matching rule in `labeldao.sim.model`), never to the epoch loop.

With issue 14's contract branches merged, each is on:

- `contest_gold_rejection`: the annotator calls `TaskEscrow.contest_gold`
  (paying the court fee, against the requester's gold bond);
- `watcher_challenges`: the watcher challenges when proving fraud leaves
  it better off: its fee comes back out of the slash, then a share of the
  rest (`ComputeRegistry`'s "Fraud economics"), which holds for every node
  size at the default parameters (a 1-GPU node's slash, 100 LDAO, gives
  30 + 35 LDAO for a 30 LDAO fee);
- `refuse_undrawable`: after the round's draw deadline the keeper calls
  `QualityCourt.close_undrawn` (ruling 0 for a first round, the previous
  round's ruling for an appeal round; fees and deposits back to their
  payers), and the dispute is executed to its arbitrable.

Each docstring says what the function does and what the model mirrors.
A juror who stakes is `Simulation.stake_as_juror` (honest jurors stake at
set-up; a self-judging party stakes the same way): a court that keeps
parties off their own panels needs no change there, since the engine reads
every seat from the chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labeldao.sim.agents import Role
from labeldao.sim.model import BPS

if TYPE_CHECKING:
    from labeldao.sim.engine import Dispute, Simulation


def contest_gold_rejection(sim: Simulation, task_id: int, annotator: str) -> int | None:
    """The annotator of a task rejected by gold failures contests the
    rejection in the court (`TaskEscrow.contest_gold`, within its window,
    paying the court fee); returns the new dispute's id, or None when it
    cannot pay the fee. The model mirrors it (`Model.contest_gold`); the
    engine sends the dispute to the court with the annotator's side (1,
    the gold was wrong) as the truth."""
    m = sim.model
    if m.balance(annotator) < m.court_terms.arbitration_cost:
        return None
    dispute_id = int(sim.escrow.contest_gold(task_id, "sim://contest", sender=annotator))
    m.contest_gold(task_id, dispute_id)
    return dispute_id


def challenge_pays(sim: Simulation, node_id: int) -> bool:
    """Whether proving a node's report false leaves the watcher better off:
    out of the fraud slash it gets its court fee back first, then
    `challenger_share_bps` of the rest (its bond comes back too), so it
    gains when the slash exceeds the fee (`ComputeRegistry.set_params`
    refuses parameters under which one GPU of any tier would not)."""
    m = sim.model
    t = m.registry_terms
    fee = m.court_terms.arbitration_cost
    slash = m.nodes[node_id].stake * t.fraud_slash_bps // BPS
    refund = min(fee, slash)
    return refund + (slash - refund) * t.challenger_share_bps // BPS > fee


def watcher_challenges(sim: Simulation, node_id: int, detected: bool) -> bool:
    """The watcher challenges a report it can prove false (`detected`) when
    the challenge pays it (`challenge_pays`)."""
    return detected and challenge_pays(sim, node_id)


def refuse_undrawable(sim: Simulation, dispute: Dispute) -> bool:
    """A dispute whose current round the court cannot seat ends after the
    round's draw deadline: the keeper calls `QualityCourt.close_undrawn`
    (round 0: ruling 0, "refused to arbitrate", its fee back to the payer;
    an appeal round: the appeal fails, both deposits go back, the previous
    ruling stands), the model mirrors it (`Model.close_undrawn`) and the
    engine executes the dispute to its arbitrable. Returns True (the
    dispute is over, nothing stays locked)."""
    court = sim.court
    keeper = sim.by_role[Role.KEEPER][0]
    deadline = int(sim.sys.court_lens.draw_deadline(court.address, dispute.dispute_id))
    sim.advance_to(deadline + 1)
    court.close_undrawn(dispute.dispute_id, sender=keeper.address)
    sim.model.close_undrawn(dispute.dispute_id)
    for party in dispute.parties.values():
        party.count("disputes_refused")
    sim.execute(dispute)
    return True
