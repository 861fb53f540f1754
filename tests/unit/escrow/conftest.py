"""TaskEscrow fixtures: personas, a deployed escrow and task factories.

Personas: `requester` (alice, signs permits), `annotator` (bob), `stranger`
(carol), `treasury`, `timelock` (PARAMS_ROLE), `guardian` (GUARDIAN_ROLE).
The arbitrator is `MockArbitrator` (fee `ARBITRATION_FEE`).

Every task of the factories has `N_ITEMS` items, three of them gold items
(`GOLD_INDICES`); `HONEST` answers every gold item right, `CHEATER`
answers every gold item wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import boa
import pytest
from eth_utils import keccak

from labeldao.annotations import (
    AnswerTree,
    GoldItem,
    GoldTree,
    answer_hash,
    answer_tree,
    gold_failure_args,
    gold_tree,
)
from labeldao.boa_tools import deployer

LDAO = 10**18
DAY = 86_400
REWARD = 100 * LDAO
STAKE = 20 * LDAO
ARBITRATION_FEE = 5 * LDAO
N_ITEMS = 10
GOLD_INDICES = (1, 4, 7)
DEADLINE_IN = 7 * DAY
REVIEW_PERIOD = 3 * DAY
SPEC_HASH = keccak(text="spec: label 10 images")
SPEC_URI = "ipfs://spec"
RESULT_URI = "ipfs://result"
REASON = keccak(text="reason: answers are random")

# Default parameters (constructor).
FEE_BPS = 250
GOLD_SLASH_BPS = 1_000
GOLD_FAIL_LIMIT = 3
REJECT_SLASH_BPS = 5_000
LATE_SLASH_BPS = 1_000
SLASH_TREASURY_BPS = 2_000
BONUS_PER_ITEM = 10**17
BONUS_FEE_CAP_BPS = 5_000
EPOCH_BUDGET = 100_000 * LDAO
GOLD_BOND = 30 * LDAO
GOLD_CONTEST_PERIOD = 3 * DAY
FEE = REWARD * FEE_BPS // 10_000
GOLD_SLASH = STAKE * GOLD_SLASH_BPS // 10_000
COST = REWARD + FEE + GOLD_BOND  # a task with gold items: reward, fee and gold bond
EVIDENCE_URI = "data:application/json,{}"


def gold_items() -> list[GoldItem]:
    """The requester's hidden gold items."""
    return [GoldItem(i, answer_hash(f"gold-{i}"), keccak(text=f"salt-{i}")) for i in GOLD_INDICES]


def answers(wrong: tuple[int, ...] = ()) -> AnswerTree:
    """An annotator's answers: right on every gold item except `wrong`."""
    sheet = {}
    for i in range(N_ITEMS):
        good = f"gold-{i}" if i in GOLD_INDICES else f"label-{i}"
        sheet[i] = answer_hash(f"wrong-{i}" if i in wrong else good)
    return answer_tree(sheet)


HONEST = answers()
CHEATER = answers(wrong=GOLD_INDICES)


@pytest.fixture(scope="session")
def requester(alice):
    return alice


@pytest.fixture(scope="session")
def annotator(bob):
    return bob


@pytest.fixture(scope="session")
def stranger(carol):
    return carol


@pytest.fixture(scope="session")
def timelock() -> str:
    return boa.env.generate_address("timelock")


@pytest.fixture(scope="module")
def gold() -> GoldTree:
    return gold_tree(gold_items())


@pytest.fixture(scope="module")
def arbitrator(token, admin):
    with boa.env.prank(admin):
        return deployer("MockArbitrator", "tests/mocks").deploy(token.address, ARBITRATION_FEE)


@pytest.fixture(scope="module")
def escrow(token, arbitrator, admin, treasury, timelock, guardian):
    """TaskEscrow with the default parameters, roles wired, MINTER_ROLE on LDAO."""
    with boa.env.prank(admin):
        contract = deployer("TaskEscrow").deploy(token.address, arbitrator.address, treasury)
        contract.grantRole(contract.PARAMS_ROLE(), timelock)
        contract.grantRole(contract.GUARDIAN_ROLE(), guardian)
        token.grantRole(token.MINTER_ROLE(), contract.address)
    return contract


def now() -> int:
    return boa.env.evm.patch.timestamp


@pytest.fixture(scope="module")
def new_task(escrow, token, fund, requester, gold) -> Callable[..., int]:
    """Funds and approves the requester, then creates a task: `new_task(**overrides)`."""

    def _new_task(
        *,
        n_items: int = N_ITEMS,
        reward: int = REWARD,
        stake: int = STAKE,
        deadline: int | None = None,
        review_period: int = REVIEW_PERIOD,
        gold_root: bytes | None = None,
        sender: str | None = None,
    ) -> int:
        who = sender or requester.address
        cost = escrow.task_cost(reward)
        fund(who, cost)
        token.approve(escrow.address, cost, sender=who)
        return escrow.create_task(
            SPEC_HASH,
            SPEC_URI,
            n_items,
            reward,
            stake,
            now() + DEADLINE_IN if deadline is None else deadline,
            review_period,
            gold.root if gold_root is None else gold_root,
            sender=who,
        )

    return _new_task


@pytest.fixture(scope="module")
def claim(escrow, token, fund, annotator) -> Callable[..., None]:
    """Funds and approves the annotator, then claims: `claim(task_id)`."""

    def _claim(task_id: int, sender: str | None = None) -> None:
        who = sender or annotator.address
        stake = escrow.tasks(task_id).stake
        fund(who, stake)
        token.approve(escrow.address, stake, sender=who)
        escrow.claim_task(task_id, sender=who)

    return _claim


@pytest.fixture(scope="module")
def claimed_task(new_task, claim) -> Callable[..., int]:
    """A claimed task: `claimed_task(**create_overrides)`."""

    def _claimed_task(**overrides: object) -> int:
        task_id = new_task(**overrides)
        claim(task_id)
        return task_id

    return _claimed_task


@pytest.fixture(scope="module")
def submitted_task(escrow, claimed_task, annotator) -> Callable[..., int]:
    """A submitted task: `submitted_task(sheet=HONEST, **create_overrides)`."""

    def _submitted_task(sheet: AnswerTree = HONEST, **overrides: object) -> int:
        task_id = claimed_task(**overrides)
        escrow.submit(task_id, sheet.root, RESULT_URI, sender=annotator.address)
        return task_id

    return _submitted_task


@pytest.fixture(scope="module")
def reject(escrow, token, fund, requester) -> Callable[[int], int]:
    """Funds and approves the arbitration fee, then rejects: returns the dispute id."""

    def _reject(task_id: int) -> int:
        fund(requester.address, ARBITRATION_FEE)
        token.approve(escrow.address, ARBITRATION_FEE, sender=requester.address)
        return escrow.reject(task_id, REASON, sender=requester.address)

    return _reject


@pytest.fixture(scope="module")
def disputed_task(submitted_task, reject) -> Callable[..., tuple[int, int]]:
    """A rejected task under dispute: returns `(task_id, dispute_id)`."""

    def _disputed_task(sheet: AnswerTree = HONEST, **overrides: object) -> tuple[int, int]:
        task_id = submitted_task(sheet, **overrides)
        return task_id, reject(task_id)

    return _disputed_task


@pytest.fixture(scope="module")
def gold_failed_task(escrow, submitted_task, requester, gold) -> Callable[..., int]:
    """A task whose every gold item was proven wrong: GOLD_FAILED, its contest window open."""

    def _gold_failed_task(sheet: AnswerTree = CHEATER, **overrides: object) -> int:
        task_id = submitted_task(sheet, **overrides)
        for item in GOLD_INDICES:
            args = gold_failure_args(task_id, gold, sheet, item)
            escrow.prove_gold_failure(*args, sender=requester.address)
        return task_id

    return _gold_failed_task


@pytest.fixture(scope="module")
def contest(escrow, token, fund, annotator) -> Callable[..., int]:
    """Funds and approves the arbitration fee, then the annotator contests the gold."""

    def _contest(task_id: int, evidence: str = EVIDENCE_URI) -> int:
        fund(annotator.address, ARBITRATION_FEE)
        token.approve(escrow.address, ARBITRATION_FEE, sender=annotator.address)
        return escrow.contest_gold(task_id, evidence, sender=annotator.address)

    return _contest


@pytest.fixture(scope="module")
def params_with(escrow) -> Callable[..., tuple]:
    """The current parameters with some fields changed, as `set_params` takes them."""

    def _params_with(**changes: object) -> tuple:
        fields = escrow.current_params()._asdict()
        unknown = set(changes) - set(fields)
        assert not unknown, f"unknown parameters {unknown}"
        fields.update(changes)
        return tuple(fields.values())

    return _params_with
