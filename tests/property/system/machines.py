"""The property machines, one per contract and the whole system, all on the
same world (`build_world`: the suite deployed by `labeldao.system.deploy_boa`,
the plan `ape run deploy` runs) and the same model (`model.py`). As in
twocrypto-ng, machines are layered: each is its role mixins (rules and the
checks they make) on top of `Invariants`, and a bigger machine subclasses
smaller ones to add their rules; the system machine is the union of the
four contract machines.

    TokenMachine     token holders
    CourtMachine     jurors, keepers one period at a time, the attacker
    EscrowMachine    requesters and annotators + the court's settling keeper
    RegistryMachine  providers and challengers + the court's settling keeper
    SystemMachine    all four

A rejected task, a contested gold rejection or a challenged report is a
court dispute, and only the court's keeper settles it; the escrow and
registry machines take the narrow `CourtKeepers` (the jurors' initial
stakes and `keeper_settle`: draw, votes, execution and delivery of the
ruling in one step) rather than every court rule, which would crowd out
their own. The court machine's disputes come from the attacker's
re-entrant arbitrable (`Attacker`). Each machine's invariants read only
the contracts its mixins act on (`SystemBase.areas`).
"""

from __future__ import annotations

from tests.property.system.court_rules import CourtKeepers, CourtUsers
from tests.property.system.escrow_rules import EscrowUsers
from tests.property.system.guard_rules import Attacker, Guardian
from tests.property.system.invariants import Invariants
from tests.property.system.registry_rules import RegistryUsers
from tests.property.system.token_rules import TokenHolders


class TokenMachine(Invariants, TokenHolders):
    """LDAO holders: transfers, allowances, burns, mints, delegation (also
    by signature), permits across a chain-id change, the vote history."""


class CourtMachine(Invariants, CourtUsers, Guardian, Attacker):
    """Jurors, funders and keepers on disputes opened by the attacker's
    re-entrant arbitrable, under the guardian's pauses."""


class EscrowMachine(Invariants, EscrowUsers, CourtKeepers, Guardian):
    """Requesters and annotators, anyone's attempts, new parameter versions
    under open tasks, the guardian's pauses; disputes settled by the
    court's keeper. At most three tasks in flight, so that lifecycles reach
    their end (the old escrow machine's limit)."""

    MAX_LIVE_TASKS = 3


class RegistryMachine(Invariants, RegistryUsers, CourtKeepers, Guardian):
    """Providers and challengers, refused reports and challenges, forfeits,
    new epoch terms, the guardian's pauses; challenges settled by the
    court's keeper."""


class SystemMachine(TokenMachine, EscrowMachine, RegistryMachine, CourtMachine):
    """Every role's actions on one deployment of the whole suite."""
