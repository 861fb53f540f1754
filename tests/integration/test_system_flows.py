"""The whole suite, deployed by the same plan as `ape run deploy`
(`labeldao.system`), with the real QualityCourt as the escrow's and the
registry's arbitrator (ERC-792 only; no mock anywhere).

- A rejected annotation goes through dispute -> draw -> commit -> reveal ->
  appeal -> a 7-seat panel -> execution -> the escrow's ruling; every
  party's balance is checked.
- A GPU report is challenged, the court rules it fraudulent, and the
  registry slashes the provider.

Parameters: tests/integration/system.toml (the court's periods are short;
everything else is the contracts' defaults).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_utils import keccak

from labeldao.annotations import GoldItem, answer_hash, answer_tree, gold_tree
from labeldao.config import load_params
from labeldao.escrow import TaskStatus, bps_of, fee_of
from labeldao.registry import REPORT_VOIDED, slash_split
from labeldao.system import deploy_ape
from tests.integration import court_steps

LDAO = 10**18
DAY = 86_400
EPOCH_SECONDS = 600  # the court's stake-snapshot epoch (tests/integration/system.toml)
REWARD = 100 * LDAO
STAKE = 20 * LDAO
N_ITEMS = 4
JUROR_STAKE = 300 * LDAO
PARAMS = Path(__file__).with_name("system.toml")
GOLD = gold_tree([GoldItem(0, answer_hash("gold-0"), keccak(text="salt-0"))])
ANSWERS = answer_tree({i: answer_hash(f"label-{i}") for i in range(N_ITEMS)})


@pytest.fixture(scope="module")
def people(accounts):
    return {
        "deployer": accounts[0],
        "requester": accounts[1],
        "annotator": accounts[2],
        "jurors": list(accounts[3:9]),
        "treasury": accounts[9],
    }


@pytest.fixture(scope="module")
def suite(project, people, accounts):
    params = load_params(PARAMS, is_local=True, test_account=lambda i: str(accounts[i].address))
    contracts = deploy_ape(project, people["deployer"], params)
    court = contracts["QualityCourt"]
    for juror in people["jurors"]:
        contracts["RewardToken"].approve(court, JUROR_STAKE, sender=juror)
        court.stake(JUROR_STAKE, sender=juror)
    return contracts


def _holdings(suite, accounts) -> dict[str, int]:
    """What each account owns: LDAO in its wallet, plus its stake and credits
    in the court and its credits in the escrow and the registry."""
    token, court = suite["RewardToken"], suite["QualityCourt"]
    escrow, registry = suite["TaskEscrow"], suite["ComputeRegistry"]
    holdings = {}
    for account in accounts:
        status = suite["QualityCourtLens"].juror_status(court, account)
        holdings[str(account)] = (
            token.balanceOf(account)
            + status.free
            + status.locked
            + status.pending_withdrawal
            + status.claimable
            + escrow.claimable(account)
            + registry.credits(account)
        )
    return holdings


def test_rejected_annotation__court_with_appeal__rules_for_the_requester(
    suite, people, chain, tmp_path
):
    token, court, escrow = suite["RewardToken"], suite["QualityCourt"], suite["TaskEscrow"]
    requester, annotator, jurors = people["requester"], people["annotator"], people["jurors"]
    keeper = people["deployer"]
    by_address = {str(j.address): j for j in jurors}
    court_steps.next_epoch(chain, EPOCH_SECONDS)  # the stakes enter the snapshot
    parties = [requester, annotator, people["treasury"], *jurors]
    start = _holdings(suite, parties)

    # The requester funds a task; the annotator stakes and submits.
    token.approve(escrow, escrow.task_cost(REWARD), sender=requester)
    receipt = escrow.create_task(
        keccak(text="spec"),
        "ipfs://spec",
        N_ITEMS,
        REWARD,
        STAKE,
        chain.blocks.head.timestamp + 7 * DAY,
        DAY,
        GOLD.root,
        sender=requester,
    )
    (created,) = receipt.decode_logs(escrow.TaskCreated)
    task = created.task_id
    token.approve(escrow, STAKE, sender=annotator)
    escrow.claim_task(task, sender=annotator)
    escrow.submit(task, ANSWERS.root, "ipfs://answers", sender=annotator)

    # The requester rejects: the escrow pays the court's fee and opens a dispute.
    fee = court.arbitrationCost(b"")
    token.approve(escrow, fee, sender=requester)
    receipt = escrow.reject(task, keccak(text="off-spec"), sender=requester)
    (rejected,) = receipt.decode_logs(escrow.TaskRejected)
    dispute = rejected.dispute_id
    assert suite["QualityCourtLens"].dispute_info(court, dispute).arbitrable == escrow.address
    assert escrow.tasks(task).status == TaskStatus.DISPUTED

    # Round 0 (3 seats): the work stands.
    first = court_steps.draw(court, chain, keeper, dispute)
    assert first.panel == 3
    court_steps.vote(
        court,
        chain,
        by_address,
        dispute,
        0,
        dict.fromkeys(court_steps.seated(court, dispute, 0), 1),
    )
    court_steps.travel_to(chain, first.appeal_start)
    assert court.currentRuling(dispute) == 1

    # The requester appeals (side 2), the annotator defends (side 1).
    appeal_cost = court.appealCost(dispute, (2).to_bytes(32, "big"))
    for funder, side in ((requester, 2), (annotator, 1)):
        token.approve(court, appeal_cost, sender=funder)
        court.appeal(dispute, side.to_bytes(32, "big"), sender=funder)

    # Round 1 (7 seats): the work is rejected.
    second = court_steps.draw(court, chain, keeper, dispute)
    assert second.panel == 7
    court_steps.vote(
        court,
        chain,
        by_address,
        dispute,
        1,
        dict.fromkeys(court_steps.seated(court, dispute, 1), 2),
    )
    court_steps.travel_to(chain, second.appeal_end)
    assert court.disputeStatus(dispute) == 2

    court_steps.execute_all(court, keeper, dispute)
    settled = escrow.tasks(task)
    assert settled.status == TaskStatus.REJECTED
    info = suite["QualityCourtLens"].dispute_info(court, dispute)
    assert (info.final, info.ruling, info.ruling_executed) == (True, 2, True)

    # Everybody's holdings, from the rules: round 0's panel voted against the
    # final ruling, so its seat locks and its fee go to the treasury (no
    # coherent juror); round 1's unanimous panel shares the appeal deposit.
    seat_lock = court.params(court.params_version()).min_juror_stake  # alpha = 100 %
    round0_seats = sum(
        suite["QualityCourtLens"].juror_round(court, dispute, 0, j).seats
        for j in court_steps.seated(court, dispute, 0)
    )
    slash = bps_of(STAKE, 5_000)
    escrow_treasury = bps_of(slash, 2_000)
    delta = {a: b - start[a] for a, b in _holdings(suite, parties).items()}
    # Requester: reward and fee back, the slash minus the treasury's share;
    # it paid round 0's fee; its appeal deposit came back (its side won).
    assert delta[str(requester)] == slash - escrow_treasury - fee
    # Annotator: lost the slash and its appeal deposit, which paid round 1.
    assert delta[str(annotator)] == -slash - appeal_cost
    assert delta[str(people["treasury"])] == escrow_treasury + fee + round0_seats * seat_lock
    assert sum(delta[str(j)] for j in jurors) == appeal_cost - round0_seats * seat_lock
    assert sum(delta.values()) == 0

    # Everybody collects what is credited; the contracts keep only what they owe.
    for account in (requester, annotator, people["treasury"]):
        escrow.withdraw(sender=account)
    for account in (people["treasury"], *jurors):
        if suite["QualityCourtLens"].juror_status(court, account).claimable:
            court.withdraw(sender=account)
    assert escrow.claimable(requester) == 0
    assert token.balanceOf(escrow) == escrow.liabilities()
    gold_bond = escrow.current_params().gold_bond  # in `task_cost`, for a task with gold
    assert fee_of(REWARD, 250) == escrow.task_cost(REWARD) - REWARD - gold_bond

    # The ledger indexed from the node agrees with the contracts.
    ledger = _ledger_reconciles(suite, chain, tmp_path)
    assert [(t["task_id"], t["status"]) for t in ledger["tasks"]] == [(task, "rejected")]
    assert [(d["task_id"], d["rounds"], d["ruling"]) for d in ledger["disputes"]] == [(task, 2, 2)]


def test_fraudulent_gpu_report__court_rules_fraud__registry_slashes(suite, people, chain, tmp_path):
    token, court, registry = suite["RewardToken"], suite["QualityCourt"], suite["ComputeRegistry"]
    provider, challenger, jurors = people["annotator"], people["requester"], people["jurors"]
    keeper = people["deployer"]
    by_address = {str(j.address): j for j in jurors}
    court_steps.next_epoch(chain, EPOCH_SECONDS)

    stake = registry.required_stake(0, 2)
    token.approve(registry, stake, sender=provider)
    receipt = registry.register_node(keccak(text="rig"), "ipfs://rig", 2, 0, sender=provider)
    (registered,) = receipt.decode_logs(registry.NodeRegistered)
    node = registered.node_id
    epoch = registry.current_epoch() + 1  # the first full epoch after registration
    epoch_end = registry.GENESIS() + (epoch + 1) * registry.EPOCH_LENGTH()
    court_steps.travel_to(chain, epoch_end + 60)
    registry.report(
        node, epoch, registry.max_work_units(node, epoch), 10_000, keccak(text="r"), sender=provider
    )

    bond_and_fee = registry.params().challenge_bond + court.arbitrationCost(b"")
    token.approve(registry, bond_and_fee, sender=challenger)
    receipt = registry.challenge(node, epoch, "ipfs://proof", sender=challenger)
    (challenged,) = receipt.decode_logs(registry.ReportChallenged)
    dispute = challenged.dispute_id
    assert suite["QualityCourtLens"].dispute_info(court, dispute).arbitrable == registry.address

    court_steps.next_epoch(chain, EPOCH_SECONDS)
    first = court_steps.draw(court, chain, keeper, dispute)
    court_steps.vote(
        court,
        chain,
        by_address,
        dispute,
        0,
        dict.fromkeys(court_steps.seated(court, dispute, 0), 2),
    )
    court_steps.travel_to(chain, first.appeal_end)
    court_steps.execute_all(court, keeper, dispute)

    # The whole stake (the default), the challenger's fee refunded first.
    fee = challenged.fee
    to_challenger, to_treasury = slash_split(stake, 10_000, 5_000, fee)
    assert registry.node(node).stake == stake - to_challenger - to_treasury == 0
    assert registry.node(node).convicted
    assert registry.report_of(node, epoch).status == REPORT_VOIDED
    before = token.balanceOf(challenger)
    registry.withdraw(sender=challenger)
    assert token.balanceOf(challenger) - before == registry.params().challenge_bond + to_challenger
    assert token.balanceOf(registry) == registry.accounted()

    # The ledger indexed from the node agrees with the contracts.
    ledger = _ledger_reconciles(suite, chain, tmp_path)
    assert [(d["node_id"], d["rounds"], d["ruling"]) for d in ledger["disputes"]] == [(node, 1, 2)]
    assert [e["epoch"] for e in ledger["epochs"]] == [epoch]


def _ledger_reconciles(suite, chain, folder: Path) -> dict[str, list]:
    """Indexes the suite's logs from the node into a fresh SQLite ledger,
    fails on any difference `reconcile` finds with the contracts' views
    (balances, supply, task status, node and juror stakes, epoch totals,
    the work summaries), and returns the ledger's answers. Called at the end
    of a flow: Ape's isolation reverts the chain after each test."""
    from labeldao.indexer import queries
    from labeldao.indexer.verify import index_and_reconcile

    contracts = {name: str(contract.address) for name, contract in suite.items()}
    checked = index_and_reconcile(
        chain.provider.web3, contracts, f"sqlite:///{folder / 'ledger.sqlite'}"
    )
    try:
        assert checked.differences == [], checked.report()
        return {
            "tasks": queries.tasks(checked.engine),
            "disputes": queries.disputes(checked.engine),
            "epochs": queries.epochs(checked.engine),
        }
    finally:
        checked.engine.dispose()
