"""labeldao.sim.model: the reference model on hand-computed cases.

Terms: fee 2.5 %, gold slash 10 % (limit 3), reject slash 50 % (20 % of it
to the treasury), bonus 1 LDAO per item capped at 50 % of the fee; seat
lock 100 LDAO, non-reveal 2x, 10 LDAO per juror; GPU stake 100 per GPU,
bond 500, fraud slash 25 % (half to the challenger), emission 1,000 a day.
"""

from decimal import Decimal

import pytest

from labeldao.escrow import TaskStatus
from labeldao.sim.model import CourtTerms, EscrowTerms, Model, ModelError, RegistryTerms

L = 10**18
DAY = 86_400
T0 = 70 * 7 * DAY  # the start of an escrow bonus epoch


def _l(amount: str) -> int:
    """LDAO in base units, exactly."""
    return int(Decimal(amount) * L)


def _model(**escrow_changes):
    escrow = dict(
        fee_bps=250, gold_slash_bps=1_000, gold_fail_limit=3, reject_slash_bps=5_000,
        slash_treasury_bps=2_000, bonus_per_item=L, bonus_fee_cap_bps=5_000,
        epoch_budget=1_000 * L,
    )  # fmt: skip
    escrow.update(escrow_changes)
    m = Model(
        escrow_terms=EscrowTerms(**escrow),
        court_terms=CourtTerms(1_000 * L, 1_000, 20_000, 3, 10 * L),
        registry_terms=RegistryTerms(
            (100 * L, 250 * L, 500 * L, 1_000 * L),
            500 * L,
            2_500,
            5_000,
            DAY,
            0,
            1_000 * L,
            DAY,
            3 * DAY,
        ),  # fmt: skip
        cap=10**9 * L,
        treasury="treasury",
        escrow="escrow",
        court="court",
        registry="registry",
    )
    for who in ("req", "ann", "j1", "j2", "j3", "gpu1", "gpu2", "dog"):
        m.mint(who, 10_000 * L)
    return m


def _submitted(m, task_id=0, reward=100 * L, stake=50 * L, n=16, gold=False):
    m.create_task(task_id, "req", reward, stake, n, gold=gold)
    m.claim_task(task_id, "ann")
    m.submit(task_id)


def test_accept__pays_reward_stake_and_bonus__treasury_the_fee():
    m = _model()
    _submitted(m)
    assert m.balance("escrow") == _l("102.5") + 50 * L
    bonus = m.accept(0, T0)
    # bonus: min(16 x 1 LDAO, 50 % of the 2.5 LDAO fee) = 1.25 LDAO
    assert bonus == _l("1.25")
    assert m.escrow_claimable == {"ann": _l("151.25"), "treasury": _l("2.5")}
    assert m.tasks[0].status == TaskStatus.ACCEPTED
    assert m.conservation() == []


def test_accept__bonus_clamped_to_the_epoch_budget():
    m = _model(epoch_budget=2 * L)
    _submitted(m, 0)
    _submitted(m, 1)
    assert m.accept(0, T0) == _l("1.25")
    assert m.accept(1, T0 + DAY) == _l("0.75")  # what is left of 2 LDAO
    _submitted(m, 2)
    assert m.accept(2, T0 + 7 * DAY) == _l("1.25")  # a new epoch, a new budget


def test_gold_failures__held__gold_failed_at_the_limit__rejected_after_the_window():
    m = _model(gold_bond=30 * L)
    _submitted(m, gold=True)
    assert m.balance("escrow") == _l("132.5") + 50 * L  # reward, fee, gold bond, stake
    assert not m.prove_gold_failure(0)
    assert not m.prove_gold_failure(0)
    assert m.prove_gold_failure(0)
    assert m.tasks[0].status == TaskStatus.GOLD_FAILED
    assert m.escrow_claimable == {}  # the slashes are held until the task settles
    assert m.conservation() == []
    m.finalize_gold_failed(0)
    # 3 x 10 % of 50 = 15 to the treasury; 35 back; reward, fee and bond refunded
    assert m.escrow_claimable == {"treasury": 15 * L, "ann": 35 * L, "req": _l("132.5")}
    assert m.slashed["ann"] == 15 * L
    assert m.tasks[0].status == TaskStatus.REJECTED
    assert m.conservation() == []


def test_gold_contest__gold_wrong__annotator_paid_in_full_with_the_bond():
    m = _model(gold_bond=30 * L)
    _submitted(m, gold=True)
    for _ in range(3):
        m.prove_gold_failure(0)
    m.contest_gold(0, dispute_id=4)
    assert m.balance("court") == 30 * L and m.disputes[4].payer == "ann"
    assert m.tasks[0].status == TaskStatus.DISPUTED
    m.rule_task(0, 1, T0)
    # reward 100 + whole stake 50 + bonus 1.25 + bond 30; the fee to the treasury
    assert m.escrow_claimable == {"ann": _l("181.25"), "treasury": _l("2.5")}
    assert "ann" not in m.slashed
    assert m.conservation() == []


def test_gold_contest__gold_right__rejected_as_by_finalize():
    m = _model(gold_bond=30 * L)
    _submitted(m, gold=True)
    for _ in range(3):
        m.prove_gold_failure(0)
    m.contest_gold(0, dispute_id=0)
    m.rule_task(0, 2, T0)
    assert m.escrow_claimable == {"treasury": 15 * L, "ann": 35 * L, "req": _l("132.5")}
    assert m.tasks[0].status == TaskStatus.REJECTED


def test_gold_contest__refused__split_slashes_undone_bond_to_the_requester():
    m = _model(gold_bond=30 * L)
    _submitted(m, gold=True)
    for _ in range(3):
        m.prove_gold_failure(0)
    m.contest_gold(0, dispute_id=0)
    m.rule_task(0, 0, T0)
    assert m.escrow_claimable == {
        "req": 50 * L + _l("1.25") + 30 * L,
        "ann": 50 * L + 50 * L,
        "treasury": _l("1.25"),
    }
    assert m.tasks[0].status == TaskStatus.SPLIT


def test_accept__after_gold_failures__held_slashes_to_the_treasury_bond_back():
    m = _model(gold_bond=30 * L)
    _submitted(m, gold=True)
    m.prove_gold_failure(0)
    m.accept(0, T0)
    assert m.escrow_claimable == {
        "ann": 100 * L + 45 * L + _l("1.25"),
        "req": 30 * L,
        "treasury": _l("2.5") + 5 * L,
    }
    assert m.conservation() == []


def test_ruling_reject__after_a_gold_failure__splits_the_slash():
    m = _model()
    _submitted(m)
    m.prove_gold_failure(0)  # 5 held for the treasury, 45 left
    m.reject(0, dispute_id=7)
    assert m.balance("court") == 30 * L  # 3 jurors x 10
    m.rule_task(0, 2, T0)
    # 50 % of 45 = 22.5 slashed: 4.5 to the treasury, 18 to the requester
    assert m.escrow_claimable == {"req": _l("120.5"), "ann": _l("22.5"), "treasury": _l("9.5")}
    assert m.conservation() == []  # the court holds the unexecuted round's fee


def test_ruling_refused__halves_reward_and_fee_no_slash():
    m = _model()
    _submitted(m, reward=101 * L + 1)
    m.reject(0, dispute_id=0)
    m.rule_task(0, 0, T0)
    fee = (101 * L + 1) * 250 // 10_000
    half_reward, half_fee = (101 * L + 1) // 2, fee // 2
    assert m.escrow_claimable["ann"] == half_reward + 50 * L
    assert m.escrow_claimable["req"] == 101 * L + 1 - half_reward + fee - half_fee
    assert m.escrow_claimable["treasury"] == half_fee
    assert m.tasks[0].status == TaskStatus.SPLIT


def test_escrow_withdraw__pays_what_is_owed():
    m = _model()
    _submitted(m)
    m.accept(0, T0)
    before = m.balance("ann")
    assert m.escrow_withdraw("ann") == _l("151.25")
    assert m.balance("ann") == before + _l("151.25")
    assert "ann" not in m.escrow_claimable


def test_actions_out_of_order__are_model_errors():
    m = _model()
    with pytest.raises(ModelError, match="task 0"):
        m.submit(0)
    _submitted(m)
    with pytest.raises(ModelError, match="exists"):
        m.create_task(0, "req", L, L, 2)
    with pytest.raises(ModelError, match="cannot pay"):
        m.transfer("nobody", "req", 1)


def _round(m, plan, seats=None):
    """Stakes three jurors, opens dispute 0, seats them, reveals per `plan`."""
    for j in ("j1", "j2", "j3"):
        m.stake(j, 1_000 * L)
    _submitted(m)
    m.reject(0, dispute_id=0)
    for j, n in (seats or {"j1": 1, "j2": 1, "j3": 1}).items():
        m.seated(0, j, n)
    for j, choice in plan.items():
        if choice is not None:
            m.reveal(0, j, choice)


def test_execute__incoherent_lose_the_lock__coherent_share_fee_and_slashes():
    m = _model()
    _round(m, {"j1": 2, "j2": 2, "j3": 1})
    assert m.jurors["j1"].locked == 100 * L and m.jurors["j1"].free == 900 * L
    assert m.plurality(0) == (2, False)
    change = m.execute(0)
    # pool = 30 fee + 100 lock of j3; j1 and j2 share it, the last takes the dust
    assert change == {"j3": -100 * L, "j1": 65 * L, "j2": 65 * L}
    assert m.jurors["j3"].free == 900 * L and m.jurors["j3"].locked == 0
    assert m.jurors["j1"].free == 1_000 * L and m.court_claimable["j1"] == 65 * L
    with pytest.raises(ModelError, match="executed twice"):
        m.execute(0)


def test_execute__silent_juror_loses_the_multiplier_from_free_stake():
    m = _model()
    _round(m, {"j1": 1, "j2": 1, "j3": None}, seats={"j1": 1, "j2": 2, "j3": 1})
    change = m.execute(0)
    # silent: lock 100 + 100 more from free stake; pool 30 + 200 by seats 1:2
    assert change["j3"] == -200 * L
    assert m.jurors["j3"].free == 800 * L
    assert change["j1"] == 230 * L * 1 // 3
    assert change["j2"] == 230 * L - 230 * L * 1 // 3


def test_execute__tie__every_revealer_coherent_ruling_zero():
    m = _model()
    _round(m, {"j1": 1, "j2": 2, "j3": None})
    assert m.plurality(0) == (0, True)
    change = m.execute(0)
    assert change["j1"] > 0 and change["j2"] > 0 and change["j3"] == -200 * L


def test_execute__nobody_coherent__pool_to_the_treasury():
    m = _model()
    _round(m, {"j1": None, "j2": None, "j3": None})
    m.execute(0)
    assert m.court_claimable["treasury"] == 30 * L + 3 * 200 * L


def _appealed(m, plan0, plan1, defend=True):
    """Round 0 per `plan0` (j1-j3, one seat each), the loser (requester, side 2)
    appeals, the annotator (side 1) defends; round 1 seats j1 3, j2 2, j3 2."""
    _round(m, plan0)
    assert m.plurality(0) == (1, False)
    assert m.appeal_cost(0) == 70 * L  # 10 x (2 x 3 + 1)
    assert not m.fund_appeal(0, 2, "req")
    if defend:
        assert m.fund_appeal(0, 1, "ann")
        for j, n in (("j1", 3), ("j2", 2), ("j3", 2)):
            m.seated(0, j, n)
        for j, choice in plan1.items():
            m.reveal(0, j, choice)


def test_appeal__overturned__winner_funder_refunded_both_rounds_judged_on_the_last():
    m = _model()
    _appealed(m, {"j1": 1, "j2": 1, "j3": 2}, {"j1": 2, "j2": 2, "j3": 2})
    assert len(m.disputes[0].rounds) == 2 and m.disputes[0].rounds[1].fee == 70 * L
    assert m.conservation() == []
    assert m.final_ruling(0) == (2, 2, False)
    change = m.execute(0)
    # the requester funded the winning side: its deposit comes back
    assert m.court_claimable["req"] == 70 * L
    assert "ann" not in m.court_claimable
    # round 0: j1, j2 incoherent (100 each), j3 takes 30 + 200; round 1: all coherent, 70 by seats
    assert change["j1"] == -100 * L + 70 * L * 3 // 7
    assert change["j2"] == -100 * L + 70 * L * 2 // 7
    assert change["j3"] == 230 * L + 70 * L - 70 * L * 3 // 7 - 70 * L * 2 // 7
    assert m.conservation() == []


def test_appeal__funded_alone__the_appellant_wins_by_default_jurors_judged_on_the_jury():
    m = _model()
    _appealed(m, {"j1": 1, "j2": 1, "j3": 2}, {}, defend=False)
    assert m.final_ruling(0) == (2, 1, False)
    change = m.execute(0)
    assert m.court_claimable["req"] == 70 * L  # a lone funder is refunded
    assert change["j3"] == -100 * L  # incoherent with the jury, not with the default
    assert change["j1"] == 65 * L


def test_appeal__neither_funded_side_wins__funders_share_the_deposit():
    m = _model()
    _appealed(m, {"j1": 1, "j2": 1, "j3": 2}, {"j2": 1, "j3": 2})  # 2 seats each: a tie
    assert m.final_ruling(0) == (0, 0, True)
    m.execute(0)
    assert m.court_claimable["req"] == 35 * L and m.court_claimable["ann"] == 35 * L


def test_close_undrawn__first_round__refused_fee_back_to_the_payer():
    m = _model()
    for j in ("j1", "j2", "j3"):
        m.stake(j, 1_000 * L)
    _submitted(m)
    m.reject(0, dispute_id=0)
    m.seated(0, "j1", 1)  # one seat of three drawn by the deadline
    m.close_undrawn(0)
    assert m.court_claimable == {"req": 30 * L}
    assert m.final_ruling(0) == (0, 0, False)
    assert m.execute(0) == {}  # the seat released: no reward, no penalty
    assert m.jurors["j1"].locked == 0 and m.jurors["j1"].free == 1_000 * L
    m.rule_task(0, 0, T0)
    assert m.tasks[0].status == TaskStatus.SPLIT
    assert m.conservation() == []
    with pytest.raises(ModelError, match="nothing to close"):
        m.close_undrawn(0)


def test_close_undrawn__appeal_round__fails_deposits_back_the_ruling_stands():
    m = _model()
    _round(m, {"j1": 1, "j2": 1, "j3": 2})
    assert not m.fund_appeal(0, 2, "req")
    assert m.fund_appeal(0, 1, "ann")  # round 1 opens; nobody can be seated
    m.close_undrawn(0)
    assert m.court_claimable == {"ann": 70 * L}  # the round's fee, to its second funder
    assert m.final_ruling(0) == (1, 1, False)  # round 0's ruling stands
    m.execute(0)
    assert m.court_claimable["req"] == 70 * L  # the first funder's deposit back
    assert m.conservation() == []


def test_appeal__same_side_twice__is_a_model_error():
    m = _model()
    _round(m, {"j1": 1, "j2": 1, "j3": 1})
    m.fund_appeal(0, 2, "req")
    with pytest.raises(ModelError, match="side 2 cannot be funded"):
        m.fund_appeal(0, 2, "dog")


def test_court_withdraw__pays_the_claimable():
    m = _model()
    _round(m, {"j1": 1, "j2": 1, "j3": 1})
    m.execute(0)
    before = m.balance("j1")
    assert m.court_withdraw("j1") == 10 * L
    assert m.balance("j1") == before + 10 * L and "j1" not in m.court_claimable


def test_seated__without_free_stake__is_a_model_error():
    m = _model()
    m.stake("j1", 50 * L)
    _submitted(m)
    m.reject(0, dispute_id=0)
    with pytest.raises(ModelError, match="free stake"):
        m.seated(0, "j1", 1)


def _nodes(m):
    m.register_node(0, "gpu1", 4, 0, now=DAY // 2)  # 400 staked, reports from epoch 1
    m.register_node(1, "gpu2", 4, 0, now=DAY // 2)
    m.report(0, 1, 3_000, 10_000)
    m.report(1, 1, 2_000, 5_000)  # effective 1,000


def test_registry__rewards_pro_rata_once_final():
    m = _model()
    _nodes(m)
    assert m.nodes[0].first_epoch == 1
    assert m.claimable_epochs(0, now=5 * DAY - 1) == []
    assert m.claimable_epochs(0, now=6 * DAY) == [1]  # end 2 days + window 1 + period 3
    assert m.claim(0, [1]) == 1_000 * L * 3_000 // 4_000
    assert m.claim(1, [1]) == 1_000 * L * 1_000 // 4_000
    assert m.claimable_epochs(0, now=6 * DAY) == []


def test_registry__claimable_epochs__reads_only_the_node_s_own_reports():
    m = _model()
    _nodes(m)
    m.report(0, 2, 1_000, 10_000)
    # every report under both keys, the same object (a challenge or a
    # claim seen through either); other nodes' reports are not scanned
    assert m.node_reports == {0: {1: m.reports[(0, 1)], 2: m.reports[(0, 2)]},
                              1: {1: m.reports[(1, 1)]}}  # fmt: skip
    m.challenge(1, 1, "dog", dispute_id=0)
    assert m.node_reports[1][1] is m.reports[(1, 1)]
    assert m.claimable_epochs(0, now=7 * DAY) == [1, 2]
    assert m.claimable_epochs(1, now=7 * DAY) == []  # under challenge


def test_registry__fraud_before_final__slashes_splits_voids():
    m = _model()
    _nodes(m)
    m.challenge(1, 1, "dog", dispute_id=0)
    assert m.balance("court") == 30 * L
    m.rule_report(1, 1, 2, now=3 * DAY)
    # 25 % of 400 = 100: the 30 fee back, half of the other 70 and the 500
    # bond to the challenger; 35 to the treasury
    assert m.registry_credits == {"dog": 565 * L, "treasury": 35 * L}
    assert m.nodes[1].stake == 300 * L and not m.nodes[1].active
    assert m.nodes[1].convicted
    assert m.epoch_units[1] == 3_000  # the voided units leave the denominator
    assert m.claim(0, [1]) == 1_000 * L
    assert m.conservation() == []  # the court holds the unexecuted round's fee


def test_registry__fraud_after_final__honest_node_tops_up():
    m = _model()
    _nodes(m)
    m.challenge(1, 1, "dog", dispute_id=0)
    assert m.claimable_epochs(0, now=6 * DAY) == [1]  # not held by another's challenge
    assert m.claimable_epochs(1, now=6 * DAY) == []
    assert m.claim(0, [1]) == 1_000 * L * 3_000 // 4_000
    m.rule_report(1, 1, 2, now=20 * DAY)
    assert m.claimable_epochs(0, now=20 * DAY) == [1]
    assert m.claim(0, [1]) == 1_000 * L - 1_000 * L * 3_000 // 4_000
    assert m.claimable_epochs(1, now=20 * DAY) == []  # convicted


def test_registry__challenge_rejected__bond_to_the_provider():
    m = _model()
    _nodes(m)
    m.challenge(0, 1, "dog", dispute_id=0)
    assert m.claimable_epochs(0, now=6 * DAY) == []  # under challenge
    m.rule_report(0, 1, 1, now=3 * DAY)
    assert m.registry_credits == {"gpu1": 500 * L}
    assert m.claimable_epochs(0, now=6 * DAY) == [1]
    with pytest.raises(ModelError, match="cannot be challenged"):
        m.challenge(0, 1, "dog", dispute_id=1)


def test_registry__report_rules():
    m = _model()
    _nodes(m)
    with pytest.raises(ModelError, match="cannot report epoch 1"):
        m.report(0, 1, 1, 10_000)
    with pytest.raises(ModelError, match="no effective units"):
        m.report(0, 2, 1, 1)


def test_expected__lists_every_tracked_quantity():
    m = _model()
    _submitted(m)
    m.stake("j1", 1_000 * L)
    m.register_node(0, "gpu1", 1, 0, now=0)
    out = m.expected(["req", "ann", "j1", "gpu1"])
    assert out[("balanceOf", "escrow")] == _l("152.5")
    assert out[("court.free", "j1")] == 1_000 * L
    assert out[("registry.stake", "0")] == 100 * L
    assert out[("task.status", "0")] == int(TaskStatus.SUBMITTED)
    assert out[("totalSupply", "token")] == 8 * 10_000 * L
