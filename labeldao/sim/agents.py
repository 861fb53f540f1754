"""The simulation's agents and their decisions.

Every decision is a small pure function of the agent's kind, what it can
see, the scenario's behaviour knobs and a `random.Random` passed in; the
engine carries the decisions out on chain. Kinds:

- requesters post tasks with hidden gold items and review: they prove gold
  failures when they see them (at the limit the task is rejected outright,
  below it they prove them and reject with that evidence), reject bad work
  they detect (`requester_detects_bad_work`), sometimes reject good work
  (`requester_unfair_reject`) or stay silent (`requester_silent`: a keeper
  finalizes after the review period), and accept the rest;
- annotators: honest (right with `honest_accuracy` per item), lazy (uniform
  random answers), malicious (a colluding ring: one copied answer set, wrong
  on `malicious_error_rate` of the items, the same for every member, which
  bribes jurors to uphold it when a requester rejects it);
- jurors stake once, commit with wallet-derived salts and reveal: honest
  (vote the truth with `honest_juror_accuracy`), lazy (always the first
  choice, 1, and forget to reveal with `lazy_forgets_reveal`), bribed (vote
  for the cheater whenever a cheater is judged, paid `bribe` LDAO on chain
  by the cheater for each such vote, honest otherwise);
- GPU providers: honest (report the work done), over-reporting (report
  `overreport_factor` times it, up to the node's capacity, and bribe), flaky
  (miss a report with `flaky_miss_rate`, otherwise report with a low uptime);
- a watchdog challenges the over-reports it can disprove (`watchdog_detects`);
- a keeper draws panels, executes rounds and rulings, finalizes tasks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from eth_account import Account
from eth_utils import keccak

from labeldao.sim.scenario import Behaviour, Population


class Role(StrEnum):
    REQUESTER = "requester"
    ANNOTATOR = "annotator"
    JUROR = "juror"
    PROVIDER = "provider"
    WATCHDOG = "watchdog"
    KEEPER = "keeper"


# (role, kind) pairs in population order; the kind is the behaviour.
KINDS: list[tuple[Role, str, str]] = [
    (Role.REQUESTER, "requester", "requesters"),
    (Role.ANNOTATOR, "honest", "honest_annotators"),
    (Role.ANNOTATOR, "lazy", "lazy_annotators"),
    (Role.ANNOTATOR, "malicious", "malicious_annotators"),
    (Role.JUROR, "honest", "honest_jurors"),
    (Role.JUROR, "lazy", "lazy_jurors"),
    (Role.JUROR, "bribed", "bribed_jurors"),
    (Role.PROVIDER, "honest", "honest_providers"),
    (Role.PROVIDER, "overreporting", "overreporting_providers"),
    (Role.PROVIDER, "flaky", "flaky_providers"),
]
CHEATERS = {
    (Role.ANNOTATOR, "lazy"),
    (Role.ANNOTATOR, "malicious"),
    (Role.JUROR, "lazy"),
    (Role.JUROR, "bribed"),
    (Role.PROVIDER, "overreporting"),
}


@dataclass
class Agent:
    """One participant: a deterministic key and address, and its record."""

    name: str
    role: Role
    kind: str
    private_key: bytes
    address: str
    funded: int = 0
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """`<kind> <role>`, e.g. "lazy juror": the unit of the summary."""
        if self.role in (Role.REQUESTER, Role.WATCHDOG, Role.KEEPER):
            return self.role.value
        return f"{self.kind} {self.role.value}"

    @property
    def cheats(self) -> bool:
        return (self.role, self.kind) in CHEATERS

    def count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n


def make_agent(name: str, role: Role, kind: str) -> Agent:
    """An agent whose key (hence address) depends on its name only."""
    key = keccak(f"labeldao-sim:{name}".encode())
    return Agent(name, role, kind, key, Account.from_key(key).address)


def population(pop: Population) -> list[Agent]:
    """Every agent of a population, named `<kind>-<role>-<i>`, plus a watchdog and a keeper."""
    agents = []
    for role, kind, count_field in KINDS:
        for i in range(getattr(pop, count_field)):
            name = f"{role.value}-{i}" if role == Role.REQUESTER else f"{kind}-{role.value}-{i}"
            agents.append(make_agent(name, role, kind))
    agents.append(make_agent("watchdog", Role.WATCHDOG, "watchdog"))
    agents.append(make_agent("keeper", Role.KEEPER, "keeper"))
    return agents


# -- annotators --------------------------------------------------------------


def truth(n_items: int, choices: int, rng: random.Random) -> list[int]:
    """The right labels of a task's items."""
    return [rng.randrange(choices) for _ in range(n_items)]


def _wrong(right: int, choices: int, rng: random.Random) -> int:
    return (right + 1 + rng.randrange(choices - 1)) % choices


def answers(
    kind: str, right: list[int], b: Behaviour, rng: random.Random, ring: random.Random
) -> list[int]:
    """An annotator's answers. `ring` is the malicious ring's shared generator,
    seeded per task, so every member copies the same answer set."""
    if kind == "honest":
        return [
            r if rng.random() < b.honest_accuracy else _wrong(r, b.answer_choices, rng)
            for r in right
        ]
    if kind == "lazy":
        return [rng.randrange(b.answer_choices) for _ in right]
    if kind == "malicious":
        return [
            _wrong(r, b.answer_choices, ring) if ring.random() < b.malicious_error_rate else r
            for r in right
        ]
    raise ValueError(f"unknown annotator kind {kind!r}")


def is_good(right: list[int], given: list[int], threshold: float) -> bool:
    """Work is good when at least `threshold` of its items are right."""
    correct = sum(1 for r, g in zip(right, given, strict=True) if r == g)
    return correct >= threshold * len(right)


# -- requesters --------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """A requester's review: gold failures to prove, then one verdict."""

    prove: tuple[int, ...]  # gold item indices to prove, in order
    verdict: str  # "rejected" (gold limit reached), "reject", "accept" or "silent"


def review(
    gold: list[int],
    right: list[int],
    given: list[int],
    good: bool,
    gold_fail_limit: int,
    b: Behaviour,
    rng: random.Random,
) -> Review:
    """What a requester does with submitted work."""
    failures = tuple(i for i in gold if given[i] != right[i])
    if len(failures) >= gold_fail_limit:
        return Review(failures[:gold_fail_limit], "rejected")
    if failures:
        return Review(failures, "reject")
    if not good and rng.random() < b.requester_detects_bad_work:
        return Review((), "reject")
    if good and rng.random() < b.requester_unfair_reject:
        return Review((), "reject")
    if rng.random() < b.requester_silent:
        return Review((), "silent")
    return Review((), "accept")


# -- jurors ------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    choice: int
    reveals: bool
    bought: bool  # a bribed vote for a cheater


def vote(kind: str, right: int, cheater_side: int | None, b: Behaviour, rng: random.Random) -> Vote:
    """A juror's vote on a two-choice dispute whose right ruling is `right`;
    `cheater_side` is the ruling a cheating party wants (None: no cheater)."""
    if kind == "lazy":
        return Vote(1, rng.random() >= b.lazy_forgets_reveal, False)
    if kind == "bribed" and cheater_side is not None:
        return Vote(cheater_side, True, True)
    if kind in ("honest", "bribed"):
        choice = right if rng.random() < b.honest_juror_accuracy else 3 - right
        return Vote(choice, True, False)
    raise ValueError(f"unknown juror kind {kind!r}")


def appeals(was_right: bool, cheats: bool, balance: int, cost: int) -> bool:
    """A party that lost appeals when it can pay and either was right (a
    bigger panel should correct the ruling) or cheats (it bets on bribed
    jurors). The winner always defends when it can pay: an appeal funded
    alone wins by default."""
    return balance >= cost and (was_right or cheats)


# -- providers and the watchdog ----------------------------------------------


@dataclass(frozen=True)
class Report:
    work_units: int  # what the provider reports
    true_units: int  # what it delivered
    uptime_bps: int


def report(kind: str, capacity: int, b: Behaviour, rng: random.Random) -> Report | None:
    """A provider's report of a finished epoch, or None when it misses it."""
    delivered = max(1, int(capacity * b.utilisation * rng.uniform(0.8, 1.0)))
    if kind == "honest":
        return Report(delivered, delivered, rng.randrange(9_500, 10_001))
    if kind == "overreporting":
        claimed = min(capacity, int(delivered * b.overreport_factor))
        return Report(claimed, delivered, 10_000)
    if kind == "flaky":
        if rng.random() < b.flaky_miss_rate:
            return None
        return Report(delivered, delivered, b.flaky_uptime_bps)
    raise ValueError(f"unknown provider kind {kind!r}")


def watchdog_challenges(r: Report, b: Behaviour, rng: random.Random) -> bool:
    """The watchdog challenges a report it can disprove (claims above delivery)."""
    return r.work_units > r.true_units and rng.random() < b.watchdog_detects
