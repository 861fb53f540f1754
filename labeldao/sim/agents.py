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
- a watchdog challenges the over-reports it can disprove (`watchdog_detects`)
  when the challenge pays it (`labeldao.sim.seams.watcher_challenges`);
- a keeper draws panels, executes rounds and rulings, finalizes tasks.

The adversaries of the threat model (docs/THREATS.md, issue 14), each
judged against its honest counterpart in the same run:

- planting requesters commit a gold tree holding two different answers per
  gold item (`planted_gold`), so every submission fails `gold_fail_limit`
  gold checks: the task is rejected with no judge, the requester gets reward
  and fee back and keeps the labels (against: honest requesters);
- splitting providers register `split_nodes` 1-GPU nodes and report each at
  full capacity with nothing delivered: a challenge of a 1-GPU node costs a
  watcher more than its share of the slash (against: honest providers);
- self-judging requesters stake `self_judge_stake` LDAO as jurors, reject
  every submission and vote their own side whenever the draw seats them on
  their own panel (against: honest requesters);
- griefing requesters reject every submission and fund both sides of every
  appeal, growing the panel until the court cannot seat it (against: honest
  requesters).

Any party seated on its own dispute votes its own side (`party_vote`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
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
    (Role.REQUESTER, "planting", "planting_requesters"),
    (Role.REQUESTER, "self-judging", "self_judging_requesters"),
    (Role.REQUESTER, "griefing", "griefing_requesters"),
    (Role.ANNOTATOR, "honest", "honest_annotators"),
    (Role.ANNOTATOR, "lazy", "lazy_annotators"),
    (Role.ANNOTATOR, "malicious", "malicious_annotators"),
    (Role.JUROR, "honest", "honest_jurors"),
    (Role.JUROR, "lazy", "lazy_jurors"),
    (Role.JUROR, "bribed", "bribed_jurors"),
    (Role.PROVIDER, "honest", "honest_providers"),
    (Role.PROVIDER, "overreporting", "overreporting_providers"),
    (Role.PROVIDER, "flaky", "flaky_providers"),
    (Role.PROVIDER, "splitting", "splitting_providers"),
]
CHEATERS = {
    (Role.ANNOTATOR, "lazy"),
    (Role.ANNOTATOR, "malicious"),
    (Role.JUROR, "lazy"),
    (Role.JUROR, "bribed"),
    (Role.PROVIDER, "overreporting"),
    (Role.REQUESTER, "planting"),
    (Role.REQUESTER, "self-judging"),
    (Role.REQUESTER, "griefing"),
    (Role.PROVIDER, "splitting"),
}
# The adversaries of issue 14's threat model (a subset of the cheaters).
ADVERSARIES = {
    (Role.REQUESTER, "planting"),
    (Role.REQUESTER, "self-judging"),
    (Role.REQUESTER, "griefing"),
    (Role.PROVIDER, "splitting"),
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
        if self.role == Role.REQUESTER and self.kind != "requester":
            return f"{self.kind} requester"
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
            plain = role == Role.REQUESTER and kind == "requester"
            name = f"{role.value}-{i}" if plain else f"{kind}-{role.value}-{i}"
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


def adversarial_review(kind: str, gold: PlantedGold | None, given: list[int], limit: int) -> Review:
    """What an adversarial requester does with submitted work: a planter
    proves gold failures against its contradictory gold (every gold item
    holds an answer the submission does not match), up to the limit, and
    rejects with no judge; the self-judging and the griefing requester
    reject every submission into the court."""
    if kind == "planting":
        proofs = tuple(
            i for i in sorted(gold.answers) if gold.failing_answer(i, given[i]) is not None
        )
        if len(proofs) >= limit:
            return Review(proofs[:limit], "rejected")
        return Review(proofs, "reject")
    if kind in ("self-judging", "griefing"):
        return Review((), "reject")
    raise ValueError(f"unknown adversarial requester kind {kind!r}")


@dataclass(frozen=True)
class PlantedGold:
    """A gold tree with two different answers per gold item: the right one
    and a wrong one (`answers[item]`), so any answer fails one of them."""

    answers: dict[int, tuple[int, int]]  # item -> (right label, wrong label)
    salts: dict[tuple[int, int], bytes]  # (item, label) -> salt

    def rows(self, answer_hash: Callable[[int], bytes]) -> list[tuple[int, bytes, bytes]]:
        """The gold leaves `(item, answer hash, salt)`, two per item."""
        return [
            (item, answer_hash(label), self.salts[(item, label)])
            for item in sorted(self.answers)
            for label in self.answers[item]
        ]

    def failing_answer(self, item: int, given: int) -> int | None:
        """A gold label of `item` that differs from `given` (always one)."""
        return next((g for g in self.answers[item] if g != given), None)


def planted_gold(
    gold_idx: list[int], right: list[int], choices: int, rng: random.Random
) -> PlantedGold:
    """The planter's contradictory gold: every gold item holds its right
    answer and a wrong one."""
    answers = {i: (right[i], _wrong(right[i], choices, rng)) for i in gold_idx}
    salts = {(i, g): rng.randbytes(32) for i, pair in answers.items() for g in pair}
    return PlantedGold(answers, salts)


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


def party_vote(side: int) -> Vote:
    """A party seated on its own dispute votes its own side."""
    return Vote(side, True, False)


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
    if kind == "splitting":
        return Report(capacity, 0, 10_000)  # full capacity, nothing delivered
    if kind == "flaky":
        if rng.random() < b.flaky_miss_rate:
            return None
        return Report(delivered, delivered, b.flaky_uptime_bps)
    raise ValueError(f"unknown provider kind {kind!r}")


def watchdog_detects(r: Report, b: Behaviour, rng: random.Random) -> bool:
    """The watchdog can disprove a report (claims above delivery) and notices it."""
    return r.work_units > r.true_units and rng.random() < b.watchdog_detects
