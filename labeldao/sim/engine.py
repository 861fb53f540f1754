"""The epoch loop: agents act on the real contracts, the model follows.

The suite is deployed by `labeldao.system.deploy_boa` (the plan `ape run
deploy` runs) on a fresh titanoboa environment, with a parameter file
written for the scenario (its protocol overrides). Each simulation epoch is
one registry epoch (one day); in it, in this order:

1. providers report the previous epoch, the watchdog challenges the reports
   it can disprove, providers claim the rewards of final epochs;
2. requesters post tasks, annotators claim and submit them, requesters
   review (gold proofs, accept, reject into the court, or silence); the
   keeper finalizes tasks whose review period ended in silence;
3. the court: the keeper draws every new dispute's panel, jurors commit
   (salts derived from their keys, `labeldao.court`) and reveal, bribes are
   paid, the keeper executes the rounds and the rulings;
4. everyone owed something withdraws it;
5. the model check: every tracked quantity is read from the chain and
   compared with the model; a difference raises `ModelMismatch`.

A round the court cannot seat (too little drawable stake once the parties
are left out, or a panel whose locks would pass the court's per-dispute
cap) is closed after its draw deadline by `seams.refuse_undrawable`
(`close_undrawn`: ruling 0 for a first round, the previous ruling for an
appeal round), after the epoch's other rulings; a dispute the seam does not
end would freeze (the engine stops following it). What each adversary
costs its victims is summed in `victim_loss` (docs/THREATS.md says what
each sum holds).
"""

from __future__ import annotations

import random
import re
import resource
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boa
from boa.contracts.base_evm_contract import BoaError
from boa.environment import Env
from eth_utils import keccak

from labeldao.annotations import (
    GOLD_TYPES,
    AnswerTree,
    GoldItem,
    GoldTree,
    answer_tree,
    gold_failure_args,
    gold_tree,
)
from labeldao.assurance.throughput import CallRecorder, replay
from labeldao.boa_logs import LogRecorder
from labeldao.boa_tools import deployer
from labeldao.config import LDAO, ParamsError, params_path
from labeldao.court import commitment, derive_salt
from labeldao.deploy import DeployError
from labeldao.merkle import ValueTree
from labeldao.sim import agents as ag
from labeldao.sim import journal, ledger_check, seams
from labeldao.sim.agents import Agent, Role
from labeldao.sim.model import BPS, LIVE, CourtTerms, EscrowTerms, Model, RegistryTerms
from labeldao.sim.scenario import SIM_COURT, SIM_EPOCH_SECONDS, Scenario, ScenarioError
from labeldao.system import CONTRACTS, GOVERNOR, BoaSystem, deploy_boa

START_TIMESTAMP = 1_767_225_600  # 2026-01-01 00:00 UTC: runs never depend on the wall clock
START_BLOCK = 1_000_000
BLOCK_SECONDS = 12
# Court periods short enough for a dispute to be decided within its epoch.
SIM_COURT_PERIODS = {
    "evidence_period": 3_600,
    "commit_period": 3_600,
    "reveal_period": 3_600,
    "appeal_period": 3_600,
    # A round not drawn within the hour after its evidence period is closed
    # (`close_undrawn`, ruling 0 for a first round): within the epoch too.
    "draw_timeout": 3_600,
}
MAX_BATCH = 128  # the court's MAX_EXECUTE_BATCH (and the registry's claim batch)
MAX_DRAW_BATCH = 64  # the court's MAX_DRAW_BATCH
# Draw calls in a row that seat nobody before a round counts as unseatable.
DRAW_STALLS = 4


class ModelMismatch(RuntimeError):
    """The chain and the reference model disagree; `rows` is (what, model, chain)."""

    def __init__(self, epoch: int, rows: list[tuple[str, int, int]]) -> None:
        self.epoch, self.rows = epoch, rows
        lines = [f"{what:<60} {model:>30} {chain:>30}" for what, model, chain in rows]
        header = f"{'what':<60} {'model':>30} {'chain':>30}"
        super().__init__(
            f"model check failed after epoch {epoch}: {len(rows)} difference(s)\n"
            + "\n".join([header, *lines])
        )

    def __reduce__(self) -> tuple[type, tuple[int, list[tuple[str, int, int]]]]:
        # raised in a worker process, re-raised here
        return ModelMismatch, (self.epoch, self.rows)


@dataclass
class Dispute:
    """A dispute the engine follows until it is executed."""

    dispute_id: int
    subject: tuple[str, int, int]  # ("task", task_id, 0) or ("report", node_id, epoch)
    right: int  # the ruling the truth calls for
    cheater: Agent | None  # the cheating party, who bribes
    cheater_side: int | None
    parties: dict[int, Agent]  # side -> the party that wants it (and funds its appeals)


@dataclass
class TaskPlan:
    task_id: int
    requester: Agent
    annotator: Agent
    good: bool
    review_end: int = 0


@dataclass
class RunResult:
    """Everything a run produced, for `results`."""

    scenario: Scenario
    seed: int
    agents: list[Agent]
    epochs: list[dict[str, Any]]
    disputes: list[dict[str, Any]]
    providers: dict[str, dict[str, int]]
    wealth: dict[str, int]
    model_checks: int
    transactions: int
    messages: int
    harness_seconds: float
    slashed: dict[str, int] = field(default_factory=dict)
    victim_loss: dict[str, int] = field(default_factory=dict)  # adversary group -> base units
    frozen_disputes: int = 0
    replay_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _toml(value: Any) -> str:
    """A TOML value for the scalars, lists and tables of a parameter file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def params_file(scenario: Scenario, directory: Path) -> Path:
    """The deployment parameter file of a scenario: the local file with the
    scenario's protocol overrides (the mechanism `ape run deploy` uses)."""
    raw = tomllib.loads(params_path("local").read_text())
    p = scenario.protocol
    raw["court"]["params"] = {**SIM_COURT_PERIODS, **SIM_COURT, **p.court}
    raw["escrow"]["params"] = dict(p.escrow)
    raw["registry"]["params"] = dict(p.registry)
    raw["registry"]["epoch_length"] = SIM_EPOCH_SECONDS
    raw["registry"]["epoch_emission"] = p.registry_epoch_emission
    lines = []
    for section, body in raw.items():
        if not isinstance(body, dict):
            lines.append(f"{section} = {_toml(body)}")
    for section, body in raw.items():
        if isinstance(body, dict):
            lines.append(f"[{section}]")
            lines += [f"{k} = {_toml(v)}" for k, v in body.items()]
    path = directory / f"{scenario.name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class Simulation:
    """One run of a scenario on a deployed suite."""

    def __init__(self, scenario: Scenario, seed: int, system: BoaSystem) -> None:
        self.s, self.b, self.seed = scenario, scenario.behaviour, seed
        self._streams: dict[str, random.Random] = {}
        self.sys = system
        self.token, self.escrow = system.token, system.escrow
        self.court, self.registry = system.court, system.registry
        self.agents = ag.population(scenario.population)
        self.by_role: dict[Role, list[Agent]] = {}
        for a in self.agents:
            self.by_role.setdefault(a.role, []).append(a)
        self.by_address = {a.address: a for a in self.agents}
        self.faucet = str(system.params.token.initial_mints[0].to)  # test:1
        self.treasury = system.accounts["treasury"]
        self.genesis = int(self.registry.epoch_total(0).start)
        self.model = self._model()
        self.disputes: list[Dispute] = []
        self.dispute_log: list[dict[str, Any]] = []
        self.silent: list[TaskPlan] = []
        self.gold_failed: list[TaskPlan] = []  # waiting for their contest window to end
        self.undrawn: list[Dispute] = []  # rounds the court could not seat this epoch
        self.nodes: dict[int, Agent] = {}
        self.delivered: dict[str, int] = {}
        self.epoch_rows: list[dict[str, Any]] = []
        self.checks = 0
        self._salts: dict[tuple[str, int, int], bytes] = {}
        self.frozen: list[Dispute] = []
        self.epoch = 0
        self.victim_loss: dict[str, int] = {}

    def rng(self, stream: str) -> random.Random:
        """The random stream of one agent, seeded by (seed, agent name): an
        agent's draws do not shift when other agents are added or removed,
        so the points of a sweep differ by the swept parameter, not by luck
        (common random numbers)."""
        if stream not in self._streams:
            self._streams[stream] = random.Random(f"{self.seed}:{stream}")
        return self._streams[stream]

    # -- set-up -------------------------------------------------------------

    def _model(self) -> Model:
        e = self.escrow.current_params()
        c = self.court.params(self.court.params_version())
        r = self.registry.params()
        t = self.registry.epoch_terms(0)
        return Model(
            escrow_terms=EscrowTerms(
                e.fee_bps,
                e.gold_slash_bps,
                e.gold_fail_limit,
                e.reject_slash_bps,
                e.slash_treasury_bps,
                e.bonus_per_item,
                e.bonus_fee_cap_bps,
                e.epoch_budget,
                e.gold_bond,
                e.gold_contest_period,
            ),
            court_terms=CourtTerms(
                c.min_juror_stake,
                c.alpha_bps,
                c.non_reveal_multiplier_bps,
                c.panel_size,
                c.fee_per_juror,
            ),
            registry_terms=RegistryTerms(
                tuple(r.stake_per_gpu),
                r.challenge_bond,
                r.fraud_slash_bps,
                r.challenger_share_bps,
                SIM_EPOCH_SECONDS,
                self.genesis,
                t.epoch_emission,
                t.reporting_window,
                t.challenge_period,
            ),
            cap=self.token.cap(),
            treasury=self.treasury,
            escrow=self.escrow.address,
            court=self.court.address,
            registry=self.registry.address,
            balances={self.faucet: self.token.balanceOf(self.faucet)},
            total_supply=self.token.totalSupply(),
        )

    def setup(self) -> None:
        """Funds every agent from the faucet (test:1), stakes jurors, registers nodes."""
        b = self.b
        funds = {
            Role.REQUESTER: b.requester_funds,
            Role.ANNOTATOR: b.annotator_funds,
            Role.JUROR: b.juror_stake,
            Role.PROVIDER: b.provider_funds,
            Role.WATCHDOG: b.watchdog_funds,
            Role.KEEPER: 0,
        }
        for a in self.agents:
            amount = funds[a.role] * LDAO
            if a.kind == "self-judging":
                amount += b.self_judge_stake * LDAO
            if amount:
                self.token.transfer(a.address, amount, sender=self.faucet)
                self.model.transfer(self.faucet, a.address, amount)
            a.funded = amount
            if a.role in (Role.REQUESTER, Role.ANNOTATOR, Role.JUROR, Role.PROVIDER, Role.WATCHDOG):
                for spender in (self.escrow, self.court, self.registry):
                    self.token.approve(spender.address, 2**256 - 1, sender=a.address)
        for j in self.by_role.get(Role.JUROR, []):
            self.court.stake(j.funded, sender=j.address)
            self.model.stake(j.address, j.funded)
        for r in self.by_role.get(Role.REQUESTER, []):
            if r.kind == "self-judging":
                self.stake_as_juror(r, b.self_judge_stake * LDAO)
        for p in self.by_role.get(Role.PROVIDER, []):
            if p.kind == "splitting":
                for k in range(b.split_nodes):
                    self.register(p, f"{p.name}:{k}", 1)
            else:
                self.register(p, p.name, b.provider_gpus)
        # The jurors' stake is in the snapshot of the next court epoch on.
        self._advance(SIM_EPOCH_SECONDS - (self._now() - self.genesis))

    def stake_as_juror(self, agent: Agent, amount: int) -> None:
        """An agent stakes in the court: it can be drawn onto any panel (a
        self-judging party hopes for its own)."""
        self.court.stake(amount, sender=agent.address)
        self.model.stake(agent.address, amount)
        agent.count("juror_stake", amount)

    def register(self, p: Agent, key: str, gpus: int) -> int:
        """A provider registers one node of `gpus` GPUs (a splitting
        provider registers `split_nodes` of one GPU each)."""
        b = self.b
        node_id = self.registry.register_node(
            keccak(key.encode()), f"sim://{key}", gpus, b.provider_tier, sender=p.address
        )
        self.model.register_node(node_id, p.address, gpus, b.provider_tier, self._now())
        self.nodes[node_id] = p
        p.count("nodes")
        return node_id

    def adversarial(self, requester: Agent) -> bool:
        """Whether a requester acts as its adversarial kind now (a griefer
        reviews honestly before `grief_from_epoch`)."""
        if requester.kind == "griefing":
            return self.epoch >= self.b.grief_from_epoch
        return requester.kind != "requester"

    def lose(self, adversary: Agent, amount: int) -> None:
        """What an adversary's attack cost its victims (base units)."""
        if amount:
            self.victim_loss[adversary.group] = self.victim_loss.get(adversary.group, 0) + amount

    # -- time ---------------------------------------------------------------

    def _now(self) -> int:
        return boa.env.evm.patch.timestamp

    def _advance(self, seconds: int) -> None:
        seconds = max(seconds, 1)
        patch = boa.env.evm.patch
        patch.timestamp += seconds
        patch.block_number += max(1, seconds // BLOCK_SECONDS)

    def _advance_to(self, timestamp: int) -> None:
        if timestamp > self._now():
            self._advance(timestamp - self._now())

    def advance_to(self, timestamp: int) -> None:
        """Moves the chain's clock to `timestamp` (never back); for `seams`."""
        self._advance_to(timestamp)

    def execute(self, d: Dispute) -> None:
        """Executes a final (or closed) dispute; for `seams`."""
        self._execute(d)

    # -- one epoch ----------------------------------------------------------

    def run_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        start = self.genesis + epoch * SIM_EPOCH_SECONDS
        self._advance_to(start + 60)
        self._providers(epoch)
        self._tasks(epoch)
        self._finalize_silent()
        self._court()
        self._withdrawals()
        self.check(epoch)
        self.epoch_rows += self._epoch_rows(epoch)
        self._advance_to(start + SIM_EPOCH_SECONDS)

    def _providers(self, epoch: int) -> None:
        b, m, now = self.b, self.model, self._now()
        watchdog = self.by_role[Role.WATCHDOG][0]
        for node_id, p in self.nodes.items():
            node = m.nodes[node_id]
            reported = epoch - 1
            if node.active and reported >= node.first_epoch:
                capacity = self.registry.max_work_units(node_id, reported)
                r = ag.report(p.kind, capacity, b, self.rng(p.name))
                if r is None:
                    p.count("reports_missed")
                else:
                    root = keccak(f"{p.name}:{reported}".encode())
                    self.registry.report(
                        node_id, reported, r.work_units, r.uptime_bps, root, sender=p.address
                    )
                    m.report(node_id, reported, r.work_units, r.uptime_bps)
                    p.count("reports")
                    if r.work_units > r.true_units:
                        p.count("false_reports")
                    self.delivered[p.name] = self.delivered.get(p.name, 0) + r.true_units
                    detected = ag.watchdog_detects(r, b, self.rng("watchdog"))
                    if seams.watcher_challenges(self, node_id, detected):
                        dispute_id = self.registry.challenge(
                            node_id, reported, "sim://watchdog", sender=watchdog.address
                        )
                        m.challenge(node_id, reported, watchdog.address, dispute_id)
                        watchdog.count("challenges")
                        cheater = p if p.kind == "overreporting" else None
                        self.disputes.append(
                            Dispute(
                                dispute_id,
                                ("report", node_id, reported),
                                2,
                                cheater,
                                1 if cheater else None,
                                {1: p, 2: watchdog},
                            )
                        )
            epochs = m.claimable_epochs(node_id, now)[:MAX_BATCH]
            if epochs:
                paid = self.registry.claim(node_id, epochs, sender=p.address)
                expected = m.claim(node_id, epochs)
                p.count("rewards", expected)
                if p.kind == "splitting":  # paid for nothing: diluted from the others
                    self.lose(p, expected)
                if paid != expected:
                    raise ModelMismatch(
                        epoch, [(f"claim node {node_id} epochs {epochs}", expected, paid)]
                    )

    def _tasks(self, epoch: int) -> None:
        b, m = self.b, self.model
        annotators = self.by_role[Role.ANNOTATOR]
        reward, stake = b.reward * LDAO, b.annotator_stake * LDAO
        for requester in self.by_role[Role.REQUESTER]:
            for _ in range(b.tasks_per_requester):
                if (
                    m.balance(requester.address)
                    < m.task_cost(reward) + m.court_terms.arbitration_cost
                ):
                    requester.count("tasks_unaffordable")
                    continue
                annotator = self.rng(requester.name).choice(annotators)
                if m.balance(annotator.address) < stake:
                    annotator.count("tasks_unaffordable")
                    continue
                self._one_task(requester, annotator, reward, stake)

    def _one_task(self, requester: Agent, annotator: Agent, reward: int, stake: int) -> None:
        b, m, rng = self.b, self.model, self.rng(requester.name)
        n = b.items_per_task
        right = ag.truth(n, b.answer_choices, rng)
        gold_idx = sorted(rng.sample(range(n), b.gold_items))
        planted: ag.PlantedGold | None = None
        if requester.kind == "planting":
            planted = ag.planted_gold(gold_idx, right, b.answer_choices, rng)
            gold: GoldTree | ValueTree = ValueTree.of(GOLD_TYPES, planted.rows(_answer))
        else:
            gold = gold_tree(GoldItem(i, _answer(right[i]), rng.randbytes(32)) for i in gold_idx)
        spec = keccak(rng.randbytes(32))
        deadline = self._now() + 3_600
        task_id = self.escrow.create_task(
            spec,
            "sim://spec",
            n,
            reward,
            stake,
            deadline,
            b.review_period,
            gold.root,
            sender=requester.address,
        )
        bonded = bytes(gold.root) != bytes(32)
        m.create_task(task_id, requester.address, reward, stake, n, gold=bonded)
        requester.count("tasks_posted")
        self.escrow.claim_task(task_id, sender=annotator.address)
        m.claim_task(task_id, annotator.address)
        ring = random.Random(f"{self.seed}:ring:{task_id}")
        given = ag.answers(annotator.kind, right, b, self.rng(annotator.name), ring)
        sheet = answer_tree({i: _answer(g) for i, g in enumerate(given)})
        self.escrow.submit(task_id, sheet.root, "sim://result", sender=annotator.address)
        m.submit(task_id)
        annotator.count("tasks_done")
        good = ag.is_good(right, given, b.good_work_threshold)
        annotator.count("good_work" if good else "bad_work")
        plan = TaskPlan(task_id, requester, annotator, good)
        limit = m.escrow_terms.gold_fail_limit
        if not self.adversarial(requester):
            r = ag.review(gold_idx, right, given, good, limit, b, rng)
        else:
            r = ag.adversarial_review(requester.kind, planted, given, limit)
        for item in r.prove:
            if isinstance(gold, GoldTree):
                args = gold_failure_args(task_id, gold, sheet, item)
            else:
                assert planted is not None
                args = _planted_failure_args(task_id, gold, planted, sheet, item, given[item])
            self.escrow.prove_gold_failure(*args, sender=requester.address)
            m.prove_gold_failure(task_id)
            annotator.count("gold_failures")
        if r.verdict == "rejected":
            annotator.count("gold_rejected")
            self._contest_gold(plan, r.prove, right, given)
        elif r.verdict == "accept":
            self.escrow.accept(task_id, sender=requester.address)
            m.accept(task_id, self._now())
            annotator.count("accepted")
        elif r.verdict == "silent":
            plan.review_end = self._now() + b.review_period
            self.silent.append(plan)
        else:
            dispute_id = self.escrow.reject(task_id, keccak(b"bad work"), sender=requester.address)
            m.reject(task_id, dispute_id)
            requester.count("disputes_opened")
            cheater, side = None, None
            if annotator.kind == "malicious":
                cheater, side = annotator, 1
            elif self.adversarial(requester):
                cheater, side = requester, 2
            self.disputes.append(
                Dispute(
                    dispute_id,
                    ("task", task_id, 0),
                    1 if good else 2,
                    cheater,
                    side,
                    {1: annotator, 2: requester},
                )
            )

    def _contest_gold(
        self, plan: TaskPlan, proven: list[int], right: list[int], given: list[int]
    ) -> None:
        """An annotator whose work was rejected by gold failures contests it
        when it answered a proven gold item right (the gold was wrong),
        through `seams.contest_gold_rejection`; otherwise the keeper
        finalizes the rejection once the contest window is over."""
        a = plan.annotator
        plan.review_end = self._now() + self.model.escrow_terms.gold_contest_period
        if all(given[i] != right[i] for i in proven):
            self.gold_failed.append(plan)  # every gold item it failed was really wrong
            return
        dispute_id = seams.contest_gold_rejection(self, plan.task_id, a.address)
        if dispute_id is None:
            a.count("gold_contests_refused")
            self.gold_failed.append(plan)
            return
        a.count("gold_contests")
        self.disputes.append(
            Dispute(
                dispute_id,
                ("task", plan.task_id, 0),
                1,  # the gold was wrong
                plan.requester if plan.requester.cheats else None,
                2 if plan.requester.cheats else None,
                {1: a, 2: plan.requester},
            )
        )

    def _finalize_silent(self) -> None:
        keeper, now, waiting = self.by_role[Role.KEEPER][0], self._now(), []
        for plan in self.silent:
            if now >= plan.review_end:
                self.escrow.finalize(plan.task_id, sender=keeper.address)
                self.model.accept(plan.task_id, now)
                plan.annotator.count("accepted")
            else:
                waiting.append(plan)
        self.silent = waiting
        failed = []
        for plan in self.gold_failed:
            if now >= plan.review_end:
                self.escrow.finalize(plan.task_id, sender=keeper.address)
                self._gold_rejected(plan)
            else:
                failed.append(plan)
        self.gold_failed = failed

    def _gold_rejected(self, plan: TaskPlan) -> None:
        """A gold rejection settles as REJECTED (uncontested, or the court
        found the gold right); a planter's victim loses its gold slashes
        and, for good work, the reward."""
        m, task = self.model, self.model.tasks[plan.task_id]
        slashed = task.stake - task.remaining_stake(m.escrow_terms)
        m.finalize_gold_failed(plan.task_id)
        plan.annotator.count("rejected")
        if plan.requester.kind == "planting":
            self.lose(plan.requester, slashed + (task.reward if plan.good else 0))

    def _court(self) -> None:
        """Every dispute opened this epoch, round after round, to its ruling
        (or frozen, when a round cannot be seated)."""
        if not self.disputes:
            return
        active, round_, settled = list(self.disputes), 0, []
        while active:
            drawn = self._draw(active, round_)
            if not drawn:
                break
            self._vote(drawn, round_)
            infos = {
                d.dispute_id: self.sys.court_lens.round_info(
                    self.court.address, d.dispute_id, round_
                )
                for d in drawn
            }
            self._advance_to(max(i.appeal_start for i in infos.values()) + 1)
            active = [d for d in drawn if self._appeal(d, round_)]
            appealed = {d.dispute_id for d in active}
            settled += [d for d in drawn if d.dispute_id not in appealed]
            round_ += 1
        if settled:
            last = [
                self.sys.court_lens.round_info(
                    self.court.address,
                    d.dispute_id,
                    len(self.model.disputes[d.dispute_id].rounds) - 1,
                )
                for d in settled
            ]
            self._advance_to(max(i.appeal_end for i in last) + 1)
            for d in sorted(settled, key=lambda d: d.dispute_id):
                self._execute(d)
        self._close_undrawn()
        self.disputes = []
        self._salts.clear()

    def _draw(self, disputes: list[Dispute], round_: int) -> list[Dispute]:
        """The keeper draws each panel; the model learns who was seated
        (chance). Returns the disputes whose panel is complete; the others
        could not be seated and are frozen (or refused, `seams`)."""
        court = self.court
        delay = int(self.sys.randomness.DELAY())
        boa.env.time_travel(blocks=delay + 1, block_delta=1)
        drawn = []
        for d in disputes:
            complete = self._draw_panel(d.dispute_id, round_, delay)
            info = self.sys.court_lens.round_info(court.address, d.dispute_id, round_)
            for i in range(info.jurors):
                juror = str(court.round_juror(d.dispute_id, round_, i))
                seats = self.sys.court_lens.juror_round(
                    court.address, d.dispute_id, round_, juror
                ).seats
                self.model.seated(d.dispute_id, juror, seats)
            if complete:
                drawn.append(d)
            else:
                self.undrawn.append(d)
        return drawn

    def _close_undrawn(self) -> None:
        """After the epoch's rulings: each dispute whose round the court
        could not seat is refused (`seams.refuse_undrawable`) or frozen."""
        for d in self.undrawn:
            if not seams.refuse_undrawable(self, d):
                self.frozen.append(d)
                for party in d.parties.values():
                    party.count("disputes_frozen")
        self.undrawn = []

    def _draw_panel(self, dispute_id: int, round_: int, delay: int) -> bool:
        """Draws until the round's panel is complete (True), or until
        `DRAW_STALLS` calls in a row seat nobody: the court cannot seat it."""
        court, keeper = self.court, self.by_role[Role.KEEPER][0]
        stalls = 0
        while stalls < DRAW_STALLS:
            info = self.sys.court_lens.round_info(court.address, dispute_id, round_)
            if info.drawn == info.panel:
                return True
            seats = 0
            if court.drawable_stake() > 0:
                try:
                    seats = court.draw(
                        dispute_id, min(MAX_DRAW_BATCH, 2 * info.panel), sender=keeper.address
                    )
                except BoaError as error:  # the panel's locks would exceed the cap
                    if "court: too little drawable stake" not in str(error):
                        raise
                    return False
            stalls = 0 if seats else stalls + 1
            boa.env.time_travel(blocks=delay + 1, block_delta=1)
        return False

    def _vote(self, disputes: list[Dispute], round_: int) -> None:
        """Jurors commit, then reveal (lazy ones may forget); bought votes are paid."""
        m, court = self.model, self.court
        infos = {
            d.dispute_id: self.sys.court_lens.round_info(court.address, d.dispute_id, round_)
            for d in disputes
        }
        self._advance_to(max(i.commit_start for i in infos.values()))
        votes: dict[tuple[int, str], ag.Vote] = {}
        for d in disputes:
            for juror in m.disputes[d.dispute_id].rounds[round_].jurors:
                j = self.by_address[juror]
                v = self._vote_of(j, d)
                votes[(d.dispute_id, juror)] = v
                salt = self._salt(j, d.dispute_id, round_)
                digest = commitment(d.dispute_id, round_, juror, v.choice, salt)
                court.commit(d.dispute_id, round_, digest, sender=juror)
        self._advance_to(max(i.reveal_start for i in infos.values()))
        for d in disputes:
            for juror in m.disputes[d.dispute_id].rounds[round_].jurors:
                v, j = votes[(d.dispute_id, juror)], self.by_address[juror]
                j.count("votes")
                if not v.reveals:
                    j.count("silent_votes")
                    continue
                salt = self._salt(j, d.dispute_id, round_)
                court.reveal(d.dispute_id, round_, v.choice, salt, sender=juror)
                m.reveal(d.dispute_id, juror, v.choice)
                if v.bought and d.cheater is not None and self.b.bribe:
                    bribe = min(self.b.bribe * LDAO, m.balance(d.cheater.address))
                    if bribe:
                        self.token.transfer(juror, bribe, sender=d.cheater.address)
                        m.transfer(d.cheater.address, juror, bribe)
                        j.count("bribes", bribe)
                        d.cheater.count("bribes_paid", bribe)

    def _vote_of(self, j: Agent, d: Dispute) -> ag.Vote:
        """A party on its own panel votes its side; a juror as its kind; any
        other agent that staked votes honestly."""
        for side, party in d.parties.items():
            if party is j:
                j.count("own_panel_seats")
                return ag.party_vote(side)
        kind = j.kind if j.role == Role.JUROR else "honest"
        return ag.vote(kind, d.right, d.cheater_side, self.b, self.rng(j.name))

    def _appeal(self, d: Dispute, round_: int) -> bool:
        """The losing party appeals when rational; the winner then defends.
        True when the appeal was raised (a new round opened)."""
        m = self.model
        ruling, _ = m.plurality(d.dispute_id)
        info = self.sys.court_lens.round_info(self.court.address, d.dispute_id, round_)
        if (
            ruling == 0
            or info.appeal_start == info.appeal_end
            or self.court.appealCost(d.dispute_id, b"") == 2**256 - 1
        ):
            return False  # a tie, or the last round allowed
        loser_side = 3 - ruling
        loser, winner = d.parties[loser_side], d.parties[ruling]
        cost = m.appeal_cost(d.dispute_id)
        griefer = next(
            (p for p in d.parties.values() if p.kind == "griefing" and self.adversarial(p)), None
        )
        if griefer is not None and m.balance(griefer.address) >= 2 * cost:
            return self._fund_both_sides(d, griefer, loser_side, ruling)
        if not ag.appeals(
            loser_side == d.right, loser is d.cheater, m.balance(loser.address), cost
        ):
            return False
        self.court.appeal(d.dispute_id, loser_side.to_bytes(32, "big"), sender=loser.address)
        m.fund_appeal(d.dispute_id, loser_side, loser.address)
        loser.count("appeals")
        if m.balance(winner.address) < cost:
            return False  # the appellant wins by default
        self.court.appeal(d.dispute_id, ruling.to_bytes(32, "big"), sender=winner.address)
        winner.count("appeal_defences")
        return m.fund_appeal(d.dispute_id, ruling, winner.address)

    def _fund_both_sides(self, d: Dispute, griefer: Agent, loser_side: int, ruling: int) -> bool:
        """The appeal griefer funds the losing side, then the winning one:
        a round of 2n + 1 seats opens, whatever the ruling."""
        m = self.model
        for side in (loser_side, ruling):
            self.court.appeal(d.dispute_id, side.to_bytes(32, "big"), sender=griefer.address)
            opened = m.fund_appeal(d.dispute_id, side, griefer.address)
        griefer.count("appeals_both_sides")
        return opened

    def _execute(self, d: Dispute) -> None:
        """The keeper executes every round, then the ruling; the model follows."""
        m, keeper = self.model, self.by_role[Role.KEEPER][0]
        rounds = len(m.disputes[d.dispute_id].rounds)
        for r in range(rounds):
            if self.sys.court_lens.round_info(
                self.court.address, d.dispute_id, r
            ).jurors:  # a round closed empty has none
                self.court.execute(d.dispute_id, r, MAX_BATCH, sender=keeper.address)
        ruling, _, _ = m.final_ruling(d.dispute_id)
        changes = m.execute(d.dispute_id)
        parties = {p.address for p in d.parties.values()}
        for juror, change in changes.items():
            j = self.by_address[juror]
            j.count("coherent" if change > 0 else "incoherent")
            if j.role != Role.JUROR and juror not in parties:
                j.count("juror_income", change)  # a staking party judging others' cases
        self._outvoted(d, changes)
        self.court.execute_ruling(d.dispute_id, sender=keeper.address)
        kind, a, e = d.subject
        if kind == "task":
            self._judged_against_truth(d, a, ruling)
            self._contest_lost(d, a, ruling)
            m.rule_task(a, ruling, self._now())
            annotator = self.by_address[m.tasks[a].annotator]
            annotator.count({0: "split", 1: "accepted", 2: "rejected"}[ruling])
        else:
            m.rule_report(a, e, ruling, self._now())
            outcome = {0: "challenges_refused", 1: "challenges_won", 2: "frauds_ruled"}[ruling]
            self.nodes[a].count(outcome)
        self.dispute_log.append(
            {
                "dispute_id": d.dispute_id,
                "subject": kind,
                "right": d.right,
                "ruling": ruling,
                "rounds": rounds,
                "cheater": d.cheater.group if d.cheater else "",
                "correct": int(ruling == d.right),
            }
        )

    def _outvoted(self, d: Dispute, changes: dict[str, int]) -> None:
        """On a self-judging requester's dispute, the other jurors' penalties
        (outvoted by the party on its own panel) are its victims' loss."""
        judge = d.parties.get(2)
        if judge is None or judge.kind != "self-judging" or d.right != 1:
            return
        self.lose(judge, sum(-c for j, c in changes.items() if c < 0 and j != judge.address))

    def _judged_against_truth(self, d: Dispute, task_id: int, ruling: int) -> None:
        """A self-judging requester's win over good work: the annotator
        loses the reward it earned and, on a rejection, its slash."""
        requester = d.parties[2]
        if requester.kind != "self-judging" or d.right != 1 or ruling == 1:
            return
        m, t = self.model, self.model.escrow_terms
        task = m.tasks[task_id]
        if ruling == 2:
            slashed = task.remaining_stake(t) * t.reject_slash_bps // BPS
            self.lose(requester, task.reward + slashed)
        else:
            self.lose(requester, task.reward // 2)

    def _contest_lost(self, d: Dispute, task_id: int, ruling: int) -> None:
        """A planter's gold contest ruled against the annotator: it loses
        its gold slashes and the reward (ruling 2), or half the reward (0)."""
        m, requester = self.model, d.parties[2]
        task = m.tasks[task_id]
        if not task.contest or requester.kind != "planting" or ruling == 1:
            return
        if ruling == 2:
            self.lose(requester, task.stake - task.remaining_stake(m.escrow_terms) + task.reward)
        else:
            self.lose(requester, task.reward // 2)

    def victim_losses(self) -> dict[str, int]:
        """Per adversary group, what its attacks cost others (base units);
        a griefer's is what frozen disputes lock of others."""
        losses = dict(self.victim_loss)
        griefers = [a for a in self.agents if a.kind == "griefing"]
        if griefers:
            losses[griefers[0].group] = losses.get(griefers[0].group, 0) + self.frozen_value()
        return losses

    def frozen_value(self) -> int:
        """What frozen disputes hold of others than their griefers: juror
        stake locked in their rounds, and the escrowed reward, fee and stake
        of frozen tasks not posted by a griefer (base units)."""
        m, lock = self.model, self.model.court_terms.seat_lock
        total = 0
        for d in self.frozen:
            rounds = m.disputes[d.dispute_id].rounds
            total += sum(sum(r.seats.values()) for r in rounds) * lock
            kind, task_id, _ = d.subject
            if kind == "task" and d.parties[2].kind != "griefing":
                task = m.tasks[task_id]
                total += task.reward + task.fee + task.remaining_stake(m.escrow_terms)
        return total

    def _salt(self, juror: Agent, dispute_id: int, round_: int) -> bytes:
        """The juror's salt, derived from its key (`labeldao.court`), kept for the reveal."""
        key = (juror.address, dispute_id, round_)
        if key not in self._salts:
            self._salts[key] = derive_salt(
                juror.private_key,
                court=self.court.address,
                chain_id=boa.env.evm.patch.chain_id,
                dispute_id=dispute_id,
                round_=round_,
            )
        return self._salts[key]

    def _withdrawals(self) -> None:
        m = self.model
        for a in self.agents:
            if m.escrow_claimable.get(a.address):
                self.escrow.withdraw(sender=a.address)
                m.escrow_withdraw(a.address)
            if m.registry_credits.get(a.address):
                self.registry.withdraw(sender=a.address)
                m.registry_withdraw(a.address)
            if m.court_claimable.get(a.address):
                self.court.withdraw(sender=a.address)
                m.court_withdraw(a.address)

    # -- the model check ----------------------------------------------------

    def check(self, epoch: int) -> None:
        """Compares every tracked quantity with the chain; raises on a difference."""
        m = self.model
        accounts = [a.address for a in self.agents] + [self.faucet]
        rows = []
        for (what, subject), expected in m.expected(accounts).items():
            actual = self._read(what, subject)
            if actual != expected:
                rows.append((f"{what}({self._name(subject)})", expected, actual))
        rows += [(f"conservation: {p}", 0, 1) for p in m.conservation()]
        if rows:
            raise ModelMismatch(epoch, rows)
        m.changed_tasks.clear()
        self.checks += 1

    def _read(self, what: str, subject: str) -> int:
        if what == "balanceOf":
            return self.token.balanceOf(subject)
        if what == "totalSupply":
            return self.token.totalSupply()
        if what == "escrow.claimable":
            return self.escrow.claimable(subject)
        if what == "registry.credits":
            return self.registry.credits(subject)
        if what == "court.free":
            return self.sys.court_lens.juror_status(self.court.address, subject).free
        if what == "court.locked":
            return self.sys.court_lens.juror_status(self.court.address, subject).locked
        if what == "court.claimable":
            return self.court.claimable(subject)
        if what == "registry.stake":
            return self.registry.node(int(subject)).stake
        if what == "task.status":
            return int(self.escrow.tasks(int(subject)).status)
        raise ValueError(f"unknown quantity {what}")

    def _name(self, subject: str) -> str:
        if subject in self.by_address:
            return self.by_address[subject].name
        names = {
            self.treasury: "treasury",
            self.faucet: "faucet",
            self.escrow.address: "escrow",
            self.court.address: "court",
            self.registry.address: "registry",
        }
        return names.get(subject, subject)

    # -- accounting for the results -----------------------------------------

    def wealth(self) -> dict[str, int]:
        """Everything each agent owns, wherever it is (model values, checked
        on chain), by address: one pass over nodes and tasks for all agents,
        so an epoch's accounting does not grow with agents x tasks."""
        m = self.model
        total: dict[str, int] = {}
        for a in self.agents:
            owned = m.balance(a.address) + m.escrow_claimable.get(a.address, 0)
            owned += m.registry_credits.get(a.address, 0)
            owned += m.court_claimable.get(a.address, 0)
            if (state := m.jurors.get(a.address)) is not None:
                owned += state.free + state.locked
            total[a.address] = owned
        for n in m.nodes.values():
            if n.owner in total:
                total[n.owner] += n.stake
        for t in m.tasks.values():
            if t.status & LIVE:
                if t.requester in total:
                    total[t.requester] += t.reward + t.fee + t.bond
                if t.annotator in total:
                    total[t.annotator] += t.remaining_stake(m.escrow_terms)
        return total

    def _epoch_rows(self, epoch: int) -> list[dict[str, Any]]:
        groups: dict[str, list[int]] = {}
        slashed: dict[str, int] = {}
        wealth = self.wealth()
        for a in self.agents:
            if a.role == Role.KEEPER:
                continue
            groups.setdefault(a.group, []).append(wealth[a.address] - a.funded)
            slashed[a.group] = slashed.get(a.group, 0) + self.model.slashed.get(a.address, 0)
        correct = sum(d["correct"] for d in self.dispute_log)
        return [
            {
                "epoch": epoch,
                "group": group,
                "agents": len(nets),
                "mean_net_ldao": sum(nets) / len(nets) / LDAO,
                "slashed_ldao": slashed[group] / LDAO,
                "disputes": len(self.dispute_log),
                "dispute_accuracy": correct / len(self.dispute_log) if self.dispute_log else 1.0,
            }
            for group, nets in sorted(groups.items())
        ]


def _planted_failure_args(
    task_id: int,
    gold: ValueTree,
    planted: ag.PlantedGold,
    sheet: AnswerTree,
    item: int,
    given: int,
) -> tuple[int, int, bytes, bytes, list[bytes], bytes, list[bytes]]:
    """`prove_gold_failure`'s arguments against a planted (contradictory)
    gold tree: the gold leaf of `item` whose answer differs from `given`."""
    label = planted.failing_answer(item, given)
    if label is None:
        raise ValueError(f"item {item}: no planted answer differs from {given}")
    row = (item, _answer(label), planted.salts[(item, label)])
    submitted = sheet.answers[item]
    return (task_id, item, row[1], row[2], gold.proof(row), submitted, sheet.proof(item))


def _answer(label: int) -> bytes:
    """The answer hash of a label (`labeldao.annotations.answer_hash` of its text)."""
    return keccak(f"label-{label}".encode())


def _deploy(path: Path, scenario: Scenario) -> BoaSystem:
    """The suite with the scenario's parameters; a parameter the contracts
    refuse is the scenario's error, reported as such."""
    try:
        return deploy_boa(path)
    except (DeployError, ParamsError) as error:
        raise ScenarioError(f"scenario {scenario.name}: protocol parameters: {error}") from None
    except BoaError as error:
        found = re.search(r"^\[E\][^\n]*<([^<>\n]+)>\s*$", str(error), re.MULTILINE)
        detail = found.group(1) if found else "reverted"
        raise ScenarioError(
            f"scenario {scenario.name}: the contracts refused the protocol parameters: {detail}"
        ) from None


class EpochMarks:
    """Per epoch: its wall time, the transactions and messages it sent, and
    the process's resident memory at its end (is the cost of an epoch flat
    as the run goes on, and does memory stay bounded?)."""

    def __init__(self, recorder: CallRecorder, started: float) -> None:
        self.recorder, self.last, self.cpu = recorder, started, time.process_time()
        self.seen = (recorder.calls, recorder.transactions)
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []  # this process's CPU: robust to a busy machine
        self.transactions: list[int] = []
        self.messages: list[int] = []
        self.rss_mb: list[float] = []

    def mark(self) -> None:
        now, recorder = time.perf_counter(), self.recorder
        self.messages.append(recorder.calls - self.seen[0])
        self.transactions.append(recorder.transactions - self.seen[1])
        self.seconds.append(now - self.last)
        cpu = time.process_time()
        self.cpu_seconds.append(cpu - self.cpu)
        self.cpu = cpu
        self.rss_mb.append(resident_mb())
        self.last, self.seen = now, (recorder.calls, recorder.transactions)

    def as_extra(self) -> dict[str, list[Any]]:
        return {
            "epoch_seconds": self.seconds,
            "epoch_cpu_seconds": self.cpu_seconds,
            "epoch_transactions": self.transactions,
            "epoch_messages": self.messages,
            "epoch_rss_mb": self.rss_mb,
        }


def resident_mb() -> float:
    """This process's resident memory now, in MB (Linux `/proc`; the peak
    from `getrusage` elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return round(pages * resource.getpagesize() / 2**20, 1)
    except (OSError, IndexError, ValueError):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def compile_all() -> None:
    """Compiles every contract of the suite once in this process."""
    for name in CONTRACTS:
        if name != GOVERNOR:  # Solidity, deployed with a [governor] table only
            deployer(name)


@contextmanager
def fresh_chain(seed: int) -> Iterator[None]:
    """A new titanoboa environment (this process's own chain) for one run."""
    with boa.swap_env(Env()):
        boa.env.set_random_seed(f"labeldao-sim:{seed}")
        boa.env.evm.patch.timestamp = START_TIMESTAMP
        boa.env.evm.patch.block_number = START_BLOCK
        yield


def probe(scenario: Scenario) -> None:
    """Deploys the suite with the scenario's protocol parameters on a
    throw-away chain: a `ScenarioError` if the plan or the contracts refuse
    them (checked before any run starts)."""
    compile_all()
    with fresh_chain(0), tempfile.TemporaryDirectory() as tmp:
        _deploy(params_file(scenario, Path(tmp)), scenario)


def run(
    scenario: Scenario,
    seed: int,
    *,
    on_epoch: Callable[[int], None] | None = None,
    measure: bool = True,
    ledger: Path | None = None,
) -> RunResult:
    """Deploys the suite on a fresh titanoboa environment, runs every epoch
    with the model check, and (with `measure`) replays the run's messages
    raw to compare throughput. Timed: the simulation after deployment
    (agents' set-up, every epoch, every model check), against the raw
    replay of exactly the messages it sent. With `ledger` (a SQLite file),
    the run ends with `ledger_check`: its events indexed there and
    reconciled with the contracts; the outcome is `extra["ledger"]`
    (`ledger_check.require` raises on a difference)."""
    compile_all()  # outside the timed part
    # Every message is kept only when it is replayed: a year keeps millions.
    recorder = CallRecorder(keep=measure)
    logs = LogRecorder() if ledger is not None else None
    with fresh_chain(seed), tempfile.TemporaryDirectory() as tmp:
        path = params_file(scenario, Path(tmp))
        with recorder.recording(), ledger_check.recording(logs):
            system = _deploy(path, scenario)
            deployed = (len(recorder.messages), recorder.calls, recorder.transactions)
            started = time.perf_counter()
            sim = Simulation(scenario, seed, system)
            sim.setup()
            marks = EpochMarks(recorder, time.perf_counter())
            for epoch in range(scenario.epochs):
                sim.run_epoch(epoch)
                journal.compact(boa.env)  # between transactions: no open checkpoint
                marks.mark()
                if on_epoch is not None:
                    on_epoch(epoch)
            harness = time.perf_counter() - started
        checked = ledger_check.check(logs, system, ledger) if logs is not None and ledger else None
    owned = sim.wealth()
    messages = recorder.messages[deployed[0] :]
    result = RunResult(
        scenario=scenario,
        seed=seed,
        agents=sim.agents,
        epochs=sim.epoch_rows,
        disputes=sim.dispute_log,
        providers={
            p.name: {
                "delivered_units": sim.delivered.get(p.name, 0),
                "rewards": p.stats.get("rewards", 0),
            }
            for p in sim.by_role.get(Role.PROVIDER, [])
        },
        wealth={a.name: owned[a.address] for a in sim.agents},
        model_checks=sim.checks,
        transactions=recorder.transactions - deployed[2],
        messages=recorder.calls - deployed[1],
        harness_seconds=harness,
        slashed=dict(sim.model.slashed),
        victim_loss=sim.victim_losses(),
        frozen_disputes=len(sim.frozen),
        extra=marks.as_extra(),
    )
    if checked is not None:
        result.extra["ledger"] = checked.as_dict()
    if measure:
        # Replay the deployment untimed, then the simulation's own messages
        # on top of it: the timed part is the same calls the harness timed.
        raw = Env()
        replay(recorder.messages[: deployed[0]], raw)
        result.replay_seconds = replay(messages, raw)
    return result
